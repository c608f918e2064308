"""The voice and PBX webhooks, over real HTTP, signed with Twilio's own RequestValidator."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import timedelta
import json
import logging
import time
from typing import Any
from urllib.parse import urlencode
import xml.etree.ElementTree as ET

from aiohttp import ClientResponse, payload
from aiohttp.test_utils import make_mocked_request
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.client_etiquette.const import DOMAIN, EVENT_CALL_SCREENED
from custom_components.client_etiquette.telephony import twiml
from custom_components.client_etiquette.telephony.addresses import (
    pbx_webhook_url,
    voice_webhook_url,
)
from custom_components.client_etiquette.telephony.parsing import MAX_BODY
from custom_components.client_etiquette.telephony.webhooks import (
    RECENT_CALLS,
    async_register_webhooks,
)

from .. import BASE_OPTIONS, make_entry, setup_entry
from . import (
    CALLER,
    EXTERNAL,
    FORWARD,
    PBX_ID,
    PBX_PATH,
    SECRET,
    TELEPHONY,
    TOKEN,
    VOICE_ID,
    VOICE_PATH,
    ClientFactory,
    Setup,
    call_form,
    post_voice,
    sign,
    telnyx_signature,
    twiml_of,
)


async def not_ready(hass: HomeAssistant) -> None:
    """Busy for the next half hour."""
    await hass.services.async_call(
        DOMAIN, "snooze", {"duration": {"minutes": 30}, "reason": "on_call"}, blocking=True
    )


async def test_not_ready_call_goes_to_voicemail(setup: Setup) -> None:
    """Not ready: a polite greeting, a recording with callbacks, a queued callback."""
    await not_ready(setup.hass)
    root = await twiml_of(await post_voice(setup, call_form()))
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]
    say, record, _ = root
    assert say.get("language") == "en-US"
    assert say.text is not None
    assert say.text.startswith("Hi, it's Jan. Sorry, I'm on another call.")
    assert say.text.endswith("Please leave a message after the tone.")
    assert record.get("recordingStatusCallback") == f"{EXTERNAL}{VOICE_PATH}?step=recording"
    assert record.get("action") == f"{EXTERNAL}{VOICE_PATH}?step=done"
    assert record.get("transcribeCallback") == f"{EXTERNAL}{VOICE_PATH}?step=transcription"
    await setup.hass.async_block_till_done()
    assert [item.number for item in setup.queue] == [CALLER]
    assert len(setup.screened) == 1
    assert setup.screened[0].data["action"] == "voicemail"


async def test_ready_call_rings_the_mobile(setup: Setup) -> None:
    """Ready: dial the forward number; nothing is queued."""
    root = await twiml_of(await post_voice(setup, call_form()))
    assert [verb.tag for verb in root] == ["Dial"]
    dial = root[0]
    assert dial.text == FORWARD
    assert dial.get("timeout") == "18"
    assert dial.get("answerOnBridge") == "true"
    assert dial.get("action") == f"{EXTERNAL}{VOICE_PATH}?step=dial"
    await setup.hass.async_block_till_done()
    assert setup.queue == []
    assert setup.screened[0].data["action"] == "ring"


async def test_same_call_twice_is_decided_once(setup: Setup) -> None:
    """Check that a retried request (same CallSid) gets the same answer and queues nothing new."""
    await not_ready(setup.hass)
    first = await (await post_voice(setup, call_form())).text()
    second = await (await post_voice(setup, call_form())).text()
    assert first == second
    await setup.hass.async_block_till_done()
    assert len(setup.queue) == 1
    assert setup.queue[0].calls == 1
    assert len(setup.screened) == 1


@pytest.mark.parametrize("status", ["completed", "answered"])
async def test_answered_dial_hangs_up(setup: Setup, status: str) -> None:
    """The freelancer picked up and the call is over: hang up."""
    await post_voice(setup, call_form())
    form = call_form(DialCallStatus=status, CallStatus="completed")
    root = await twiml_of(await post_voice(setup, form, step="dial"))
    assert [verb.tag for verb in root] == ["Hangup"]


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
async def test_unanswered_dial_takes_a_message(setup: Setup, status: str) -> None:
    """No answer on the mobile: the voicemail branch, with no promised time."""
    await post_voice(setup, call_form())
    root = await twiml_of(await post_voice(setup, call_form(DialCallStatus=status), step="dial"))
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]
    assert root[0].text is not None
    assert "Sorry, I can't talk right now." in root[0].text
    assert root[1].get("recordingStatusCallback") == f"{EXTERNAL}{VOICE_PATH}?step=recording"


async def test_unanswered_dial_queues_one_callback(setup: Setup) -> None:
    """Check that a call that rang through and was not answered waits for a call back, untexted."""
    await post_voice(setup, call_form())
    await setup.hass.async_block_till_done()
    assert setup.queue == []
    for _ in range(2):  # the provider retries: still one callback for one call
        await post_voice(setup, call_form(DialCallStatus="no-answer"), step="dial")
    await setup.hass.async_block_till_done()
    [item] = setup.queue
    assert (item.number, item.calls, item.reasons) == (CALLER, 1, ["no_answer"])
    assert item.text is None
    assert item.text_status == "not_sent:no_answer"
    assert item.promised_at is None
    assert item.call_ids == ["CA" + "1" * 32]


async def test_calls_without_a_call_sid(setup: Setup) -> None:
    """Check that a request with no CallSid still rings through and takes a message on no answer."""
    form = call_form()
    del form["CallSid"]
    root = await twiml_of(await post_voice(setup, form))
    assert [verb.tag for verb in root] == ["Dial"]
    root = await twiml_of(await post_voice(setup, {**form, "DialCallStatus": "busy"}, step="dial"))
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]
    await setup.hass.async_block_till_done()
    assert setup.queue == []


async def test_answered_dial_queues_nothing(setup: Setup) -> None:
    """The freelancer took the call: nothing to call back."""
    await post_voice(setup, call_form())
    await post_voice(setup, call_form(DialCallStatus="completed"), step="dial")
    await setup.hass.async_block_till_done()
    assert setup.queue == []


async def test_dial_status_of_an_unknown_call(setup: Setup) -> None:
    """Check that a dial status for a call this process never saw still takes a message."""
    form = call_form(DialCallStatus="no-answer", CallSid="CA" + "9" * 32)
    root = await twiml_of(await post_voice(setup, form, step="dial"))
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]
    assert setup.queue == []


async def test_recording_and_transcription_land_on_the_callback(setup: Setup) -> None:
    """The recording link, then the transcription, are attached to the queued callback."""
    await not_ready(setup.hass)
    await post_voice(setup, call_form())
    await setup.hass.async_block_till_done()
    recording = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1"
    status_form = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": "CA" + "1" * 32,
        "RecordingSid": "RE1",
        "RecordingUrl": recording,
        "RecordingStatus": "completed",
        "RecordingDuration": "7",
    }
    root = await twiml_of(await post_voice(setup, status_form, step="recording"))
    assert len(root) == 0
    assert setup.queue[0].recording_url == recording
    transcription_form = {
        **status_form,
        "From": CALLER,
        "TranscriptionStatus": "completed",
        "TranscriptionText": "Hi Jan, it's Anna, please call me about the logo.",
    }
    await twiml_of(await post_voice(setup, transcription_form, step="transcription"))
    assert setup.queue[0].transcription == "Hi Jan, it's Anna, please call me about the logo."


@pytest.mark.parametrize(
    ("step", "extra"),
    [
        ("recording", {"RecordingStatus": "failed"}),
        ("recording", {"RecordingUrl": "javascript:alert(1)"}),
        ("transcription", {"TranscriptionStatus": "failed", "TranscriptionText": "x"}),
    ],
)
async def test_failed_recordings_are_ignored(
    setup: Setup, step: str, extra: dict[str, str]
) -> None:
    """Check that failed recordings and non-web links attach nothing."""
    await not_ready(setup.hass)
    await post_voice(setup, call_form())
    await setup.hass.async_block_till_done()
    form = {"CallSid": "CA" + "1" * 32, "RecordingUrl": "https://api.twilio.com/R", **extra}
    await twiml_of(await post_voice(setup, form, step=step))
    assert setup.queue[0].recording_url is None
    assert setup.queue[0].transcription is None


async def test_done_hangs_up(setup: Setup) -> None:
    """Check that the end of the recording ends the call."""
    root = await twiml_of(await post_voice(setup, call_form(), step="done"))
    assert [verb.tag for verb in root] == ["Hangup"]


@pytest.mark.parametrize(
    "signed_url",
    [
        f"{EXTERNAL}:443{VOICE_PATH}",  # the port spelt out
        None,  # replaced below by the request's own URL, Home Assistant's internal URL
    ],
    ids=["port_spelt_out", "internal_url"],  # fixed: the webhook id is random per process
)
async def test_accepted_url_variants(setup: Setup, signed_url: str | None) -> None:
    """Signed for the URL with its port, or for the internal URL the request used."""
    await setup.hass.config.async_update(internal_url=str(setup.client.make_url("/")))
    url = signed_url or str(setup.client.make_url(VOICE_PATH))
    root = await twiml_of(await post_voice(setup, call_form(), signed_url=url))
    assert [verb.tag for verb in root] == ["Dial"]


async def post_telnyx(
    setup: Setup, form: dict[str, str], *, stamp: int | None = None, step: str | None = None
) -> ClientResponse:
    """POST a form to the voice webhook, signed as Telnyx TeXML signs it (Ed25519)."""
    body = urlencode(form).encode()
    timestamp = str(int(time.time()) if stamp is None else stamp)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "telnyx-timestamp": timestamp,
        "telnyx-signature-ed25519": telnyx_signature(timestamp, body),
    }
    path = VOICE_PATH + (f"?step={step}" if step else "")
    return await setup.client.post(path, data=body, headers=headers)


async def test_telnyx_texml_call(setup: Setup) -> None:
    """Check that Telnyx's Ed25519-signed TeXML request is screened like Twilio's.

    The later steps' URLs carry their tag.
    """
    await not_ready(setup.hass)
    root = await twiml_of(await post_telnyx(setup, call_form()))
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]
    status_url = root[1].get("recordingStatusCallback")
    assert status_url is not None
    assert status_url.startswith(f"{EXTERNAL}{VOICE_PATH}?step=recording&tag=")
    await setup.hass.async_block_till_done()
    assert [item.number for item in setup.queue] == [CALLER]


async def test_telnyx_replay_and_forgery_refused(setup: Setup) -> None:
    """Check that an old timestamp (a replay) or another key's signature gets 403, nothing done."""
    await not_ready(setup.hass)
    assert (await post_telnyx(setup, call_form(), stamp=int(time.time()) - 3600)).status == 403
    body = urlencode(call_form()).encode()
    timestamp = str(int(time.time()))
    forged = base64.b64encode(
        Ed25519PrivateKey.generate().sign(timestamp.encode() + b"|" + body)
    ).decode()
    response = await setup.client.post(
        VOICE_PATH,
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "telnyx-timestamp": timestamp,
            "telnyx-signature-ed25519": forged,
        },
    )
    assert response.status == 403
    await assert_nothing_done(setup)


