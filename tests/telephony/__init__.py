"""Helpers of the telephony tests: incoming calls and signed webhook requests.

The requests are signed as Twilio and Telnyx sign them.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
import xml.etree.ElementTree as ET

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from twilio.request_validator import RequestValidator

from custom_components.client_etiquette.const import DOMAIN
from custom_components.client_etiquette.telephony.signature import new_secret, new_webhook_id

from .. import BASE_OPTIONS

# Telnyx (TeXML): Ed25519 over "<timestamp>|<raw body>", as Telnyx documents it.
TELNYX_KEY = Ed25519PrivateKey.generate()
TELNYX_PUBLIC = base64.b64encode(
    TELNYX_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
).decode()
BODY = b"CallSid=v3%3Aabc&From=%2B48601234567&To=%2B48221234567"


def telnyx_signature(
    timestamp: str, body: bytes = BODY, key: Ed25519PrivateKey = TELNYX_KEY
) -> str:
    """Return what Telnyx puts in telnyx-signature-ed25519."""
    return base64.b64encode(key.sign(timestamp.encode() + b"|" + body)).decode()


TOKEN = "0123456789abcdef0123456789abcdef"
SECRET = new_secret()
VOICE_ID = new_webhook_id()
PBX_ID = new_webhook_id()
EXTERNAL = "https://ha.example.com"
FORWARD = "+48601000111"
CALLER = "+48601234567"
VOICE_PATH = f"/api/webhook/{VOICE_ID}"
PBX_PATH = f"/api/webhook/{PBX_ID}"
TELEPHONY = {
    "twilio_auth_token": TOKEN,
    "voice_webhook_id": VOICE_ID,
    "forward_number": FORWARD,
    "dial_timeout": 18,
    "pbx_webhook_id": PBX_ID,
    "pbx_secret": SECRET,
    "pbx_local_only": True,
    "sender_name": "Jan",
    "telnyx_public_key": TELNYX_PUBLIC,
    # The tests of the plain voicemail: no voice menu for unknown callers (issue #18's
    # default asks them the reason; tests/telephony/test_voice_menu.py covers it).
    "ask_reason_unknown": False,
}

type ClientFactory = Callable[[], Awaitable[TestClient[Any, Any]]]


@dataclass
class Setup:
    """A loaded entry with its webhooks, an HTTP client and the decisions made."""

    hass: HomeAssistant
    entry: MockConfigEntry
    client: TestClient[Any, Any]
    screened: list[Any]

    @property
    def queue(self) -> list[Any]:
        """The callback items waiting."""
        return list(self.entry.runtime_data.callbacks.items)


def call_form(**extra: str) -> dict[str, str]:
    """Return the form Twilio posts for an incoming call."""
    return {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": "CA" + "1" * 32,
        "From": CALLER,
        "To": "+48221234567",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def sign(url: str, form: dict[str, str], token: str = TOKEN) -> str:
    """Return what Twilio would put in X-Twilio-Signature."""
    return str(RequestValidator(token).compute_signature(url, form))


async def post_voice(
    setup: Setup,
    form: dict[str, str],
    *,
    step: str | None = None,
    signed_url: str | None = None,
    token: str = TOKEN,
    header: str = "X-Twilio-Signature",
) -> ClientResponse:
    """POST a form to the voice webhook, signed as Twilio signs it."""
    path = VOICE_PATH + (f"?step={step}" if step else "")
    signature = sign(signed_url or EXTERNAL + path, form, token)
    return await setup.client.post(path, data=form, headers={header: signature})


async def twiml_of(response: ClientResponse) -> ET.Element:
    """Return the TwiML document of a 200 response."""
    assert response.status == 200
    assert response.content_type == "text/xml"
    root = ET.fromstring(await response.text())
    assert root.tag == "Response"
    return root


# --- incoming calls through the incoming_call action -------------------------------------

ANNA = "+48601234567"
BOB = "+48602000111"
TODO = "todo.my_phone_callbacks"


def entry_with_clients(**options: Any) -> MockConfigEntry:
    """Return an entry texting through notify.sms, with Anna (regular, Polish) and Bob (VIP)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="My phone",
        options={
            **BASE_OPTIONS,
            "texting_backend": "notify",
            "notify_action": "notify.sms",
            "sender_name": "Jan",
            "reminder_notify": "notify.mobile_app_jan",
            **options,
        },
        subentries_data=[
            ConfigSubentryData(
                data={"numbers": [ANNA], "tier": "regular", "language": "pl"},
                subentry_type="client",
                title="Anna Kowalska",
                unique_id=None,
            ),
            ConfigSubentryData(
                data={
                    "numbers": [BOB],
                    "tier": "vip",
                    "language": "en",
                    "time_zone": "Europe/London",
                },
                subentry_type="client",
                title="Bob Smith",
                unique_id=None,
            ),
        ],
    )


async def incoming(hass: HomeAssistant, number: str, **fields: Any) -> dict[str, Any]:
    """Screen a call from ``number`` through incoming_call and return its response."""
    response = await hass.services.async_call(
        DOMAIN,
        "incoming_call",
        {"number": number, **fields},
        blocking=True,
        return_response=True,
    )
    await hass.async_block_till_done()
    assert response is not None
    return dict(response)


async def settle(hass: HomeAssistant) -> None:
    """Let follow-up work (saving, sending) finish."""
    for _ in range(5):
        await hass.async_block_till_done()


async def todo_items(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Return the callback to-do list's items, as todo.get_items returns them."""
    result = await hass.services.async_call(
        "todo", "get_items", {"entity_id": TODO}, blocking=True, return_response=True
    )
    return list(result[TODO]["items"])  # type: ignore[index,call-overload]
