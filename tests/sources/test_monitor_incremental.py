"""The monitor's incremental snapshot against a fresh full read, through a real core.

The monitor re-derives only the changed source's evidence on each state change
(``sources.SnapshotTracker``). These tests drive random sequences of source changes,
mode changes, time jumps and time-zone changes through Home Assistant and check, after
every step, that the monitor's verdict equals ``evaluate(read_snapshot(...))`` computed
from scratch at the same moment, and that the entities show that verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import random
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.client_etiquette.const import READY_STATE
from custom_components.client_etiquette.core.models import Mode, Readiness, Reason
from custom_components.client_etiquette.core.readiness import evaluate
from custom_components.client_etiquette.sources.monitor import ReadinessMonitor
from custom_components.client_etiquette.sources.states import SnapshotTracker, SourceConfig

from .. import (
    ANDROID_AUTO,
    BAR,
    CALENDAR,
    DND,
    DRIVING,
    LIBRARY,
    METRO,
    PHONE_STATE,
    SCHEDULE,
    SIGNAL,
    TRACKER,
    WORKDAY,
    ZONES,
    make_entry,
    setup_entry,
)
from .snapshot_reference import read_snapshot

WARSAW = ZoneInfo("Europe/Warsaw")
FOCUS = "binary_sensor.iphone_focus"
CAR_BT = "sensor.car_bluetooth"
PERSONAL = "calendar.personal"
MISSING = "sensor.never_created"
REMOVE = "<remove>"

# Entry 1: every kind of source, an entity in two roles (Android Auto: driving and car),
# fixed hours with a workday sensor, a schedule, a source that never exists.
OPTIONS_1: dict[str, Any] = {
    "driving_entities": [DRIVING, ANDROID_AUTO],
    "car_entities": [ANDROID_AUTO, CAR_BT],
    "phone_state_entities": [PHONE_STATE, MISSING],
    "dnd_entities": [DND, FOCUS],
    "signal_entities": [SIGNAL],
    "weak_signal_dbm": -110,
    "calendar_entities": [CALENDAR, PERSONAL],
    "meeting_keywords": [],
    "tracker_entity": TRACKER,
    "dead_zones": [METRO],
    "noisy_zones": [BAR],
    "public_zones": [LIBRARY],
    "schedule_entity": SCHEDULE,
    "workday_entity": WORKDAY,
    "work_start": "09:00:00",
    "work_end": "17:00:00",
    "work_days": ["mon", "tue", "wed", "thu", "fri"],
}
# Entry 2 on the same sources: other roles (DND read as a phone state), keywords,
# two zones of one kind, whole working days from the workday sensor alone.
OPTIONS_2: dict[str, Any] = {
    "driving_entities": [DRIVING],
    "phone_state_entities": [PHONE_STATE, DND],
    "dnd_entities": [FOCUS],
    "signal_entities": [SIGNAL],
    "weak_signal_dbm": -100,
    "calendar_entities": [PERSONAL, CALENDAR],
    "meeting_keywords": ["meeting"],
    "tracker_entity": TRACKER,
    "dead_zones": [BAR, METRO],
    "public_zones": [LIBRARY],
    "workday_entity": WORKDAY,
}

type Setter = Callable[[HomeAssistant, random.Random], None]


def _plain(entity_id: str, *values: str) -> Setter:
    def setter(hass: HomeAssistant, rng: random.Random) -> None:
        value = rng.choice(values)
        if value == REMOVE:
            hass.states.async_remove(entity_id)
        else:
            hass.states.async_set(entity_id, value)

    return setter


def _calendar(entity_id: str) -> Setter:
    def setter(hass: HomeAssistant, rng: random.Random) -> None:
        kind = rng.choice(["off", "on", "on", "all_day", "unavailable", "ended"])
        if kind in ("off", "unavailable"):
            hass.states.async_set(entity_id, kind)
            return
        end = dt_util.now() + timedelta(minutes=rng.choice([-30, 20, 45, 300]))
        if kind == "ended":
            end = dt_util.now() - timedelta(minutes=5)
        hass.states.async_set(
            entity_id,
            "on",
            {
                "message": rng.choice(["Client meeting", "Gym", "Call with Anna"]),
                "description": rng.choice(["", "weekly MEETING"]),
                "all_day": kind == "all_day",
                "end_time": end.strftime("%Y-%m-%d %H:%M:%S"),
            },
        )

    return setter


def _tracker(hass: HomeAssistant, rng: random.Random) -> None:
    kind = rng.choice(["away", "home", "named", "gps_in", "gps_out", "unavailable", REMOVE])
    if kind == REMOVE:
        hass.states.async_remove(TRACKER)
    elif kind == "named":
        hass.states.async_set(TRACKER, rng.choice([name for name, _, _ in ZONES.values()]))
    elif kind == "gps_in":
        _, lat, lon = rng.choice(list(ZONES.values()))
        hass.states.async_set(TRACKER, "not_home", {"latitude": lat, "longitude": lon})
    elif kind == "gps_out":
        hass.states.async_set(TRACKER, "not_home", {"latitude": 0.0, "longitude": 0.0})
    else:
        hass.states.async_set(TRACKER, {"away": "not_home"}.get(kind, kind))


def _zone(entity_id: str) -> Setter:
    name, lat, lon = ZONES[entity_id]

    def setter(hass: HomeAssistant, rng: random.Random) -> None:
        kind = rng.choice(["plain", "person", "unavailable"])
        if kind == "unavailable":
            hass.states.async_set(entity_id, "unavailable")
            return
        attributes: dict[str, Any] = {
            "friendly_name": name,
            "latitude": lat,
            "longitude": lon,
            "radius": 100,
        }
        if kind == "person":
            attributes["persons"] = [TRACKER]
        hass.states.async_set(entity_id, "1" if kind == "person" else "0", attributes)

    return setter


def _schedule(hass: HomeAssistant, rng: random.Random) -> None:
    kind = rng.choice(["on", "off", "off_iso", "off_none", "off_garbled", "unknown"])
    opening = dt_util.now().replace(microsecond=0) + timedelta(hours=rng.choice([1, 10]))
    if kind == "on":
        hass.states.async_set(SCHEDULE, "on", {"next_event": opening})
    elif kind == "off":
        hass.states.async_set(SCHEDULE, "off", {"next_event": opening})
    elif kind == "off_iso":
        hass.states.async_set(SCHEDULE, "off", {"next_event": opening.isoformat()})
    elif kind == "off_none":
        hass.states.async_set(SCHEDULE, "off", {})
    elif kind == "off_garbled":
        hass.states.async_set(SCHEDULE, "off", {"next_event": "soon"})
    else:
        hass.states.async_set(SCHEDULE, kind)


SETTERS: list[Setter] = [
    _plain(DRIVING, "still", "in_vehicle", "walking", "Automotive", "unavailable", REMOVE),
    _plain(ANDROID_AUTO, "on", "off", "unavailable"),
    _plain(CAR_BT, "0", "1", "2", "connected", "unknown"),
    _plain(PHONE_STATE, "idle", "offhook", "ringing", "unavailable"),
    _plain(DND, "off", "priority_only", "total_silence", "unknown", "OFF"),
    _plain(FOCUS, "on", "off", "unavailable", REMOVE),
    _plain(SIGNAL, "-85", "-101", "-110", "-115", "No Connection", "LTE", "unavailable"),
    _plain(WORKDAY, "on", "off", "unavailable"),
    _calendar(CALENDAR),
    _calendar(PERSONAL),
    _tracker,
    _zone(METRO),
    _zone(BAR),
    _zone(LIBRARY),
    _schedule,
]


def fresh(hass: HomeAssistant, monitor: ReadinessMonitor) -> Readiness:
    """Return the verdict from a full read of every source, now."""
    snapshot = read_snapshot(
        hass,
        monitor.config,
        mode=monitor.mode,
        busy_until=monitor.busy_until,
        busy_reason=monitor.busy_reason,
    )
    return evaluate(snapshot, dt_util.utcnow())


def assert_entities_show(hass: HomeAssistant, prefix: str, readiness: Readiness) -> None:
    """Check that the entry's entities show exactly this verdict."""
    ready = hass.states.get(f"binary_sensor.{prefix}_client_call_ready")
    assert ready is not None
    assert ready.state == ("on" if readiness.ready else "off")
    assert ready.attributes["reasons"] == [reason.value for reason in readiness.reasons]
    assert ready.attributes["unavailable_sources"] == list(readiness.unavailable_sources)
    again = readiness.ready_again_at
    assert ready.attributes["ready_again_at"] == (again.isoformat() if again else None)
    reason = hass.states.get(f"sensor.{prefix}_reason")
    assert reason is not None
    primary = readiness.primary
    assert reason.state == (primary.value if primary else READY_STATE)
    again_state = hass.states.get(f"sensor.{prefix}_ready_again")
    assert again_state is not None
    shown = dt_util.parse_datetime(again_state.state)
    assert shown == (again.replace(microsecond=0) if again else None)


