"""Binary sensors: client-call-ready per entry, good-time-to-call per client."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import ATTR_READY_AGAIN_AT, ATTR_REASONS, ATTR_UNAVAILABLE_SOURCES, DOMAIN
from .entity import ReadinessEntity
from .models import Readiness
from .outgoing import (
    ClientTarget,
    async_holidays,
    async_preload_holidays,
    cached_holidays,
    client_target,
    entry_clients,
    next_change,
    plan_attributes,
    plan_for,
)

if TYPE_CHECKING:
    from . import ClientEtiquetteConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClientEtiquetteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the call-ready sensor of an entry and a good-time-to-call sensor per client."""
    async_add_entities([CallReadySensor(entry, "call_ready")])
    targets = [client_target(hass, entry, client) for client in entry_clients(entry)]
    await async_preload_holidays(hass, (target.country for target in targets), dt_util.utcnow())
    for target in targets:
        async_add_entities(
            [GoodTimeToCallSensor(entry, target)], config_subentry_id=target.client.client_id
        )


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


class GoodTimeToCallSensor(BinarySensorEntity):
    """On when now is a good time to call one client (rules E7, E8, E12).

    Follows readiness, and wakes up by itself at the next edge of the client's contact
    hours or midnight in their time zone, whichever comes first.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_translation_key = "good_time_to_call"

    def __init__(self, entry: ClientEtiquetteConfigEntry, target: ClientTarget) -> None:
        """One client's sensor, on the client's own device under the entry's."""
        client = target.client
        self._target = target
        self._monitor = entry.runtime_data.monitor
        self._attr_unique_id = f"{entry.entry_id}_{client.client_id}_good_time_to_call"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, client.client_id)},
            name=client.name,
            manufacturer="Client Etiquette",
            model="Client",
            entry_type=DeviceEntryType.SERVICE,
            via_device=(DOMAIN, entry.entry_id),
        )
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._loading: asyncio.Task[None] | None = None

    async def async_added_to_hass(self) -> None:
        """Plan now, then follow readiness and the clock."""
        await super().async_added_to_hass()
        self._refresh(await async_holidays(self.hass, self._target.country, dt_util.utcnow()))
        self.async_on_remove(self._monitor.async_add_listener(self._handle_readiness))
        self.async_on_remove(self._stop)

    @callback
    def _handle_readiness(self, readiness: Readiness) -> None:
        self._refresh()
        self.async_write_ha_state()

    @callback
    def _handle_timer(self, now: datetime) -> None:
        self._unsub_timer = None
        self._refresh()
        self.async_write_ha_state()

    @callback
    def _refresh(self, days: frozenset[date] | None = None) -> None:
        """Plan for now; when the holidays of a new year are missing, load them first."""
        now = dt_util.utcnow()
        if days is None:
            days = cached_holidays(self._target.country, now)
        if days is None:
            if self._loading is None:
                self._loading = self.hass.async_create_task(
                    self._async_load_and_refresh(), eager_start=False
                )
            return
        plan = plan_for(self._target, self._monitor.readiness, now, days)
        self._attr_is_on = plan.ok_to_call
        self._attr_extra_state_attributes = plan_attributes(plan)
        self._cancel_timer()
        self._unsub_timer = async_track_point_in_utc_time(
            self.hass, self._handle_timer, next_change(self._target.client, now)
        )

    async def _async_load_and_refresh(self) -> None:
        days = await async_holidays(self.hass, self._target.country, dt_util.utcnow())
        self._loading = None
        self._refresh(days)
        self.async_write_ha_state()

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    @callback
    def _stop(self) -> None:
        self._cancel_timer()
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None
