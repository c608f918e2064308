"""Keeps one entry's readiness current.

Listens only to the configured entities, re-evaluates within the same event-loop
turn as the state change, and sets a timer only for known edges (business hours,
calendar event ends, schedule changes, snooze end, the end of a driving hold or of a
signal's or zone's hysteresis). No polling. A state change
re-derives only the changed source's evidence (``sources.SnapshotTracker``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
import logging

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..core.freetime import Agenda
from ..core.models import Mode, Readiness, Reason
from ..core.readiness import evaluate
from ..core.verdicts import VerdictLog
from .calendars import CalendarLookahead
from .states import SnapshotTracker, SourceConfig

_LOGGER = logging.getLogger(__name__)

type ReadinessListener = Callable[[Readiness], None]


class ReadinessMonitor:
    """The current readiness of one entry, and who to tell when it changes."""

    def __init__(self, hass: HomeAssistant, config: SourceConfig) -> None:
        """Start in automatic mode, ready, watching the entities in ``config``."""
        self._hass = hass
        self.config = config
        self.mode = Mode.AUTO
        self.busy_until: datetime | None = None
        self.busy_reason = Reason.MANUAL
        self.readiness = Readiness(ready=True)
        self._listeners: list[ReadinessListener] = []
        self._watched = frozenset(config.entity_ids)
        self._calendars = frozenset(config.calendars)
        # The verdicts of the last minutes: a missed call is screened with the one
        # that held when it rang (telephony.missed).
        self._history = VerdictLog()
        self._tracker = SnapshotTracker(hass, config)
        self._lookahead = CalendarLookahead(hass, config, self._on_agenda)
        self._unsub_state: CALLBACK_TYPE | None = None
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._timer_at: datetime | None = None

    @callback
    def async_start(self) -> None:
        """Start listening to the configured entities and compute the first verdict."""
        # A filtered bus listener rather than async_track_state_change_event: the
        # latter dispatches one loop iteration later, and readiness must flip in
        # the same turn as its inputs. The filter is one set lookup per event.
        if self._watched:
            self._unsub_state = self._hass.bus.async_listen(
                EVENT_STATE_CHANGED, self._handle_state_change, event_filter=self._is_watched
            )
        self._tracker.async_refresh()
        self.async_update()
        self._history.record(dt_util.utcnow(), self.readiness)
        self._lookahead.async_start()

    @callback
    def async_stop(self) -> None:
        """Stop listening and cancel the timer."""
        if self._unsub_state is not None:
            self._unsub_state()
            self._unsub_state = None
        self._lookahead.async_stop()
        self._cancel_timer()

    @property
    def agenda(self) -> Agenda | None:
        """The calendars' look-ahead: promised times and reminders skip its meetings."""
        return self._tracker.agenda

    @callback
    def _on_agenda(self, agenda: Agenda | None, silent: frozenset[str]) -> None:
        """Decide again with the calendars' new look-ahead."""
        self._tracker.async_set_agenda(agenda, silent)
        self.async_update()

    @callback
    def current(self) -> Readiness:
        """Return the verdict of now: one whose known edge has passed is decided again first.

        A timer due at the same moment as the verdict's edge (a promise due when a
        snooze ends) may run before the monitor's own: it still gets the new verdict.
        """
        change = self.readiness.next_change
        if change is not None and change <= dt_util.utcnow():
            self.async_update()
        return self.readiness

    def verdict_at(self, moment: datetime) -> Readiness | None:
        """Return the verdict that held at ``moment``; None when it is not known."""
        return self._history.at(moment, dt_util.utcnow())

    @callback
    def async_add_listener(self, listener: ReadinessListener) -> CALLBACK_TYPE:
        """Call ``listener`` with every new readiness; returns the function that stops it."""
        self._listeners.append(listener)

        @callback
        def remove() -> None:
            self._listeners.remove(listener)

        return remove

    @callback
    def async_set_mode(
        self, mode: Mode, until: datetime | None = None, reason: Reason = Reason.MANUAL
    ) -> None:
        """Set the manual override; ``until`` only applies to busy (a snooze)."""
        self.mode = mode
        self.busy_until = until if mode is Mode.BUSY else None
        self.busy_reason = reason if mode is Mode.BUSY else Reason.MANUAL
        self.async_update(force=True)

    @callback
    def _is_watched(self, event_data: EventStateChangedData) -> bool:
        return event_data["entity_id"] in self._watched

    @callback
    def _handle_state_change(self, event: Event[EventStateChangedData]) -> None:
        # The source's current state, not the event's new_state: a listener that ran
        # before this one may already have changed it again (nested events).
        entity_id = event.data["entity_id"]
        now = dt_util.utcnow()
        self._tracker.async_update_source(entity_id, now)
        self.async_update(now=now)
        if entity_id in self._calendars:
            # The calendar's look-ahead is read again (never on another source's change).
            self._lookahead.async_request((entity_id,))

    @callback
    def _handle_timer(self, now: datetime) -> None:
        self._unsub_timer = None
        self.async_update()

    @callback
    def async_update(self, *, force: bool = False, now: datetime | None = None) -> None:
        """Decide from the tracked sources and set the next timer.

        Listeners hear only of a changed verdict, or of any verdict when ``force``
        (the mode changed, which the select shows). ``now``: the moment of the
        state change being handled, when there is one.
        """
        if now is None:
            now = dt_util.utcnow()
        if self.mode is Mode.BUSY and self.busy_until is not None and self.busy_until <= now:
            _LOGGER.debug("Snooze ended at %s; back to automatic", self.busy_until)
            self.mode, self.busy_until, self.busy_reason = Mode.AUTO, None, Reason.MANUAL
            force = True
        snapshot = self._tracker.snapshot(
            mode=self.mode,
            busy_until=self.busy_until,
            busy_reason=self.busy_reason,
        )
        readiness = evaluate(snapshot, now)
        self._schedule(readiness.next_change)
        if readiness == self.readiness and not force:
            return
        self.readiness = readiness
        self._history.record(now, readiness)
        for listener in list(self._listeners):
            listener(self.readiness)

    def _schedule(self, when: datetime | None) -> None:
        """Wake up at ``when``; a timer already set for that moment is kept."""
        if self._unsub_timer is not None and when == self._timer_at:
            return
        self._cancel_timer()
        if when is not None:
            self._timer_at = when
            self._unsub_timer = async_track_point_in_utc_time(self._hass, self._handle_timer, when)

    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None
        self._timer_at = None