async def _setup(hass: HomeAssistant) -> dict[str, ReadinessMonitor]:
    await hass.config.async_set_time_zone("Europe/Warsaw")
    assert await async_setup_component(hass, "homeassistant", {})
    rng = random.Random(0)
    for setter in SETTERS:
        setter(hass, rng)
    monitors = {}
    for prefix, options in (("my_phone", OPTIONS_1), ("work_phone", OPTIONS_2)):
        entry: MockConfigEntry = make_entry(options, title=prefix.replace("_", " ").capitalize())
        await setup_entry(hass, entry)
        monitors[prefix] = entry.runtime_data.monitor
    return monitors


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_random_changes_match_a_full_read(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seed: int
) -> None:
    """Check that after every step both entries' verdicts equal a fresh full read and evaluate."""
    freezer.move_to(datetime(2026, 11, 23, 11, 0, tzinfo=WARSAW))  # a Monday
    monitors = await _setup(hass)
    watched_by = [frozenset(m.config.entity_ids) for m in monitors.values()]
    watched = frozenset().union(*watched_by)
    heard: list[str] = []
    hass.bus.async_listen(
        EVENT_STATE_CHANGED,
        callback(lambda event: heard.append(event.data["entity_id"])),
        event_filter=callback(lambda data: data["entity_id"] in watched),
    )
    rng = random.Random(seed)
    for step in range(250):
        roll = rng.random()
        if roll < 0.08:
            # Time passes; timers that come due fire before the next change.
            freezer.tick(timedelta(minutes=rng.choice([5, 50, 200, 700])))
            async_fire_time_changed(hass)
            await hass.async_block_till_done()
        elif roll < 0.13:
            monitor = rng.choice(list(monitors.values()))
            mode = rng.choice(list(Mode))
            until = dt_util.utcnow() + timedelta(minutes=rng.choice([10, 90]))
            monitor.async_set_mode(
                mode,
                rng.choice([None, until]),
                rng.choice([Reason.MANUAL, Reason.DRIVING, Reason.IN_MEETING]),
            )
        elif roll < 0.15:
            await hass.config.async_set_time_zone(rng.choice(["Europe/Warsaw", "Asia/Tokyo"]))
        # Every step ends with a source change: the monitors decide at this moment.
        heard.clear()
        rng.choice(SETTERS)(hass, rng)
        if any(watched.isdisjoint(heard) for watched in watched_by):
            # The same value again, or a source of the other entry only: this monitor
            # heard nothing, so report a source both watch (the signal) unchanged.
            hass.states.async_set(SIGNAL, hass.states.get(SIGNAL).state, force_update=True)
        for prefix, monitor in monitors.items():
            expected = fresh(hass, monitor)
            assert monitor.readiness == expected, (seed, step, prefix)
            assert_entities_show(hass, prefix, expected)
            assert hass.states.get(f"select.{prefix}_mode").state == monitor.mode.value


