"""Base entity: on the entry's device or on a client's device under it; readiness-pushed states."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Hashable
from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .core.models import Readiness

if TYPE_CHECKING:
    from .core.models import Client
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
    """An entity of one Client Etiquette entry: on the entry's device, or on a client's.

    A client's device is shown as connected via the entry's device: the link is set in
    the registry once the entity is added (``_link_to_entry_device``), as ``via_device``
    in the device info is deprecated since Home Assistant 2026.9 and its replacement,
    ``via_device_id``, is unknown before it.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: ClientEtiquetteConfigEntry, key: str, client: Client | None = None
    ) -> None:
        """Name the entity by its translation key, under the entry's device or ``client``'s."""
        self._monitor = entry.runtime_data.monitor
        self._entry_id = entry.entry_id
        self._entry_title = entry.title
        self._attr_translation_key = key
        self.client_id = client.client_id if client is not None else None
        self._client_name = client.name if client is not None else None
        self._attr_unique_id = (
            f"{entry.entry_id}_{key}"
            if client is None
            else f"{entry.entry_id}_{client.client_id}_{key}"
        )

    @property
    def device_info(self) -> DeviceInfo:
        """The entry's device or the client's, built when asked (once, as the entity is added)."""
        if self.client_id is None:
            return DeviceInfo(
                identifiers={(DOMAIN, self._entry_id)},
                name=self._entry_title,
                manufacturer="Client Etiquette",
                model="Client-call readiness",
                entry_type=DeviceEntryType.SERVICE,
            )
        return DeviceInfo(
            identifiers={(DOMAIN, self.client_id)},
            name=self._client_name,
            manufacturer="Client Etiquette",
            model="Client",
            entry_type=DeviceEntryType.SERVICE,
        )

    async def async_added_to_hass(self) -> None:
        """Hang a client's device under the entry's."""
        await super().async_added_to_hass()
        if self.client_id is not None:
            self._link_to_entry_device()

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Accept a rename in place (Home Assistant 2026.11+): nothing depends on the entity id."""
        entity_id_changed(super(), old_entity_id)

    @callback
    def _link_to_entry_device(self) -> None:
        """Show the client's device as connected via the entry's device (once: it stays)."""
        device_id = self.registry_entry.device_id if self.registry_entry else None
        devices = dr.async_get(self.hass)
        device = devices.async_get(device_id) if device_id else None
        if device is None:
            return
        # The entry's device, made here if no entity of the entry made it yet
        # (async_get_device is deprecated from Home Assistant 2026.11).
        parent = devices.async_get_or_create(
            config_entry_id=self._entry_id, identifiers={(DOMAIN, self._entry_id)}
        )
        if device.via_device_id != parent.id:
            devices.async_update_device(device.id, via_device_id=parent.id)


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
        """Accept a rename in place (Home Assistant 2026.11+): nothing depends on the entity id."""
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
