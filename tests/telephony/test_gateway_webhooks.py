"""The SMS Gateway for Android and httpSMS webhooks over HTTP (telephony/gateways.py).

Requests are built and signed as the apps document them: SMS Gateway, docs.sms-gate.app
"Webhooks" (payload envelope, ``X-Signature`` = hex HMAC-SHA256 of the raw body followed by
``X-Timestamp``); httpSMS, docs.httpsms.com "Events" and ``webhook_service.go`` (CloudEvents
body, ``Authorization: Bearer`` HS256 JWT with the signing key). Texts go out through the
fake SMS Gateway of ``tests/texting``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import hashlib
import hmac
import json
import time
from typing import Any

from aiohttp import ClientResponse
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import jwt
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.client_etiquette.telephony.gateways import MAX_BODY, gateway_webhook_url
from custom_components.client_etiquette.telephony.signature import new_secret, new_webhook_id

from .. import DRIVING, setup_entry
from ..texting import GATEWAY_PASSWORD, GATEWAY_USER, OWN_NUMBER, FakeSmsGateway
from . import ANNA, EXTERNAL, ClientFactory, entry_with_clients, incoming, settle, todo_items

SMS_GATEWAY_ID = new_webhook_id()
HTTPSMS_ID = new_webhook_id()
SMS_GATEWAY_KEY = new_secret()
HTTPSMS_KEY_SIGNING = new_secret()
SMS_GATEWAY_PATH = f"/api/webhook/{SMS_GATEWAY_ID}"
HTTPSMS_PATH = f"/api/webhook/{HTTPSMS_ID}"


class Gateways:
    """The loaded entry, its HTTP client and the fake SMS Gateway it texts through."""

    def __init__(
        self, hass: HomeAssistant, entry: MockConfigEntry, client: Any, fake: FakeSmsGateway
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.client = client
        self.fake = fake

    async def sms_gateway(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        event_id: str = "ev-1",
        key: str = SMS_GATEWAY_KEY,
        stamp: int | None = None,
    ) -> ClientResponse:
        """POST an SMS Gateway event, signed as the app signs it."""
        body = json.dumps(
            {
                "deviceId": "ffffffffceb0b1db",
                "event": event,
                "id": event_id,
                "payload": payload,
                "webhookId": "wh",
            }
        ).encode()
        timestamp = str(int(time.time()) if stamp is None else stamp)
        signature = hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-Signature": signature,
            "X-Timestamp": timestamp,
        }
        response = await self.client.post(SMS_GATEWAY_PATH, data=body, headers=headers)
        await self.hass.async_block_till_done(wait_background_tasks=True)
        return response

    async def httpsms(
        self,
        kind: str,
        data: dict[str, Any],
        *,
        event_id: str = "ce-1",
        key: str = HTTPSMS_KEY_SIGNING,
    ) -> ClientResponse:
        """POST an httpSMS CloudEvent with the JWT httpSMS puts in Authorization."""
        body = {
            "data": {"owner": OWN_NUMBER, "user_id": "u1", "sim": "SIM1", **data},
            "datacontenttype": "application/json",
            "id": event_id,
            "source": "/v1/messages",
            "specversion": "1.0",
            "time": "2026-06-03T08:00:00Z",
            "type": kind,
        }
        now = int(time.time())
        token = jwt.encode(
            {
                "aud": EXTERNAL + HTTPSMS_PATH,
                "exp": now + 600,
                "iat": now,
                "iss": "api.httpsms.com",
                "nbf": now - 600,
                "sub": "u1",
            },
            key,
        )
        headers = {"Authorization": f"Bearer {token}", "X-Event-Type": kind}
        response = await self.client.post(HTTPSMS_PATH, json=body, headers=headers)
        await self.hass.async_block_till_done(wait_background_tasks=True)
        return response

    @property
    def items(self) -> list[Any]:
        return list(self.entry.runtime_data.callbacks.items)


OPTIONS: dict[str, Any] = {
    "texting_backend": "sms_gateway",
    "sms_gateway_mode": "local",
    "sms_gateway_username": GATEWAY_USER,
    "sms_gateway_password": GATEWAY_PASSWORD,
    "sms_gateway_signing_key": SMS_GATEWAY_KEY,
    "sms_gateway_webhook_id": SMS_GATEWAY_ID,
    "httpsms_signing_key": HTTPSMS_KEY_SIGNING,
    "httpsms_webhook_id": HTTPSMS_ID,
    "httpsms_from_number": OWN_NUMBER,
}


@pytest.fixture
async def gateways(
    hass: HomeAssistant,
    sources: None,
    sms_gateway: FakeSmsGateway,
    hass_client_no_auth: ClientFactory,
    reminders: list[ServiceCall],
) -> Gateways:
    """Anna and Bob as clients, texts through the fake SMS Gateway, both webhooks on."""
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "webhook", {})
    entry = await setup_entry(hass, entry_with_clients(**OPTIONS, sms_gateway_url=sms_gateway.base))
    return Gateways(hass, entry, await hass_client_no_auth(), sms_gateway)


async def texted_anna(gateways: Gateways) -> str:
    """Let Anna's call go to voicemail while driving; return the id her text went with."""
    gateways.hass.states.async_set(DRIVING, "in_vehicle")
    await settle(gateways.hass)
    assert (await incoming(gateways.hass, ANNA, call_id="c1"))["action"] == "voicemail"
    await settle(gateways.hass)
    [payload] = gateways.fake.payloads
    assert payload["phoneNumbers"] == [ANNA]
    return str(payload["id"])