async def test_nested_change_is_read_as_current(hass: HomeAssistant) -> None:
    """A listener that changes a source again inside the first change's dispatch.

    The monitor hears the inner (newer) change first and the outer one last; it takes
    the source's current state, not the outer event's stale ``new_state``.
    """
    resets: list[str] = []

    @callback
    def answer_and_hang_up(event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        if new_state is not None and new_state.state == "ringing":
            resets.append(event.data["entity_id"])
            hass.states.async_set(PHONE_STATE, "idle")

    # Registered before the entries, so it runs before their monitors.
    hass.bus.async_listen(
        EVENT_STATE_CHANGED,
        answer_and_hang_up,
        event_filter=callback(lambda data: data["entity_id"] == PHONE_STATE),
    )
    monitors = await _setup(hass)
    resets.clear()
    hass.states.async_set(PHONE_STATE, "ringing")
    assert resets == [PHONE_STATE]
    assert hass.states.get(PHONE_STATE).state == "idle"
    for prefix, monitor in monitors.items():
        assert Reason.ON_CALL not in monitor.readiness.reasons
        assert monitor.readiness == fresh(hass, monitor)
        assert_entities_show(hass, prefix, monitor.readiness)


async def test_tracker_snapshot_equals_read_snapshot(hass: HomeAssistant) -> None:
    """The tracker's snapshot itself, field by field, after random changes."""
    await hass.config.async_set_time_zone("Europe/Warsaw")
    rng = random.Random(9)
    for setter in SETTERS:
        setter(hass, rng)
    others = (
        {"schedule_entity": SCHEDULE, "work_start": "09:00", "work_end": "17:00"},
        {"tracker_entity": TRACKER, "car_entities": [CAR_BT]},
    )
    configs = [SourceConfig.from_options(options) for options in (OPTIONS_1, OPTIONS_2, *others)]
    trackers = [SnapshotTracker(hass, config) for config in configs]
    for tracker in trackers:
        tracker.async_refresh()
    watched = {entity_id for config in configs for entity_id in config.entity_ids}
    changed: list[str] = []
    hass.bus.async_listen(
        EVENT_STATE_CHANGED,
        callback(lambda event: changed.append(event.data["entity_id"])),
    )
    for _ in range(300):
        rng.choice(SETTERS)(hass, rng)
        for entity_id in changed:
            assert entity_id in watched
            for tracker in trackers:
                tracker.async_update_source(entity_id)
        changed.clear()
        for config, tracker in zip(configs, trackers, strict=True):
            snapshot = tracker.snapshot(mode=Mode.BUSY, busy_reason=Reason.DRIVING)
            assert snapshot == read_snapshot(
                hass, config, mode=Mode.BUSY, busy_reason=Reason.DRIVING
            )
            # Unchanged inputs give back the very same snapshot.
            assert tracker.snapshot(mode=Mode.BUSY, busy_reason=Reason.DRIVING) is snapshot
    # A source that is not configured is ignored.
    trackers[0].async_update_source("sensor.somebody_else")
    assert trackers[0].snapshot() == read_snapshot(hass, configs[0])
