"""Many good-time-to-call sensors on one entry: one plan per kind of client, right states.

The sensors of an entry share one scheduler (one readiness listener, one timer, plans
computed once per group of clients that plan alike). These tests check what a user sees
through the public surfaces (states, the entity registry) when many clients of a few
kinds share an entry: each client's sensor has its own kind's answer, every kind
changes at its own edges, and readiness flips, disabled and removed sensors behave.
No timing is asserted.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.client_etiquette.const import DOMAIN

from .. import BASE_OPTIONS, DND, DRIVING, setup_entry
from . import jump, settle

PER_KIND = 15
WORK_WEEK = ["mon", "tue", "wed", "thu", "fri"]
# Three kinds of clients: office hours in Warsaw and in New York, any time in London.
KINDS: dict[str, dict[str, Any]] = {
    "warsaw": {
        "time_zone": "Europe/Warsaw",
        "contact_start": "09:00:00",
        "contact_end": "17:00:00",
        "contact_days": WORK_WEEK,
    },
    "new_york": {
        "time_zone": "America/New_York",
        "country": "US",
        "contact_start": "09:00:00",
        "contact_end": "17:00:00",
        "contact_days": WORK_WEEK,
    },
    "london": {"time_zone": "Europe/London", "country": "GB"},
}


def sensor_id(kind: str, index: int) -> str:
    return f"binary_sensor.{kind}_{index}_good_time_to_call"


def many_clients() -> list[ConfigSubentryData]:
    subentries = []
    for offset, (kind, data) in enumerate(KINDS.items()):
        for index in range(PER_KIND):
            number = f"+48{600_000_000 + offset * 1000 + index:09d}"
            subentries.append(
                ConfigSubentryData(
                    data={"numbers": [number], "language": "en", **data},
                    subentry_type="client",
                    title=f"{kind} {index}",
                    unique_id=None,
                )
            )
    return subentries


async def set_up(hass: HomeAssistant) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN, title="My phone", options=dict(BASE_OPTIONS), subentries_data=many_clients()
    )
    await setup_entry(hass, entry)
    await settle(hass)
    return entry


def kind_state(hass: HomeAssistant, kind: str) -> tuple[str, dict[str, Any]]:
    """Return the state every sensor of ``kind`` has; fails when two of them differ."""
    seen = set()
    for index in range(PER_KIND):
        state = hass.states.get(sensor_id(kind, index))
        assert state is not None, sensor_id(kind, index)
        attributes = dict(state.attributes)
        attributes["not_now"] = tuple(attributes["not_now"])
        attributes.pop("friendly_name", None)
        seen.add((state.state, tuple(sorted(attributes.items()))))
    assert len(seen) == 1, seen
    state_value, attributes_items = seen.pop()
    return state_value, dict(attributes_items)


async def test_each_kind_of_client_changes_at_its_own_edges(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that every sensor of a kind agrees throughout a working day.

    Tuesday 3 June 2025, from 08:00 UTC: Warsaw's hours end at 15:00 UTC, New York's begin
    at 13:00 UTC; London is any time.
    """
    freezer.move_to("2025-06-03 08:00:00+00:00")
    await set_up(hass)
    assert kind_state(hass, "warsaw") == (
        "on",
        {
            "client_local_time": "2025-06-03T10:00:00+02:00",
            "next_good_time": "2025-06-03T10:00:00+02:00",
            "channel": "call",
            "not_now": (),
        },
    )
    assert kind_state(hass, "new_york") == (
        "off",
        {
            "client_local_time": "2025-06-03T04:00:00-04:00",
            "next_good_time": "2025-06-03T09:00:00-04:00",
            "channel": "text",
            "not_now": ("outside_hours",),
        },
    )
    assert kind_state(hass, "london")[0] == "on"

    await jump(hass, freezer, "2025-06-03 13:00:00+00:00")
    new_york = kind_state(hass, "new_york")
    assert new_york[0] == "on"
    assert new_york[1]["client_local_time"] == "2025-06-03T09:00:00-04:00"
    # Warsaw's answer did not change at New York's edge: its last update still shows.
    assert kind_state(hass, "warsaw")[1]["client_local_time"] == "2025-06-03T10:00:00+02:00"

    await jump(hass, freezer, "2025-06-03 15:00:00+00:00")
    warsaw = kind_state(hass, "warsaw")
    assert warsaw[0] == "off"
    assert warsaw[1]["not_now"] == ("outside_hours",)
    assert warsaw[1]["next_good_time"] == "2025-06-04T09:00:00+02:00"
    assert kind_state(hass, "new_york")[0] == "on"
    assert kind_state(hass, "london")[0] == "on"