async def test_delivered_report_shows_on_the_item(gateways: Gateways) -> None:
    """sms:sent then sms:delivered: the item's text reads Delivered; final after that."""
    message_id = await texted_anna(gateways)
    response = await gateways.sms_gateway(
        "sms:sent", {"messageId": message_id, "phoneNumber": ANNA}
    )
    assert response.status == 200
    assert await response.json() == {"handled": True}
    assert gateways.items[0].text_status == "sent"
    response = await gateways.sms_gateway(
        "sms:delivered",
        {
            "messageId": message_id,
            "phoneNumber": ANNA,
            "deliveredAt": "2026-06-03T10:00:00.000+02:00",
        },
        event_id="ev-2",
    )
    assert await response.json() == {"handled": True}
    assert gateways.items[0].text_status == "delivered"
    assert "- **Text:** Delivered" in (await todo_items(gateways.hass))[0]["description"]
    # A late failure report of the same text, and the same delivery sent again.
    await gateways.sms_gateway(
        "sms:failed", {"messageId": message_id, "reason": "late"}, event_id="ev-3"
    )
    response = await gateways.sms_gateway(
        "sms:delivered", {"messageId": message_id}, event_id="ev-2"
    )
    assert await response.json() == {"duplicate": True}
    assert gateways.items[0].text_status == "delivered"


async def test_undelivered_text_is_reported_once(gateways: Gateways) -> None:
    """sms:failed: the item says so and text_failed fires once, with the reason."""
    failed = async_capture_events(gateways.hass, "state_changed")
    message_id = await texted_anna(gateways)
    failed.clear()
    await gateways.sms_gateway(
        "sms:failed", {"messageId": message_id, "reason": "RESULT_ERROR_NO_SERVICE"}
    )
    await gateways.sms_gateway(
        "sms:failed", {"messageId": message_id, "reason": "again"}, event_id="ev-2"
    )
    assert gateways.items[0].text_status == "undelivered"
    events = [
        event.data["new_state"].attributes
        for event in failed
        if event.data["entity_id"] == "event.my_phone_client_call"
    ]
    assert [(e["event_type"], e["error"], e["final"]) for e in events] == [
        ("text_failed", "RESULT_ERROR_NO_SERVICE", True)
    ]
    description = (await todo_items(gateways.hass))[0]["description"]
    assert "- **Text:** Sent, but not delivered" in description


async def test_reports_of_unknown_texts_change_nothing(gateways: Gateways) -> None:
    """A report naming no text of ours, or an httpSMS report while texting via SMS Gateway."""
    await texted_anna(gateways)
    response = await gateways.sms_gateway("sms:delivered", {"messageId": "not-ours"})
    assert await response.json() == {"handled": False}
    response = await gateways.httpsms("message.phone.delivered", {"id": "x", "contact": ANNA})
    assert await response.json() == {"handled": False}
    response = await gateways.sms_gateway("system:ping", {"health": {}}, event_id="ev-9")
    assert await response.json() == {"ignored": True}
    assert gateways.items[0].text_status == "sent"


async def test_httpsms_missed_call_and_reply(gateways: Gateways) -> None:
    """A missed call queues a callback (texted while driving); the reply lands on it."""
    gateways.hass.states.async_set(DRIVING, "in_vehicle")
    await settle(gateways.hass)
    rang_at = dt_util.utcnow()  # while driving
    rang = rang_at.isoformat().replace("+00:00", "Z")
    response = await gateways.httpsms(
        "message.call.missed", {"message_id": "m1", "contact": ANNA, "timestamp": rang}
    )
    assert await response.json() == {"handled": True}
    [item] = gateways.items
    assert item.last_call == rang_at
    assert len(gateways.fake.payloads) == 1
    # httpSMS retries the delivery: acted on once.
    response = await gateways.httpsms(
        "message.call.missed", {"message_id": "m1", "contact": ANNA, "timestamp": rang}
    )
    assert await response.json() == {"duplicate": True}
    assert len(gateways.fake.payloads) == 1
    response = await gateways.httpsms(
        "message.phone.received",
        {
            "message_id": "m2",
            "contact": ANNA,
            "content": "Pilne, zadzwoń",
            "timestamp": "2026-06-03T08:01:00Z",
        },
        event_id="ce-2",
    )
    assert await response.json() == {"handled": True}
    assert gateways.items[0].reply == "Pilne, zadzwoń"