async def telnyx_to(
    setup: Setup, url: str, form: dict[str, str], *, headers: dict[str, str] | None = None
) -> ClientResponse:
    """POST a Telnyx-signed form to a URL our TwiML gave (``headers``: replay these)."""
    body = urlencode(form).encode()
    if headers is None:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "telnyx-timestamp": timestamp,
            "telnyx-signature-ed25519": telnyx_signature(timestamp, body),
        }
    path = url.removeprefix(EXTERNAL)
    return await setup.client.post(path, data=body, headers=headers)


async def test_telnyx_steps_are_bound_to_the_call(setup: Setup) -> None:
    """Check that a replayed Telnyx request for another step or call is refused.

    Telnyx does not sign the URL: a captured call request replayed to ?step=dial, or a later
    step with another call's tag, is refused (403) and queues nothing; the tagged URLs of our
    answer work, also after a reload (the key is stored).
    """
    form = call_form()
    body = urlencode(form).encode()
    timestamp = str(int(time.time()))
    captured = {
        "Content-Type": "application/x-www-form-urlencoded",
        "telnyx-timestamp": timestamp,
        "telnyx-signature-ed25519": telnyx_signature(timestamp, body),
    }
    root = await twiml_of(await setup.client.post(VOICE_PATH, data=body, headers=captured))
    assert [verb.tag for verb in root] == ["Dial"]
    dial_url = root[0].get("action")
    assert dial_url is not None
    assert dial_url.startswith(f"{EXTERNAL}{VOICE_PATH}?step=dial&tag=")

    replayed = await setup.client.post(f"{VOICE_PATH}?step=dial", data=body, headers=captured)
    assert replayed.status == 403
    other = call_form(CallSid="CA" + "2" * 32)
    root = await twiml_of(await post_telnyx(setup, other))
    other_dial = root[0].get("action")
    assert other_dial is not None
    missed = {**form, "DialCallStatus": "no-answer"}
    assert (await telnyx_to(setup, other_dial, missed)).status == 403  # another call's tag
    step_only = dial_url.partition("&")[0]
    assert (await telnyx_to(setup, step_only, missed)).status == 403  # no tag
    await setup.hass.async_block_till_done()
    assert setup.queue == []

    assert await setup.hass.config_entries.async_reload(setup.entry.entry_id)
    await setup.hass.async_block_till_done()
    root = await twiml_of(await telnyx_to(setup, dial_url, missed))
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]
    await setup.hass.async_block_till_done()
    # The call was forgotten by the reload: no callback (as before), but an answer.
    recording_url = root[1].get("recordingStatusCallback")
    assert recording_url is not None
    assert "&tag=" in recording_url
    status = {
        "CallSid": form["CallSid"],
        "RecordingUrl": "https://api.telnyx.com/R1",
        "RecordingStatus": "completed",
    }
    assert (await telnyx_to(setup, recording_url, status)).status == 200
    assert (await telnyx_to(setup, dial_url, status)).status == 200  # its own tag: the dial
    done_for_recording = recording_url.replace("step=recording", "step=done")
    assert (await telnyx_to(setup, done_for_recording, status)).status == 403


