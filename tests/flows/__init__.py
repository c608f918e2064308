"""Tests of the config, options and client flows; helpers to walk the options menu."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType


async def open_step(hass: HomeAssistant, entry_id: str, step: str) -> dict[str, Any]:
    """Open the options menu and pick a step."""
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    return dict(result)


async def submit(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Submit an options step's data and wait until Home Assistant is idle."""
    result = await hass.config_entries.options.async_configure(flow_id, data)
    await hass.async_block_till_done()
    return dict(result)
