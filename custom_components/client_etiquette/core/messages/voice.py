"""What the caller hears in the voice menu, in their language (en, ru, pl).

Short and polite, as one says it on the phone; place-free like the polite text (rule
E6: it never says where the freelancer is).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Final

from ..models import Language
from .times import DEFAULT_WITHIN_MINUTES, format_callback_time

# Ends the greeting when the caller may break through.
PRESS_ONE: Final[Mapping[Language, str]] = {
    Language.EN: "If it's urgent, press 1.",
    Language.RU: "Если дело срочное, нажмите единицу.",
    Language.PL: "Jeśli sprawa jest pilna, proszę nacisnąć jedynkę.",
}
# Asks for the reason of the call (the answer is transcribed by the provider).
ASK_REASON: Final[Mapping[Language, str]] = {
    Language.EN: "Please tell me in a few words what your call is about.",
    Language.RU: "Скажите, пожалуйста, в двух словах, по какому вы вопросу.",
    Language.PL: "Proszę w kilku słowach powiedzieć, czego dotyczy sprawa.",
}
THANKS: Final[Mapping[Language, str]] = {
    Language.EN: "Thank you.",
    Language.RU: "Спасибо.",
    Language.PL: "Dziękuję.",
}
# Urgent, but ringing through is not safe now: say so, and when the callback comes.
_CANT_TALK: Final[Mapping[Language, str]] = {
    Language.EN: "I understand it's urgent, but I can't talk safely right now. "
    "I'll call you back {when}.",
    Language.RU: "Понимаю, что дело срочное, но сейчас мне небезопасно разговаривать. "
    "Я перезвоню вам {when}.",
    Language.PL: "Rozumiem, że sprawa jest pilna, ale teraz nie mogę bezpiecznie rozmawiać. "
    "Oddzwonię {when}.",
}
# Said while the call is put through to the mobile.
CONNECTING: Final[Mapping[Language, str]] = {
    Language.EN: "One moment, I'm putting you through.",
    Language.RU: "Минуту, соединяю.",
    Language.PL: "Chwileczkę, łączę.",
}


def cant_talk(
    language: Language,
    callback_at: datetime | None,
    now: datetime,
    client_tz: tzinfo,
    *,
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
) -> str:
    """Say that an urgent call can't be taken safely now, and when the callback comes."""
    when = format_callback_time(
        callback_at, now, client_tz, language, within_minutes=within_minutes
    )
    return _CANT_TALK[language].format(when=when)
