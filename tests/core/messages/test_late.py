"""The follow-up text when a promised time can't be kept, in each language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.client_etiquette.core.messages.late import late_text
from custom_components.client_etiquette.core.messages.texts import sms_segments
from custom_components.client_etiquette.core.models import Language

NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    ("language", "new_time", "sender", "expected"),
    [
        (
            Language.EN,
            NOW + timedelta(hours=2, minutes=27),
            "Jan",
            "Sorry, I'm still tied up. I'll call you back at 16:30. Jan",
        ),
        (
            Language.RU,
            NOW + timedelta(hours=2, minutes=30),
            "",
            "Извините, пока не могу освободиться. Перезвоню в 16:30.",
        ),
        (
            Language.PL,
            NOW + timedelta(days=1),
            "Jan",
            "Przepraszam, nadal nie mogę się oderwać. Oddzwonię jutro o 14:00. Jan",
        ),
        (Language.EN, None, "", "Sorry, I'm still tied up. I'll call you back as soon as I can."),
        (
            Language.RU,
            NOW - timedelta(minutes=1),
            "",
            "Извините, пока не могу освободиться. Перезвоню, как только смогу.",
        ),
        (
            Language.PL,
            None,
            "",
            "Przepraszam, nadal nie mogę się oderwać. Oddzwonię najszybciej, jak się da.",
        ),
    ],
)
def test_late_text(
    language: Language, new_time: datetime | None, sender: str, expected: str
) -> None:
    """Sorry, still tied up, the new time in the client's zone (rounded up), the name."""
    assert late_text(language, new_time, NOW, WARSAW, sender_name=sender) == expected


@pytest.mark.parametrize("language", list(Language))
def test_late_text_is_one_sms(language: Language) -> None:
    """Today's new time and a short name fit one SMS segment in every language."""
    text = late_text(language, NOW + timedelta(hours=3), NOW, WARSAW, sender_name="Jan")
    assert sms_segments(text) == 1
