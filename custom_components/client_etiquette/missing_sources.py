"""Repair issues for configured source entities that were deleted."""

from __future__ import annotations

from collections.abc import Iterable
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.start import async_at_started

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)
ISSUE_MISSING_SOURCE = "missing_source"


def issue_id(entry_id: str, entity_id: str) -> str:
    """The repair issue id for one missing source of one entry."""
    return f"{ISSUE_MISSING_SOURCE}_{entry_id}_{entity_id}"


@callback
def async_track_missing_sources(
    hass: HomeAssistant, entry: ConfigEntry, entity_ids: Iterable[str]
) -> CALLBACK_TYPE:
    """Raise a repair issue when a configured source is deleted; clear it when it is back.

    Returns the function that stops the tracking.
    """
    watched = frozenset(entity_ids)
    unsubs: list[CALLBACK_TYPE] = []

    @callback
    def check_all(_hass: HomeAssistant) -> None:
        registry = er.async_get(hass)
        for entity_id in watched:
            if hass.states.get(entity_id) is None and registry.async_get(entity_id) is None:
                _create(hass, entry, entity_id)

    @callback
    def registry_updated(event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        if event.data["action"] == "remove" and event.data["entity_id"] in watched:
            _create(hass, entry, event.data["entity_id"])

    @callback
    def state_changed(event: Event[EventStateChangedData]) -> None:
        if event.data["new_state"] is not None:
            ir.async_delete_issue(hass, DOMAIN, issue_id(entry.entry_id, event.data["entity_id"]))

    unsubs.append(async_at_started(hass, check_all))
    unsubs.append(hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, registry_updated))
    if watched:
        unsubs.append(async_track_state_change_event(hass, watched, state_changed))

    @callback
    def stop() -> None:
        for unsub in unsubs:
            unsub()

    return stop


@callback
def async_clear_missing_sources(hass: HomeAssistant, entry_id: str) -> None:
    """Drop every missing-source issue of an entry (used when it is removed)."""
    registry = ir.async_get(hass)
    prefix = f"{ISSUE_MISSING_SOURCE}_{entry_id}_"
    for domain, existing_id in list(registry.issues):
        if domain == DOMAIN and existing_id.startswith(prefix):
            ir.async_delete_issue(hass, DOMAIN, existing_id)


def _create(hass: HomeAssistant, entry: ConfigEntry, entity_id: str) -> None:
    _LOGGER.warning("%s: configured source %s no longer exists", entry.title, entity_id)
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry.entry_id, entity_id),
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_MISSING_SOURCE,
        translation_placeholders={"entity_id": entity_id, "entry_title": entry.title},
        data={"entry_id": entry.entry_id, "entity_id": entity_id},
    )
