"""Binary sensors: client-call-ready per entry, good-time-to-call per client.

The good-time-to-call sensors of an entry show the answers of one shared
``outgoing.scheduler.GoodTimeScheduler``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import ATTR_READY_AGAIN_AT, ATTR_REASONS, ATTR_UNAVAILABLE_SOURCES
from .core.models import Readiness
from .entity import ClientEtiquetteEntity, ReadinessEntity, entity_id_changed
from .outgoing.holidays import async_preload_holidays
from .outgoing.scheduler import GoodTimeGroup, GoodTimeScheduler
from .outgoing.targets import ClientTarget, client_target, entry_clients

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
    sensors = [
        GoodTimeToCallSensor(entry, target, scheduler.group_for(target)) for target in targets
    ]
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


class GoodTimeToCallSensor(ClientEtiquetteEntity, BinarySensorEntity):
    """On when now is a good time to call one client (rules E7, E8, E12).

    Follows readiness, and changes by itself at the next edge of the client's contact
    hours or midnight in their time zone, whichever comes first (``GoodTimeScheduler``).
    """

    def __init__(
        self, entry: ClientEtiquetteConfigEntry, target: ClientTarget, group: GoodTimeGroup
    ) -> None:
        """One client's sensor, on the client's own device under the entry's."""
        super().__init__(entry, "good_time_to_call", target.client)
        self._group = group

    @property
    def is_on(self) -> bool:
        """The answer of the sensor's group."""
        return self._group.is_on

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Client's local time, next good time, channel and why not now."""
        return self._group.attributes

    async def async_added_to_hass(self) -> None:
        """Take the group's updates from now on."""
        await super().async_added_to_hass()
        sensors = self._group.sensors
        sensors.add(self)
        self.async_on_remove(lambda: sensors.discard(self))

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Accept a rename in place (Home Assistant 2026.11+): nothing depends on the entity id."""
        entity_id_changed(super(), old_entity_id)
