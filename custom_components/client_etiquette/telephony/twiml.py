"""Pure TwiML (Twilio, SignalWire cXML, Telnyx TeXML) for the voice webhook.

No Home Assistant imports; everything time-dependent takes ``now``.

The call flow (the ``step`` names are the voice webhook's query parameter):

- ``call``, ready: ``<Dial answerOnBridge timeout action=dial>`` to the freelancer's
  mobile; the caller hears ringing until the mobile answers.
- ``dial``: the dial is over. Answered: ``<Hangup/>``; busy, no answer, failed:
  the voicemail branch below (``dial_answered`` tells which).
- ``call``, not ready: ``<Say>`` a short polite greeting in the caller's language
  (the same wording as the text, rule E6: sorry, I can't talk, I'll call you back at
  15:30; it never says where the freelancer is), then ``<Record>`` with a
  recording-status callback, then ``<Hangup/>``.
- ``done``: the ``<Record>`` action, ``<Hangup/>`` (without an action Twilio would
  request the first URL again and loop).

The voice menu (``menu_voicemail``, issue #18) adds two optional ``<Gather>`` steps
before the recording. "If it's urgent, press 1": the greeting is said inside a
``<Gather input="dtmf" numDigits="1">`` whose action is ``urgent``. "What is the call
about?": a ``<Gather input="speech">`` in the caller's language whose action is
``reason`` (Twilio posts its transcript as ``SpeechResult``). A ``<Gather>`` that hears
nothing falls through to the next verb, so a caller who does nothing (or whose provider
hears nothing) still reaches the ``<Record>``.

Every document is built with ``xml.etree`` (text and attributes are escaped) after
dropping characters XML 1.0 can't carry. ``fallback_voicemail`` never raises: it is
what the webhook answers when anything else went wrong, so a caller can always leave
a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from functools import lru_cache
import re
from typing import Final
import xml.etree.ElementTree as ET

from ..core.messages.texts import build_text
from ..core.messages.times import DEFAULT_WITHIN_MINUTES
from ..core.messages.voice import ASK_REASON, CONNECTING, PRESS_ONE
from ..core.models import Language, Reason

CONTENT_TYPE: Final = "text/xml"
XML_DECLARATION: Final = '<?xml version="1.0" encoding="UTF-8"?>'
MIN_DIAL_TIMEOUT: Final = 5
MAX_DIAL_TIMEOUT: Final = 600
DEFAULT_DIAL_TIMEOUT: Final = 20
# Longest voicemail, in seconds (Twilio transcribes recordings of up to 120 seconds).
DEFAULT_MAX_LENGTH: Final = 120
# DialCallStatus values that mean the freelancer picked up.
ANSWERED_DIAL_STATUSES: Final = frozenset({"completed", "answered"})

# <Say language=...> per caller language, and a voice that speaks it on Twilio,
# SignalWire and Telnyx (the classic man/woman voices speak no Russian or Polish).
SAY_LANGUAGES: Final[Mapping[Language, str]] = {
    Language.EN: "en-US",
    Language.RU: "ru-RU",
    Language.PL: "pl-PL",
}
SAY_VOICES: Final[Mapping[Language, str]] = {
    Language.EN: "Polly.Joanna",
    Language.RU: "Polly.Tatyana",
    Language.PL: "Polly.Ewa",
}
LEAVE_MESSAGE: Final[Mapping[Language, str]] = {
    Language.EN: "Please leave a message after the tone.",
    Language.RU: "Пожалуйста, оставьте сообщение после сигнала.",
    Language.PL: "Proszę zostawić wiadomość po sygnale.",
}
# How long the menu's <Gather> steps wait: for a key after the greeting, for speech to
# start, and the pause that ends it (a number: "auto" can't be used with Twilio's
# default speech model, warning 13335).
DIGIT_TIMEOUT: Final = 4
SPEECH_TIMEOUT: Final = 5
SPEECH_END_TIMEOUT: Final = 2
FALLBACK_GREETING: Final = (
    "Sorry, I can't take your call right now. Please leave a message after the tone."
)

# Characters XML 1.0 can't carry (C0 controls but tab/newline/return, surrogates,
# U+FFFE and U+FFFF).
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    r"""Return ``text`` without the characters XML 1.0 can't carry, line ends as ``\n``.

    (An XML parser turns a raw carriage return into a newline anyway.)
    """
    return _NOT_XML.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def _render(root: ET.Element) -> str:
    return XML_DECLARATION + ET.tostring(root, encoding="unicode")


def _element(parent: ET.Element, tag: str, attributes: Mapping[str, str]) -> ET.Element:
    return ET.SubElement(parent, tag, {name: clean(value) for name, value in attributes.items()})


def empty() -> str:
    """Return an empty response: the status callbacks' answer."""
    return _render(ET.Element("Response"))