async def test_sms_gateway_received_text(gateways: Gateways) -> None:
    """sms:received puts the client's text on their item."""
    await texted_anna(gateways)
    response = await gateways.sms_gateway(
        "sms:received",
        {
            "messageId": "r1",
            "message": "After 17 please",
            "phoneNumber": ANNA,
            "receivedAt": "2026-06-03T10:05:00.000+02:00",
        },
        event_id="ev-r",
    )
    assert await response.json() == {"handled": True}
    assert gateways.items[0].reply == "After 17 please"


async def test_httpsms_events_of_another_phone_are_ignored(gateways: Gateways) -> None:
    """The account's other phone: its calls and texts are not the freelancer's."""
    response = await gateways.httpsms(
        "message.call.missed", {"message_id": "m1", "contact": ANNA, "owner": "+48229999999"}
    )
    assert await response.json() == {"ignored": True}
    assert gateways.items == []


async def test_refused_requests_do_nothing(
    gateways: Gateways, caplog: pytest.LogCaptureFixture
) -> None:
    """Unsigned, wrongly signed, stale, unreadable or oversized: 4xx, nothing queued."""
    payload = {"message_id": "m1", "contact": ANNA}
    assert (await gateways.httpsms("message.call.missed", payload, key="wrong")).status == 401
    response = await gateways.client.post(HTTPSMS_PATH, json={"type": "message.call.missed"})
    assert response.status == 401
    sms = {"messageId": "r1", "message": "hi", "phoneNumber": ANNA}
    assert (await gateways.sms_gateway("sms:received", sms, key="wrong")).status == 401
    stale = int(time.time()) - 3600
    assert (await gateways.sms_gateway("sms:received", sms, stamp=stale)).status == 401
    response = await gateways.client.post(SMS_GATEWAY_PATH, data=b"{}")
    assert response.status == 401
    assert (await gateways.sms_gateway("sms:received", {"message": "no number"})).status == 400
    big = {"messageId": "r1", "message": "x" * MAX_BODY, "phoneNumber": ANNA}
    assert (await gateways.sms_gateway("sms:received", big)).status == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: read up to the limit
        for _ in range(3):
            yield b"x" * (MAX_BODY // 2)

    assert (await gateways.client.post(SMS_GATEWAY_PATH, data=chunks())).status == 413
    assert gateways.items == []
    assert gateways.fake.payloads == []
    assert "SMS Gateway webhook of My phone refused" in caplog.text


async def test_without_a_signing_key_everything_is_refused(
    hass: HomeAssistant,
    sources: None,
    sms_gateway: FakeSmsGateway,
    hass_client_no_auth: ClientFactory,
) -> None:
    """No signing key in the options: even a request signed with an empty key is refused."""
    assert await async_setup_component(hass, "webhook", {})
    options = {**OPTIONS, "sms_gateway_signing_key": "", "sms_gateway_url": sms_gateway.base}
    entry = await setup_entry(hass, entry_with_clients(**options))
    gateways = Gateways(hass, entry, await hass_client_no_auth(), sms_gateway)
    sms = {"messageId": "r1", "message": "hi", "phoneNumber": ANNA}
    assert (await gateways.sms_gateway("sms:received", sms, key="")).status == 401


async def test_addresses_and_unload(gateways: Gateways) -> None:
    """The addresses to paste into the apps; after unload the webhooks are gone."""
    entry = gateways.entry
    assert (
        gateway_webhook_url(gateways.hass, entry, "sms_gateway_webhook_id")
        == EXTERNAL + SMS_GATEWAY_PATH
    )
    assert (
        gateway_webhook_url(gateways.hass, entry, "httpsms_webhook_id") == EXTERNAL + HTTPSMS_PATH
    )
    assert gateway_webhook_url(gateways.hass, entry, "pbx_webhook_id") is None
    assert await gateways.hass.config_entries.async_unload(entry.entry_id)
    response = await gateways.sms_gateway(
        "sms:received", {"messageId": "r1", "message": "hi", "phoneNumber": ANNA}
    )
    assert response.status == 200  # Home Assistant answers unknown webhooks 200, doing nothing
    assert await response.text() == ""


async def test_delivery_reports_without_texting(
    hass: HomeAssistant,
    sources: None,
    sms_gateway: FakeSmsGateway,
    hass_client_no_auth: ClientFactory,
) -> None:
    """With texting off, a delivery report is answered and changes nothing."""
    assert await async_setup_component(hass, "webhook", {})
    options = {**OPTIONS, "texting_backend": "none"}
    entry = await setup_entry(hass, entry_with_clients(**options))
    gateways = Gateways(hass, entry, await hass_client_no_auth(), sms_gateway)
    response = await gateways.sms_gateway("sms:delivered", {"messageId": "m1"})
    assert await response.json() == {"handled": False}
