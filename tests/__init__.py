"""Shared test helpers: the stand-in sources, an entry set up against them, its entity ids."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

from custom_components.client_etiquette.const import DOMAIN

DRIVING = "sensor.phone_detected_activity"
ANDROID_AUTO = "binary_sensor.phone_android_auto"
PHONE_STATE = "sensor.phone_phone_state"
DND = "sensor.phone_do_not_disturb_sensor"
SIGNAL = "sensor.phone_signal_strength"
CALENDAR = "calendar.work"
TRACKER = "device_tracker.phone"
SCHEDULE = "schedule.business_hours"
WORKDAY = "binary_sensor.workday"
METRO = "zone.metro"
BAR = "zone.jazz_bar"
LIBRARY = "zone.library"

NO_HOLD: dict[str, Any] = {
    "driving_hold": 0,
    "weak_signal_margin": 0,
    "weak_signal_recovery": 0,
    "zone_exit": 0,
}
BASE_OPTIONS: dict[str, Any] = {
    "driving_entities": [DRIVING],
    "phone_state_entities": [PHONE_STATE],
    "dnd_entities": [DND],
    "signal_entities": [SIGNAL],
    "weak_signal_dbm": -110,
    "calendar_entities": [CALENDAR],
    "meeting_keywords": [],
    "tracker_entity": TRACKER,
    "dead_zones": [METRO],
    "noisy_zones": [BAR],
    "public_zones": [LIBRARY],
    # The stand-ins react to every flip at once: hold and hysteresis off (issue #16; they
    # have their own tests: tests/core/test_stability.py, tests/traces).
    **NO_HOLD,
}

ZONES = {
    METRO: ("Metro", 52.2300, 21.0100),
    BAR: ("Jazz Bar", 52.2400, 21.0200),
    LIBRARY: ("City Library", 52.2500, 21.0300),
}

# The entry's own entities when it is titled "My phone".
READY = "binary_sensor.my_phone_client_call_ready"
REASON = "sensor.my_phone_reason"
READY_AGAIN = "sensor.my_phone_ready_again"
MODE = "select.my_phone_mode"


def set_sources(hass: HomeAssistant, **overrides: str) -> None:
    """Set every stand-in source to a calm value, then apply overrides (entity_id=state)."""
    calm = {
        DRIVING: "still",
        ANDROID_AUTO: "off",
        PHONE_STATE: "idle",
        DND: "off",
        SIGNAL: "-85",
        CALENDAR: "off",
        TRACKER: "not_home",
        WORKDAY: "on",
    }
    for entity_id, state in calm.items():
        hass.states.async_set(entity_id, state)
    for name, (friendly, lat, lon) in ZONES.items():
        hass.states.async_set(
            name,
            "0",
            {"friendly_name": friendly, "latitude": lat, "longitude": lon, "radius": 100},
        )
    for entity_id, state in overrides.items():
        hass.states.async_set(entity_id, state)


def make_entry(options: dict[str, Any] | None = None, title: str = "My phone") -> MockConfigEntry:
    """Return a Client Etiquette entry with the given options (default: the stand-ins)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        data={},
        options=dict(BASE_OPTIONS if options is None else options),
        version=1,
        minor_version=1,
    )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add and set up an entry, waiting until it is loaded."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def reasons(hass: HomeAssistant) -> list[str]:
    """Return the reasons attribute of the call-ready sensor."""
    return list(hass.states.get(READY).attributes["reasons"])


def number_formats(e164: str) -> list[str]:
    """Return the ways a Polish number can be written: E.164, national, grouped, digits only."""
    national = e164.removeprefix("+48")
    grouped = f"{national[:3]} {national[3:6]} {national[6:]}"
    return [e164, e164[1:], national, grouped, f"+48 {grouped}"]


# An entry whose ids never change, for snapshots: unique ids and sub-entry ids are in them.
FIXED_ENTRY_ID = "01JTEST0ENTRY0000000000000"
FIXED_ANNA_ID = "01JTEST0CL1ENT0ANNA0000000"
FIXED_BOB_ID = "01JTEST0CL1ENT0B0B00000000"


def entry_with_fixed_ids(**options: Any) -> MockConfigEntry:
    """Return an entry with fixed entry and sub-entry ids and two clients.

    Anna (regular, Polish, office hours in Warsaw) and Bob (VIP, English, London, any time);
    options add to the stand-ins.
    """
    clients: list[ConfigSubentryDataWithId] = [
        ConfigSubentryDataWithId(
            data={
                "numbers": ["+48601234567"],
                "tier": "regular",
                "language": "pl",
                "time_zone": "Europe/Warsaw",
                "contact_start": "09:00:00",
                "contact_end": "17:00:00",
                "contact_days": ["mon", "tue", "wed", "thu", "fri"],
            },
            subentry_id=FIXED_ANNA_ID,
            subentry_type="client",
            title="Anna Kowalska",
            unique_id=None,
        ),
        ConfigSubentryDataWithId(
            data={
                "numbers": ["+442071838750"],
                "tier": "vip",
                "language": "en",
                "time_zone": "Europe/London",
            },
            subentry_id=FIXED_BOB_ID,
            subentry_type="client",
            title="Bob Smith",
            unique_id=None,
        ),
    ]
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=FIXED_ENTRY_ID,
        title="My phone",
        options={**BASE_OPTIONS, **options},
        subentries_data=clients,
    )


# The syrupy snapshots hold the shapes of Home Assistant's own registry entries and
# diagnostics, which change between releases: they are checked on the release that made
# them (scripts/test), not on the oldest supported one (scripts/test-oldest).
SNAPSHOT_RELEASE = "2026.2.3"
on_snapshot_release = pytest.mark.skipif(
    HA_VERSION != SNAPSHOT_RELEASE,
    reason=f"snapshots are of Home Assistant {SNAPSHOT_RELEASE}",
)


class FakeCalendar(CalendarEntity):
    """A real calendar entity over a list of events, as Home Assistant's calendar tests build one.

    ``event`` is the current or next event, ``async_get_events`` answers the
    ``calendar.get_events`` action; ``failing`` makes it raise like a calendar whose
    server is down, ``gate`` (when set) holds its answer back until it is set, like a slow
    server. ``asked`` counts how often it was asked for events.
    """

    _attr_has_entity_name = True

    def __init__(self, name: str, events: list[CalendarEvent]) -> None:
        self._attr_name = name
        self._attr_unique_id = f"fake_{name.lower()}"
        self.events = events
        self.failing = False
        self.gate: asyncio.Event | None = None
        self.asked = 0

    @property
    def event(self) -> CalendarEvent | None:
        now = dt_util.now()
        ahead = [item for item in self.events if item.end_datetime_local > now]
        return min(ahead, key=lambda item: item.start_datetime_local, default=None)

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        self.asked += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.failing:
            raise HomeAssistantError("calendar server unreachable")
        return [
            item
            for item in self.events
            if item.end_datetime_local > start_date and item.start_datetime_local < end_date
        ]


async def add_calendars(hass: HomeAssistant, *calendars: FakeCalendar) -> None:
    """Set up Home Assistant's calendar component with these entities (platform "test")."""

    async def setup_platform(
        hass: HomeAssistant,
        config: ConfigType,
        add_entities: AddEntitiesCallback,
        discovery_info: DiscoveryInfoType | None = None,
    ) -> None:
        add_entities(calendars)

    mock_integration(hass, MockModule("test"))
    mock_platform(hass, "test.calendar", MockPlatform(async_setup_platform=setup_platform))
    assert await async_setup_component(hass, "calendar", {"calendar": [{"platform": "test"}]})
    await hass.async_block_till_done()
