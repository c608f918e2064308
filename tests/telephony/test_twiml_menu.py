"""The voice menu's TwiML (issue #18): each branch, valid whatever is missing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, strategies as st
import pytest

from custom_components.client_etiquette.core.models import Language
from custom_components.client_etiquette.telephony import twiml

URL = "https://ha.example.com/api/webhook/abc"
RECORDING = URL + "?step=recording"
DONE = URL + "?step=done"


def parse(document: str) -> ET.Element:
    """Parse a document as Twilio does: one <Response>."""
    assert document.startswith(twiml.XML_DECLARATION)
    root = ET.fromstring(document)
    assert root.tag == "Response"
    return root


def menu(intro: str, language: Language, *, urgent: bool, reason: bool) -> ET.Element:
    return parse(
        twiml.menu_voicemail(
            intro,
            language,
            urgent_url=URL + "?step=urgent" if urgent else None,
            reason_url=URL + "?step=reason" if reason else None,
            recording_status_url=RECORDING,
            action_url=DONE,
        )
    )


def test_without_a_menu_it_is_the_plain_voicemail() -> None:
    """No menu: exactly today's voicemail of the greeting and "leave a message"."""
    document = twiml.menu_voicemail(
        "Sorry, I'm in a meeting.",
        Language.EN,
        urgent_url=None,
        reason_url=None,
        recording_status_url=RECORDING,
        action_url=DONE,
    )
    assert document == twiml.voicemail(
        "Sorry, I'm in a meeting. Please leave a message after the tone.",
        Language.EN,
        recording_status_url=RECORDING,
        action_url=DONE,
    )


def test_press_one_wraps_the_greeting() -> None:
    """A key pressed while the greeting is said counts; nothing pressed: the message."""
    root = menu("Przepraszam, mam spotkanie.", Language.PL, urgent=True, reason=False)
    assert [verb.tag for verb in root] == ["Gather", "Say", "Record", "Hangup"]
    gather = root[0]
    assert (gather.get("input"), gather.get("numDigits"), gather.get("method")) == (
        "dtmf",
        "1",
        "POST",
    )
    (say,) = gather
    assert say.text == (
        "Przepraszam, mam spotkanie. Jeśli sprawa jest pilna, proszę nacisnąć jedynkę."
    )
    assert (say.get("language"), say.get("voice")) == ("pl-PL", "Polly.Ewa")


@pytest.mark.parametrize(
    ("language", "tag"), [(Language.EN, "en-US"), (Language.RU, "ru-RU"), (Language.PL, "pl-PL")]
)
def test_reason_is_asked_in_the_callers_language(language: Language, tag: str) -> None:
    """A speech <Gather> in the caller's language, with a numeric end of speech."""
    root = menu("Hi.", language, urgent=False, reason=True)
    assert [verb.tag for verb in root] == ["Say", "Gather", "Say", "Record", "Hangup"]
    gather = root[1]
    assert gather.get("input") == "speech"
    assert gather.get("language") == tag
    # "auto" can't be used with Twilio's default speech model (warning 13335).
    assert gather.get("speechTimeout", "").isdigit()
    assert gather[0].get("language") == tag


def test_ring_urgent() -> None:
    """Say "putting you through", then dial the mobile with the dial step as action."""
    root = parse(twiml.ring_urgent("+48601000111", Language.RU, timeout=18, action_url=DONE))
    assert [verb.tag for verb in root] == ["Say", "Dial"]
    assert root[0].text == "Минуту, соединяю."
    assert root[1].text == "+48601000111"
    assert root[1].get("timeout") == "18"
    with pytest.raises(ValueError, match="forward number"):
        twiml.ring_urgent(" ", Language.EN, timeout=18, action_url=DONE)
    with pytest.raises(ValueError, match="forward number"):
        twiml.ring_urgent("+48601000111", Language.EN, timeout=18, action_url="")


@given(
    intro=st.text(max_size=200),
    language=st.sampled_from(list(Language)),
    urgent=st.booleans(),
    reason=st.booleans(),
    recording=st.one_of(st.none(), st.just(RECORDING)),
    done=st.one_of(st.none(), st.just(DONE)),
)
def test_every_document_is_valid_and_ends_in_a_recording(
    intro: str,
    language: Language,
    urgent: bool,
    reason: bool,
    recording: str | None,
    done: str | None,
) -> None:
    """Any intro (control characters included), any URL missing: valid, and a recording last."""
    root = parse(
        twiml.menu_voicemail(
            intro,
            language,
            urgent_url=URL + "?step=urgent" if urgent else None,
            reason_url=URL + "?step=reason" if reason else None,
            recording_status_url=recording,
            action_url=done,
        )
    )
    assert [verb.tag for verb in root][-2:] == ["Record", "Hangup"]
    for gather in root.iter("Gather"):
        assert [inner.tag for inner in gather] == ["Say"]
        assert gather.get("action")
    assert all((say.text or "").strip() for say in root.iter("Say"))
