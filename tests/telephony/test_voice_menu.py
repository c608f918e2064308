"""The voice menu over real HTTP (issue #18): "press 1 if urgent" and the reason for the call.

Every request is signed with the official ``twilio`` package's ``RequestValidator``
(``tests/telephony/__init__.py: sign``), the way Twilio signs its ``<Gather>`` action
requests: the full action URL with its query, and the posted form (Twilio's
``<Gather>`` docs: ``Digits`` for keys, ``SpeechResult`` and ``Confidence`` for speech).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
import xml.etree.ElementTree as ET

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.client_etiquette.const import DOMAIN

from .. import setup_entry
from . import (
    ANNA,
    BOB,
    EXTERNAL,
    FORWARD,
    TELEPHONY,
    VOICE_PATH,
    ClientFactory,
    Setup,
    call_form,
    entry_with_clients,
    post_voice,
    settle,
    todo_items,
    twiml_of,
)

EVENT = "event.my_phone_client_call"
CALLER = "+48605111222"  # no client's number
# The options of a user who never opened the voice menu's form: its defaults apply.
DEFAULTS = {key: value for key, value in TELEPHONY.items() if key != "ask_reason_unknown"}
URGENT_URL = f"{EXTERNAL}{VOICE_PATH}?step=urgent"
REASON_URL = f"{EXTERNAL}{VOICE_PATH}?step=reason"
DIAL_URL = f"{EXTERNAL}{VOICE_PATH}?step=dial"


@pytest.fixture
async def menu(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    hass_client_no_auth: ClientFactory,
) -> Setup:
    """Return the voice webhook of an entry with Anna (regular, pl) and Bob (VIP, en)."""
    return await _setup(hass, hass_client_no_auth, DEFAULTS)


async def _setup(hass: HomeAssistant, client: ClientFactory, options: dict[str, Any]) -> Setup:
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "webhook", {})
    entry = await setup_entry(hass, entry_with_clients(**options))
    return Setup(hass, entry, await client(), [])


async def busy(hass: HomeAssistant, reason: str) -> None:
    """Not ready for the next half hour, for ``reason``."""
    await hass.services.async_call(
        DOMAIN, "snooze", {"duration": {"minutes": 30}, "reason": reason}, blocking=True
    )


def call_event_history(hass: HomeAssistant) -> list[Event]:
    """Record every state the call event entity takes (what automations see)."""
    return async_capture_events(hass, EVENT_STATE_CHANGED)


def fired(history: list[Event]) -> list[dict[str, Any]]:
    """Return the call events fired, their attributes."""
    return [
        dict(event.data["new_state"].attributes)
        for event in history
        if event.data["entity_id"] == EVENT and event.data["new_state"] is not None
    ]


def form_of(number: str, call_sid: str = "CA" + "2" * 32, **extra: str) -> dict[str, str]:
    """Return Twilio's form for a call (or a later step of it) from ``number``."""
    return call_form(From=number, CallSid=call_sid, **extra)


def verbs(root: ET.Element) -> list[str]:
    """Name the document's verbs in order, nested ones as ``Gather/Say``."""
    names = []
    for verb in root:
        names.append(verb.tag)
        names.extend(f"{verb.tag}/{inner.tag}" for inner in verb)
    return names


def said(root: ET.Element) -> str:
    """Return everything the caller hears, in order."""
    return " ".join(say.text or "" for say in root.iter("Say"))


async def test_regular_client_hears_press_one(menu: Setup) -> None:
    """Anna (regular) is offered "press 1" in Polish, inside the greeting; then the message."""
    await busy(menu.hass, "in_meeting")
    root = await twiml_of(await post_voice(menu, form_of(ANNA)))
    assert verbs(root) == ["Gather", "Gather/Say", "Say", "Record", "Hangup"]
    gather = root[0]
    assert gather.attrib == {
        "input": "dtmf",
        "numDigits": "1",
        "timeout": "4",
        "action": URGENT_URL,
        "method": "POST",
    }
    assert gather[0].get("language") == "pl-PL"
    assert gather[0].text is not None
    assert gather[0].text.endswith("Jeśli sprawa jest pilna, proszę nacisnąć jedynkę.")
    # Spoken, so it begins with the greeting; the short SMS form ends with a bare name.
    assert gather[0].text.startswith("Dzień dobry, tu Jan. ")
    assert root[1].text == "Proszę zostawić wiadomość po sygnale."
    assert root[2].get("action") == f"{EXTERNAL}{VOICE_PATH}?step=done"


