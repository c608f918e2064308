"""The Calendar section's look-ahead options, and entries made before they existed."""

from __future__ import annotations

from typing import Any

from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
import pytest

from custom_components.client_etiquette.const import DOMAIN

from .. import CALENDAR, DND, DRIVING, make_entry, setup_entry
from ..flow_text import CONFIG, LANGUAGES, OPTIONS, shown_texts
from . import open_step


def sections(**filled: dict[str, Any]) -> dict[str, Any]:
    """Fill only the given sections of the sources form."""
    return {
        **{name: {} for name in ("activity", "phone", "calendar", "location", "hours")},
        **filled,
    }


def unfolded(result: Any) -> set[str]:
    return {
        str(key)
        for key, field in result["data_schema"].schema.items()
        if isinstance(field, section) and not field.options["collapsed"]
    }


async def test_new_entry_gets_the_defaults(hass: HomeAssistant, sources: None) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"name": "Phone", **sections(calendar={"calendar_entities": [CALENDAR]})},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"]["meeting_soon_minutes"] == 10
    assert result["options"]["min_free_minutes"] == 15
    texts = shown_texts(
        await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": config_entries.SOURCE_USER}
        ),
        CONFIG,
    )
    assert texts["sections.calendar.data.meeting_soon_minutes"]
    assert texts["sections.calendar.data_description.min_free_minutes"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("calendar", "bounds"),
    [
        ({"meeting_soon_minutes": 121}, ("0", "120")),
        ({"meeting_soon_minutes": 2.5}, ("0", "120")),
        ({"min_free_minutes": -1}, ("0", "240")),
    ],
)
async def test_minutes_out_of_range_are_refused_in_words(
    hass: HomeAssistant,
    sources: None,
    language: str,
    calendar: dict[str, Any],
    bounds: tuple[str, str],
) -> None:
    """A number out of range is refused with its range; the Calendar section opens."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_step(hass, entry.entry_id, "sources")
    result = dict(
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            sections(
                phone={"dnd_entities": [DND]},
                calendar={"calendar_entities": [CALENDAR], **calendar},
            ),
        )
    )
    assert result["errors"] == {"base": "calendar_minutes_range"}
    assert "calendar" in unfolded(result)
    text = shown_texts(result, OPTIONS, language)["error.base"]
    assert bounds[0] in text
    assert bounds[1] in text
    assert dict(entry.options) == before


async def test_changed_minutes_are_kept(hass: HomeAssistant, sources: None) -> None:
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "sources")
    result = dict(
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            sections(
                activity={"driving_entities": [DRIVING]},
                calendar={
                    "calendar_entities": [CALENDAR],
                    "meeting_soon_minutes": 0,
                    "min_free_minutes": 30,
                },
            ),
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["meeting_soon_minutes"] == 0
    assert entry.options["min_free_minutes"] == 30


async def test_older_entries_count_meeting_soon_where_in_meeting_counts(
    hass: HomeAssistant, sources: None
) -> None:
    """Entries 1.1 saved their tiers' reasons one by one: meeting_soon joins in_meeting."""
    stored = {
        "blocking_new": ["driving", "in_meeting", "after_hours"],
        "blocking_regular": ["driving", "on_call"],
        "blocking_vip": ["driving", "in_meeting"],
        "sender_name": "Jan",
    }
    entry = make_entry({"driving_entities": [DRIVING], **stored})
    await setup_entry(hass, entry)
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.options["blocking_new"] == ["driving", "in_meeting", "after_hours", "meeting_soon"]
    assert entry.options["blocking_regular"] == ["driving", "on_call"]
    assert entry.options["blocking_vip"] == ["driving", "in_meeting"]
    assert entry.options["sender_name"] == "Jan"
    assert "meeting_soon_minutes" not in entry.options


async def test_screening_form_offers_meeting_soon_for_new_and_regular_only(
    hass: HomeAssistant, sources: None
) -> None:
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "screening")
    defaults = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if str(key).startswith("blocking_")
    }
    assert "meeting_soon" in defaults["blocking_new"]
    assert "meeting_soon" in defaults["blocking_regular"]
    assert "meeting_soon" not in defaults["blocking_vip"]


async def test_entries_from_a_newer_version_are_not_touched(hass: HomeAssistant) -> None:
    entry = make_entry({"driving_entities": [DRIVING]})
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, version=2)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is config_entries.ConfigEntryState.MIGRATION_ERROR
