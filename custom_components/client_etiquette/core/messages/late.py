"""The follow-up text when a promised callback time can't be kept ("still tied up").

No Home Assistant imports; everything time-dependent takes ``now``. Like the polite
texts, it never says where the freelancer is and uses no gendered verb forms (Russian
and Polish past tenses and adjectives agree with the speaker's gender)::

    Sorry, I'm still tied up. I'll call you back at 16:30. Jan
    Извините, пока не могу освободиться. Перезвоню в 16:30. Ян
    Przepraszam, nadal nie mogę się oderwać. Oddzwonię o 16:30. Jan
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Final

from ..models import Language
from .times import format_callback_time

_SORRY: Final[Mapping[Language, str]] = {
    Language.EN: "Sorry, I'm still tied up.",
    Language.RU: "Извините, пока не могу освободиться.",
    Language.PL: "Przepraszam, nadal nie mogę się oderwać.",
}
_CALLBACK: Final[Mapping[Language, str]] = {
    Language.EN: "I'll call you back {when}.",
    Language.RU: "Перезвоню {when}.",
    Language.PL: "Oddzwonię {when}.",
}
# No known time: a promise of minutes could be broken again.
_ASAP: Final[Mapping[Language, str]] = {
    Language.EN: "I'll call you back as soon as I can.",
    Language.RU: "Перезвоню, как только смогу.",
    Language.PL: "Oddzwonię najszybciej, jak się da.",
}


def late_text(
    language: Language,
    new_time: datetime | None,
    now: datetime,
    client_tz: tzinfo,
    *,
    sender_name: str = "",
) -> str:
    """Build the follow-up text: sorry, still tied up, the new callback time, the name."""
    if new_time is None or new_time <= now:
        callback = _ASAP[language]
    else:
        when = format_callback_time(new_time, now, client_tz, language)
        callback = _CALLBACK[language].format(when=when)
    parts = [_SORRY[language], callback]
    if sender_name:
        parts.append(sender_name)
    return " ".join(parts)