async def test_signalwire_header(setup: Setup) -> None:
    """Check that SignalWire's own header name is accepted too."""
    response = await post_voice(setup, call_form(), header="X-SignalWire-Signature")
    assert [verb.tag for verb in await twiml_of(response)] == ["Dial"]


async def assert_nothing_done(setup: Setup) -> None:
    """No decision, no callback, no event."""
    await setup.hass.async_block_till_done()
    assert setup.screened == []
    assert setup.queue == []


@pytest.mark.parametrize(
    ("headers", "signed_for", "token"),
    [
        ({}, None, TOKEN),  # no signature at all
        ({"X-Twilio-Signature": ""}, None, TOKEN),
        (None, None, "not-the-auth-token"),  # signed with another token
        (None, f"{EXTERNAL}/api/webhook/another-id", TOKEN),  # for another URL
        (None, f"{EXTERNAL}{VOICE_PATH}?step=done", TOKEN),  # for another step
        (None, "https://evil.example.com" + VOICE_PATH, TOKEN),
        ({"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, None, TOKEN),
        (
            {"X-Twilio-Webhooks-Signature-Settings": "algorithm=HMAC_MD5"},
            None,
            TOKEN,
        ),
    ],
    ids=[
        "no_signature",
        "empty_signature",
        "other_token",
        "other_url",
        "other_step",
        "other_host",
        "garbage_signature",
        "unknown_algorithm",
    ],
)
async def test_bad_signatures_are_refused(
    setup: Setup, headers: dict[str, str] | None, signed_for: str | None, token: str
) -> None:
    """Missing or wrong signature: 403, nothing screened, queued or texted."""
    await not_ready(setup.hass)
    form = call_form()
    sent = {"X-Twilio-Signature": sign(signed_for or EXTERNAL + VOICE_PATH, form, token)}
    if headers is not None:
        sent = {**sent, **headers} if headers else {}
    response = await setup.client.post(VOICE_PATH, data=form, headers=sent)
    assert response.status == 403
    await assert_nothing_done(setup)


@pytest.mark.parametrize("scheme", ["https", "http"])
async def test_the_request_host_is_not_trusted(setup: Setup, scheme: str) -> None:
    """Check that a client choosing the Host header does not choose the URL that is signed.

    Signed for its own host: 403; signed for Home Assistant's external URL, the answer's URLs
    are on the external URL, never on the client's host.
    """
    await not_ready(setup.hass)
    form = call_form()
    evil = "evil.example.com"
    headers = {
        "Host": evil,
        "X-Twilio-Signature": sign(f"{scheme}://{evil}{VOICE_PATH}", form),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = urlencode(form).encode()
    response = await setup.client.post(VOICE_PATH, data=body, headers=headers)
    assert response.status == 403
    await assert_nothing_done(setup)
    headers["X-Twilio-Signature"] = sign(EXTERNAL + VOICE_PATH, form)
    root = await twiml_of(await setup.client.post(VOICE_PATH, data=body, headers=headers))
    assert root[1].get("recordingStatusCallback") == f"{EXTERNAL}{VOICE_PATH}?step=recording"
    assert evil not in ET.tostring(root, encoding="unicode")


@pytest.fixture
async def proxied(hass: HomeAssistant, sources: None, hass_client_no_auth: ClientFactory) -> Setup:
    """Return the webhooks behind a trusted reverse proxy on 127.0.0.1, without external URL.

    Home Assistant trusts the proxy; no external URL is configured.
    """
    assert await async_setup_component(
        hass,
        "http",
        {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1/32"]}},
    )
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "webhook", {})
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    entry = await setup_entry(hass, make_entry({**BASE_OPTIONS, **TELEPHONY}))
    return Setup(hass, entry, await hass_client_no_auth(), screened)


async def test_a_trusted_proxy_passes_the_host_on(proxied: Setup) -> None:
    """Check that the host a trusted proxy forwards is accepted and used in the answer's URLs.

    The proxy: http: use_x_forwarded_for, trusted_proxies. Without the proxy's forwarded-for
    header the same Host is not trusted.
    """
    form = call_form()
    proxy = "https://proxy.example.org"
    body = urlencode(form).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sign(proxy + VOICE_PATH, form),
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "proxy.example.org",
    }
    root = await twiml_of(await proxied.client.post(VOICE_PATH, data=body, headers=headers))
    assert root[0].get("action") == f"{proxy}{VOICE_PATH}?step=dial"
    direct = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sign(proxy + VOICE_PATH, form),
        "Host": "proxy.example.org",
    }
    response = await proxied.client.post(VOICE_PATH, data=body, headers=direct)
    assert response.status == 403


def warnings_of(caplog: pytest.LogCaptureFixture, webhook: str) -> list[str]:
    """Return the warnings about refused requests of one webhook ("voice" or "PBX")."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and f"The {webhook} webhook of" in record.getMessage()
    ]


async def test_refusals_are_warned_about_once_an_hour_with_a_count(
    setup: Setup, caplog: pytest.LogCaptureFixture, freezer: FrozenDateTimeFactory
) -> None:
    """Check that every refused request counts and a warning says how many, at most hourly.

    The warning has no number, secret or webhook id. For the voice and the PBX webhook.
    """
    form = call_form()
    for _ in range(3):
        await post_voice(setup, form, token="not-the-token")
        await post_pbx(setup, {"number": CALLER}, secret="wrong-secret")
    await setup.client.post(VOICE_PATH, data=form)  # no signature at all
    assert [count_in(message) for message in warnings_of(caplog, "voice")] == [1]
    assert [count_in(message) for message in warnings_of(caplog, "PBX")] == [1]
    freezer.tick(timedelta(minutes=59))
    await post_voice(setup, form, token="not-the-token")
    assert len(warnings_of(caplog, "voice")) == 1
    freezer.tick(timedelta(minutes=2))
    await post_voice(setup, form, token="not-the-token")
    await post_pbx(setup, {"number": CALLER}, secret="wrong-secret")
    assert [count_in(message) for message in warnings_of(caplog, "voice")] == [1, 5]
    assert [count_in(message) for message in warnings_of(caplog, "PBX")] == [1, 3]
    ours = [record for record in caplog.records if record.name.startswith("custom_components")]
    for record in ours:
        if record.levelno > logging.DEBUG:
            message = record.getMessage()
            for private in ("601234567", TOKEN, SECRET, VOICE_ID, PBX_ID, "not-the-token"):
                assert private not in message
    await assert_nothing_done(setup)


def count_in(message: str) -> int:
    """Return the number of refused requests a warning reports."""
    return int(message.split(" refused ", 1)[1].split(" ", 1)[0])


async def test_tampered_form_is_refused(setup: Setup) -> None:
    """Check that a signed form with one field changed is refused."""
    form = call_form()
    signature = sign(EXTERNAL + VOICE_PATH, form)
    form["From"] = "+48600999888"
    response = await setup.client.post(
        VOICE_PATH, data=form, headers={"X-Twilio-Signature": signature}
    )
    assert response.status == 403
    await assert_nothing_done(setup)


async def test_no_auth_token_configured_refuses_everything(
    hass: HomeAssistant, sources: None, hass_client_no_auth: ClientFactory
) -> None:
    """Check that without an auth token no signature can be right."""
    assert await async_setup_component(hass, "webhook", {})
    options = {**BASE_OPTIONS, **TELEPHONY}
    del options["twilio_auth_token"]
    await setup_entry(hass, make_entry(options))
    client = await hass_client_no_auth()
    form = call_form()
    url = str(client.make_url(VOICE_PATH))
    for token in ("", "anything"):
        response = await client.post(
            VOICE_PATH, data=form, headers={"X-Twilio-Signature": sign(url, form, token)}
        )
        assert response.status == 403


async def test_oversized_bodies_are_refused(setup: Setup) -> None:
    """Over 64 KiB: 413, whether the length is declared or streamed in chunks."""
    form = call_form(Padding="x" * MAX_BODY)
    headers = {"X-Twilio-Signature": sign(EXTERNAL + VOICE_PATH, form)}
    response = await setup.client.post(VOICE_PATH, data=form, headers=headers)
    assert response.status == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"Padding=" + b"x" * 8192 + b"&"

    response = await setup.client.post(
        VOICE_PATH,
        data=payload.AsyncIterablePayload(chunks()),
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 413
    await assert_nothing_done(setup)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"From=%2B4860&CallSid=CA1", "application/json", 415),
        (b"From=%2B4860&CallSid=CA1", "text/plain", 415),
        (b"From=%ff%fe&CallSid=CA1", "application/x-www-form-urlencoded", 400),
        (b"From=\xff\xfe", "application/x-www-form-urlencoded", 400),
        (b"From&&CallSid", "application/x-www-form-urlencoded", 400),
        (b"From=1&" * 201, "application/x-www-form-urlencoded", 400),
        (b"From=1", "application/x-www-form-urlencoded; charset=latin-1", 400),
    ],
)
async def test_malformed_forms_are_refused(
    setup: Setup, body: bytes, content_type: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Check that bad forms get a 4xx, do nothing and log no error.

    Not a form, not UTF-8, not parseable, too many fields.
    """
    response = await setup.client.post(
        VOICE_PATH,
        data=body,
        headers={"X-Twilio-Signature": "x" * 28, "Content-Type": content_type},
    )
    assert response.status == status
    await assert_nothing_done(setup)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_signed_but_unusable_requests(setup: Setup) -> None:
    """Authentic requests without a caller, or for an unknown step: 400."""
    form = call_form()
    del form["From"]
    assert (await post_voice(setup, form)).status == 400
    assert (await post_voice(setup, call_form(), step="launch")).status == 400
    await assert_nothing_done(setup)


async def test_failure_still_takes_a_message(
    hass: HomeAssistant, sources: None, hass_client_no_auth: ClientFactory, caplog: Any
) -> None:
    """Check that anything going wrong after the check answers with a working voicemail.

    Here the dial timeout is misconfigured, so the ring-through answer can't be built.
    The caller's number is not logged above debug level.
    """
    caplog.set_level(logging.DEBUG)
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "webhook", {})
    await setup_entry(hass, make_entry({**BASE_OPTIONS, **TELEPHONY, "dial_timeout": "soon"}))
    client = await hass_client_no_auth()
    form = call_form()
    response = await client.post(
        VOICE_PATH, data=form, headers={"X-Twilio-Signature": sign(EXTERNAL + VOICE_PATH, form)}
    )
    root = await twiml_of(response)
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]
    assert root[0].text == twiml.FALLBACK_GREETING
    assert root[1].get("recordingStatusCallback") == f"{EXTERNAL}{VOICE_PATH}?step=recording"
    assert root[1].get("action") == f"{EXTERNAL}{VOICE_PATH}?step=done"
    assert "The voice webhook failed (ValueError)" in caplog.text
    loud = [record for record in caplog.records if record.levelno > logging.DEBUG]
    assert loud
    for record in loud:
        assert "601234567" not in record.getMessage()
        assert "601234567" not in (record.exc_text or "")