async def test_many_readiness_flips_then_the_next_edge(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that every flip reaches every sensor; the clock still moves them afterwards."""
    freezer.move_to("2025-06-03 08:00:00+00:00")
    await set_up(hass)
    for flip in range(40):
        driving = flip % 2 == 0
        hass.states.async_set(DRIVING, "in_vehicle" if driving else "still")
        await settle(hass)
        for kind in KINDS:
            _, attributes = kind_state(hass, kind)
            assert ("not_ready" in attributes["not_now"]) is driving
        assert kind_state(hass, "warsaw")[0] == ("off" if driving else "on")
    # A flip that comes late, when the clock has passed New York's opening (13:00 UTC)
    # before the timer ran: everyone is planned afresh, the timer moves on.
    freezer.move_to("2025-06-03 13:30:00+00:00")
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    new_york = kind_state(hass, "new_york")
    assert new_york[1]["not_now"] == ("not_ready",)
    assert new_york[1]["client_local_time"] == "2025-06-03T09:30:00-04:00"

    await jump(hass, freezer, "2025-06-03 15:00:00+00:00")
    assert kind_state(hass, "warsaw")[1]["not_now"] == ("outside_hours", "not_ready")
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    assert kind_state(hass, "warsaw")[1]["not_now"] == ("outside_hours",)
    assert kind_state(hass, "london")[0] == "on"


async def test_a_new_reason_while_not_ready_writes_no_sensor(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that readiness changing its reasons but not its answer writes no sensor again.

    For example driving, then also do not disturb: no client's answer changes.
    """
    freezer.move_to("2025-06-03 08:00:00+00:00")
    await set_up(hass)
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    before = {kind: hass.states.get(sensor_id(kind, 0)) for kind in KINDS}
    freezer.tick(60)
    hass.states.async_set(DND, "priority_only")
    await settle(hass)
    reasons = hass.states.get("binary_sensor.my_phone_client_call_ready")
    assert reasons is not None
    assert set(reasons.attributes["reasons"]) == {"driving", "do_not_disturb"}
    for kind, state in before.items():
        assert hass.states.get(sensor_id(kind, 0)) == state
    hass.states.async_set(DRIVING, "still")
    hass.states.async_set(DND, "off")
    await settle(hass)
    assert kind_state(hass, "warsaw")[0] == "on"


async def test_disabled_and_removed_sensors_stay_away(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that disabled and removed sensors stay out while the others keep following.

    A sensor disabled by the user is not added after a reload; one removed from the registry
    gets no state from later updates.
    """
    freezer.move_to("2025-06-03 08:00:00+00:00")
    entry = await set_up(hass)
    registry = er.async_get(hass)
    disabled, removed = sensor_id("warsaw", 0), sensor_id("warsaw", 1)
    registry.async_update_entity(disabled, disabled_by=er.RegistryEntryDisabler.USER)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert hass.states.get(disabled) is None
    registry.async_remove(removed)
    await settle(hass)
    assert hass.states.get(removed) is None

    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    await jump(hass, freezer, "2025-06-03 15:00:00+00:00")
    assert hass.states.get(disabled) is None
    assert hass.states.get(removed) is None
    for index in range(2, PER_KIND):
        state = hass.states.get(sensor_id("warsaw", index))
        assert state is not None
        assert list(state.attributes["not_now"]) == ["outside_hours", "not_ready"]


async def test_unload_stops_every_update(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that after unloading, neither readiness nor the clock touches the sensors."""
    freezer.move_to("2025-06-03 08:00:00+00:00")
    entry = await set_up(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    hass.states.async_set(DRIVING, "in_vehicle")
    await jump(hass, freezer, "2025-06-03 15:00:00+00:00")
    for kind in KINDS:
        for index in range(PER_KIND):
            state = hass.states.get(sensor_id(kind, index))
            assert state is not None
            assert state.state == "unavailable"
