"""The voice webhook's fast paths keep its behaviour.

Form parsing, body reading, URL and TwiML caches, and the follow-up of a rung-through
call (issue 6, the webhook benchmark).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import payload
from homeassistant.core import HomeAssistant
from hypothesis import example, given, strategies as st
import pytest

from custom_components.client_etiquette.telephony import twiml
from custom_components.client_etiquette.telephony.parsing import MAX_FIELDS, parse_form
from custom_components.client_etiquette.telephony.steps import STEP_DIAL
from custom_components.client_etiquette.telephony.webhooks import VoiceWebhook

from . import (
    CALLER,
    EXTERNAL,
    FORWARD,
    VOICE_PATH,
    Setup,
    call_form,
    post_voice,
    sign,
    twiml_of,
)

EVENT_ENTITY = "event.my_phone_client_call"


def reference(body: bytes) -> list[tuple[str, str]]:
    """Return what the standard library makes of a form body, with the webhook's settings."""
    return parse_qsl(
        body.decode("utf-8"),
        keep_blank_values=True,
        strict_parsing=bool(body),
        errors="strict",
        max_num_fields=MAX_FIELDS,
    )


def outcome(parse: Any, body: bytes) -> tuple[str, Any]:
    """Return the fields, or the kind of error (UnicodeDecodeError is a ValueError)."""
    try:
        return ("ok", parse(body))
    except ValueError:
        return ("error", None)


FIELD_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
RAW_BYTES = st.binary(max_size=40) | st.lists(
    st.sampled_from(
        [b"a", b"=", b"&", b"%", b"+", b"%2B", b"%zz", b"%e2%82", b"\xff", b" ", b"%41"]
    ),
    max_size=12,
).map(b"".join)


@given(st.lists(st.tuples(FIELD_TEXT, FIELD_TEXT), max_size=8))
def test_parse_form_reads_what_urlencode_wrote(fields: list[tuple[str, str]]) -> None:
    """Check that every well-formed form comes back field by field, in order."""
    body = urlencode(fields).encode()
    assert parse_form(body) == reference(body) == fields


@given(RAW_BYTES)
@example(b"")
@example(b"a=1&" * (MAX_FIELDS - 1) + b"a=1")
@example(b"a=1&" * MAX_FIELDS)
@example(b"From=%ff%fe")
@example(b"a=\xc3%A9")  # raw and escaped bytes that would make UTF-8 only together
@example(b"a=b=c&d=")
@example(b"&a=1")
def test_parse_form_agrees_with_parse_qsl(body: bytes) -> None:
    """Any body at all: the same fields as parse_qsl, or an error where it raises."""
    assert outcome(parse_form, body) == outcome(reference, body)