async def test_numbers_are_not_logged_above_debug(setup: Setup, caplog: Any) -> None:
    """Check that a whole call, refused requests included, logs the number at debug level only."""
    caplog.set_level(logging.DEBUG)
    await not_ready(setup.hass)
    await post_voice(setup, call_form())
    await post_voice(setup, call_form(), token="wrong")
    await post_voice(
        setup,
        {"CallSid": "CA" + "1" * 32, "RecordingUrl": "https://x/R", "RecordingStatus": "completed"},
        step="recording",
    )
    await setup.hass.async_block_till_done()
    assert any("601234567" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        if record.levelno > logging.DEBUG:
            assert "601234567" not in record.getMessage()


async def post_pbx(
    setup: Setup, body: Any, *, secret: str | None = SECRET, query: str = ""
) -> ClientResponse:
    """POST JSON (or raw bytes) to the PBX webhook with a bearer secret."""
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await setup.client.post(
        PBX_PATH + query, data=data, headers={**headers, "Content-Type": "application/json"}
    )


async def test_pbx_screens_the_call(setup: Setup) -> None:
    """Check that the PBX gets the same decision as the action, as JSON."""
    await not_ready(setup.hass)
    response = await post_pbx(setup, {"number": CALLER, "name": "Anna", "call_id": "pbx-1"})
    assert response.status == 200
    answer = await response.json()
    assert answer["action"] == "voicemail"
    assert answer["reasons"] == ["on_call"]
    assert "I'm on another call" in answer["text"]
    assert set(answer) >= {"client", "text_sent", "no_text_reason", "callback_at"}
    await setup.hass.async_block_till_done()
    assert [item.number for item in setup.queue] == [CALLER]
    assert setup.queue[0].call_ids == ["pbx-1"]


async def test_pbx_reports_a_missed_call(setup: Setup) -> None:
    """After Dial() found no answer, the PBX reports it and the callback is queued once."""
    response = await post_pbx(setup, {"number": CALLER, "call_id": "pbx-7"})
    assert (await response.json())["action"] == "ring"
    missed = {"event": "missed", "call_id": "pbx-7"}
    answers = [await (await post_pbx(setup, missed)).json() for _ in range(2)]
    assert answers == [{"callback_queued": True}, {"callback_queued": False}]
    unknown = await post_pbx(setup, {"event": "missed", "call_id": "pbx-never-seen"})
    assert await unknown.json() == {"callback_queued": False}
    await setup.hass.async_block_till_done()
    [item] = setup.queue
    assert (item.number, item.reasons, item.call_ids) == (CALLER, ["no_answer"], ["pbx-7"])


async def test_pbx_missed_call_needs_an_id(setup: Setup) -> None:
    """Check that a missed-call report without a usable call id is a 400, and queues nothing."""
    for body in ({"event": "missed"}, {"event": "missed", "call_id": 7}):
        assert (await post_pbx(setup, body)).status == 400
    await setup.hass.async_block_till_done()
    assert setup.queue == []


async def test_voicemail_calls_are_not_missed_calls(setup: Setup) -> None:
    """Check that a call already sent to voicemail is not queued again as missed."""
    await not_ready(setup.hass)
    await post_pbx(setup, {"number": CALLER, "call_id": "pbx-8"})
    answer = await post_pbx(setup, {"event": "missed", "call_id": "pbx-8"})
    assert await answer.json() == {"callback_queued": False}
    await setup.hass.async_block_till_done()
    assert [item.calls for item in setup.queue] == [1]


async def test_pbx_plain_text_answer(setup: Setup) -> None:
    """Check that ?format=text answers just the action, for dialplans that can't parse JSON."""
    response = await post_pbx(setup, {"number": 48601234567}, query="?format=text")
    assert response.status == 200
    assert response.content_type == "text/plain"
    assert await response.text() == "ring"


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET[:-1], SECRET + "x"],
    # Fixed ids: the secret is random per process (pytest -n collects in several).
    ids=["none", "empty", "wrong", "one_short", "one_extra"],
)
async def test_pbx_needs_the_bearer_secret(setup: Setup, secret: str | None) -> None:
    """No or a wrong bearer secret: 401, nothing done."""
    response = await post_pbx(setup, {"number": CALLER}, secret=secret)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    await assert_nothing_done(setup)


