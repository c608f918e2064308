"""Read Home Assistant states into the pure model.

This is the one place that knows Home Assistant's state vocabularies: companion-app
sensors (Android and iOS), generic binary sensors and helpers, calendars, zones,
schedules and workday sensors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from itertools import chain
from typing import Any

from homeassistant.components.zone import in_zone
from homeassistant.const import (
    ATTR_FRIENDLY_NAME,
    ATTR_GPS_ACCURACY,
    ATTR_LATITUDE,
    ATTR_LONGITUDE,
    STATE_HOME,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant, State, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.location import distance as gps_distance

from ..const import (
    CONF_CALENDAR_ENTITIES,
    CONF_CAR_ENTITIES,
    CONF_DEAD_ZONES,
    CONF_DND_ENTITIES,
    CONF_DRIVING_ENTITIES,
    CONF_DRIVING_HOLD,
    CONF_MEETING_KEYWORDS,
    CONF_MEETING_SOON_MINUTES,
    CONF_MIN_FREE_MINUTES,
    CONF_NOISY_ZONES,
    CONF_PHONE_STATE_ENTITIES,
    CONF_PUBLIC_ZONES,
    CONF_SCHEDULE_ENTITY,
    CONF_SIGNAL_ENTITIES,
    CONF_TRACKER_ENTITY,
    CONF_WEAK_SIGNAL_DBM,
    CONF_WEAK_SIGNAL_MARGIN,
    CONF_WEAK_SIGNAL_RECOVERY,
    CONF_WORK_DAYS,
    CONF_WORK_END,
    CONF_WORK_START,
    CONF_WORKDAY_ENTITY,
    CONF_ZONE_EXIT,
    DEFAULT_DRIVING_HOLD_MINUTES,
    DEFAULT_MEETING_SOON_MINUTES,
    DEFAULT_MIN_FREE_MINUTES,
    DEFAULT_WEAK_SIGNAL_DBM,
    DEFAULT_WEAK_SIGNAL_MARGIN,
    DEFAULT_WEAK_SIGNAL_RECOVERY_SECONDS,
    DEFAULT_WORK_DAYS,
    DEFAULT_ZONE_EXIT_SECONDS,
    WEEKDAYS,
)
from ..core import stability
from ..core.freetime import Agenda
from ..core.models import Evidence, Mode, Reason, Snapshot, WorkHours
from ..core.stability import IDLE, Latch, Level, Steadiness

# Companion app and helper vocabularies (compared in lower case).
DRIVING_STATES = frozenset({STATE_ON, "true", "in_vehicle", "automotive", "driving"})
CAR_STATES = frozenset({STATE_ON, "true", "connected", "driving"})
ON_CALL_STATES = frozenset({STATE_ON, "true", "ringing", "offhook", "in_call", "in_communication"})
NO_SIGNAL_STATES = frozenset({"no connection", "no_connection", "none", "no service"})
BINARY_DOMAINS = frozenset({"binary_sensor", "input_boolean", "switch"})
UNUSABLE_STATES = frozenset({STATE_UNAVAILABLE, STATE_UNKNOWN})
ZONE_REASONS = (
    (CONF_DEAD_ZONES, Reason.DEAD_ZONE),
    (CONF_NOISY_ZONES, Reason.NOISY_PLACE),
    (CONF_PUBLIC_ZONES, Reason.PUBLIC_PLACE),
)
CALENDAR_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """The configured sources of one entry, parsed from its options."""

    driving: tuple[str, ...] = ()
    car: tuple[str, ...] = ()
    phone_state: tuple[str, ...] = ()
    dnd: tuple[str, ...] = ()
    signal: tuple[str, ...] = ()
    weak_signal_dbm: float = DEFAULT_WEAK_SIGNAL_DBM
    calendars: tuple[str, ...] = ()
    meeting_keywords: tuple[str, ...] = ()
    meeting_soon: timedelta = timedelta(minutes=DEFAULT_MEETING_SOON_MINUTES)
    min_free: timedelta = timedelta(minutes=DEFAULT_MIN_FREE_MINUTES)
    tracker: str | None = None
    zones: tuple[tuple[str, Reason], ...] = ()
    schedule: str | None = None
    workday: str | None = None
    work_start: time | None = None
    work_end: time | None = None
    work_days: frozenset[int] = frozenset()
    steadiness: Steadiness = field(default_factory=Steadiness)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SourceConfig:
        """Parse an entry's options."""
        return cls(
            driving=_ids(options, CONF_DRIVING_ENTITIES),
            car=_ids(options, CONF_CAR_ENTITIES),
            phone_state=_ids(options, CONF_PHONE_STATE_ENTITIES),
            dnd=_ids(options, CONF_DND_ENTITIES),
            signal=_ids(options, CONF_SIGNAL_ENTITIES),
            weak_signal_dbm=float(options.get(CONF_WEAK_SIGNAL_DBM, DEFAULT_WEAK_SIGNAL_DBM)),
            calendars=_ids(options, CONF_CALENDAR_ENTITIES),
            meeting_keywords=tuple(
                word.strip().casefold()
                for word in options.get(CONF_MEETING_KEYWORDS) or ()
                if word.strip()
            ),
            meeting_soon=timedelta(
                minutes=float(options.get(CONF_MEETING_SOON_MINUTES, DEFAULT_MEETING_SOON_MINUTES))
            ),
            min_free=timedelta(
                minutes=float(options.get(CONF_MIN_FREE_MINUTES, DEFAULT_MIN_FREE_MINUTES))
            ),
            tracker=options.get(CONF_TRACKER_ENTITY) or None,
            zones=tuple(
                (zone, reason) for key, reason in ZONE_REASONS for zone in _ids(options, key)
            ),
            schedule=options.get(CONF_SCHEDULE_ENTITY) or None,
            workday=options.get(CONF_WORKDAY_ENTITY) or None,
            work_start=parse_time(options.get(CONF_WORK_START)),
            work_end=parse_time(options.get(CONF_WORK_END)),
            work_days=frozenset(
                WEEKDAYS.index(day) for day in options.get(CONF_WORK_DAYS, DEFAULT_WORK_DAYS)
            ),
            steadiness=steadiness_from_options(options),
        )

    @property
    def entity_ids(self) -> tuple[str, ...]:
        """Every entity whose state changes can change readiness, without repeats."""
        singles = (self.tracker, self.schedule, self.workday)
        every = (
            *self.driving,
            *self.car,
            *self.phone_state,
            *self.dnd,
            *self.signal,
            *self.calendars,
            *(zone for zone, _ in self.zones),
            *(entity_id for entity_id in singles if entity_id),
        )
        return tuple(dict.fromkeys(every))

    def work_hours(self, tz: tzinfo) -> WorkHours | None:
        """Return fixed business hours; a workday sensor alone means whole working days."""
        if self.work_start is not None and self.work_end is not None:
            return WorkHours(tz=tz, days=self.work_days, start=self.work_start, end=self.work_end)
        if self.workday is not None:
            return WorkHours(tz=tz, days=self.work_days)
        return None


