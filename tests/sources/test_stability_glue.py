"""The driving hold and the hysteresis through a real entry: timers, car evidence, unload."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from .. import (
    ANDROID_AUTO,
    BASE_OPTIONS,
    DRIVING,
    NO_HOLD,
    READY,
    SIGNAL,
    TRACKER,
    make_entry,
    reasons,
    setup_entry,
)

WARSAW = ZoneInfo("Europe/Warsaw")
START = datetime(2026, 3, 10, 8, 0, tzinfo=WARSAW)
# The stand-ins with hold and hysteresis at their defaults (as an entry stored before them).
DEFAULTS = {key: value for key, value in BASE_OPTIONS.items() if key not in NO_HOLD}


async def at(hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: datetime) -> None:
    """Move the clock to ``moment`` and run what is due."""
    freezer.move_to(moment)
    async_fire_time_changed(hass, moment)
    await hass.async_block_till_done()


async def test_hold_ends_on_its_timer_and_not_before(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Driving holds 5 min after the stop; the verdict flips exactly then, with no new state."""
    freezer.move_to(START)
    await setup_entry(hass, make_entry(DEFAULTS))
    hass.states.async_set(DRIVING, "in_vehicle")
    await at(hass, freezer, START + timedelta(minutes=3))
    hass.states.async_set(DRIVING, "still")
    await hass.async_block_till_done()
    ready_at = START + timedelta(minutes=8)
    shown = hass.states.get(READY).attributes["ready_again_at"]
    assert datetime.fromisoformat(shown) == ready_at
    await at(hass, freezer, ready_at - timedelta(microseconds=1))
    assert reasons(hass) == ["driving"]
    await at(hass, freezer, ready_at)
    assert hass.states.get(READY).state == "on"


async def test_car_evidence_ending_ends_the_hold_at_once(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Android Auto disconnects during the hold: parked, ready at once, not a passenger."""
    freezer.move_to(START)
    await setup_entry(hass, make_entry({**DEFAULTS, "car_entities": [ANDROID_AUTO]}))
    hass.states.async_set(ANDROID_AUTO, "on")
    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(DRIVING, "still")
    await hass.async_block_till_done()
    assert reasons(hass) == ["driving"]
    hass.states.async_set(ANDROID_AUTO, "off")
    assert hass.states.get(READY).state == "on"


async def test_unload_during_a_hold_leaves_nothing_behind(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Unload during a hold, a signal recovery and a zone exit: nothing fires afterwards.

    The entity stays unavailable when their ends pass (their timer went with the entry);
    set up again, it reads the calm sources afresh.
    """
    freezer.move_to(START)
    entry = await setup_entry(hass, make_entry(DEFAULTS))
    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(SIGNAL, "-115")
    hass.states.async_set(TRACKER, "Metro")
    await hass.async_block_till_done()
    hass.states.async_set(DRIVING, "still")
    hass.states.async_set(SIGNAL, "-90")
    hass.states.async_set(TRACKER, "not_home")
    await hass.async_block_till_done()
    assert reasons(hass) == ["driving", "dead_zone", "weak_signal"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    written: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        callback(lambda event: written.append(event.data["entity_id"])),
        event_filter=callback(lambda data: data["entity_id"] == READY),
    )
    await at(hass, freezer, START + timedelta(minutes=6))
    assert written == []
    assert hass.states.get(READY).state == "unavailable"
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(READY).state == "on"