async def test_pbx_basic_auth_is_not_bearer(setup: Setup) -> None:
    """Check that the secret in another scheme is refused."""
    response = await setup.client.post(
        PBX_PATH, json={"number": CALLER}, headers={"Authorization": f"Basic {SECRET}"}
    )
    assert response.status == 401
    await assert_nothing_done(setup)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00",
        b"[" * 30000 + b"]" * 30000,
        [CALLER],
        "+48601234567",
        {},
        {"number": ""},
        {"number": "   "},
        {"number": None},
        {"number": True},
        {"number": ["+48601234567"]},
        {"number": "1" * 65},
        {"number": CALLER, "name": 5},
        {"number": CALLER, "name": "x" * 201},
        {"number": CALLER, "call_id": {"id": 1}},
    ],
)
async def test_pbx_bad_bodies(setup: Setup, body: Any) -> None:
    """Bad JSON, no number, wrong types: 400, nothing done."""
    response = await post_pbx(setup, body)
    assert response.status == 400
    await assert_nothing_done(setup)


async def test_pbx_oversized_body(setup: Setup) -> None:
    """Over 64 KiB: 413."""
    response = await post_pbx(setup, {"number": CALLER, "name": "x" * MAX_BODY})
    assert response.status == 413
    await assert_nothing_done(setup)


