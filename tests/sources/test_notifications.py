"""The companion app's missed-call notifications, from the sensor to the callback list.

The sensor's attributes are those the Android companion app sets for its *Last
notification* sensor (home-assistant/android, NotificationSensorManager.kt;
companion.home-assistant.io, docs/core/sensors.md, "Last Notification").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .. import DRIVING, setup_entry
from ..telephony import ANNA, entry_with_clients, settle

SENSOR = "sensor.pixel_last_notification"
T0 = datetime(2026, 6, 3, 8, 0, tzinfo=dt_util.UTC)


def posted(
    title: str, text: str, at: datetime, package: str = "com.google.android.dialer"
) -> dict[str, Any]:
    """Return the sensor's attributes for a notification posted at ``at``."""
    return {
        "android.title": title,
        "android.text": text,
        "package": package,
        "post_time": int(at.timestamp() * 1000),
        "is_clearable": True,
        "is_ongoing": False,
        "category": "missed_call",
        "channel_id": "phone_missed_call",
    }


async def entry_watching(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """Set up Anna and Bob with the notification sensor configured; driving since T0."""
    freezer.move_to(T0)
    hass.states.async_set(SENSOR, "unknown")
    entry = await setup_entry(hass, entry_with_clients(missed_call_notification_entities=[SENSOR]))
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(seconds=40))
    return entry


async def test_missed_call_notification_texts_and_queues(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """Google Phone's "Missed call" with a number: screened, texted, queued; once."""
    entry = await entry_watching(hass, freezer)
    attributes = posted("Missed call", "+48 601 234 567", dt_util.utcnow())
    hass.states.async_set(SENSOR, "+48 601 234 567", attributes)
    await settle(hass)
    assert [call.data["target"] for call in texts] == [[ANNA]]
    item = entry.runtime_data.callbacks.items[0]
    assert item.name == "Anna Kowalska"
    assert item.reasons == ["driving"]
    # The app sends the same notification again; after a restart it is set again.
    hass.states.async_set(SENSOR, "+48 601 234 567", {**attributes, "is_clearable": False})
    await settle(hass)
    assert await hass.config_entries.async_reload(entry.entry_id)
    hass.states.async_set(SENSOR, "+48 601 234 567", attributes, force_update=True)
    await settle(hass)
    assert len(texts) == 1
    assert len(entry.runtime_data.callbacks.items) == 1


async def test_other_notifications_are_ignored(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """Other apps, an incoming call, an unavailable sensor: nothing is screened."""
    entry = await entry_watching(hass, freezer)
    now = dt_util.utcnow()
    whatsapp = posted("Missed call", "Anna Kowalska", now, package="com.whatsapp")
    hass.states.async_set(SENSOR, "Anna Kowalska", whatsapp)
    hass.states.async_set(
        SENSOR, "Incoming call", {**posted("Incoming call", "Anna", now), "category": "call"}
    )
    hass.states.async_set(SENSOR, "unavailable", {})
    # A state restored at start-up is the notification seen before the restart.
    hass.states.async_remove(SENSOR)
    hass.states.async_set(SENSOR, "Anna Kowalska", posted("Missed call", "Anna Kowalska", now))
    await settle(hass)
    assert texts == []
    assert entry.runtime_data.callbacks.items == []


async def test_contact_name_from_the_client_form(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """Samsung names the caller as the phone's contacts do: the client's "name on the phone"."""
    entry = await entry_watching(hass, freezer)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "client"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Jan Nowak",
            "numbers": ["+48 601 111 222"],
            "tier": "regular",
            "language": "pl",
            "time_zone": "Europe/Warsaw",
            "channel": "call",
            "phone_name": "Jan (Acme)",
            "contact": {"contact_days": ["mon"]},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    client = next(sub for sub in entry.subentries.values() if sub.title == "Jan Nowak")
    assert client.data["phone_name"] == "Jan (Acme)"
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(seconds=30))
    attributes = posted(
        "jan (acme)", "Missed call", dt_util.utcnow(), package="com.samsung.android.dialer"
    )
    hass.states.async_set(SENSOR, "Missed call", attributes)
    await settle(hass)
    assert [call.data["target"] for call in texts] == [["+48601111222"]]
    assert entry.runtime_data.callbacks.items[0].name == "Jan Nowak"
