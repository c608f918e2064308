"""What the caller hears in the voice menu (issue #18), in en, ru and pl."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from custom_components.client_etiquette.core.messages.voice import (
    ASK_REASON,
    CONNECTING,
    PRESS_ONE,
    THANKS,
    cant_talk,
)
from custom_components.client_etiquette.core.models import Language

NOW = datetime(2026, 6, 3, 8, 5, tzinfo=UTC)
WAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    ("language", "at", "expected"),
    [
        (
            Language.EN,
            datetime(2026, 6, 3, 13, 28, tzinfo=UTC),
            "I understand it's urgent, but I can't talk safely right now. "
            "I'll call you back at 15:30.",
        ),
        (
            Language.RU,
            datetime(2026, 6, 3, 13, 28, tzinfo=UTC),
            "Понимаю, что дело срочное, но сейчас мне небезопасно разговаривать. "
            "Я перезвоню вам в 15:30.",
        ),
        (
            Language.PL,
            datetime(2026, 6, 4, 7, 0, tzinfo=UTC),
            "Rozumiem, że sprawa jest pilna, ale teraz nie mogę bezpiecznie rozmawiać. "
            "Oddzwonię jutro o 9:00.",
        ),
        (
            Language.PL,
            None,
            "Rozumiem, że sprawa jest pilna, ale teraz nie mogę bezpiecznie rozmawiać. "
            "Oddzwonię w ciągu 30 minut.",
        ),
    ],
)
def test_cant_talk_says_when(language: Language, at: datetime | None, expected: str) -> None:
    """The promised time in the client's zone; no time known: within the usual minutes."""
    assert cant_talk(language, at, NOW, WAW) == expected


@pytest.mark.parametrize("prompts", [PRESS_ONE, ASK_REASON, THANKS, CONNECTING])
def test_every_prompt_in_every_language(prompts: dict[Language, str]) -> None:
    """Each prompt is a whole sentence in each language; none says where the freelancer is."""
    assert set(prompts) == set(Language)
    for text in prompts.values():
        assert text[0].isupper()
        assert text.endswith(".")
        assert "  " not in text