async def test_registration_and_urls(setup: Setup) -> None:
    """Voice is open to the internet, the PBX local only; the URLs use the external URL."""
    handlers = setup.hass.data["webhook"]
    assert handlers[VOICE_ID]["local_only"] is False
    assert handlers[VOICE_ID]["allowed_methods"] == frozenset({"POST"})
    assert handlers[PBX_ID]["local_only"] is True
    assert voice_webhook_url(setup.hass, setup.entry) == EXTERNAL + VOICE_PATH
    assert pbx_webhook_url(setup.hass, setup.entry) == EXTERNAL + PBX_PATH


async def test_unregistered_webhooks_do_nothing(setup: Setup) -> None:
    """Check that after the entry unloads, its webhooks are gone and requests reach nothing."""
    await not_ready(setup.hass)
    queue = setup.entry.runtime_data.callbacks
    assert await setup.hass.config_entries.async_unload(setup.entry.entry_id)
    assert VOICE_ID not in setup.hass.data["webhook"]
    assert PBX_ID not in setup.hass.data["webhook"]
    # Home Assistant answers an unknown webhook id with an empty 200 (ids don't leak).
    assert await (await post_voice(setup, call_form())).text() == ""
    assert await (await post_pbx(setup, {"number": CALLER})).text() == ""
    await setup.hass.async_block_till_done()
    assert setup.screened == []
    assert queue.items == []