def hangup() -> str:
    """End the call."""
    root = ET.Element("Response")
    ET.SubElement(root, "Hangup")
    return _render(root)


def clamp_timeout(timeout: float) -> int:
    """Return a dial timeout Twilio accepts: whole seconds between 5 and 600."""
    return max(MIN_DIAL_TIMEOUT, min(MAX_DIAL_TIMEOUT, int(timeout)))


def dial(forward_number: str, *, timeout: float, action_url: str) -> str:
    """Ring the freelancer's mobile; the caller hears ringing until it is answered.

    ``action_url`` receives ``DialCallStatus`` when the dial is over (answered and
    finished, busy, no answer, failed) and decides whether to take a voicemail.
    The caller's own number is shown on the mobile (Twilio's default caller ID).
    Raises ``ValueError`` without a number or an action URL.

    Nothing of the call itself is in the document (the action URL tells the call by
    the provider's ``CallSid`` in its form), so it is built once per forward number,
    timeout and action URL, and served from a small cache after that.
    """
    return _dial(forward_number, clamp_timeout(timeout), action_url)


@lru_cache(maxsize=32)
def _dial(forward_number: str, timeout: int, action_url: str) -> str:
    number = clean(forward_number).strip()
    if not number or not action_url:
        msg = "dial needs a forward number and an action URL"
        raise ValueError(msg)
    root = ET.Element("Response")
    element = _element(
        root,
        "Dial",
        {
            "answerOnBridge": "true",
            "timeout": str(timeout),
            "action": action_url,
            "method": "POST",
        },
    )
    element.text = number
    return _render(root)


def dial_answered(dial_call_status: str | None) -> bool:
    """Whether the ``DialCallStatus`` of a finished ``<Dial>`` means it was answered."""
    return (dial_call_status or "").strip().lower() in ANSWERED_DIAL_STATUSES


def intro(
    reason: Reason | None,
    language: Language,
    callback_at: datetime | None,
    now: datetime,
    client_tz: tzinfo,
    *,
    sender_name: str = "",
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
) -> str:
    """Say what the caller hears first, in their language (``menu_voicemail`` adds the rest).

    The polite text of ``messages.build_text`` (greeting, place-free apology for the
    primary ``reason``, when the callback comes), always in its spoken form: it begins
    with "hello, it's …", never with the SMS form's signature at the end. No reason
    known: the apology for a manual "can't talk right now".
    """
    return build_text(
        reason or Reason.MANUAL,
        language,
        callback_at,
        now,
        client_tz,
        tier=None,
        sender_name=sender_name,
        within_minutes=within_minutes,
        compact=False,
    )


def voicemail(
    text: str,
    language: Language,
    *,
    recording_status_url: str | None,
    action_url: str | None,
    transcribe_url: str | None = None,
    max_length: int = DEFAULT_MAX_LENGTH,
    voice: str | None = None,
) -> str:
    """Say ``text``, record a message, hang up.

    ``recording_status_url`` receives the recording link once it is stored;
    ``action_url`` is requested when the recording ends (it should hang up; without
    it Twilio requests the current URL again). ``transcribe_url``, when given, asks
    for a transcription (Twilio transcribes English only) sent there.
    """
    root = ET.Element("Response")
    _say(root, clean(text).strip() or FALLBACK_GREETING, language, voice)
    _record(root, recording_status_url, action_url, transcribe_url, max_length)
    return _render(root)


