"""Twilio Messaging's incoming text on the voice webhook's address: a client's reply.

The request is as Twilio documents it ("Twilio's request to your incoming message
Webhook URL", twilio.com/docs/messaging/guides/webhook-request): a form with
``MessageSid``, ``SmsSid``, ``SmsMessageSid``, ``AccountSid``, ``From``, ``To``, ``Body``,
``NumMedia``, ``NumSegments``, ``SmsStatus``, ``ApiVersion``, signed with
``X-Twilio-Signature`` like a voice request.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from homeassistant.util import dt as dt_util
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.client_etiquette.const import EVENT_REPLY_RECEIVED
from custom_components.client_etiquette.core.models import MissedCall
from custom_components.client_etiquette.telephony.missed import async_missed_call

from .. import DRIVING
from . import EXTERNAL, VOICE_PATH, Setup, sign, twiml_of

CLIENT = "+48601234567"  # no client of the telephony entry: its callback is by number
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def message_form(body: str = "Pilne, proszę oddzwonić", **extra: str) -> dict[str, str]:
    """Return the form Twilio posts for an incoming SMS."""
    sid = "SM" + "a" * 32
    return {
        "ToCountry": "PL",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": "+48221234567",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": CLIENT,
        "ApiVersion": "2010-04-01",
        **extra,
    }


async def post_message(setup: Setup, form: dict[str, str], *, signed: bool = True) -> Any:
    """POST a message form to the voice webhook's address, signed as Twilio signs it."""
    headers = {"X-Twilio-Signature": sign(EXTERNAL + VOICE_PATH, form)} if signed else {}
    return await setup.client.post(VOICE_PATH, data=form, headers=headers)


async def waiting_callback(setup: Setup) -> None:
    """Queue a callback for CLIENT: a missed call while driving."""
    setup.hass.states.async_set(DRIVING, "in_vehicle")
    call = MissedCall(number=CLIENT, rang_at=dt_util.utcnow(), source="httpsms", event_id="c1")
    assert await async_missed_call(setup.entry, call)
    await setup.hass.async_block_till_done()


async def test_reply_by_twilio_message(setup: Setup) -> None:
    """A signed message lands on the waiting callback; the answer is an empty Response."""
    await waiting_callback(setup)
    replies = async_capture_events(setup.hass, EVENT_REPLY_RECEIVED)
    response = await post_message(setup, message_form())
    root = await twiml_of(response)
    assert list(root) == []
    item = setup.queue[0]
    assert item.reply == "Pilne, proszę oddzwonić"
    assert item.reply_urgent is True
    assert len(replies) == 1
    # Twilio retries, or someone replays it: nothing again.
    await twiml_of(await post_message(setup, message_form()))
    assert len(replies) == 1
    assert len(setup.screened) == 1  # the missed call; a message is never screened as a call


async def test_unsigned_or_wrongly_signed_messages_are_refused(setup: Setup) -> None:
    """403 without a valid signature; nothing lands on the item."""
    await waiting_callback(setup)
    replies = async_capture_events(setup.hass, EVENT_REPLY_RECEIVED)
    assert (await post_message(setup, message_form(), signed=False)).status == 403
    form = message_form()
    headers = {"X-Twilio-Signature": sign(EXTERNAL + VOICE_PATH, {**form, "Body": "other"})}
    assert (await setup.client.post(VOICE_PATH, data=form, headers=headers)).status == 403
    await setup.hass.async_block_till_done()
    assert replies == []
    assert setup.queue[0].reply is None


async def test_message_without_a_sender_is_a_bad_request(setup: Setup) -> None:
    """No From: 400, nothing handled."""
    replies = async_capture_events(setup.hass, EVENT_REPLY_RECEIVED)
    form = message_form()
    del form["From"]
    assert (await post_message(setup, form)).status == 400
    assert replies == []


async def test_fuzzed_signed_messages(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    """Any signed message form: 200 with an empty Response or 400; never an error logged."""
    loop = setup.hass.loop

    @FUZZ
    @given(
        sender=st.one_of(st.just(""), st.text(max_size=30)),
        body=st.text(max_size=300),
        sid=st.text(alphabet="SMabcdef0123456789", min_size=1, max_size=40),
    )
    def check(sender: str, body: str, sid: str) -> None:
        form = message_form(body=body, From=sender, MessageSid=sid, SmsMessageSid=sid)

        async def send() -> tuple[int, str]:
            response = await post_message(setup, form)
            return response.status, await response.text()

        status, text = asyncio.run_coroutine_threadsafe(send(), loop).result(timeout=30)
        if sender.strip():
            assert status == 200, text
            assert "<Response" in text
        else:
            assert status == 400
        for record in caplog.records:
            assert record.levelno < logging.ERROR, record.getMessage()

    await setup.hass.async_add_executor_job(check)
