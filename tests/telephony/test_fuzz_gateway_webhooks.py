"""Fuzzed requests against the real SMS Gateway and httpSMS webhook endpoints.

As ``test_fuzz_webhooks.py`` does for the voice and PBX webhooks: Hypothesis draws bodies
and headers, each example is a real HTTP request to Home Assistant's webhook view (run on
the event loop from Hypothesis's thread). The properties: a request without a valid
signature is a 4xx; a signed body that is not an event of the app is a 4xx; nothing is
queued or texted; nothing is logged at ERROR level or with a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
import hashlib
import hmac
import json
import logging
import time
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from hypothesis import HealthCheck, given, settings, strategies as st
import jwt
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.client_etiquette.telephony.gateways import MAX_BODY
from custom_components.client_etiquette.telephony.signature import new_secret, new_webhook_id

from .. import DRIVING, setup_entry
from ..texting import GATEWAY_PASSWORD, GATEWAY_USER, OWN_NUMBER, FakeSmsGateway
from . import EXTERNAL, ClientFactory, entry_with_clients

SMS_GATEWAY_ID = new_webhook_id()
HTTPSMS_ID = new_webhook_id()
KEY = new_secret()
PATHS = {"sms_gateway": f"/api/webhook/{SMS_GATEWAY_ID}", "httpsms": f"/api/webhook/{HTTPSMS_ID}"}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Target:
    """The loaded entry (driving: anything let through would queue and text)."""

    hass: HomeAssistant
    entry: MockConfigEntry
    client: TestClient[Any, Any]
    fake: FakeSmsGateway

    def run(self, coro: Coroutine[Any, Any, tuple[int, str]]) -> tuple[int, str]:
        """Run a request on the event loop from the Hypothesis thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.hass.loop).result(timeout=30)

    async def post(self, app: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = await self.client.post(PATHS[app], data=body, headers=headers)
        return response.status, await response.text(errors="replace")

    async def assert_nothing_done(self) -> None:
        await self.hass.async_block_till_done(wait_background_tasks=True)
        assert self.entry.runtime_data.callbacks.items == []
        assert self.fake.payloads == []


@pytest.fixture
async def target(
    hass: HomeAssistant,
    sources: None,
    sms_gateway: FakeSmsGateway,
    hass_client_no_auth: ClientFactory,
) -> Target:
    """Both gateway webhooks on, signed with KEY; texts through the fake SMS Gateway."""
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "webhook", {})
    entry = await setup_entry(
        hass,
        entry_with_clients(
            texting_backend="sms_gateway",
            sms_gateway_url=sms_gateway.base,
            sms_gateway_username=GATEWAY_USER,
            sms_gateway_password=GATEWAY_PASSWORD,
            sms_gateway_signing_key=KEY,
            sms_gateway_webhook_id=SMS_GATEWAY_ID,
            httpsms_signing_key=KEY,
            httpsms_webhook_id=HTTPSMS_ID,
            httpsms_from_number=OWN_NUMBER,
        ),
    )
    hass.states.async_set(DRIVING, "in_vehicle")
    await hass.async_block_till_done()
    return Target(hass, entry, await hass_client_no_auth(), sms_gateway)


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    """No ERROR record and no traceback anywhere."""
    for record in caplog.records:
        assert record.levelno < logging.ERROR, record.getMessage()
        assert record.exc_info is None, record.getMessage()


printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
events = st.fixed_dictionaries(
    {
        "event": st.sampled_from(["sms:received", "sms:sent", "sms:failed"]),
        "type": st.sampled_from(["message.phone.received", "message.call.missed"]),
        "id": printable,
        "payload": st.just({"phoneNumber": "+48601234567", "message": "Urgent!"}),
        "data": st.just({"contact": "+48601234567", "content": "Urgent!"}),
    }
)
bodies = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=400).map(lambda text: text.encode("utf-8", "surrogatepass")),
    events.map(lambda event: json.dumps(event).encode()),
    st.just(b"{" + b" " * MAX_BODY + b"}"),
)


def hmac_hex(key: str, body: bytes, stamp: str) -> str:
    return hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()


def token(key: str, exp: float) -> str:
    return jwt.encode({"exp": int(exp), "iss": "api.httpsms.com"}, key)


@st.composite
def forgeries(draw: st.DrawFn) -> tuple[str, bytes, dict[str, str]]:
    """Draw a request to either webhook with a missing, garbled, foreign or stale signature."""
    app = draw(st.sampled_from(sorted(PATHS)))
    body = draw(bodies)
    now = time.time()
    kind = draw(st.sampled_from(["none", "garbage", "other_key", "stale", "other_body"]))
    headers: dict[str, str] = {}
    if app == "sms_gateway":
        stamp = str(int(now - 3600 if kind == "stale" else now))
        signature = {
            "none": None,
            "garbage": draw(printable),
            "other_key": hmac_hex("not-" + KEY, body, stamp),
            "stale": hmac_hex(KEY, body, stamp),
            "other_body": hmac_hex(KEY, body + b"x", stamp),
        }[kind]
        if signature is not None:
            headers = {"X-Signature": signature, "X-Timestamp": stamp}
    else:
        value = {
            "none": None,
            "garbage": draw(printable),
            "other_key": "Bearer " + token("not-" + KEY, now + 600),
            "stale": "Bearer " + token(KEY, now - 3600),
            "other_body": "Bearer " + token(KEY, now + 600)[:-2],  # a cut signature
        }[kind]
        if value is not None:
            headers = {"Authorization": value}
    return app, body, headers


async def test_forged_gateway_requests_are_refused(
    target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    """Without a valid signature every request is a 4xx and does nothing."""
    caplog.set_level(logging.DEBUG)

    @FUZZ
    @given(forgeries())
    def check(request: tuple[str, bytes, dict[str, str]]) -> None:
        app, body, headers = request
        status, _ = target.run(target.post(app, body, headers))
        assert 400 <= status < 500, (status, request)

    await target.hass.async_add_executor_job(check)
    await target.assert_nothing_done()
    assert_quiet(caplog)


@st.composite
def signed_junk(draw: st.DrawFn) -> tuple[str, bytes, dict[str, str]]:
    """Draw a correctly signed request whose body is not an event of the app."""
    app = draw(st.sampled_from(sorted(PATHS)))
    body = draw(st.one_of(st.binary(max_size=1024), printable.map(str.encode)))
    if app == "sms_gateway":
        stamp = str(int(time.time()))
        return app, body, {"X-Signature": hmac_hex(KEY, body, stamp), "X-Timestamp": stamp}
    return app, body, {"Authorization": "Bearer " + token(KEY, time.time() + 600)}


async def test_signed_junk_is_refused(target: Target, caplog: pytest.LogCaptureFixture) -> None:
    """Authentic requests that are not events: a 4xx (or ignored), and nothing is done."""
    caplog.set_level(logging.DEBUG)

    @FUZZ
    @given(signed_junk())
    def check(request: tuple[str, bytes, dict[str, str]]) -> None:
        app, body, headers = request
        status, text = target.run(target.post(app, body, headers))
        assert 400 <= status < 500 or (status == 200 and '"ignored"' in text), (status, request)

    await target.hass.async_add_executor_job(check)
    await target.assert_nothing_done()
    assert_quiet(caplog)
