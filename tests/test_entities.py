"""Readiness entities through Home Assistant: states follow the sources in the same turn."""

from __future__ import annotations

from datetime import datetime, timedelta
import importlib
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    entity as entity_helper,
    entity_platform,
    entity_registry as er,
)
from homeassistant.helpers.entity import Entity
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.client_etiquette.const import DOMAIN
from custom_components.client_etiquette.core.models import Reason

from . import (
    ANDROID_AUTO,
    BAR,
    BASE_OPTIONS,
    CALENDAR,
    DND,
    DRIVING,
    LIBRARY,
    METRO,
    MODE,
    PHONE_STATE,
    READY,
    READY_AGAIN,
    REASON,
    SCHEDULE,
    SIGNAL,
    TRACKER,
    WORKDAY,
    ZONES,
    make_entry,
    reasons,
    set_sources,
    setup_entry,
)

WARSAW = ZoneInfo("Europe/Warsaw")


async def test_entities_created_with_translated_names(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Six entities under one device, named by translation keys."""
    entries = er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
    assert {entry.translation_key for entry in entries} == {
        "call_ready",
        "readiness_reason",
        "ready_again",
        "mode",
        "client_call",
        "callbacks",
    }
    assert hass.states.get(READY).state == "on"
    assert hass.states.get(REASON).state == "ready"
    assert hass.states.get(READY_AGAIN).state == "unknown"
    assert hass.states.get(MODE).state == "auto"
    assert hass.states.get(READY).attributes["reasons"] == []
    assert hass.states.get(READY).attributes["unavailable_sources"] == []


@pytest.mark.parametrize(
    ("entity_id", "state", "reason"),
    [
        (DRIVING, "in_vehicle", "driving"),
        (DRIVING, "Automotive", "driving"),
        (PHONE_STATE, "offhook", "on_call"),
        (PHONE_STATE, "ringing", "on_call"),
        (DND, "priority_only", "do_not_disturb"),
        (DND, "total_silence", "do_not_disturb"),
        (SIGNAL, "-115", "weak_signal"),
        (SIGNAL, "-110", "weak_signal"),
        (SIGNAL, "No Connection", "weak_signal"),
    ],
)
async def test_reason_flips_in_same_turn(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, entity_id: str, state: str, reason: str
) -> None:
    """Check that a source change is reflected before anything else runs on the loop."""
    hass.states.async_set(entity_id, state)
    # No await between the change and the check: same event-loop turn.
    assert hass.states.get(READY).state == "off"
    assert reasons(hass) == [reason]
    assert hass.states.get(REASON).state == reason
    set_sources(hass)
    assert hass.states.get(READY).state == "on"


@pytest.mark.parametrize(("state", "ready"), [("-109", "on"), ("-50", "on"), ("LTE", "on")])
async def test_signal_not_weak(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, state: str, ready: str
) -> None:
    """Check that signals above the threshold, or a connection type, do not block."""
    hass.states.async_set(SIGNAL, state)
    assert hass.states.get(READY).state == ready


@pytest.mark.parametrize(
    ("zone", "reason"),
    [(METRO, "dead_zone"), (BAR, "noisy_place"), (LIBRARY, "public_place")],
)
async def test_zones_by_gps_and_by_state(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, zone: str, reason: str
) -> None:
    """The tracker inside a zone by GPS, or by the zone name as its state."""
    friendly, lat, lon = ZONES[zone]
    hass.states.async_set(TRACKER, "not_home", {"latitude": lat, "longitude": lon})
    assert reasons(hass) == [reason]
    hass.states.async_set(TRACKER, friendly)
    assert reasons(hass) == [reason]
    hass.states.async_set(TRACKER, "not_home", {"latitude": 0.0, "longitude": 0.0})
    assert reasons(hass) == []


async def test_zone_persons_attribute(hass: HomeAssistant, sources: None) -> None:
    """Check that a person listed in a zone's persons attribute is in that zone."""
    options = dict(BASE_OPTIONS, tracker_entity="person.me")
    hass.states.async_set("person.me", "not_home")
    await setup_entry(hass, make_entry(options))
    friendly, lat, lon = ZONES[METRO]
    hass.states.async_set(
        METRO,
        "1",
        {
            "friendly_name": friendly,
            "latitude": lat,
            "longitude": lon,
            "radius": 100,
            "persons": ["person.me"],
        },
    )
    assert reasons(hass) == ["dead_zone"]


async def test_home_zone_state(hass: HomeAssistant, sources: None) -> None:
    """Check that a tracker that is home is in zone.home."""
    hass.states.async_set(
        "zone.home", "1", {"friendly_name": "Home", "latitude": 1, "longitude": 1, "radius": 50}
    )
    options = dict(BASE_OPTIONS, public_zones=["zone.home"])
    await setup_entry(hass, make_entry(options))
    hass.states.async_set(TRACKER, "home")
    assert reasons(hass) == ["public_place"]


async def test_combined_reasons_priority(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Several reasons at once: all listed, the primary by priority."""
    hass.states.async_set(DND, "alarms_only")
    hass.states.async_set(SIGNAL, "-120")
    hass.states.async_set(DRIVING, "in_vehicle")
    assert reasons(hass) == ["driving", "do_not_disturb", "weak_signal"]
    assert hass.states.get(REASON).state == "driving"


async def test_unavailable_sources_never_block(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Check that unavailable and unknown sources are listed, not counted as reasons."""
    hass.states.async_set(DRIVING, "unavailable")
    hass.states.async_set(DND, "unknown")
    state = hass.states.get(READY)
    assert state.state == "on"
    assert state.attributes["unavailable_sources"] == [DRIVING, DND]


async def test_passenger_without_car_evidence(hass: HomeAssistant, sources: None) -> None:
    """Check that with car sources configured, motion without own-car evidence is a passenger."""
    options = dict(BASE_OPTIONS, car_entities=[ANDROID_AUTO])
    await setup_entry(hass, make_entry(options))
    hass.states.async_set(DRIVING, "in_vehicle")
    assert hass.states.get(READY).state == "on"
    hass.states.async_set(ANDROID_AUTO, "on")
    assert reasons(hass) == ["driving"]
    hass.states.async_set(ANDROID_AUTO, "unavailable")
    assert reasons(hass) == ["driving"]


async def test_car_bluetooth_count(hass: HomeAssistant, sources: None) -> None:
    """Check that a Bluetooth connection count above zero is own-car evidence."""
    hass.states.async_set("sensor.car_bluetooth", "0")
    options = dict(BASE_OPTIONS, car_entities=["sensor.car_bluetooth"])
    await setup_entry(hass, make_entry(options))
    hass.states.async_set(DRIVING, "in_vehicle")
    assert reasons(hass) == []
    hass.states.async_set("sensor.car_bluetooth", "1")
    assert reasons(hass) == ["driving"]


async def test_ios_focus_binary_sensor(hass: HomeAssistant, sources: None) -> None:
    """Check that an iOS Focus binary sensor counts when on."""
    hass.states.async_set("binary_sensor.iphone_focus", "off")
    options = dict(BASE_OPTIONS, dnd_entities=["binary_sensor.iphone_focus"])
    await setup_entry(hass, make_entry(options))
    assert reasons(hass) == []
    hass.states.async_set("binary_sensor.iphone_focus", "on")
    assert reasons(hass) == ["do_not_disturb"]


async def test_meeting_until_calendar_end(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """An event in progress: in_meeting, ready again at its end."""
    end = (dt_util.now() + timedelta(minutes=45)).replace(microsecond=0)
    hass.states.async_set(
        CALENDAR,
        "on",
        {
            "message": "Call with Anna",
            "all_day": False,
            "end_time": end.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    assert reasons(hass) == ["in_meeting"]
    assert dt_util.parse_datetime(hass.states.get(READY_AGAIN).state) == end
    assert hass.states.get(READY).attributes["ready_again_at"] == dt_util.as_utc(end).isoformat()


async def test_all_day_event_is_not_a_meeting(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Check that all-day events do not block without keywords."""
    hass.states.async_set(CALENDAR, "on", {"message": "Holiday", "all_day": True})
    assert reasons(hass) == []


async def test_meeting_keywords(hass: HomeAssistant, sources: None) -> None:
    """Check that with keywords only matching events count."""
    options = dict(BASE_OPTIONS, meeting_keywords=["Meeting", " "])
    await setup_entry(hass, make_entry(options))
    hass.states.async_set(CALENDAR, "on", {"message": "Gym", "all_day": False})
    assert reasons(hass) == []
    hass.states.async_set(
        CALENDAR, "on", {"message": "Team", "description": "weekly MEETING", "all_day": True}
    )
    assert reasons(hass) == ["in_meeting"]
    assert hass.states.get(READY_AGAIN).state == "unknown"


async def test_schedule_closed_until_next_event(hass: HomeAssistant, sources: None) -> None:
    """A schedule that is off: after_hours until its next event."""
    opening = dt_util.now().replace(microsecond=0) + timedelta(hours=10)
    hass.states.async_set(SCHEDULE, "off", {"next_event": opening})
    await setup_entry(hass, make_entry({"schedule_entity": SCHEDULE}))
    assert reasons(hass) == ["after_hours"]
    assert dt_util.parse_datetime(hass.states.get(READY_AGAIN).state) == opening
    hass.states.async_set(SCHEDULE, "on", {"next_event": opening.isoformat()})
    assert reasons(hass) == []


async def test_fixed_hours_timer_flips_at_opening(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Fixed hours: closed at 07:00 Monday, a timer flips readiness at 09:00."""
    freezer.move_to(datetime(2026, 11, 23, 7, 0, tzinfo=WARSAW))
    options = {"work_start": "09:00:00", "work_end": "17:00:00", "work_days": ["mon", "tue"]}
    await setup_entry(hass, make_entry(options))
    assert reasons(hass) == ["after_hours"]
    assert dt_util.parse_datetime(hass.states.get(READY_AGAIN).state) == datetime(
        2026, 11, 23, 9, 0, tzinfo=WARSAW
    )
    freezer.move_to(datetime(2026, 11, 23, 9, 0, 1, tzinfo=WARSAW))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(READY).state == "on"
    freezer.move_to(datetime(2026, 11, 24, 17, 0, 1, tzinfo=WARSAW))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    # Tuesday evening: next opening is the following Monday.
    assert reasons(hass) == ["after_hours"]
    assert dt_util.parse_datetime(hass.states.get(READY_AGAIN).state) == datetime(
        2026, 11, 30, 9, 0, tzinfo=WARSAW
    )


async def test_workday_sensor_decides_today(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that a workday sensor that is off (a holiday) closes a normal Monday."""
    freezer.move_to(datetime(2026, 11, 23, 11, 0, tzinfo=WARSAW))
    options = {"workday_entity": WORKDAY, "work_days": ["mon", "tue", "wed", "thu", "fri"]}
    await setup_entry(hass, make_entry(options))
    assert reasons(hass) == []
    hass.states.async_set(WORKDAY, "off")
    assert reasons(hass) == ["after_hours"]
    assert dt_util.parse_datetime(hass.states.get(READY_AGAIN).state) == datetime(
        2026, 11, 24, 0, 0, tzinfo=WARSAW
    )


async def test_mode_select_overrides(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Check that busy blocks with the manual reason; available overrides every reason."""
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE, "option": "busy"}, blocking=True
    )
    assert reasons(hass) == ["manual"]
    assert hass.states.get(READY_AGAIN).state == "unknown"
    hass.states.async_set(DRIVING, "in_vehicle")
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE, "option": "available"}, blocking=True
    )
    assert hass.states.get(READY).state == "on"
    assert hass.states.get(MODE).state == "available"
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE, "option": "auto"}, blocking=True
    )
    assert reasons(hass) == ["driving"]


async def test_unload_cancels_listeners_and_timers(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that after unload nothing follows the sources; reload brings it back."""
    freezer.move_to(datetime(2026, 11, 23, 7, 0, tzinfo=WARSAW))
    options = dict(BASE_OPTIONS, work_start="09:00", work_end="17:00", work_days=["mon"])
    entry = await setup_entry(hass, make_entry(options))
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(READY).state == "unavailable"
    hass.states.async_set(DRIVING, "in_vehicle")
    assert hass.states.get(READY).state == "unavailable"
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert reasons(hass) == ["driving", "after_hours"]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert reasons(hass) == ["driving", "after_hours"]


async def test_entry_without_sources_to_watch(hass: HomeAssistant) -> None:
    """Fixed hours alone: no state listener is needed."""
    assert await async_setup_component(hass, "homeassistant", {})
    await setup_entry(hass, make_entry({"work_start": "00:00", "work_end": "23:59:59"}))
    assert hass.states.get(READY) is not None


async def test_entities_written_only_when_what_they_show_changes(
    hass: HomeAssistant, sources: None
) -> None:
    """Each entity writes its state only when its own projection of the verdict changed."""
    assert await async_setup_component(hass, "homeassistant", {})
    options = dict(BASE_OPTIONS, driving_entities=[DRIVING, ANDROID_AUTO])
    await setup_entry(hass, make_entry(options))
    ours = (READY, REASON, READY_AGAIN, MODE)
    written: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        callback(lambda event: written.append(event.data["entity_id"])),
        event_filter=callback(lambda data: data["entity_id"] in ours),
    )

    async def writes(entity_id: str, state: str, **attributes: Any) -> list[str]:
        written.clear()
        hass.states.async_set(entity_id, state, attributes)
        await hass.async_block_till_done()
        return sorted(written)

    # The verdict flips: the call-ready and reason entities change, the others do not.
    assert await writes(PHONE_STATE, "offhook") == sorted([READY, REASON])
    assert await writes(PHONE_STATE, "idle") == sorted([READY, REASON])
    # Signal jitter: no new verdict, nothing written.
    assert await writes(SIGNAL, "-86") == []
    # A second reason behind the primary one: only the call-ready sensor lists it.
    assert await writes(DRIVING, "in_vehicle") == sorted([READY, REASON])
    assert await writes(DND, "priority_only") == sorted([READY])
    # A second source of an active reason: a new verdict (its sources), nothing shown changes.
    monitor = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.monitor
    before = monitor.readiness
    assert await writes(ANDROID_AUTO, "on") == []
    assert monitor.readiness != before
    assert monitor.readiness.sources[Reason.DRIVING] == (DRIVING, ANDROID_AUTO)
    # A meeting with a known end behind the primary reason: reasons change; the end is
    # not the ready-again time while driving has no known end.
    end = (dt_util.now() + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S")
    assert await writes(CALENDAR, "on", all_day=False, end_time=end) == sorted([READY])
    # Mode changes: the select shows them; busy also changes the verdict.
    written.clear()
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE, "option": "busy"}, blocking=True
    )
    assert sorted(written) == sorted([READY, REASON, MODE])
    assert hass.states.get(REASON).state == "manual"
    written.clear()
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE, "option": "auto"}, blocking=True
    )
    assert sorted(written) == sorted([READY, REASON, MODE])
    # The other driving source still says driving: only the verdict's sources change.
    assert await writes(DRIVING, "still") == []
    assert await writes(ANDROID_AUTO, "off") == sorted([READY, REASON])
    assert hass.states.get(REASON).state == "in_meeting"
    # Only the meeting is left, with a known end: the ready-again sensor is written too.
    assert await writes(DND, "off") == sorted([READY, READY_AGAIN])
    assert hass.states.get(REASON).state == "in_meeting"
    assert dt_util.parse_datetime(hass.states.get(READY_AGAIN).state) is not None


def requires_readd(entity_class: type[Entity]) -> bool:
    """Home Assistant 2026.11's ``_entity_class_requires_readd`` (helpers/entity.py).

    Whether a rename removes and re-adds the entity instead of changing its entity id in
    place: some class of ours defines an add/remove method with no
    ``async_entity_id_changed`` in that class or a subclass of it. The installed Home
    Assistant's own rule is used where it has one.
    """
    own = getattr(entity_helper, "_entity_class_requires_readd", None)
    if own is not None:
        return bool(own(entity_class))
    mro = [cls for cls in entity_class.__mro__ if not cls.__module__.startswith("homeassistant.")]
    hook_owners = [cls for cls in mro if "async_entity_id_changed" in cls.__dict__]
    methods = ("async_prepare_to_add_to_hass", "async_added_to_hass", "async_will_remove_from_hass")
    return any(
        any(method in cls.__dict__ for method in methods)
        and not any(issubclass(owner, cls) for owner in hook_owners)
        for cls in mro
    )


def own_entity_classes() -> list[type[Entity]]:
    """Every entity class of the integration's platforms."""
    classes = []
    for name in ("binary_sensor", "event", "select", "sensor", "todo"):
        module = importlib.import_module(f"custom_components.client_etiquette.{name}")
        classes += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Entity)
            and value.__module__ == module.__name__
        ]
    return classes


