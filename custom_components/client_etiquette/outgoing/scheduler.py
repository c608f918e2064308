"""The good-time-to-call scheduler: keeps the per-client answers of one entry up to date.

The good-time-to-call sensors of an entry share one ``GoodTimeScheduler``: one readiness
listener, one timer (at the earliest moment any answer can change) and one holiday
load. Clients whose answers are alike (``plan_key``: the same contact hours, time zone,
channel fallback and country) form a group whose plan is computed once per update; each
sensor then only takes its group's answer and writes its state. With thousands of
clients this keeps the set-up and each update to a plan per group plus a state write per
sensor, with no timer or listener per sensor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
import heapq
from itertools import count
from typing import Any, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..core import hours
from ..core.models import Channel, Client, Readiness
from ..core.phone import is_mobile
from ..core.planning import client_hours, holiday_years
from ..sources.monitor import ReadinessMonitor
from .holidays import async_holidays, cached_holidays
from .targets import ClientTarget, plan_attributes, plan_for


def plan_key(target: ClientTarget) -> Hashable:
    """Return what a client's good-time-to-call answer depends on besides the clock and readiness.

    Clients with equal keys get equal answers (``plan_attributes``) at the same moment
    and the same ``next_change``: their contact hours and time zone, their channel,
    whether a client who prefers calls falls back to an e-mail rather than a text
    (``planning.channel_now``), and the country of their holidays. The suggested text
    (language, sender) is not part of the sensor's answer. Many clients usually share
    one key, so the sensors compute one plan per key.
    """
    client = target.client
    to_email = (
        client.channel is Channel.CALL
        and bool(client.email)
        and not any(is_mobile(number) for number in client.numbers)
    )
    return (client_hours(client), client.channel, to_email, target.country)


def next_change(client: Client, now: datetime) -> datetime:
    """When the answer for ``client`` may next change with readiness unchanged.

    The next opening or closing of their contact hours, or the next midnight in their
    time zone (a holiday begins or ends, the local date moves on), whichever comes first.
    """
    contact = client_hours(client)
    tomorrow = now.astimezone(contact.tz).date() + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(0), tzinfo=contact.tz).astimezone(UTC)
    edge = hours.next_edge(contact, now)
    return min(midnight, edge) if edge is not None else midnight


class StateWriter(Protocol):
    """A sensor that shows its group's answer: the scheduler writes its state."""

    def async_write_ha_state(self) -> None:
        """Write the sensor's state."""


@dataclass(slots=True, eq=False)
class GoodTimeGroup:
    """Clients with the same ``plan_key``: one plan, one next change, many sensors."""

    target: ClientTarget  # any member: they all plan alike
    is_on: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)
    changes_at: datetime | None = None
    answer: Hashable = None  # what the sensors show, but the client's local time
    sensors: set[StateWriter] = field(default_factory=set)


