"""Base entity: one device per entry, state pushed by the readiness monitor."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Hashable
from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .core.models import Readiness

if TYPE_CHECKING:
    from .runtime import ClientEtiquetteConfigEntry


def entity_id_changed(parent: object, old_entity_id: str) -> None:
    """Run Home Assistant's own ``async_entity_id_changed`` of ``parent``, where it has one.

    Home Assistant 2026.11 renames an entity in place when its class (or a subclass)
    defines ``async_entity_id_changed`` next to each ``async_added_to_hass`` it defines;
    others are removed and added again until 2027.11. Older releases always re-add.
    """
    if (changed := getattr(parent, "async_entity_id_changed", None)) is not None:
        changed(old_entity_id)


class ClientEtiquetteEntity(Entity):
    """An entity of one Client Etiquette entry."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ClientEtiquetteConfigEntry, key: str) -> None:
        """Name the entity by its translation key under the entry's device."""
        self._monitor = entry.runtime_data.monitor
        self._attr_translation_key = key
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Client Etiquette",
            model="Client-call readiness",
            entry_type=DeviceEntryType.SERVICE,
        )


class ReadinessEntity(ClientEtiquetteEntity):
    """An entity whose state follows the readiness verdict.

    Each entity shows a projection of the verdict (``_projection``); a new verdict
    with the same projection touches nothing, so most entities are not written when
    the verdict flips.
    """

    _shown: Hashable = None

    async def async_added_to_hass(self) -> None:
        """Follow the monitor from now on."""
        await super().async_added_to_hass()
        self._shown = self._projection(self._monitor.readiness)
        self._update_from(self._monitor.readiness)
        self.async_on_remove(self._monitor.async_add_listener(self._handle_readiness))

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Renamed in place (Home Assistant 2026.11+): nothing here depends on the entity id."""
        entity_id_changed(super(), old_entity_id)

    @callback
    def _handle_readiness(self, readiness: Readiness) -> None:
        """Take a new verdict; the state is written only when this entity's projection changed."""
        shown = self._projection(readiness)
        if shown == self._shown:
            return
        self._shown = shown
        self._update_from(readiness)
        self.async_write_ha_state()

    def _projection(self, readiness: Readiness) -> Hashable:
        """Everything of the verdict (and monitor) that this entity's state and attributes show.

        The default is what the call-ready sensor shows: the verdict, the reasons, the
        ready-again time and the unavailable sources (not the internal next change,
        passenger flag or source grouping).
        """
        return (
            readiness.ready,
            readiness.reasons,
            readiness.ready_again_at,
            readiness.unavailable_sources,
        )

    @abstractmethod
    def _update_from(self, readiness: Readiness) -> None:
        """Set the entity's attributes from a verdict."""
