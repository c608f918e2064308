"""The screening step's follow-up texts switch and speech-to-text entity (#18)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .. import make_entry, setup_entry
from . import open_step, submit


async def test_follow_ups_on_by_default_and_switched_off(
    hass: HomeAssistant, sources: None
) -> None:
    """The switch shows on for an entry that never set it; switching it off is stored."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "screening")
    field = next(key for key in result["data_schema"].schema if key == "follow_up_texts")
    assert field.default() is True
    result = await submit(hass, result["flow_id"], {"follow_up_texts": False})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["follow_up_texts"] is False


async def test_stt_entity_chosen_checked_and_cleared(hass: HomeAssistant, sources: None) -> None:
    """An stt entity that exists is stored; one that doesn't is refused; empty clears it."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_step(hass, entry.entry_id, "screening")
    result = await submit(hass, result["flow_id"], {"stt_entity": "stt.gone"})
    assert result["errors"] == {"stt_entity": "stt_entity_not_found"}
    assert dict(entry.options) == before
    hass.states.async_set("stt.faster_whisper", "unknown")
    result = await submit(hass, result["flow_id"], {"stt_entity": "stt.faster_whisper"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["stt_entity"] == "stt.faster_whisper"
    await hass.async_block_till_done()
    result = await open_step(hass, entry.entry_id, "screening")
    result = await submit(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "stt_entity" not in entry.options
