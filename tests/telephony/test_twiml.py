"""TwiML documents: parsed back and checked for what they mean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.client_etiquette.core.messages.texts import callback_phrase, excuse
from custom_components.client_etiquette.core.messages.times import format_callback_time
from custom_components.client_etiquette.core.models import Language, Reason
from custom_components.client_etiquette.telephony import twiml

ACTION = "https://ha.example.com/api/webhook/abc?step=dial"
STATUS = "https://ha.example.com/api/webhook/abc?step=recording"
DONE = "https://ha.example.com/api/webhook/abc?step=done"
TRANSCRIBE = "https://ha.example.com/api/webhook/abc?step=transcription"
WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Warsaw


def parse(document: str) -> ET.Element:
    """Parse a TwiML document, checking the declaration and the root."""
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(document)
    assert root.tag == "Response"
    return root


def verbs(root: ET.Element) -> list[str]:
    """Return the verbs of a response, in order."""
    return [child.tag for child in root]


def test_empty_and_hangup() -> None:
    """Check that the status-callback answer is empty; hang-up is a single verb."""
    assert verbs(parse(twiml.empty())) == []
    assert verbs(parse(twiml.hangup())) == ["Hangup"]


def test_dial_rings_the_mobile_and_reports_back() -> None:
    """Ready: dial the mobile, answer on bridge, with a timeout and a status action."""
    root = parse(twiml.dial("+48601234567", timeout=20, action_url=ACTION))
    assert verbs(root) == ["Dial"]
    dial = root[0]
    assert dial.text == "+48601234567"
    assert dial.attrib == {
        "answerOnBridge": "true",
        "timeout": "20",
        "action": ACTION,
        "method": "POST",
    }


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [(0, "5"), (4.9, "5"), (5, "5"), (20, "20"), (25.7, "25"), (600, "600"), (10_000, "600")],
)
def test_dial_timeout_is_clamped(timeout: float, expected: str) -> None:
    """Check that Twilio accepts 5 to 600 whole seconds."""
    root = parse(twiml.dial("+48601234567", timeout=timeout, action_url=ACTION))
    assert root[0].get("timeout") == expected


@pytest.mark.parametrize(("number", "url"), [("", ACTION), ("  ", ACTION), ("+4860", "")])
def test_dial_needs_a_number_and_an_action(number: str, url: str) -> None:
    """Check that without a number or an action URL there is nothing sensible to dial."""
    with pytest.raises(ValueError, match="forward number"):
        twiml.dial(number, timeout=20, action_url=url)


def test_urls_and_text_are_escaped() -> None:
    """Check that ampersands, quotes and angle brackets survive the round trip."""
    url = 'https://h/x?a=1&b="2"&c=<3>'
    root = parse(twiml.dial("+48 <601> & 'x'", timeout=20, action_url=url))
    assert root[0].get("action") == url
    assert root[0].text == "+48 <601> & 'x'"
    text = 'Fish & "chips" <now>'
    root = parse(twiml.voicemail(text, Language.EN, recording_status_url=url, action_url=url))
    assert root[0].text == text
    assert root[1].get("recordingStatusCallback") == url


@pytest.mark.parametrize(
    ("status", "answered"),
    [
        ("completed", True),
        ("answered", True),
        (" Completed ", True),
        ("busy", False),
        ("no-answer", False),
        ("failed", False),
        ("canceled", False),
        ("", False),
        (None, False),
    ],
)
def test_dial_answered(status: str | None, answered: bool) -> None:
    """Check that only a completed (answered) dial ends the call; anything else takes a message."""
    assert twiml.dial_answered(status) is answered


def greeting(reason: Reason | None, language: Language, *args: Any, **kwargs: Any) -> str:
    """Return what the caller hears before the tone without a menu: the intro, "leave a message"."""
    document = twiml.menu_voicemail(
        twiml.intro(reason, language, *args, **kwargs),
        language,
        urgent_url=None,
        reason_url=None,
        recording_status_url=None,
        action_url=None,
    )
    return " ".join(say.text or "" for say in parse(document).iter("Say"))


@pytest.mark.parametrize("language", list(Language))
def test_voicemail_says_records_and_hangs_up(language: Language) -> None:
    """Not ready: say the greeting in the caller's language, record, hang up."""
    text = greeting(Reason.ON_CALL, language, None, NOW, WARSAW)
    root = parse(
        twiml.voicemail(
            text,
            language,
            recording_status_url=STATUS,
            action_url=DONE,
            transcribe_url=TRANSCRIBE if language is Language.EN else None,
        )
    )
    assert verbs(root) == ["Say", "Record", "Hangup"]
    say, record, _ = root
    assert say.get("language") == {"en": "en-US", "ru": "ru-RU", "pl": "pl-PL"}[language]
    assert say.get("voice") == twiml.SAY_VOICES[language]
    assert say.text == text
    assert record.get("action") == DONE
    assert record.get("method") == "POST"
    assert record.get("recordingStatusCallback") == STATUS
    assert record.get("recordingStatusCallbackMethod") == "POST"
    assert record.get("recordingStatusCallbackEvent") == "completed"
    assert record.get("playBeep") == "true"
    assert int(record.get("maxLength", "0")) == twiml.DEFAULT_MAX_LENGTH
    if language is Language.EN:
        assert record.get("transcribe") == "true"
        assert record.get("transcribeCallback") == TRANSCRIBE
    else:
        assert record.get("transcribe") is None
        assert record.get("transcribeCallback") is None


