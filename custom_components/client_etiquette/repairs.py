"""Repair flows: drop a deleted source entity from the configuration."""

from __future__ import annotations

from typing import Any

from homeassistant import data_entry_flow
from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.core import HomeAssistant

from .const import ENTITY_LIST_OPTIONS, ENTITY_OPTIONS


class RemoveMissingSourceFlow(ConfirmRepairFlow):
    """Confirm, then remove the missing entity from every option that names it."""

    def __init__(self, entry_id: str, entity_id: str) -> None:
        """Remember which entry and entity the issue is about."""
        super().__init__()
        self._entry_id = entry_id
        self._entity_id = entity_id

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> data_entry_flow.FlowResult:
        """Remove the source on confirmation and reload the entry."""
        if user_input is not None:
            entry = self.hass.config_entries.async_get_entry(self._entry_id)
            if entry is not None:
                options = without_entity(entry.options, self._entity_id)
                self.hass.config_entries.async_update_entry(entry, options=options)
                self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return await super().async_step_confirm(user_input)


def without_entity(options: Any, entity_id: str) -> dict[str, Any]:
    """Return a copy of the options with ``entity_id`` removed wherever it is named."""
    result = dict(options)
    for key in ENTITY_LIST_OPTIONS:
        if entity_id in result.get(key, ()):
            result[key] = [item for item in result[key] if item != entity_id]
    for key in ENTITY_OPTIONS:
        if result.get(key) == entity_id:
            result.pop(key)
    return result


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow for a missing-source issue."""
    assert data is not None
    return RemoveMissingSourceFlow(str(data["entry_id"]), str(data["entity_id"]))
