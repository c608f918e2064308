"""Binary sensors: client-call-ready per entry, good-time-to-call per client.

The good-time-to-call sensors of an entry share one ``GoodTimeScheduler``: one readiness
listener, one timer (at the earliest moment any answer can change) and one holiday
load. Clients whose answers are alike (``outgoing.plan_key``: the same contact hours,
time zone, channel fallback and country) form a group whose plan is computed once per
update; each sensor then only takes its group's answer and writes its state. With
thousands of clients this keeps the set-up and each update to a plan per group plus a
state write per sensor, with no timer or listener per sensor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
import heapq
from itertools import count
from typing import TYPE_CHECKING, Any

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import ATTR_READY_AGAIN_AT, ATTR_REASONS, ATTR_UNAVAILABLE_SOURCES, DOMAIN
from .core.models import Readiness
from .core.planning import holiday_years
from .entity import ReadinessEntity, entity_id_changed
from .outgoing.actions import (
    ClientTarget,
    async_holidays,
    async_preload_holidays,
    cached_holidays,
    client_target,
    entry_clients,
    next_change,
    plan_attributes,
    plan_for,
    plan_key,
)
from .sources.monitor import ReadinessMonitor

if TYPE_CHECKING:
    from .runtime import ClientEtiquetteConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClientEtiquetteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the call-ready sensor of an entry and a good-time-to-call sensor per client."""
    async_add_entities([CallReadySensor(entry, "call_ready")])
    targets = [client_target(hass, entry, client) for client in entry_clients(entry)]
    if not targets:
        return
    now = dt_util.utcnow()
    await async_preload_holidays(hass, (target.country for target in targets), now)
    scheduler = GoodTimeScheduler(hass, entry.runtime_data.monitor)
    sensors = [scheduler.sensor_for(entry.entry_id, target) for target in targets]
    scheduler.async_start(now)
    entry.async_on_unload(scheduler.async_stop)
    for sensor in sensors:
        async_add_entities([sensor], config_subentry_id=sensor.client_id)


class CallReadySensor(ReadinessEntity, BinarySensorEntity):
    """On when the freelancer can take a client call."""

    def _update_from(self, readiness: Readiness) -> None:
        self._attr_is_on = readiness.ready
        self._attr_extra_state_attributes = {
            ATTR_REASONS: [reason.value for reason in readiness.reasons],
            ATTR_READY_AGAIN_AT: (
                readiness.ready_again_at.isoformat() if readiness.ready_again_at else None
            ),
            ATTR_UNAVAILABLE_SOURCES: list(readiness.unavailable_sources),
        }


@dataclass(slots=True, eq=False)
class _Group:
    """Clients with the same ``plan_key``: one plan, one next change, many sensors."""

    target: ClientTarget  # any member: they all plan alike
    is_on: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)
    changes_at: datetime | None = None
    answer: Hashable = None  # what the sensors show, but the client's local time
    sensors: set[GoodTimeToCallSensor] = field(default_factory=set)


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
        self._groups: dict[Hashable, _Group] = {}
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
        self._entry_device_id: str | None = None

    @callback
    def entry_device_id(self, entry_id: str) -> str:
        """The id of the entry's device, registered here if no entity made it yet."""
        if self._entry_device_id is None:
            device = dr.async_get(self._hass).async_get_or_create(
                config_entry_id=entry_id, identifiers={(DOMAIN, entry_id)}
            )
            self._entry_device_id = device.id
        return self._entry_device_id

    def sensor_for(self, entry_id: str, target: ClientTarget) -> GoodTimeToCallSensor:
        """A new sensor for ``target``, in the group of the clients that plan alike."""
        key = plan_key(target)
        if (group := self._groups.get(key)) is None:
            group = self._groups[key] = _Group(target)
        return GoodTimeToCallSensor(group, entry_id, target, self)

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
        due: dict[Hashable, _Group] = {}
        while self._heap and self._heap[0][0] <= now:
            when, _, key = heapq.heappop(self._heap)
            group = self._groups[key]
            if group.changes_at == when:
                due[key] = group
        self._update(due.values(), now)

    @callback
    def _update(self, groups: Iterable[_Group], now: datetime, *, write: bool = True) -> None:
        """Plan ``groups`` at ``now`` and write their sensors; then re-arm the timer.

        A group whose holidays for ``now`` are not loaded yet keeps its answer; the
        holidays are loaded in the executor and every group is planned again with them.
        """
        readiness = self._monitor.readiness
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
        """The holidays of ``country`` at ``now``: kept here per country, so the shared
        (bounded) cache may drop them without this entry loading them again."""
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


class GoodTimeToCallSensor(BinarySensorEntity):
    """On when now is a good time to call one client (rules E7, E8, E12).

    Follows readiness, and changes by itself at the next edge of the client's contact
    hours or midnight in their time zone, whichever comes first (``GoodTimeScheduler``).
    """

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_translation_key = "good_time_to_call"

    def __init__(
        self,
        group: _Group,
        entry_id: str,
        target: ClientTarget,
        scheduler: GoodTimeScheduler,
    ) -> None:
        """One client's sensor, on the client's own device under the entry's."""
        client = target.client
        self._group = group
        self._entry_id = entry_id
        self._scheduler = scheduler
        self.client_id = client.client_id
        self._client_name = client.name
        self._attr_unique_id = f"{entry_id}_{client.client_id}_good_time_to_call"

    @property
    def device_info(self) -> DeviceInfo:
        """The client's device, built when asked (once, as the sensor is added).

        Its link to the entry's device is set in the registry once the sensor is added
        (``_link_to_entry_device``): ``via_device`` here is deprecated since Home
        Assistant 2026.9 and its replacement, ``via_device_id``, is unknown before it.
        """
        return DeviceInfo(
            identifiers={(DOMAIN, self.client_id)},
            name=self._client_name,
            manufacturer="Client Etiquette",
            model="Client",
            entry_type=DeviceEntryType.SERVICE,
        )

    @property
    def is_on(self) -> bool:
        """The answer of the sensor's group."""
        return self._group.is_on

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Client's local time, next good time, channel and why not now."""
        return self._group.attributes

    async def async_added_to_hass(self) -> None:
        """Hang the client's device under the entry's; take the group's updates from now on."""
        await super().async_added_to_hass()
        self._link_to_entry_device()
        sensors = self._group.sensors
        sensors.add(self)
        self.async_on_remove(lambda: sensors.discard(self))

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Renamed in place (Home Assistant 2026.11+): nothing here depends on the entity id."""
        entity_id_changed(super(), old_entity_id)

    @callback
    def _link_to_entry_device(self) -> None:
        """Show the client's device as connected via the entry's device (once: it stays)."""
        device_id = self.registry_entry.device_id if self.registry_entry else None
        devices = dr.async_get(self.hass)
        device = devices.async_get(device_id) if device_id else None
        if device is None:
            return
        parent_id = self._scheduler.entry_device_id(self._entry_id)
        if device.via_device_id != parent_id:
            devices.async_update_device(device.id, via_device_id=parent_id)