async def test_unknown_caller_is_asked_the_reason(menu: Setup) -> None:
    """An unknown caller: no "press 1" (off by default), but asked what it is about."""
    await busy(menu.hass, "in_meeting")
    root = await twiml_of(await post_voice(menu, form_of(CALLER)))
    assert verbs(root) == ["Say", "Gather", "Gather/Say", "Say", "Record", "Hangup"]
    gather = root[1]
    assert gather.get("input") == "speech"
    assert gather.get("language") == "en-US"
    assert gather.get("action") == REASON_URL
    assert gather[0].text == "Please tell me in a few words what your call is about."
    assert "press 1" not in said(root)


@pytest.mark.parametrize(
    ("number", "reason", "name"),
    [(ANNA, "in_meeting", "Anna Kowalska"), (BOB, "do_not_disturb", "Bob Smith")],
)
async def test_press_one_rings_the_mobile(menu: Setup, number: str, reason: str, name: str) -> None:
    """Not ready, but safe: an urgent regular or VIP client rings through at once."""
    history = call_event_history(menu.hass)
    await busy(menu.hass, reason)
    await twiml_of(await post_voice(menu, form_of(number)))
    await settle(menu.hass)
    assert fired(history) == []  # held until the caller has chosen
    root = await twiml_of(await post_voice(menu, form_of(number, Digits="1"), step="urgent"))
    assert verbs(root) == ["Say", "Dial"]
    assert root[1].text == FORWARD
    assert root[1].get("action") == DIAL_URL
    await settle(menu.hass)
    events = fired(history)
    assert [(e["event_type"], e["breakthrough"], e["urgent"]) for e in events] == [
        ("sent_to_voicemail", "urgent", True)
    ]
    (item,) = await todo_items(menu.hass)
    assert item["summary"] == f"Urgent: call back {name}"
    # Nobody picks up: the caller still leaves a message.
    root = await twiml_of(
        await post_voice(menu, form_of(number, DialCallStatus="no-answer"), step="dial")
    )
    assert verbs(root) == ["Say", "Record", "Hangup"]


@pytest.mark.parametrize("reason", ["driving", "dead_zone", "on_call"])
async def test_press_one_never_rings_while_unsafe(menu: Setup, reason: str) -> None:
    """Driving, dead zone, on a call: a polite "can't talk safely", the time, then the message."""
    history = call_event_history(menu.hass)
    await busy(menu.hass, reason)
    await twiml_of(await post_voice(menu, form_of(ANNA)))
    root = await twiml_of(await post_voice(menu, form_of(ANNA, Digits="1"), step="urgent"))
    assert verbs(root) == ["Say", "Record", "Hangup"]
    assert root[0].text is not None
    assert root[0].text.startswith(
        "Rozumiem, że sprawa jest pilna, ale teraz nie mogę bezpiecznie rozmawiać. Oddzwonię "
    )
    assert root[0].text.endswith(". Proszę zostawić wiadomość po sygnale.")
    await settle(menu.hass)
    (event,) = fired(history)
    assert event["event_type"] == "sent_to_voicemail"
    assert event["urgent"] is True
    assert event["breakthrough"] is None
    (item,) = await todo_items(menu.hass)
    assert item["summary"] == "Urgent: call back Anna Kowalska"
    assert item["description"].startswith("- **Urgent:** the caller pressed 1\n")


async def test_unsafe_after_the_greeting_still_does_not_ring(menu: Setup) -> None:
    """In a meeting at the call, driving by the key press: the key press does not ring."""
    await busy(menu.hass, "in_meeting")
    await twiml_of(await post_voice(menu, form_of(ANNA)))
    await busy(menu.hass, "driving")
    root = await twiml_of(await post_voice(menu, form_of(ANNA, Digits="1"), step="urgent"))
    assert "Dial" not in verbs(root)
    assert "Record" in verbs(root)


@pytest.mark.parametrize("digits", ["", "2", "#", "11"])
async def test_other_keys_go_on_to_the_message(menu: Setup, digits: str) -> None:
    """Any key but 1 (or none): on to the message, nothing marked urgent."""
    history = call_event_history(menu.hass)
    await busy(menu.hass, "in_meeting")
    await twiml_of(await post_voice(menu, form_of(ANNA)))
    root = await twiml_of(await post_voice(menu, form_of(ANNA, Digits=digits), step="urgent"))
    assert verbs(root) == ["Say", "Record", "Hangup"]
    await settle(menu.hass)
    (event,) = fired(history)
    assert event["urgent"] is False
    (item,) = await todo_items(menu.hass)
    assert item["summary"] == "Call back Anna Kowalska"


