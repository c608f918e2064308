"""Watch the configured source entities: a repair issue while one is deleted.

Ordinary state changes of the sources never reach this module: the bus listener's filter
(one set lookup) passes only a watched entity that appears (its old state is None) or one
that has an open issue, the only changes that can clear an issue.
"""

from __future__ import annotations

from collections.abc import Iterable
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.start import async_at_started

from ..issues import async_create_missing_source, async_delete_missing_source

_LOGGER = logging.getLogger(__name__)


@callback
def async_track_missing_sources(
    hass: HomeAssistant, entry: ConfigEntry, entity_ids: Iterable[str]
) -> CALLBACK_TYPE:
    """Raise a repair issue when a configured source is deleted; clear it when it is back.

    Returns the function that stops the tracking.
    """
    watched = frozenset(entity_ids)
    # Sources with an open issue raised by this tracker.
    missing: set[str] = set()
    unsubs: list[CALLBACK_TYPE] = []

    def create(entity_id: str) -> None:
        missing.add(entity_id)
        _create(hass, entry, entity_id)

    def clear(entity_id: str) -> None:
        missing.discard(entity_id)
        async_delete_missing_source(hass, entry.entry_id, entity_id)

    @callback
    def check_all(_hass: HomeAssistant) -> None:
        registry = er.async_get(hass)
        for entity_id in watched:
            if hass.states.get(entity_id) is not None:
                # Back while the entry was not loaded: an issue left from then is stale.
                clear(entity_id)
            elif registry.async_get(entity_id) is None:
                create(entity_id)

    @callback
    def registry_updated(event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        if event.data["action"] == "remove" and event.data["entity_id"] in watched:
            create(event.data["entity_id"])

    @callback
    def appears(event_data: EventStateChangedData) -> bool:
        entity_id = event_data["entity_id"]
        return (
            entity_id in watched
            and event_data["new_state"] is not None
            and (event_data["old_state"] is None or entity_id in missing)
        )

    @callback
    def appeared(event: Event[EventStateChangedData]) -> None:
        clear(event.data["entity_id"])

    unsubs.append(async_at_started(hass, check_all))
    unsubs.append(hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, registry_updated))
    if watched:
        unsubs.append(hass.bus.async_listen(EVENT_STATE_CHANGED, appeared, event_filter=appears))

    @callback
    def stop() -> None:
        for unsub in unsubs:
            unsub()

    return stop


def _create(hass: HomeAssistant, entry: ConfigEntry, entity_id: str) -> None:
    _LOGGER.warning("%s: configured source %s no longer exists", entry.title, entity_id)
    async_create_missing_source(hass, entry, entity_id)
