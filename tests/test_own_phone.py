"""The own phone end to end (issue #17): a missed call to an urgent reply, through HTTP."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from twilio.request_validator import RequestValidator

from custom_components.client_etiquette.core.models import MissedCall
from custom_components.client_etiquette.telephony.missed import async_missed_call
from custom_components.client_etiquette.telephony.signature import new_webhook_id

from . import DRIVING, setup_entry
from .telephony import ANNA, entry_with_clients, settle, todo_items

EXTERNAL = "https://ha.example.com"
TOKEN = "0123456789abcdef0123456789abcdef"
VOICE_ID = new_webhook_id()


async def test_missed_call_to_urgent_reply(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    reminders: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Missed while driving → to-do item → polite text → reply → item updated → alert."""
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "webhook", {})
    entry = await setup_entry(
        hass,
        entry_with_clients(twilio_auth_token=TOKEN, voice_webhook_id=VOICE_ID),
    )
    client = await hass_client_no_auth()
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(seconds=30))

    # The phone reports the missed call (the app's own time of the ring).
    rang_at = dt_util.utcnow()
    call = MissedCall(number=ANNA, rang_at=rang_at, source="httpsms", event_id="e-1")
    assert await async_missed_call(entry, call)
    await settle(hass)
    items = await todo_items(hass)
    assert [item["summary"] for item in items] == ["Call back Anna Kowalska"]
    assert [text.data["target"] for text in texts] == [[ANNA]]

    # Anna answers the text: urgent, while the freelancer still drives.
    form = {
        "MessageSid": "SM" + "1" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": ANNA,
        "To": "+48221234567",
        "Body": "Pilne! Proszę oddzwonić jutro o 10",
        "NumMedia": "0",
    }
    path = f"/api/webhook/{VOICE_ID}"
    signature = RequestValidator(TOKEN).compute_signature(EXTERNAL + path, form)
    response = await client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status == 200
    await settle(hass)
    description = (await todo_items(hass))[0]["description"]
    assert "- **Reply:** **Urgent:** Pilne! Proszę oddzwonić jutro o 10" in description
    assert "- **Time mentioned:** jutro o 10" in description
    assert not [r for r in reminders if r.data["title"].startswith("Urgent")]

    # Parked: the urgent notification goes out at once.
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    urgent = [r for r in reminders if r.data["title"] == "Urgent reply from Anna Kowalska"]
    assert len(urgent) == 1
    assert urgent[0].data["message"] == "Pilne! Proszę oddzwonić jutro o 10"