def steadiness_from_options(options: Mapping[str, Any]) -> Steadiness:
    """Read the hold and hysteresis settings; an entry without them gets the defaults."""
    return Steadiness(
        driving_hold=timedelta(
            minutes=float(options.get(CONF_DRIVING_HOLD, DEFAULT_DRIVING_HOLD_MINUTES))
        ),
        signal_margin=float(options.get(CONF_WEAK_SIGNAL_MARGIN, DEFAULT_WEAK_SIGNAL_MARGIN)),
        signal_recovery=timedelta(
            seconds=float(
                options.get(CONF_WEAK_SIGNAL_RECOVERY, DEFAULT_WEAK_SIGNAL_RECOVERY_SECONDS)
            )
        ),
        zone_exit=timedelta(seconds=float(options.get(CONF_ZONE_EXIT, DEFAULT_ZONE_EXIT_SECONDS))),
    )


def _ids(options: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(options.get(key) or ()))


def parse_time(value: str | None) -> time | None:
    """Parse "HH:MM" or "HH:MM:SS" from a time selector; None when empty."""
    if not value:
        return None
    return time.fromisoformat(value)


type _Slot = Callable[[], tuple[Evidence, ...]]


class SnapshotTracker:
    """The snapshot of one entry's sources, kept current one source change at a time.

    Holds the last usable state of every configured source and the evidence derived
    from it, in the order of the configuration's roles. A change of one source re-derives
    only the evidence that source feeds (a tracker or zone change: the zones), so an
    update costs the same with 1 or 200 sources. At every moment ``snapshot`` equals
    a full read of the same states (``tests/sources/snapshot_reference.py``, the reference it is
    tested against), provided ``async_update_source`` is called
    for every state change of a configured source (``async_refresh`` re-reads them all)
    and hold and hysteresis are off. With them, driving, signal and zone sources also keep
    a ``core.stability`` latch each: what they said before, and since when they are calm.
    """

    def __init__(self, hass: HomeAssistant, config: SourceConfig) -> None:
        """Prepare the evidence slots of ``config``; nothing is read yet."""
        self._hass = hass
        self._config = config
        # entity id -> its state when usable, None when missing, unavailable or unknown.
        self._usable: dict[str, State | None] = dict.fromkeys(config.entity_ids)
        self._slots: list[_Slot] = []
        self._slots_of: dict[str, list[int]] = {}
        # The moment of the reading being taken: latched slots advance their latches to it.
        self._now = dt_util.utcnow()
        steady = config.steadiness
        self._zone_latches: dict[str, Latch] = {}
        for entity_id in config.driving:
            self._add_slot(
                self._latched_slot(
                    entity_id, Reason.DRIVING, self._driving_level, steady.driving_hold
                ),
                (entity_id,),
            )
        for entity_ids, reason, test in (
            (config.phone_state, Reason.ON_CALL, is_on_call),
            (config.dnd, Reason.DO_NOT_DISTURB, is_do_not_disturb),
        ):
            for entity_id in entity_ids:
                self._add_slot(self._flag_slot(entity_id, reason, test), (entity_id,))
        for entity_id in config.signal:
            self._add_slot(
                self._latched_slot(
                    entity_id, Reason.WEAK_SIGNAL, signal_rater(config), steady.signal_recovery
                ),
                (entity_id,),
            )
        for entity_id in config.calendars:
            self._add_slot(self._meeting_slot(entity_id), (entity_id,))
        if config.tracker is not None and config.zones:
            zone_ids = tuple(zone for zone, _ in config.zones)
            self._zone_latches = dict.fromkeys(zone_ids, IDLE)
            self._add_slot(self._zones_slot, (config.tracker, *zone_ids))
        if config.schedule is not None:
            self._add_slot(self._schedule_slot, (config.schedule,))
        self._values: list[tuple[Evidence, ...]] = [() for _ in self._slots]
        self._car = frozenset(config.car)
        self._evidence: tuple[Evidence, ...] = ()
        self._unavailable: tuple[str, ...] = ()
        self._in_own_car: bool | None = None
        self._workday_today: bool | None = None
        self._work_hours: tuple[tzinfo, WorkHours | None] | None = None
        self._snapshot: Snapshot | None = None
        # The calendars' look-ahead (sources.calendars), and the calendars that failed
        # to answer it; set only when the look-ahead changes, never on a state change.
        self._agenda: Agenda | None = None
        self._silent_calendars: frozenset[str] = frozenset()

    def _add_slot(self, slot: _Slot, entity_ids: Iterable[str]) -> None:
        index = len(self._slots)
        self._slots.append(slot)
        for entity_id in dict.fromkeys(entity_ids):
            self._slots_of.setdefault(entity_id, []).append(index)

    def _flag_slot(self, entity_id: str, reason: Reason, test: Callable[[State], bool]) -> _Slot:
        found = (Evidence(reason, entity_id),)
        usable = self._usable

        def slot() -> tuple[Evidence, ...]:
            state = usable[entity_id]
            return found if state is not None and test(state) else ()

        return slot

    def _latched_slot(
        self,
        entity_id: str,
        reason: Reason,
        level_of: Callable[[State | None], Level],
        delay: timedelta,
    ) -> _Slot:
        """Make the slot of a source whose reason holds on after it calms down."""
        usable = self._usable
        latch = IDLE
        current = (Evidence(reason, entity_id),)

        def slot() -> tuple[Evidence, ...]:
            nonlocal latch
            level = level_of(usable[entity_id])
            if level is Level.ACTIVE:
                latch = stability.COUNTING
                return current
            if latch is IDLE:  # the common case: calm and not counting
                return ()
            latch = stability.advance(latch, level, self._now, delay)
            return stability.evidence(latch, reason, entity_id, delay)

        return slot

    def _driving_level(self, state: State | None) -> Level:
        return stability.driving_level(state is not None and is_driving(state))

    def _meeting_slot(self, entity_id: str) -> _Slot:
        keywords = self._config.meeting_keywords
        usable = self._usable

        def slot() -> tuple[Evidence, ...]:
            state = usable[entity_id]
            if state is None or not is_meeting(state, keywords):
                return ()
            return (Evidence(Reason.IN_MEETING, entity_id, calendar_end(state)),)

        return slot

    def _zones_slot(self) -> tuple[Evidence, ...]:
        tracker = self._usable[self._config.tracker] if self._config.tracker else None
        delay = self._config.steadiness.zone_exit
        latches = self._zone_latches
        found: list[Evidence] = []
        for zone_id, reason in self._config.zones:
            zone = self._usable[zone_id]
            level = Level.CALM if tracker is None or zone is None else zone_level(tracker, zone)
            latch = latches[zone_id] = stability.advance(latches[zone_id], level, self._now, delay)
            found.extend(stability.evidence(latch, reason, zone_id, delay))
        return tuple(found)

    def _schedule_slot(self) -> tuple[Evidence, ...]:
        schedule = self._config.schedule
        state = self._usable[schedule] if schedule else None
        if schedule is None or state is None or state.state != STATE_OFF:
            return ()
        until = _as_datetime(state.attributes.get("next_event"))
        return (Evidence(Reason.AFTER_HOURS, schedule, until),)

    @callback
    def async_refresh(self) -> None:
        """Read every configured source again."""
        self._now = dt_util.utcnow()
        for entity_id in self._usable:
            self._usable[entity_id] = self._read(entity_id)
        self._values = [slot() for slot in self._slots]
        self._evidence = tuple(chain.from_iterable(self._values))
        self._unavailable = self._list_unavailable()
        self._in_own_car = self._any_car()
        self._workday_today = self._workday()
        self._snapshot = None

    @callback
    def async_update_source(self, entity_id: str, now: datetime | None = None) -> None:
        """Take the current state of one configured source; others are not read.

        ``now``: the moment of the change, when the caller has it already.
        """
        if entity_id not in self._usable:
            return
        state = self._read(entity_id)
        before = self._usable[entity_id]
        if state is before:
            return
        self._usable[entity_id] = state
        self._snapshot = None
        self._now = dt_util.utcnow() if now is None else now
        if (state is None) != (before is None):
            self._unavailable = self._list_unavailable()
        changed = False
        for index in self._slots_of.get(entity_id, ()):
            value = self._slots[index]()
            if value != self._values[index]:
                self._values[index] = value
                changed = True
        if changed:
            self._evidence = tuple(chain.from_iterable(self._values))
        if entity_id in self._car:
            self._in_own_car = self._any_car()
        if entity_id == self._config.workday:
            self._workday_today = self._workday()

    @property
    def agenda(self) -> Agenda | None:
        """The calendars' look-ahead last set."""
        return self._agenda

    @callback
    def async_set_agenda(self, agenda: Agenda | None, silent: frozenset[str]) -> None:
        """Take a new look-ahead and the calendars that did not answer it."""
        if agenda == self._agenda and silent == self._silent_calendars:
            return
        self._agenda = agenda
        if silent != self._silent_calendars:
            self._silent_calendars = silent
            self._unavailable = self._list_unavailable()
        self._snapshot = None

    def snapshot(
        self,
        *,
        mode: Mode = Mode.AUTO,
        busy_until: datetime | None = None,
        busy_reason: Reason = Reason.MANUAL,
    ) -> Snapshot:
        """Return the current snapshot; the same object as long as nothing in it changed."""
        tz = dt_util.get_default_time_zone()
        if self._work_hours is None or self._work_hours[0] is not tz:
            # Calendars and schedules give local wall-clock times: a new time zone
            # moves their ends, so everything is derived again.
            if self._work_hours is not None:
                self.async_refresh()
            self._work_hours = (tz, self._config.work_hours(tz))
            self._snapshot = None
        last = self._snapshot
        if (
            last is not None
            and last.mode is mode
            and last.busy_until == busy_until
            and last.busy_reason is busy_reason
        ):
            return last
        self._snapshot = Snapshot(
            evidence=self._evidence,
            unavailable_sources=self._unavailable,
            in_own_car=self._in_own_car,
            work_hours=self._work_hours[1],
            workday_today=self._workday_today,
            mode=mode,
            busy_until=busy_until,
            busy_reason=busy_reason,
            agenda=self._agenda,
        )
        return self._snapshot

    def _read(self, entity_id: str) -> State | None:
        state = self._hass.states.get(entity_id)
        if state is None or state.state in UNUSABLE_STATES:
            return None
        return state

    def _list_unavailable(self) -> tuple[str, ...]:
        """Return the unusable sources, in the order of the roles (each once)."""
        config, usable = self._config, self._usable
        order: list[str] = [
            *config.driving,
            *config.phone_state,
            *config.dnd,
            *config.signal,
            *config.calendars,
        ]
        if config.tracker is not None and config.zones:
            order.append(config.tracker)
            if usable[config.tracker] is not None:
                order.extend(zone for zone, _ in config.zones)
        if config.schedule is not None:
            order.append(config.schedule)
        order.extend(config.car)
        if config.workday is not None:
            order.append(config.workday)
        silent = self._silent_calendars
        return tuple(
            entity_id
            for entity_id in dict.fromkeys(order)
            if usable[entity_id] is None or entity_id in silent
        )

    def _any_car(self) -> bool | None:
        states = [state for entity_id in self._config.car if (state := self._usable[entity_id])]
        if not states:
            return None
        return any(is_own_car(state) for state in states)

    def _workday(self) -> bool | None:
        workday = self._config.workday
        state = self._usable[workday] if workday else None
        return None if state is None else is_on(state)


