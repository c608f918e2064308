"""The driving hold and the hysteresis settings in the sources form (issue #16, points 1-2).

Through the config and options flows, then the entry's own entities.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.client_etiquette.const import DOMAIN

from .. import BASE_OPTIONS, DND, DRIVING, READY, SIGNAL, make_entry, reasons, setup_entry
from ..flow_text import CONFIG, LANGUAGES, OPTIONS, shown_texts
from . import open_step, submit

DEFAULTS = {"driving_hold": 5, "weak_signal_margin": 5, "weak_signal_recovery": 60, "zone_exit": 60}
SECTION_OF = {
    "driving_hold": "activity",
    "weak_signal_margin": "phone",
    "weak_signal_recovery": "phone",
    "zone_exit": "location",
}


def form(**fields: Any) -> dict[str, Any]:
    """Fill the sources form with DND as its one source, plus ``fields`` in their sections."""
    sections: dict[str, dict[str, Any]] = {
        "activity": {},
        "phone": {"dnd_entities": [DND]},
        "calendar": {},
        "location": {},
        "hours": {},
    }
    for key, value in fields.items():
        sections[SECTION_OF[key]][key] = value
    return sections


def unfolded(result: dict[str, Any]) -> set[str]:
    """List the sections the form shows unfolded."""
    return {
        str(key)
        for key, field in result["data_schema"].schema.items()
        if isinstance(field, section) and not field.options["collapsed"]
    }


async def test_new_entry_stores_the_defaults(hass: HomeAssistant, sources: None) -> None:
    """A new entry gets the documented defaults: 5 min, 5 dB, 60 s, 60 s."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Phone", **form()}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {key: result["options"][key] for key in DEFAULTS} == DEFAULTS


async def test_form_shows_the_defaults_to_an_entry_without_them(
    hass: HomeAssistant, sources: None
) -> None:
    """An entry stored before these options opens with the defaults, and keeps them on save."""
    stored = {key: value for key, value in BASE_OPTIONS.items() if key not in DEFAULTS}
    entry = await setup_entry(hass, make_entry(stored))
    result = await open_step(hass, entry.entry_id, "sources")
    schema = result["data_schema"].schema
    shown = {
        str(key): key.default()
        for name in ("activity", "phone", "location")
        for key in schema[name].schema.schema
        if str(key) in DEFAULTS
    }
    assert shown == DEFAULTS
    result = await submit(hass, result["flow_id"], form())
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {key: entry.options[key] for key in DEFAULTS} == DEFAULTS


@pytest.mark.parametrize(
    ("key", "value", "error", "bounds"),
    [
        ("driving_hold", 31, "driving_hold_range", ("0", "30")),
        ("driving_hold", 2.5, "driving_hold_range", ("0", "30")),
        ("weak_signal_margin", -1, "signal_margin_range", ("0", "30")),
        ("weak_signal_recovery", 601, "signal_recovery_range", ("0", "600")),
        ("zone_exit", -5, "zone_exit_range", ("0", "600")),
    ],
)
async def test_out_of_range_is_refused_in_words(
    hass: HomeAssistant,
    sources: None,
    key: str,
    value: float,
    error: str,
    bounds: tuple[str, str],
) -> None:
    """Refused with the range, in every language, its section unfolded; nothing stored lost."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_step(hass, entry.entry_id, "sources")
    result = await submit(hass, result["flow_id"], form(**{key: value}))
    assert result["errors"] == {"base": error}
    assert SECTION_OF[key] in unfolded(result)
    for language in LANGUAGES:
        text = shown_texts(result, OPTIONS, language)["error.base"]
        assert all(bound in text for bound in bounds)
    assert dict(entry.options) == before
    # The same in the config flow.
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Phone", **form(**{key: value})}
    )
    assert result["errors"] == {"base": error}
    assert shown_texts(result, CONFIG, "en")["error.base"]


async def test_a_shorter_hold_set_in_the_options_applies(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """A 2-minute hold: driving for 2 minutes after the stop, then ready; 0 ends it at once."""
    freezer.move_to("2026-03-10 08:00:00+01:00")
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "sources")
    sections = form(driving_hold=2)
    sections["activity"]["driving_entities"] = [DRIVING]
    await submit(hass, result["flow_id"], sections)
    assert entry.options["driving_hold"] == 2
    hass.states.async_set(DRIVING, "in_vehicle")
    await hass.async_block_till_done()
    hass.states.async_set(DRIVING, "still")
    await hass.async_block_till_done()
    assert reasons(hass) == ["driving"]
    assert hass.states.get(READY).attributes["ready_again_at"] == "2026-03-10T07:02:00+00:00"
    freezer.tick(timedelta(seconds=119))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert reasons(hass) == ["driving"]
    freezer.tick(timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(READY).state == "on"

    result = await open_step(hass, entry.entry_id, "sources")
    sections = form(driving_hold=0, weak_signal_recovery=0)
    sections["activity"]["driving_entities"] = [DRIVING]
    sections["phone"]["signal_entities"] = [SIGNAL]
    await submit(hass, result["flow_id"], sections)
    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(SIGNAL, "-115")
    await hass.async_block_till_done()
    assert reasons(hass) == ["driving", "weak_signal"]
    hass.states.async_set(DRIVING, "still")
    hass.states.async_set(SIGNAL, "-100")
    await hass.async_block_till_done()
    assert hass.states.get(READY).state == "on"