async def test_disabled_webhooks(
    hass: HomeAssistant, sources: None, hass_client_no_auth: ClientFactory
) -> None:
    """Check that without webhook ids nothing is registered and there are no URLs."""
    assert await async_setup_component(hass, "webhook", {})
    entry = await setup_entry(hass, make_entry({**BASE_OPTIONS, "pbx_local_only": False}))
    before = dict(hass.data.get("webhook", {}))
    unregister = async_register_webhooks(hass, entry)
    assert hass.data.get("webhook", {}) == before
    assert voice_webhook_url(hass, entry) is None
    assert pbx_webhook_url(hass, entry) is None
    unregister()
    assert hass.data.get("webhook", {}) == before


async def test_urls_without_a_configured_url(hass: HomeAssistant, sources: None) -> None:
    """Check that with no URL known to Home Assistant, the path is still shown."""
    entry = await setup_entry(hass, make_entry({**BASE_OPTIONS, **TELEPHONY}))
    hass.config.api = None  # no HTTP server address either
    assert voice_webhook_url(hass, entry) == VOICE_PATH
    assert pbx_webhook_url(hass, entry) == PBX_PATH


async def test_ready_without_a_forward_number_takes_a_message(
    hass: HomeAssistant, sources: None, hass_client_no_auth: ClientFactory, caplog: Any
) -> None:
    """A call that could ring, with nowhere to ring: a message, and a warning."""
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "webhook", {})
    options = {**BASE_OPTIONS, **TELEPHONY}
    del options["forward_number"]
    await setup_entry(hass, make_entry(options))
    client = await hass_client_no_auth()
    form = call_form()
    response = await client.post(
        VOICE_PATH, data=form, headers={"X-Twilio-Signature": sign(EXTERNAL + VOICE_PATH, form)}
    )
    root = await twiml_of(response)
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]
    assert root[0].text is not None
    assert "I can't talk right now" in root[0].text
    assert "no forward number is set" in caplog.text
    await hass.async_block_till_done()
    [item] = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.callbacks.items
    assert item.reasons == ["no_answer"]