def _lower(state: State) -> str:
    return state.state.casefold()


def is_on(state: State) -> bool:
    """Return a binary sensor, switch or input boolean that is on."""
    return state.state == STATE_ON


def is_driving(state: State) -> bool:
    """Android detected_activity in_vehicle, iOS activity Automotive, Android Auto on..."""
    return _lower(state) in DRIVING_STATES


def is_own_car(state: State) -> bool:
    """Own-car evidence: Android Auto, car Bluetooth (a count above zero), a car integration."""
    if _lower(state) in CAR_STATES:
        return True
    number = _number(state.state)
    return number is not None and number > 0


def is_on_call(state: State) -> bool:
    """Android phone_state ringing/offhook, audio_mode in_call/in_communication."""
    return _lower(state) in ON_CALL_STATES


def is_do_not_disturb(state: State) -> bool:
    """Android DND sensor anything but off; iOS Focus (a binary sensor) on."""
    if state.domain in BINARY_DOMAINS:
        return is_on(state)
    return _lower(state) != STATE_OFF


def is_weak_signal(state: State, config: SourceConfig) -> bool:
    """Android signal strength (dBm) at or below the threshold; iOS "No Connection"."""
    number = _number(state.state)
    if number is not None:
        return number <= config.weak_signal_dbm
    return _lower(state) in NO_SIGNAL_STATES


