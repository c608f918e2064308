"""Sensors: the primary reason for not being ready, and when readiness is expected back."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import READY_STATE
from .core.models import REASON_PRIORITY, Readiness
from .entity import ReadinessEntity

if TYPE_CHECKING:
    from .runtime import ClientEtiquetteConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClientEtiquetteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the reason and ready-again sensors of an entry."""
    async_add_entities(
        [ReadinessReasonSensor(entry, "readiness_reason"), ReadyAgainSensor(entry, "ready_again")]
    )


class ReadinessReasonSensor(ReadinessEntity, SensorEntity):
    """``ready``, or the most important reason why not (priority in core.models.Reason)."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = [READY_STATE, *(reason.value for reason in REASON_PRIORITY)]

    def _projection(self, readiness: Readiness) -> Hashable:
        return readiness.primary

    def _update_from(self, readiness: Readiness) -> None:
        primary = readiness.primary
        self._attr_native_value = primary.value if primary else READY_STATE


class ReadyAgainSensor(ReadinessEntity, SensorEntity):
    """When the freelancer is expected to be ready again; unknown when nobody knows."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP

    def _projection(self, readiness: Readiness) -> Hashable:
        return readiness.ready_again_at

    def _update_from(self, readiness: Readiness) -> None:
        self._attr_native_value = readiness.ready_again_at
