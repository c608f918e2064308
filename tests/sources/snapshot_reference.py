"""A full read of an entry's sources: the reference ``SnapshotTracker`` is tested against.

The integration keeps its snapshot current one source change at a time
(``sources.SnapshotTracker``); this reads every configured source from scratch, the
plain way, so the tests can compare the two after every step.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from homeassistant.const import STATE_OFF
from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util

from custom_components.client_etiquette.core.models import Evidence, Mode, Reason, Snapshot
from custom_components.client_etiquette.sources.states import (
    UNUSABLE_STATES,
    SourceConfig,
    _as_datetime,
    calendar_end,
    in_tracker_zone,
    is_do_not_disturb,
    is_driving,
    is_meeting,
    is_on,
    is_on_call,
    is_own_car,
    is_weak_signal,
)


def read_snapshot(
    hass: HomeAssistant,
    config: SourceConfig,
    *,
    mode: Mode = Mode.AUTO,
    busy_until: datetime | None = None,
    busy_reason: Reason = Reason.MANUAL,
) -> Snapshot:
    """Read the current states of the configured sources."""
    reader = _Reader(hass)
    evidence = [
        *reader.flags(config.driving, Reason.DRIVING, is_driving),
        *reader.flags(config.phone_state, Reason.ON_CALL, is_on_call),
        *reader.flags(config.dnd, Reason.DO_NOT_DISTURB, is_do_not_disturb),
        *reader.flags(
            config.signal, Reason.WEAK_SIGNAL, lambda state: is_weak_signal(state, config)
        ),
        *reader.meetings(config),
        *reader.zones(config),
        *reader.schedule(config),
    ]
    in_own_car = reader.any_true(config.car, is_own_car)
    workday_today = reader.any_true((config.workday,) if config.workday else (), is_on)
    return Snapshot(
        evidence=tuple(evidence),
        unavailable_sources=tuple(reader.unavailable),
        in_own_car=in_own_car,
        work_hours=config.work_hours(dt_util.get_default_time_zone()),
        workday_today=workday_today,
        mode=mode,
        busy_until=busy_until,
        busy_reason=busy_reason,
    )


class _Reader:
    """Reads states once each and remembers which sources could not be used."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self.unavailable: list[str] = []

    def usable(self, entity_id: str) -> State | None:
        state = self._hass.states.get(entity_id)
        if state is None or state.state in UNUSABLE_STATES:
            if entity_id not in self.unavailable:
                self.unavailable.append(entity_id)
            return None
        return state

    def flags(self, entity_ids: Iterable[str], reason: Reason, test: Any) -> list[Evidence]:
        return [
            Evidence(reason, entity_id)
            for entity_id in entity_ids
            if (state := self.usable(entity_id)) is not None and test(state)
        ]

    def any_true(self, entity_ids: Iterable[str], test: Any) -> bool | None:
        """True/False from the usable sources; None when none is usable."""
        states = [state for entity_id in entity_ids if (state := self.usable(entity_id))]
        if not states:
            return None
        return any(test(state) for state in states)

    def meetings(self, config: SourceConfig) -> list[Evidence]:
        return [
            Evidence(Reason.IN_MEETING, entity_id, calendar_end(state))
            for entity_id in config.calendars
            if (state := self.usable(entity_id)) is not None
            and is_meeting(state, config.meeting_keywords)
        ]

    def zones(self, config: SourceConfig) -> list[Evidence]:
        if config.tracker is None or not config.zones:
            return []
        tracker = self.usable(config.tracker)
        if tracker is None:
            return []
        return [
            Evidence(reason, zone_id)
            for zone_id, reason in config.zones
            if (zone := self.usable(zone_id)) is not None and in_tracker_zone(tracker, zone)
        ]

    def schedule(self, config: SourceConfig) -> list[Evidence]:
        if config.schedule is None:
            return []
        state = self.usable(config.schedule)
        if state is None or state.state != STATE_OFF:
            return []
        return [
            Evidence(
                Reason.AFTER_HOURS,
                config.schedule,
                _as_datetime(state.attributes.get("next_event")),
            )
        ]