def signal_rater(config: SourceConfig) -> Callable[[State | None], Level]:
    """Return the rating of a signal reading: good only above the threshold by the margin.

    A missing reading is calm. The threshold and margin are bound once: the rating
    runs on every signal change.
    """
    threshold, margin = config.weak_signal_dbm, config.steadiness.signal_margin
    rate = stability.signal_level

    def level(state: State | None) -> Level:
        if state is None:
            return Level.CALM
        number = _number(state.state)
        if number is not None:
            return rate(number, threshold, margin)
        return Level.ACTIVE if _lower(state) in NO_SIGNAL_STATES else Level.CALM

    return level


def is_meeting(state: State, keywords: tuple[str, ...]) -> bool:
    """Return a calendar event in progress that counts as a meeting.

    With keywords, only events whose title, description or location holds one count.
    Without keywords every timed event counts; all-day events do not.
    """
    if state.state != STATE_ON:
        return False
    if keywords:
        text = " ".join(
            str(state.attributes.get(key) or "") for key in ("message", "description", "location")
        ).casefold()
        return any(word in text for word in keywords)
    return not state.attributes.get("all_day", False)


def calendar_end(state: State) -> datetime | None:
    """Return the end of the calendar's current event (local wall-clock string)."""
    return _as_datetime(state.attributes.get("end_time"))


