"""Read the configured calendars' events of the next 24 hours into the pure look-ahead.

Each calendar is asked through its own event API (the calendar entity's
``async_get_events``, what the ``calendar.get_events`` action calls): when the
look-ahead starts, when that calendar entity changes, and every 15 minutes otherwise.
A source change never reads a calendar. A calendar that fails to answer (or takes more
than 30 s) keeps its last known events and is reported as unavailable; it never makes
anyone busy by itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
import logging
from typing import Final

from homeassistant.components.calendar import CalendarEntity, CalendarEvent as HassEvent
from homeassistant.components.calendar.const import DATA_COMPONENT
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..core.freetime import LOOKAHEAD, Agenda, CalendarEvent, build_agenda
from .states import SourceConfig

_LOGGER = logging.getLogger(__name__)

# The look-ahead is read again at least this often when no calendar changes.
REFRESH_INTERVAL: Final = timedelta(minutes=15)
# A calendar that takes longer than this to answer counts as not answering.
ANSWER_TIMEOUT: Final = 30

type AgendaListener = Callable[[Agenda | None, frozenset[str]], None]


class CalendarLookahead:
    """The counted events of the next 24 hours across one entry's calendars."""

    def __init__(self, hass: HomeAssistant, config: SourceConfig, listener: AgendaListener) -> None:
        """Keep what to read and whom to tell; start with async_start."""
        self._hass = hass
        self._config = config
        self._listener = listener
        self._events: dict[str, tuple[CalendarEvent, ...]] = {}
        self._silent: set[str] = set()
        self._wanted: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._unsub_timer: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> None:
        """Read every calendar now and every 15 minutes.

        The monitor, which already listens to the calendar entities, asks for a
        calendar again when it changes (``async_request``).
        """
        calendars = self._config.calendars
        if not calendars:
            return
        self._schedule_refresh()
        self.async_request(calendars)

    @callback
    def async_stop(self) -> None:
        """Cancel the timer and any read under way."""
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None
        if self._task is not None:
            self._task.cancel()
            self._task = None

    @callback
    def async_request(self, entity_ids: Iterable[str]) -> None:
        """Read these calendars again; one read runs at a time and takes all requests."""
        self._wanted.update(entity_ids)
        if self._task is None:
            task = self._hass.async_create_background_task(
                self._async_read(), "client_etiquette calendar look-ahead"
            )
            # A calendar that answers at once finishes the read before this line.
            self._task = None if task.done() else task

    @callback
    def _on_interval(self, now: datetime) -> None:
        self._unsub_timer = None
        self._schedule_refresh()
        self.async_request(self._config.calendars)

    def _schedule_refresh(self) -> None:
        """Read every calendar again in 15 minutes (a wall-clock timer, one at a time)."""
        self._unsub_timer = async_track_point_in_utc_time(
            self._hass, self._on_interval, dt_util.utcnow() + REFRESH_INTERVAL
        )

    async def _async_read(self) -> None:
        """Read the wanted calendars, then hand the new look-ahead on."""
        try:
            while self._wanted:
                wanted = [name for name in self._config.calendars if name in self._wanted]
                self._wanted.clear()
                for entity_id in wanted:
                    await self._async_read_one(entity_id)
                self._publish()
        finally:
            self._task = None

    async def _async_read_one(self, entity_id: str) -> None:
        """Ask one calendar for its events; a failure keeps the last known ones."""
        entity = _calendar_entity(self._hass, entity_id)
        if entity is None:
            # Not a calendar entity that can be asked (yet): nothing to look ahead in.
            self._events.pop(entity_id, None)
            self._silent.discard(entity_id)
            return
        start = dt_util.now()
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT):
                events = await entity.async_get_events(self._hass, start, start + LOOKAHEAD)
        except Exception as err:  # any failure of a calendar is its own: keep the others
            if entity_id not in self._silent:
                _LOGGER.warning(
                    "%s did not answer with its events (%s); its last known events are kept",
                    entity_id,
                    err,
                )
            self._silent.add(entity_id)
            return
        if entity_id in self._silent:
            _LOGGER.info("%s answers with its events again", entity_id)
        self._silent.discard(entity_id)
        self._events[entity_id] = tuple(_event(entity_id, event) for event in events)

    def _publish(self) -> None:
        config = self._config
        agenda = build_agenda(
            (event for events in self._events.values() for event in events),
            config.meeting_keywords,
            soon=config.meeting_soon,
            min_gap=config.min_free,
        )
        self._listener(agenda, frozenset(self._silent))


def _calendar_entity(hass: HomeAssistant, entity_id: str) -> CalendarEntity | None:
    component = hass.data.get(DATA_COMPONENT)
    return None if component is None else component.get_entity(entity_id)


def _event(entity_id: str, event: HassEvent) -> CalendarEvent:
    """Turn Home Assistant's calendar event into the pure one."""
    return CalendarEvent(
        start=event.start_datetime_local,
        end=event.end_datetime_local,
        summary=event.summary or "",
        description=event.description or "",
        location=event.location or "",
        all_day=event.all_day,
        # Home Assistant's calendar events carry no transparency (RFC 5545 TRANSP):
        # an integration that adds it as an attribute is honoured.
        transparent=str(getattr(event, "transparency", "")).casefold() == "transparent",
        calendar=entity_id,
    )