def test_voicemail_options() -> None:
    """A custom voice and length; no callbacks when no URLs are given."""
    root = parse(
        twiml.voicemail(
            "Hi.",
            Language.PL,
            recording_status_url=None,
            action_url=None,
            max_length=0,
            voice="Polly.Maja",
        )
    )
    say, record, _ = root
    assert say.get("voice") == "Polly.Maja"
    assert record.get("maxLength") == "1"
    for name in ("action", "recordingStatusCallback", "transcribe", "transcribeCallback"):
        assert record.get(name) is None


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01"])
def test_voicemail_never_says_nothing(text: str) -> None:
    """Check that an empty greeting falls back to the generic one."""
    root = parse(twiml.voicemail(text, Language.EN, recording_status_url=None, action_url=None))
    assert root[0].text == twiml.FALLBACK_GREETING


SPOKEN_HELLO = {
    Language.EN: "Hi, it's Jan. ",
    Language.RU: "Здравствуйте, это Jan. ",
    Language.PL: "Dzień dobry, tu Jan. ",
}


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("reason", [*Reason, None])
def test_greeting_is_polite_and_place_free(language: Language, reason: Reason | None) -> None:
    """Check that the greeting apologises, says when the callback comes, asks for a message.

    It is the same polite wording as the text, so it never names the place.
    """
    callback_at = NOW + timedelta(hours=4, minutes=27)
    text = greeting(reason, language, callback_at, NOW, WARSAW, sender_name="Jan")
    assert text.startswith(SPOKEN_HELLO[language])  # said, never signed like a text
    assert excuse(reason or Reason.MANUAL, language) in text
    assert format_callback_time(callback_at, NOW, WARSAW, language) in text
    assert "15:30" in text  # 14:27 UTC is 15:27 in Warsaw, rounded up to 15:30
    assert text.endswith(twiml.LEAVE_MESSAGE[language])
    lowered = text.lower()
    for place in (
        "driv", "car ", "bar", "metro", "train", "café", "doctor", "meeting", "public",
        "за рул", "метро", "бар", "поезд", "врач", "samochod", "pociąg", "lekarz",  # noqa: RUF001
    ):  # fmt: skip
        assert place not in lowered


def test_greeting_without_a_known_time() -> None:
    """No promised time: the usual "within about N minutes" of the text."""
    text = greeting(Reason.DRIVING, Language.RU, None, NOW, WARSAW, within_minutes=15)
    assert callback_phrase(Reason.DRIVING, Language.RU, None, NOW, WARSAW, within_minutes=15) in (
        text
    )
    assert excuse(Reason.DRIVING, Language.RU) in text
    assert "15" in text
    assert text.endswith(twiml.LEAVE_MESSAGE[Language.RU])


def test_fallback_voicemail() -> None:
    """Check that the fallback takes a message in English, with the callbacks when given."""
    root = parse(twiml.fallback_voicemail(STATUS, DONE))
    assert verbs(root) == ["Say", "Record", "Hangup"]
    assert root[0].text == twiml.FALLBACK_GREETING
    assert root[0].get("language") == "en-US"
    assert root[1].get("recordingStatusCallback") == STATUS
    assert root[1].get("action") == DONE
    bare = parse(twiml.fallback_voicemail())
    assert verbs(bare) == ["Say", "Record", "Hangup"]
    assert bare[1].get("recordingStatusCallback") is None


def test_fallback_voicemail_never_raises() -> None:
    """Check that even with nonsense for URLs, the fallback answers with a valid voicemail."""
    document = twiml.fallback_voicemail(123, object())  # type: ignore[arg-type]
    root = parse(document)
    assert verbs(root) == ["Say", "Record", "Hangup"]
    assert root[1].get("recordingStatusCallback") is None


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=200),
    url=st.text(max_size=80),
    number=st.text(max_size=30),
    language=st.sampled_from(list(Language)),
)
def test_any_input_gives_valid_twiml(text: str, url: str, number: str, language: Language) -> None:
    """Check that whatever the text, number or URL (control characters included), the XML parses."""
    root = parse(
        twiml.voicemail(
            text, language, recording_status_url=url, action_url=url, transcribe_url=url
        )
    )
    assert root[0].text == (twiml.clean(text).strip() or twiml.FALLBACK_GREETING)
    if url:
        assert root[1].get("recordingStatusCallback") == twiml.clean(url)
    if twiml.clean(number).strip() and url:
        dial = parse(twiml.dial(number, timeout=20, action_url=url))[0]
        assert dial.text == twiml.clean(number).strip()
        assert dial.get("action") == twiml.clean(url)
