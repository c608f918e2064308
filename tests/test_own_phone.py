"""The own phone end to end (issue #17): a missed call to an urgent reply, through httpSMS.

Everything goes over HTTP as httpSMS does it: its webhook posts CloudEvents
(docs.httpsms.com "Events"; ``message.call.missed``, ``message.phone.received``) with
``Authorization: Bearer`` an HS256 JWT made with the webhook's signing key
(httpsms ``webhook_service.go``), and the polite text is sent to the fake httpSMS API of
``tests/texting`` (its swagger: ``POST /v1/messages/send`` with ``x-api-key``, ``from``
the freelancer's own number). The urgent notification goes through the reminder's
notify action (the freelancer's phone).
"""

from __future__ import annotations

from datetime import timedelta
import time
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import jwt
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.client_etiquette.telephony.signature import new_secret, new_webhook_id

from . import DRIVING, setup_entry
from .telephony import ANNA, entry_with_clients, settle, todo_items
from .texting import HTTPSMS_KEY, OWN_NUMBER, FakeHttpSms

EXTERNAL = "https://ha.example.com"
WEBHOOK_ID = new_webhook_id()
SIGNING_KEY = new_secret()
PATH = f"/api/webhook/{WEBHOOK_ID}"


async def post_event(
    hass: HomeAssistant, client: TestClient[Any, Any], kind: str, event_id: str, **data: Any
) -> ClientResponse:
    """POST an httpSMS CloudEvent, with the JWT httpSMS signs it with."""
    body = {
        "data": {"owner": OWN_NUMBER, "user_id": "u1", "sim": "SIM1", **data},
        "datacontenttype": "application/json",
        "id": event_id,
        "source": "/v1/messages",
        "specversion": "1.0",
        "time": dt_util.utcnow().isoformat().replace("+00:00", "Z"),
        "type": kind,
    }
    now = int(time.time())
    token = jwt.encode(
        {
            "aud": EXTERNAL + PATH,
            "exp": now + 600,
            "iat": now,
            "iss": "api.httpsms.com",
            "nbf": now - 600,
            "sub": "u1",
        },
        SIGNING_KEY,
    )
    headers = {"Authorization": f"Bearer {token}", "X-Event-Type": kind}
    response = await client.post(PATH, json=body, headers=headers)
    await hass.async_block_till_done(wait_background_tasks=True)
    return response


def zulu(moment: Any) -> str:
    """Return a time as httpSMS writes it."""
    return str(moment.isoformat().replace("+00:00", "Z"))


async def test_missed_call_to_urgent_reply(
    hass: HomeAssistant,
    sources: None,
    httpsms: FakeHttpSms,
    reminders: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Missed call → to-do item → text from the own number → reply → item updated → alert."""
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "webhook", {})
    entry = await setup_entry(
        hass,
        entry_with_clients(
            texting_backend="httpsms",
            httpsms_api_key=HTTPSMS_KEY,
            httpsms_from_number=OWN_NUMBER,
            httpsms_api_base=httpsms.base,
            httpsms_signing_key=SIGNING_KEY,
            httpsms_webhook_id=WEBHOOK_ID,
        ),
    )
    client = await hass_client_no_auth()
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(seconds=30))

    # 1. The phone reports the missed call: httpSMS's message.call.missed.
    rang_at = dt_util.utcnow().replace(microsecond=0)
    freezer.tick(timedelta(seconds=20))
    response = await post_event(
        hass,
        client,
        "message.call.missed",
        "ce-call",
        message_id="m-call",
        contact=ANNA,
        timestamp=zulu(rang_at),
    )
    assert response.status == 200

    # 2. A callback on the to-do list, with the time it rang and why.
    items = await todo_items(hass)
    assert [item["summary"] for item in items] == ["Call back Anna Kowalska"]
    assert "- **Reason:** Driving" in items[0]["description"]
    assert entry.runtime_data.callbacks.items[0].last_call == rang_at

    # 3. The polite text, in Polish, sent from the freelancer's own number.
    assert len(httpsms.payloads) == 1
    sent = httpsms.payloads[0]
    assert sent["from"] == OWN_NUMBER
    assert sent["to"] == ANNA
    assert "Jan" in str(sent["content"])

    # 4. Anna replies, urgently, naming a time; the freelancer is still driving.
    body = "Pilne! Proszę oddzwonić jutro o 10"
    response = await post_event(
        hass,
        client,
        "message.phone.received",
        "ce-reply",
        message_id="m-reply",
        contact=ANNA,
        content=body,
        timestamp=zulu(dt_util.utcnow()),
    )
    assert response.status == 200

    # 5. The reply is on the item.
    description = (await todo_items(hass))[0]["description"]
    assert f"- **Reply:** **Urgent:** {body}" in description
    assert "- **Time mentioned:** jutro o 10" in description
    assert not [call for call in reminders if call.data["title"].startswith("Urgent")]

    # 6. Parked: the urgent notification reaches the freelancer's phone, once.
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    urgent = [call for call in reminders if call.data["title"] == "Urgent reply from Anna Kowalska"]
    assert len(urgent) == 1
    assert urgent[0].data["message"] == body
    assert urgent[0].data["data"]["url"] == f"tel:{ANNA}"

    # httpSMS delivers both events again: nothing happens twice.
    await post_event(
        hass, client, "message.call.missed", "ce-call", message_id="m-call", contact=ANNA
    )
    await post_event(
        hass,
        client,
        "message.phone.received",
        "ce-reply",
        message_id="m-reply",
        contact=ANNA,
        content=body,
    )
    assert len(httpsms.payloads) == 1
    assert len([c for c in reminders if c.data["title"].startswith("Urgent")]) == 1
    assert len(entry.runtime_data.callbacks.items) == 1
