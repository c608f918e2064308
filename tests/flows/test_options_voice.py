"""The voice menu's options step (issue #18): per tier and for unknown callers."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .. import BASE_OPTIONS, make_entry, setup_entry
from ..flow_text import LANGUAGES, OPTIONS, shown_texts
from . import open_step, submit

KINDS = ("new", "regular", "vip", "unknown")


def defaults_shown(result: dict[str, object]) -> dict[str, object]:
    """Return the switches as the form shows them before anything is touched."""
    schema = result["data_schema"].schema  # type: ignore[attr-defined]
    return {str(key): key.default() for key in schema}


async def test_defaults_and_save(hass: HomeAssistant, sources: None) -> None:
    """Defaults: press 1 for regular and VIP, the reason asked of unknown callers; saved."""
    entry = await setup_entry(hass, make_entry({**BASE_OPTIONS, "sender_name": "Jan"}))
    result = await open_step(hass, entry.entry_id, "voice")
    assert defaults_shown(result) == {
        "urgent_new": False,
        "urgent_regular": True,
        "urgent_vip": True,
        "urgent_unknown": False,
        "ask_reason_new": False,
        "ask_reason_regular": False,
        "ask_reason_vip": False,
        "ask_reason_unknown": True,
    }
    for language in LANGUAGES:
        texts = shown_texts(result, OPTIONS, language)
        for kind in KINDS:
            assert texts[f"data.urgent_{kind}"]
            assert texts[f"data.ask_reason_{kind}"]
    chosen = {f"urgent_{kind}": kind == "new" for kind in KINDS} | {
        f"ask_reason_{kind}": kind != "unknown" for kind in KINDS
    }
    result = await submit(hass, result["flow_id"], chosen)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {key: entry.options[key] for key in chosen} == chosen
    assert entry.options["sender_name"] == "Jan"  # every other option kept
    # Shown again as saved.
    result = await open_step(hass, entry.entry_id, "voice")
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == chosen