def menu_voicemail(
    intro: str,
    language: Language,
    *,
    urgent_url: str | None,
    reason_url: str | None,
    recording_status_url: str | None,
    action_url: str | None,
    transcribe_url: str | None = None,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> str:
    """Say ``intro``, offer "press 1" and ask the reason when their URLs are given, then record.

    ``intro`` is said inside the digit ``<Gather>`` (so a key pressed while it is said
    counts) when ``urgent_url`` is given. Without either URL this is ``voicemail`` of
    the intro and "please leave a message".
    """
    leave = LEAVE_MESSAGE[language]
    intro = clean(intro).strip()
    if urgent_url is None and reason_url is None:
        return voicemail(
            f"{intro} {leave}".strip(),
            language,
            recording_status_url=recording_status_url,
            action_url=action_url,
            transcribe_url=transcribe_url,
            max_length=max_length,
        )
    root = ET.Element("Response")
    if urgent_url is not None:
        gather = _gather(root, urgent_url, input="dtmf", numDigits="1", timeout=DIGIT_TIMEOUT)
        _say(gather, f"{intro} {PRESS_ONE[language]}".strip(), language)
    elif intro:
        _say(root, intro, language)
    if reason_url is not None:
        gather = _gather(
            root,
            reason_url,
            input="speech",
            language=SAY_LANGUAGES[language],
            timeout=SPEECH_TIMEOUT,
            speechTimeout=SPEECH_END_TIMEOUT,
        )
        _say(gather, ASK_REASON[language], language)
    _say(root, leave, language)
    _record(root, recording_status_url, action_url, transcribe_url, max_length)
    return _render(root)


def ring_urgent(forward_number: str, language: Language, *, timeout: float, action_url: str) -> str:
    """Tell the caller they are put through, then ring the freelancer's mobile.

    Raises ``ValueError`` without a number or an action URL, as ``dial`` does.
    """
    number = clean(forward_number).strip()
    if not number or not action_url:
        msg = "dial needs a forward number and an action URL"
        raise ValueError(msg)
    root = ET.Element("Response")
    _say(root, CONNECTING[language], language)
    element = _element(
        root,
        "Dial",
        {
            "answerOnBridge": "true",
            "timeout": str(clamp_timeout(timeout)),
            "action": action_url,
            "method": "POST",
        },
    )
    element.text = number
    return _render(root)


def _say(parent: ET.Element, text: str, language: Language, voice: str | None = None) -> None:
    say = _element(
        parent,
        "Say",
        {"language": SAY_LANGUAGES[language], "voice": voice or SAY_VOICES[language]},
    )
    say.text = clean(text)


def _gather(parent: ET.Element, action_url: str, **attributes: str | int) -> ET.Element:
    values = {name: str(value) for name, value in attributes.items()}
    return _element(parent, "Gather", {**values, "action": action_url, "method": "POST"})


def _record(
    root: ET.Element,
    recording_status_url: str | None,
    action_url: str | None,
    transcribe_url: str | None,
    max_length: int,
) -> None:
    record: dict[str, str] = {
        "maxLength": str(max(1, int(max_length))),
        "playBeep": "true",
        "trim": "trim-silence",
        "finishOnKey": "#",
    }
    if action_url:
        record |= {"action": action_url, "method": "POST"}
    if recording_status_url:
        record |= {
            "recordingStatusCallback": recording_status_url,
            "recordingStatusCallbackMethod": "POST",
            "recordingStatusCallbackEvent": "completed",
        }
    if transcribe_url:
        record |= {"transcribe": "true", "transcribeCallback": transcribe_url}
    _element(root, "Record", record)
    ET.SubElement(root, "Hangup")


_FALLBACK: Final = voicemail(
    FALLBACK_GREETING, Language.EN, recording_status_url=None, action_url=None
)


def fallback_voicemail(
    recording_status_url: str | None = None, action_url: str | None = None
) -> str:
    """Return a voicemail in English that never raises, for when anything else went wrong."""
    try:
        return voicemail(
            FALLBACK_GREETING,
            Language.EN,
            recording_status_url=recording_status_url,
            action_url=action_url,
        )
    except Exception:  # the last resort must always answer
        return _FALLBACK