class GoodTimeScheduler:
    """Keeps the good-time-to-call sensors of one entry up to date.

    One readiness listener (every group is planned again, every added sensor written),
    one timer at the earliest ``next_change`` of any group (only the groups due are
    planned again and only their sensors written), and at most one holiday load at a
    time (while it runs, the groups whose holidays are missing keep their answer).
    """

    def __init__(self, hass: HomeAssistant, monitor: ReadinessMonitor) -> None:
        """Nothing runs until ``async_start``."""
        self._hass = hass
        self._monitor = monitor
        self._groups: dict[Hashable, GoodTimeGroup] = {}
        # (when, tie-breaker, group key): one entry per group and next change. An entry
        # is stale once its group was planned at or after that moment; as next changes
        # only move forward, stale entries come first and leave as the clock passes.
        self._heap: list[tuple[datetime, int, Hashable]] = []
        self._seq = count()
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._timer_at: datetime | None = None
        self._unsub_readiness: CALLBACK_TYPE | None = None
        self._loading: asyncio.Task[None] | None = None
        self._years: range | None = None
        self._days: dict[str | None, frozenset[date]] = {}

    def group_for(self, target: ClientTarget) -> GoodTimeGroup:
        """Return the group of the clients that plan like ``target``, made on first use."""
        key = plan_key(target)
        if (group := self._groups.get(key)) is None:
            group = self._groups[key] = GoodTimeGroup(target)
        return group

    @callback
    def async_start(self, now: datetime) -> None:
        """Plan every group (before the sensors are added), then follow readiness."""
        self._update(self._groups.values(), now, write=False)
        self._unsub_readiness = self._monitor.async_add_listener(self._handle_readiness)

    @callback
    def async_stop(self) -> None:
        """Cancel the timer, the readiness listener and a holiday load under way."""
        if self._unsub_readiness is not None:
            self._unsub_readiness()
            self._unsub_readiness = None
        self._cancel_timer()
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None

    @callback
    def _handle_readiness(self, readiness: Readiness) -> None:
        self._update(self._groups.values(), dt_util.utcnow())

    @callback
    def _handle_timer(self, now: datetime) -> None:
        self._unsub_timer = self._timer_at = None
        now = dt_util.utcnow()
        due: dict[Hashable, GoodTimeGroup] = {}
        while self._heap and self._heap[0][0] <= now:
            when, _, key = heapq.heappop(self._heap)
            group = self._groups[key]
            if group.changes_at == when:
                due[key] = group
        self._update(due.values(), now)

    @callback
    def _update(
        self, groups: Iterable[GoodTimeGroup], now: datetime, *, write: bool = True
    ) -> None:
        """Plan ``groups`` at ``now`` and write their sensors; then re-arm the timer.

        A group whose holidays for ``now`` are not loaded yet keeps its answer; the
        holidays are loaded in the executor and every group is planned again with them.
        """
        readiness = self._monitor.current()
        missing: set[str | None] = set()
        for group in groups:
            target = group.target
            if (days := self._holidays(target.country, now)) is None:
                missing.add(target.country)
                continue
            plan = plan_for(target, readiness, now, days)
            answer = (plan.ok_to_call, plan.next_good_time, plan.channel, plan.not_now)
            changed = answer != group.answer
            group.answer = answer
            group.is_on = plan.ok_to_call
            group.attributes = plan_attributes(plan)
            if (changes_at := next_change(target.client, now)) != group.changes_at:
                group.changes_at = changes_at
                heapq.heappush(self._heap, (changes_at, next(self._seq), plan_key(target)))
            # The client's local time alone moving on is not worth a write per sensor.
            if write and changed:
                for sensor in group.sensors:
                    sensor.async_write_ha_state()
        if missing and self._loading is None:
            self._loading = self._hass.async_create_task(
                self._async_load(missing, now), eager_start=False
            )
        self._arm()

    def _holidays(self, country: str | None, now: datetime) -> frozenset[date] | None:
        """Return the holidays of ``country`` at ``now``, kept here per country.

        The shared (bounded) cache may then drop them without this entry loading them again.
        """
        years = holiday_years(now)
        if years != self._years:
            self._days.clear()
            self._years = years
        if (days := self._days.get(country)) is None:
            days = cached_holidays(country, now)
            if days is not None:
                self._days[country] = days
        return days

    async def _async_load(self, countries: set[str | None], now: datetime) -> None:
        try:
            found = await asyncio.gather(
                *(async_holidays(self._hass, country, now) for country in countries)
            )
        finally:
            self._loading = None
        if holiday_years(now) == self._years:
            self._days.update(zip(countries, found, strict=True))
        self._update(self._groups.values(), dt_util.utcnow())

    @callback
    def _arm(self) -> None:
        """One timer, at the earliest next change; kept when that moment is unchanged."""
        while self._heap and self._groups[self._heap[0][2]].changes_at != self._heap[0][0]:
            heapq.heappop(self._heap)
        when = self._heap[0][0] if self._heap else None
        if when == self._timer_at and self._unsub_timer is not None:
            return
        self._cancel_timer()
        if when is not None:
            self._timer_at = when
            self._unsub_timer = async_track_point_in_utc_time(self._hass, self._handle_timer, when)

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
        self._unsub_timer = self._timer_at = None
