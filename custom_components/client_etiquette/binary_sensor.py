"""The client-call-ready binary sensor: on when a client call can be taken now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import ATTR_READY_AGAIN_AT, ATTR_REASONS, ATTR_UNAVAILABLE_SOURCES
from .entity import ReadinessEntity
from .models import Readiness

if TYPE_CHECKING:
    from . import ClientEtiquetteConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClientEtiquetteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the call-ready sensor of an entry."""
    async_add_entities([CallReadySensor(entry, "call_ready")])


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
