"""The client_call event entity: every decision and reminder, for automations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CALL_EVENT_TYPES
from .entity import ClientEtiquetteEntity, entity_id_changed

if TYPE_CHECKING:
    from .runtime import ClientEtiquetteConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClientEtiquetteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the client_call event entity of an entry."""
    async_add_entities([ClientCallEvent(entry)])


class ClientCallEvent(ClientEtiquetteEntity, EventEntity):
    """Fires rang_through, sent_to_voicemail, callback_due, callback_overdue, text_failed."""

    _attr_event_types = list(CALL_EVENT_TYPES)

    def __init__(self, entry: ClientEtiquetteConfigEntry) -> None:
        """Attach to the entry's events."""
        super().__init__(entry, "client_call")
        self._events = entry.runtime_data.events

    async def async_added_to_hass(self) -> None:
        """Listen to the entry's events from now on."""
        await super().async_added_to_hass()
        self.async_on_remove(self._events.async_add_listener(self._handle))

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Accept a rename in place (Home Assistant 2026.11+): nothing depends on the entity id."""
        entity_id_changed(super(), old_entity_id)

    @callback
    def _handle(self, event_type: str, data: dict[str, Any]) -> None:
        self._trigger_event(event_type, data)
        self.async_write_ha_state()
