"""The missed_call action: a missed call reported by an automation, screened once.

The notification fields are those of the Android companion app's *Last notification*
sensor (companion.home-assistant.io, docs/core/sensors.md, "Last Notification").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.client_etiquette.const import DOMAIN

from .. import DRIVING, setup_entry
from . import ANNA, BOB, entry_with_clients, settle

T0 = datetime(2026, 6, 3, 8, 0, tzinfo=dt_util.UTC)  # a Wednesday, 10:00 in Warsaw


async def driving(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """Set up Anna and Bob at T0; driving (not ready) from then on."""
    freezer.move_to(T0)
    entry = await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(seconds=40))
    return entry


async def missed_call(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Call the action and let its follow-ups (the text) run; return its response."""
    response = await hass.services.async_call(
        DOMAIN, "missed_call", data, blocking=True, return_response=True
    )
    await settle(hass)
    assert response is not None
    return dict(response)


async def test_number_texts_and_queues_once(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """A number missed while driving: text and callback; the same event id again does nothing."""
    entry = await driving(hass, freezer)
    rang_at = dt_util.utcnow() - timedelta(seconds=20)
    response = await missed_call(
        hass, number="+48 601 234 567", rang_at=rang_at.isoformat(), event_id="e1"
    )
    assert response["screened"] is True
    assert response["action"] == "voicemail"
    assert response["client"] == {"name": "Anna Kowalska", "tier": "regular"}
    assert response["text_sent"] is True
    assert [call.data["target"] for call in texts] == [[ANNA]]
    items = entry.runtime_data.callbacks.items
    assert [(item.number, item.name) for item in items] == [(ANNA, "Anna Kowalska")]
    freezer.tick(timedelta(minutes=5))
    again = await missed_call(hass, number=ANNA, event_id="e1")
    assert again == {"screened": False, "ignored": "duplicate"}
    # Another route reporting the same call (no id, same ring time): one call.
    same = await missed_call(hass, number=ANNA, rang_at=rang_at.isoformat())
    assert same == {"screened": False, "ignored": "duplicate"}
    assert len(texts) == 1
    assert len(entry.runtime_data.callbacks.items) == 1


async def test_rang_while_ready_queues_no_text(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """The verdict of the moment it rang holds: it rang while ready, so no text now."""
    freezer.move_to(T0)
    entry = await setup_entry(hass, entry_with_clients())
    freezer.tick(timedelta(minutes=2))
    rang_at = dt_util.utcnow() - timedelta(seconds=30)
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    response = await missed_call(hass, number=BOB, rang_at=rang_at.isoformat())
    assert response["screened"] is True
    assert response["text_sent"] is False
    assert texts == []
    assert [item.number for item in entry.runtime_data.callbacks.items] == [BOB]


async def test_contact_name_and_notification(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """A contact name is matched to the client; a notification is read like the sensor's."""
    entry = await driving(hass, freezer)
    response = await missed_call(hass, name="anna  kowalska")
    assert response["client"] == {"name": "Anna Kowalska", "tier": "regular"}
    freezer.tick(timedelta(minutes=3))
    posted = int(dt_util.utcnow().timestamp() * 1000)
    response = await missed_call(
        hass, title="Bob Smith", text="Missed call", category="missed_call", post_time=posted
    )
    assert response["screened"] is True
    assert response["client"] == {"name": "Bob Smith", "tier": "vip"}
    items = entry.runtime_data.callbacks.items
    assert sorted(item.number for item in items) == sorted([ANNA, BOB])
    assert len(texts) == 2
    for ignored, fields in (
        ("not_a_missed_call", {"title": "Incoming call", "text": "Anna Kowalska"}),
        ("no_such_client", {"title": "Missed call", "text": "Mum"}),
    ):
        assert await missed_call(hass, **fields) == {"screened": False, "ignored": ignored}
    assert len(entry.runtime_data.callbacks.items) == 2
    # Without a response asked for, the action still screens (and answers nothing).
    freezer.tick(timedelta(minutes=3))
    await hass.services.async_call(
        DOMAIN, "missed_call", {"title": "Missed call", "text": "+44 20 7946 0000"}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "missed_call", {"title": "Missed call", "text": "Mum"}, blocking=True
    )
    await settle(hass)
    assert len(entry.runtime_data.callbacks.items) == 3


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "no_caller"),
        ({"name": "  "}, "no_caller"),
        ({"number": "12"}, "bad_number"),
        ({"name": "Mum"}, "contact_not_a_client"),
        ({"number": ANNA, "rang_at": "2026-06-03T09:00:00+00:00"}, "rang_in_future"),
    ],
)
async def test_bad_input_is_refused(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad input: a translated error, nothing queued or texted."""
    entry = await driving(hass, freezer)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "missed_call", data, blocking=True)
    assert err.value.translation_key == key
    assert str(err.value)  # translated, not the bare key
    assert str(err.value) != key
    await settle(hass)
    assert entry.runtime_data.callbacks.items == []
    assert texts == []


async def test_local_time_without_zone(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """A ring time without a zone is Home Assistant's time zone (Warsaw, UTC+2 in June)."""
    entry = await driving(hass, freezer)
    await missed_call(hass, number=ANNA, rang_at="2026-06-03 10:00:30")
    assert entry.runtime_data.callbacks.items[0].first_call == T0 + timedelta(seconds=30)


async def test_anonymous_caller_is_queued_never_texted(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """A hidden number is no error: screened, but an anonymous caller is never texted."""
    await driving(hass, freezer)
    response = await missed_call(hass, number="anonymous")
    assert response["screened"] is True
    assert response["text_sent"] is False
    assert response["no_text_reason"] == "anonymous"
    assert texts == []