def in_tracker_zone(tracker: State, zone: State) -> bool:
    """Whether a person or device tracker is inside a zone.

    Zones may overlap, so the tracker's own state (the one zone Home Assistant
    picked) is not enough: GPS coordinates are checked against every zone.
    """
    if tracker.entity_id in zone.attributes.get("persons", ()):
        return True
    if zone.entity_id == "zone.home" and tracker.state == STATE_HOME:
        return True
    if tracker.state == zone.attributes.get(ATTR_FRIENDLY_NAME, zone.name):
        return True
    latitude = tracker.attributes.get(ATTR_LATITUDE)
    longitude = tracker.attributes.get(ATTR_LONGITUDE)
    if latitude is None or longitude is None:
        return False
    return in_zone(zone, float(latitude), float(longitude))


def zone_level(tracker: State, zone: State) -> Level:
    """Rate a tracker against a zone: inside; within its radius plus the GPS accuracy; beyond."""
    inside = in_tracker_zone(tracker, zone)
    latitude = tracker.attributes.get(ATTR_LATITUDE)
    longitude = tracker.attributes.get(ATTR_LONGITUDE)
    zone_lat = zone.attributes.get(ATTR_LATITUDE)
    zone_lon = zone.attributes.get(ATTR_LONGITUDE)
    metres = (
        None
        if inside or latitude is None or longitude is None or zone_lat is None or zone_lon is None
        else gps_distance(float(latitude), float(longitude), float(zone_lat), float(zone_lon))
    )
    return stability.zone_level(
        inside,
        metres,
        float(zone.attributes.get("radius", 0)),
        float(tracker.attributes.get(ATTR_GPS_ACCURACY) or 0),
    )


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _as_datetime(value: Any) -> datetime | None:
    """Read a datetime attribute: a datetime, an ISO string or a calendar's local string."""
    if isinstance(value, datetime):
        return (
            dt_util.as_utc(value)
            if value.tzinfo
            else dt_util.as_utc(value.replace(tzinfo=dt_util.get_default_time_zone()))
        )
    if not isinstance(value, str) or not value:
        return None
    parsed = dt_util.parse_datetime(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(parsed)