def test_entities_are_renamed_in_place() -> None:
    """No entity class of ours is removed and re-added on a rename (Home Assistant 2026.11)."""
    classes = own_entity_classes()
    assert {cls.__name__ for cls in classes} >= {
        "CallReadySensor",
        "GoodTimeToCallSensor",
        "ClientCallEvent",
        "ModeSelect",
        "ReadinessReasonSensor",
        "ReadyAgainSensor",
        "CallbacksTodoList",
    }
    assert [cls.__name__ for cls in classes if requires_readd(cls)] == []


async def test_renamed_entities_keep_following(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Check that after a rename each entity shows its state under the new id and still follows."""
    renamed = {
        READY: "binary_sensor.renamed_ready",
        MODE: "select.renamed_mode",
        "todo.my_phone_callbacks": "todo.renamed_callbacks",
        "event.my_phone_client_call": "event.renamed_client_call",
    }
    for old, new in renamed.items():
        entity_registry.async_update_entity(old, new_entity_id=new)
    await hass.async_block_till_done()
    assert [old for old in renamed if hass.states.get(old) is not None] == []
    assert hass.states.get("todo.renamed_callbacks").state == "0"
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE_RENAMED, "option": "busy"}, blocking=True
    )
    assert hass.states.get(MODE_RENAMED).state == "busy"
    assert hass.states.get("binary_sensor.renamed_ready").attributes["reasons"] == ["manual"]
    platform_entities = [
        entity
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        for entity in platform.entities.values()
    ]
    for entity in platform_entities:  # what Home Assistant 2026.11 calls after a rename
        before = hass.states.get(entity.entity_id)
        entity.async_entity_id_changed(entity.entity_id)
        entity.async_write_ha_state()
        after = hass.states.get(entity.entity_id)
        assert (after.state, after.attributes) == (before.state, before.attributes)


MODE_RENAMED = "select.renamed_mode"