async def test_reason_lands_on_the_callback_and_the_event(menu: Setup) -> None:
    """The caller's SpeechResult: on the callback, in the to-do item and the event."""
    history = call_event_history(menu.hass)
    await busy(menu.hass, "in_meeting")
    await twiml_of(await post_voice(menu, form_of(CALLER)))
    await settle(menu.hass)
    assert fired(history) == []
    speech = form_of(CALLER, SpeechResult="About the invoice for March.", Confidence="0.91")
    root = await twiml_of(await post_voice(menu, speech, step="reason"))
    assert verbs(root) == ["Say", "Record", "Hangup"]
    assert root[0].text == "Thank you. Please leave a message after the tone."
    await settle(menu.hass)
    (event,) = fired(history)
    assert event["reason_text"] == "About the invoice for March."
    (waiting,) = menu.entry.runtime_data.callbacks.items
    assert waiting.reason_text == "About the invoice for March."
    (item,) = await todo_items(menu.hass)
    assert "- **About:** About the invoice for March." in item["description"]


async def test_no_speech_goes_on_to_the_message(menu: Setup) -> None:
    """An empty SpeechResult (or none at all): no thanks, no reason, the recording."""
    await busy(menu.hass, "in_meeting")
    await twiml_of(await post_voice(menu, form_of(CALLER)))
    root = await twiml_of(await post_voice(menu, form_of(CALLER, SpeechResult=" "), step="reason"))
    assert verbs(root) == ["Say", "Record", "Hangup"]
    assert root[0].text == "Please leave a message after the tone."
    await settle(menu.hass)
    assert [item.reason_text for item in menu.entry.runtime_data.callbacks.items] == [None]


async def test_urgent_then_asked_the_reason(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    hass_client_no_auth: ClientFactory,
) -> None:
    """Both on for regular clients: "can't talk safely", then the reason, then the message."""
    menu = await _setup(hass, hass_client_no_auth, {**DEFAULTS, "ask_reason_regular": True})
    history = call_event_history(hass)
    await busy(hass, "driving")
    root = await twiml_of(await post_voice(menu, form_of(ANNA)))
    assert verbs(root) == [
        *("Gather", "Gather/Say", "Gather", "Gather/Say"),
        *("Say", "Record", "Hangup"),
    ]
    assert root[1].get("language") == "pl-PL"
    root = await twiml_of(await post_voice(menu, form_of(ANNA, Digits="1"), step="urgent"))
    assert verbs(root) == ["Say", "Gather", "Gather/Say", "Say", "Record", "Hangup"]
    assert root[1][0].text == "Proszę w kilku słowach powiedzieć, czego dotyczy sprawa."
    await settle(hass)
    assert fired(history) == []  # still held: the reason comes next
    speech = form_of(ANNA, SpeechResult="Faktura za marzec")
    root = await twiml_of(await post_voice(menu, speech, step="reason"))
    assert root[0].text == "Dziękuję. Proszę zostawić wiadomość po sygnale."
    await settle(hass)
    (event,) = fired(history)
    assert (event["urgent"], event["reason_text"]) == (True, "Faktura za marzec")


async def test_switched_off_per_tier(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    hass_client_no_auth: ClientFactory,
) -> None:
    """With the menu off for a tier, its callers hear the plain voicemail, as before."""
    menu = await _setup(hass, hass_client_no_auth, {**DEFAULTS, "urgent_regular": False})
    history = call_event_history(hass)
    await busy(hass, "in_meeting")
    root = await twiml_of(await post_voice(menu, form_of(ANNA)))
    assert verbs(root) == ["Say", "Record", "Hangup"]
    await settle(hass)
    assert [event["event_type"] for event in fired(history)] == ["sent_to_voicemail"]
    # Pressing 1 anyway (a stale document) does nothing.
    root = await twiml_of(await post_voice(menu, form_of(ANNA, Digits="1"), step="urgent"))
    assert "Dial" not in verbs(root)
    await settle(hass)
    assert [item.urgent for item in menu.entry.runtime_data.callbacks.items] == [False]


async def test_no_mobile_number_no_press_one(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    hass_client_no_auth: ClientFactory,
) -> None:
    """Without a mobile number to ring, "press 1" is never offered."""
    options = {k: v for k, v in DEFAULTS.items() if k != "forward_number"}
    menu = await _setup(hass, hass_client_no_auth, options)
    await busy(hass, "in_meeting")
    root = await twiml_of(await post_voice(menu, form_of(ANNA)))
    assert verbs(root) == ["Say", "Record", "Hangup"]