async def test_recent_calls_are_bounded(setup: Setup) -> None:
    """Check that the voice webhook remembers the last RECENT_CALLS calls, no more."""
    handler = setup.hass.data["webhook"][VOICE_ID]["handler"].__self__
    for index in range(RECENT_CALLS + 3):
        form = call_form(CallSid=f"CA{index:032d}")
        assert (await post_voice(setup, form)).status == 200
    assert len(handler.recent) == RECENT_CALLS
    assert f"CA{0:032d}" not in handler.recent
    assert f"CA{RECENT_CALLS + 2:032d}" in handler.recent


async def test_pbx_failure_is_a_clear_error(
    hass: HomeAssistant, sources: None, hass_client_no_auth: ClientFactory, caplog: Any
) -> None:
    """Check that a screening failure (here a language that does not exist) is a 500 with JSON."""
    assert await async_setup_component(hass, "webhook", {})
    await setup_entry(hass, make_entry({**BASE_OPTIONS, **TELEPHONY, "default_language": "xx"}))
    client = await hass_client_no_auth()
    response = await client.post(
        PBX_PATH, json={"number": CALLER}, headers={"Authorization": f"Bearer {SECRET}"}
    )
    assert response.status == 500
    assert await response.json() == {"error": "screening_failed"}
    assert "The PBX webhook failed (ValueError)" in caplog.text
    for record in caplog.records:
        if record.levelno > logging.DEBUG:
            assert "601234567" not in record.getMessage()


def _unreadable(content_type: str) -> bool:
    """Tell whether this aiohttp can't read the header.

    3.13 parses it with the standard library's e-mail parser, which raises IndexError on
    ``;0*``; 3.12 (Home Assistant 2025.9) reads it as text/plain.
    """
    request = make_mocked_request("POST", "/", headers={"Content-Type": content_type})
    try:
        request.content_type  # noqa: B018 (the property parses the header)
    except IndexError:
        return True
    return False


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"", ";0*"), (b"From=1", "application/x-www-form-urlencoded;0*")],
    ids=["no_type", "form_type"],
)
async def test_voice_unreadable_content_type(
    setup: Setup, body: bytes, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Check that a content type aiohttp can't read is a 415 that does nothing and logs no error.

    Else it is refused as usual. Home Assistant would answer an exception with 200.
    """
    response = await setup.client.post(
        VOICE_PATH,
        data=body,
        headers={"X-Twilio-Signature": "x" * 28, "Content-Type": content_type},
    )
    assert 400 <= response.status < 500
    if _unreadable(content_type):
        assert response.status == 415
    await assert_nothing_done(setup)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_pbx_unreadable_content_type(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    """Check that a content type aiohttp can't read is a 415; a readable one is screened.

    Where aiohttp can read it, the JSON body is screened as usual. Never an error in the log.
    """
    response = await setup.client.post(
        PBX_PATH,
        data=json.dumps({"number": CALLER}).encode(),
        headers={"Authorization": f"Bearer {SECRET}", "Content-Type": ";0*"},
    )
    if _unreadable(";0*"):
        assert response.status == 415
        await assert_nothing_done(setup)
    else:
        assert response.status == 200
        assert (await response.json())["action"] in ("ring", "voicemail")
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_pbx_form_encoded(setup: Setup) -> None:
    """Asterisk's CURL() posts a form: the same fields work form-encoded."""
    response = await setup.client.post(
        PBX_PATH + "?format=text",
        data={"number": CALLER, "call_id": "1718021234.42"},
        headers={"Authorization": f"Bearer {SECRET}"},
    )
    assert response.status == 200
    assert await response.text() == "ring"
    response = await setup.client.post(
        PBX_PATH,
        data=b"number=%ff",
        headers={
            "Authorization": f"Bearer {SECRET}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status == 400