async def test_body_sent_in_chunks_is_read_whole(setup: Setup) -> None:
    """A signed form that arrives in several chunks (no length declared) is read whole."""
    form = call_form(Padding="y" * 20000)
    body = urlencode(form).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]
            await asyncio.sleep(0.01)  # so the handler finds only part of it at first

    response = await setup.client.post(
        VOICE_PATH,
        data=payload.AsyncIterablePayload(chunks()),
        headers={
            "X-Twilio-Signature": sign(EXTERNAL + VOICE_PATH, form),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    root = await twiml_of(response)
    assert [verb.tag for verb in root] == ["Dial"]


async def test_oversized_body_in_slow_chunks_is_refused(setup: Setup) -> None:
    """Over 64 KiB arriving piece by piece: 413 once the limit is passed."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"Padding="
        for _ in range(20):
            await asyncio.sleep(0.005)
            yield b"x" * 8192

    response = await setup.client.post(
        VOICE_PATH,
        data=payload.AsyncIterablePayload(chunks()),
        headers={
            "X-Twilio-Signature": "anything",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status == 413
    assert setup.screened == []


async def test_every_call_is_decided_and_recorded_with_one_cached_answer(
    setup: Setup,
) -> None:
    """Check that calls with different CallSids get the same <Dial> document, each screened.

    Nothing of the call is in the document, yet each call is screened: history, the event
    entity and the logbook event, each time.
    """
    hass = setup.hass
    states: list[str] = []
    answers = []
    for index in range(3):
        form = call_form(CallSid=f"CA{index:032d}")
        answers.append(await (await post_voice(setup, form)).text())
        await asyncio.sleep(0)  # the follow-up: a plain callback right after the answer
        state = hass.states.get(EVENT_ENTITY)
        assert state is not None
        assert state.attributes["event_type"] == "rang_through"
        states.append(state.state)
        await asyncio.sleep(0.002)  # the event entity's state is its time, in milliseconds
    assert answers[0] == answers[1] == answers[2]
    assert FORWARD in answers[0]
    assert "CA" not in answers[0]
    assert len(set(states)) == 3
    assert [event.data["action"] for event in setup.screened] == ["ring"] * 3
    assert all("number" not in event.data for event in setup.screened)
    history = setup.entry.runtime_data.callbacks.history
    assert len(history.calls[CALLER]) == 3


async def test_changed_forward_number_changes_the_answer() -> None:
    """Check that the <Dial> cache is keyed by everything in the document."""
    url = f"{EXTERNAL}{VOICE_PATH}?step={STEP_DIAL}"
    first = twiml.dial(FORWARD, timeout=18, action_url=url)
    assert twiml.dial(FORWARD, timeout=18.4, action_url=url) == first
    assert twiml.dial("+48601000999", timeout=18, action_url=url) != first
    assert twiml.dial(FORWARD, timeout=30, action_url=url) != first
    assert twiml.dial(FORWARD, timeout=18, action_url=url + "&x=1") != first
    with pytest.raises(ValueError, match="forward number"):
        twiml.dial(" ", timeout=18, action_url=url)


async def test_signed_for_another_host_then_back(setup: Setup) -> None:
    """The URL that matched last is tried first, but any trusted address is still accepted."""
    host = f"http://127.0.0.1:{setup.client.port}"
    await setup.hass.config.async_update(internal_url=host)
    for signed_for in (EXTERNAL, host, EXTERNAL, host):
        form = call_form(CallSid=f"CA{len(signed_for):032d}")
        response = await post_voice(setup, form, signed_url=signed_for + VOICE_PATH)
        root = await twiml_of(response)
        assert root[0].get("action") == f"{signed_for}{VOICE_PATH}?step=dial"


async def test_addresses_follow_the_settings(
    setup: Setup,
) -> None:
    """Check that a new external URL is used at once; the old one is no longer ours."""
    hass = setup.hass
    await hass.config.async_update(external_url="https://new.example.com")
    form = call_form()
    response = await post_voice(setup, form, signed_url="https://new.example.com" + VOICE_PATH)
    assert response.status == 200
    response = await post_voice(setup, call_form(CallSid="CA2"), signed_url=EXTERNAL + VOICE_PATH)
    assert response.status == 403  # the old external URL is no longer one of ours
    handler = hass.data["webhook"][VOICE_PATH.rsplit("/", 1)[1]]["handler"]
    assert isinstance(handler.__self__, VoiceWebhook)


async def test_rung_through_follow_up_is_a_callback(hass: HomeAssistant, setup: Setup) -> None:
    """A rung-through call schedules no task: its follow-up runs on the next loop turn."""
    screener = setup.entry.runtime_data.screener
    tasks_before = len(hass._tasks)
    result = screener.screen(number=CALLER, call_id="CA-callback")
    assert str(result.action) == "ring"
    assert len(hass._tasks) == tasks_before
    assert len(setup.screened) == 0
    await asyncio.sleep(0)
    assert len(setup.screened) == 1
    state = hass.states.get(EVENT_ENTITY)
    assert state is not None
    assert state.attributes["event_type"] == "rang_through"
    assert state.attributes["number"] == CALLER