@pytest.mark.parametrize("step", ["urgent", "reason"])
async def test_retries_get_the_same_answer_and_do_nothing_again(menu: Setup, step: str) -> None:
    """Twilio retries a step: the same document, one event, nothing changed twice."""
    history = call_event_history(menu.hass)
    await busy(menu.hass, "on_call")
    number = ANNA if step == "urgent" else CALLER
    await twiml_of(await post_voice(menu, form_of(number)))
    form = form_of(number, Digits="1", SpeechResult="Invoice")
    first = await (await post_voice(menu, form, step=step)).text()
    await settle(menu.hass)
    items = [item.to_json() for item in menu.entry.runtime_data.callbacks.items]
    again = await (await post_voice(menu, form, step=step)).text()
    await settle(menu.hass)
    assert again == first
    assert [item.to_json() for item in menu.entry.runtime_data.callbacks.items] == items
    assert len(fired(history)) == 1


@pytest.mark.parametrize("step", ["urgent", "reason"])
async def test_unknown_call_still_leaves_a_message(menu: Setup, step: str) -> None:
    """A step for a call not screened here (or with no CallSid): valid TwiML with a recording."""
    form = form_of(CALLER, Digits="1", SpeechResult="x")
    for posted in (form, {k: v for k, v in form.items() if k != "CallSid"}):
        root = await twiml_of(await post_voice(menu, posted, step=step))
        assert verbs(root) == ["Say", "Record", "Hangup"]
    assert menu.entry.runtime_data.callbacks.items == []


@pytest.mark.parametrize("step", ["urgent", "reason"])
async def test_menu_steps_must_be_signed(menu: Setup, step: str) -> None:
    """Unsigned, signed with another token or for another step: 403, nothing done."""
    await busy(menu.hass, "in_meeting")
    await twiml_of(await post_voice(menu, form_of(ANNA)))
    form = form_of(ANNA, Digits="1", SpeechResult="Invoice")
    path = f"{VOICE_PATH}?step={step}"
    unsigned = await menu.client.post(path, data=form)
    other_token = await post_voice(menu, form, step=step, token="f" * 32)
    other_step = await post_voice(
        menu, form, step=step, signed_url=f"{EXTERNAL}{VOICE_PATH}?step=call"
    )
    assert [unsigned.status, other_token.status, other_step.status] == [403, 403, 403]
    await settle(menu.hass)
    (item,) = menu.entry.runtime_data.callbacks.items
    assert (item.urgent, item.reason_text) == (False, None)


async def test_caller_who_hangs_up_still_gets_the_event(
    menu: Setup, freezer: FrozenDateTimeFactory
) -> None:
    """No later step comes (the caller hung up in the menu): the event fires by itself."""
    history = call_event_history(menu.hass)
    await busy(menu.hass, "in_meeting")
    await twiml_of(await post_voice(menu, form_of(CALLER)))
    await settle(menu.hass)
    assert fired(history) == []
    freezer.tick(timedelta(seconds=91))
    async_fire_time_changed(menu.hass)
    await settle(menu.hass)
    (event,) = fired(history)
    assert (event["urgent"], event["reason_text"]) == (False, None)


async def test_recording_releases_the_event(menu: Setup) -> None:
    """The recording ended (the caller said nothing in the menu): the event fires then."""
    history = call_event_history(menu.hass)
    await busy(menu.hass, "in_meeting")
    await twiml_of(await post_voice(menu, form_of(CALLER)))
    await settle(menu.hass)
    await twiml_of(await post_voice(menu, form_of(CALLER), step="done"))
    await settle(menu.hass)
    assert [event["event_type"] for event in fired(history)] == ["sent_to_voicemail"]


async def test_unload_fires_held_events(menu: Setup) -> None:
    """An entry unloaded mid-menu fires what it held and leaves no timer behind."""
    captured: list[tuple[str, dict[str, Any]]] = []
    menu.entry.runtime_data.events.async_add_listener(
        lambda kind, data: captured.append((kind, data))
    )
    await busy(menu.hass, "in_meeting")
    await twiml_of(await post_voice(menu, form_of(CALLER)))
    await settle(menu.hass)
    assert captured == []
    assert await menu.hass.config_entries.async_unload(menu.entry.entry_id)
    assert [kind for kind, _ in captured] == ["sent_to_voicemail"]
