"""The reminder says what the call is about, quoted as the caller said it."""

# ruff: noqa: RUF001
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from custom_components.client_etiquette.core.ui_text import (
    ABOUT_CHARS,
    call_about,
    reminder_text,
)


@dataclass
class Item:
    """The facts of a waiting callback that say what it is about."""

    number: str = "+48601234567"
    calls: int = 1
    reasons: list[str] = field(default_factory=list)
    last_call: datetime = datetime(2026, 6, 3, tzinfo=UTC)
    promised_at: datetime | None = None
    text_status: str = "sent"
    recording_url: str | None = None
    transcription: str | None = None
    transcript: str | None = None
    reason_text: str | None = None
    reply: str | None = None
    reply_at: datetime | None = None
    reply_urgent: bool = False
    reply_time: str | None = None


@pytest.mark.parametrize(
    ("item", "about"),
    [
        (Item(), None),
        (Item(transcription="Call me about the logo."), "Call me about the logo."),
        (Item(transcription="Twilio's", transcript="Whisper's"), "Whisper's"),
        (Item(transcript="Whisper's", reason_text="the invoice"), "the invoice"),
        (Item(transcript="Whisper's", reply="the logo, after 17"), "the logo, after 17"),
        (Item(reply="their text", reason_text="the invoice"), "the invoice"),
        (Item(reason_text="", transcript=""), None),
    ],
)
def test_the_callers_own_words_first(item: Item, about: str | None) -> None:
    """Check the order: spoken reason, text back, our transcript, the provider's; else nothing."""
    assert call_about(item) == about


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "About: “the invoice”\nGood time to call back now (1 call)."),
        ("ru", "По поводу: «the invoice»\nСейчас удобно перезвонить (1 звонок)."),
        (
            "pl-PL",
            "W sprawie: „the invoice”\nTeraz jest dobry moment, by oddzwonić (1 połączenie).",
        ),
    ],
)
def test_reminder_quotes_the_reason(language: str, expected: str) -> None:
    """The reason comes first, quoted the way each language quotes; then the reminder."""
    assert reminder_text(1, language, "  the\ninvoice ").startswith(expected)


def test_long_reason_is_shortened_and_none_is_left_out() -> None:
    """A long transcript is cut with an ellipsis; no reason gives the reminder as before."""
    text = reminder_text(2, "en", "word " * 100)
    first = text.split("\n")[0]
    assert first.endswith("…”")
    assert len(first) <= len("About: “”") + ABOUT_CHARS
    assert reminder_text(2, "en", None) == reminder_text(2, "en")
    assert "\n" not in reminder_text(2, "en", "   ")
