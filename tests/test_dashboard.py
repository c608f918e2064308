"""docs/dashboard.yaml loads into Home Assistant's Lovelace, and everything it shows exists.

The integration is set up as a default install would be (the entry keeps its suggested
name, two clients are added), so the entity ids checked are the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.template import Template
from homeassistant.helpers.translation import (
    async_get_translations,
    async_load_integrations,
)
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.client_etiquette.const import DOMAIN
from custom_components.client_etiquette.core.models import NotNow
from custom_components.client_etiquette.flows.sources_form import DEFAULT_NAME

from . import BASE_OPTIONS, DND, DRIVING, setup_entry

DASHBOARD = Path(__file__).parent.parent / "docs" / "dashboard.yaml"
URL_PATH = "client-etiquette"
# The standard cards the example may use (issue #5: no custom cards).
STANDARD_CARDS = frozenset({"entities", "tile", "todo-list", "glance", "markdown", "conditional"})
ENTITY_ID = re.compile(r"\b(?:binary_sensor|sensor|select|todo|event)\.[a-z0-9_]+\b")
READY = "binary_sensor.client_etiquette_client_call_ready"
REASON = "sensor.client_etiquette_reason"
ANNA = "binary_sensor.anna_kowalska_good_time_to_call"
LANGUAGES = ("en", "ru", "pl")


def default_install() -> MockConfigEntry:
    """Return the entry as the config flow names it, with the stand-in sources and two clients."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=DEFAULT_NAME,
        options=dict(BASE_OPTIONS),
        subentries_data=[
            ConfigSubentryData(
                data={"numbers": ["+48601234567"], "language": "pl", "time_zone": "Europe/Warsaw"},
                subentry_type="client",
                title="Anna Kowalska",
                unique_id=None,
            ),
            ConfigSubentryData(
                data={"numbers": ["+447700900123"], "time_zone": "Europe/London"},
                subentry_type="client",
                title="Bob Smith",
                unique_id=None,
            ),
        ],
    )


def cards(config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every card of every view, the cards inside conditional cards included."""
    pending = [card for view in config["views"] for card in view["cards"]]
    while pending:
        card = pending.pop()
        yield card
        if "card" in card:
            pending.append(card["card"])


def referenced_entities(node: Any) -> set[str]:
    """Entity ids named anywhere in the config: in entity fields, rows and templates."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "entity" and isinstance(value, str):
                found.add(value)
            else:
                found |= referenced_entities(value)
    elif isinstance(node, list):
        for value in node:
            found |= referenced_entities(value)
    elif isinstance(node, str):
        found |= set(ENTITY_ID.findall(node))
    return found


@pytest.fixture
async def installed(hass: HomeAssistant, sources: None) -> None:
    """Lovelace and a default install of the integration."""
    assert await async_setup_component(hass, "lovelace", {})
    await setup_entry(hass, default_install())


async def test_dashboard_loads_into_lovelace(
    hass: HomeAssistant, installed: None, hass_ws_client: WebSocketGenerator
) -> None:
    """Saved as a storage dashboard's config and read back unchanged."""
    config = load_yaml_dict(str(DASHBOARD))
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "lovelace/dashboards/create",
            "url_path": URL_PATH,
            "title": config["title"],
            "icon": "mdi:phone-check",
        }
    )
    created = await client.receive_json()
    assert created["success"], created
    await client.send_json_auto_id(
        {"type": "lovelace/config/save", "url_path": URL_PATH, "config": config}
    )
    saved = await client.receive_json()
    assert saved["success"], saved
    await client.send_json_auto_id({"type": "lovelace/config", "url_path": URL_PATH})
    loaded = await client.receive_json()
    assert loaded["success"], loaded
    assert loaded["result"] == config


async def test_dashboard_uses_standard_cards_and_existing_entities(
    hass: HomeAssistant, installed: None
) -> None:
    """Check that only standard cards; every entity id it names exists after a default install."""
    config = load_yaml_dict(str(DASHBOARD))
    types = {card["type"] for card in cards(config)}
    assert types <= STANDARD_CARDS, types - STANDARD_CARDS
    assert {"tile", "todo-list", "glance", "conditional", "markdown"} <= types
    entity_ids = referenced_entities(config)
    assert {
        "binary_sensor.client_etiquette_client_call_ready",
        "todo.client_etiquette_callbacks",
        "select.client_etiquette_mode",
        "binary_sensor.anna_kowalska_good_time_to_call",
        "binary_sensor.bob_smith_good_time_to_call",
    } <= entity_ids
    missing = sorted(entity_id for entity_id in entity_ids if hass.states.get(entity_id) is None)
    assert not missing


async def test_dashboard_attributes_exist(hass: HomeAssistant, installed: None) -> None:
    """Check that every attribute row shows an attribute its entity has."""
    config = load_yaml_dict(str(DASHBOARD))
    rows = [
        row
        for card in cards(config)
        for row in card.get("entities", [])
        if isinstance(row, dict) and row.get("type") == "attribute"
    ]
    assert rows
    for row in rows:
        state = hass.states.get(row["entity"])
        assert state is not None
        assert row["attribute"] in state.attributes, row


async def test_dashboard_markdown_renders_while_not_ready(
    hass: HomeAssistant, installed: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that the "not now" card's template renders the reason and the ready-again time."""
    config = load_yaml_dict(str(DASHBOARD))
    conditional = next(card for card in cards(config) if card["type"] == "conditional")
    condition = conditional["conditions"][0]
    freezer.move_to("2025-06-03 10:00:00+02:00")  # a Tuesday in Warsaw
    await hass.services.async_call(DOMAIN, "snooze", {"duration": {"minutes": 30}}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get(condition["entity"]).state == condition["state"]  # type: ignore[union-attr]
    content = conditional["card"]["content"]
    rendered = Template(content, hass).async_render(parse_result=False)
    assert "**Why:** Busy (set by hand)\n" in rendered
    assert "**Ready again:** Tue 10:30" in rendered

    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(DND, "priority_only")
    await hass.async_block_till_done()
    rendered = Template(content, hass).async_render(parse_result=False)
    assert "**Why:** Busy (set by hand) and 2 more (see All reasons)\n" in rendered
    assert "**Ready again:** not known yet" in rendered


async def test_dashboard_markdown_speaks_the_language_of_home_assistant(
    hass: HomeAssistant, sources: None
) -> None:
    """The "not now" card names the reason in Home Assistant's language, not as a code."""
    assert await async_setup_component(hass, "lovelace", {})
    await setup_entry(hass, default_install())
    # The entity ids stay as they were made. Home Assistant's own listener (which the
    # test harness leaves out) then loads the loaded components' translations.
    await hass.config.async_update(language="pl")
    await async_load_integrations(hass, hass.config.components)
    conditional = next(card for card in cards(load_yaml_dict(str(DASHBOARD))) if "card" in card)
    hass.states.async_set(DRIVING, "in_vehicle")
    await hass.async_block_till_done()
    rendered = Template(conditional["card"]["content"], hass).async_render(parse_result=False)
    assert "**Why:** Za kierownicą\n" in rendered


def value_key(hass: HomeAssistant, entity_id: str, attribute: str) -> str:
    """Where the frontend looks up an attribute value's name, less the value itself."""
    entry = er.async_get(hass).async_get(entity_id)
    assert entry is not None
    return (
        f"component.{entry.platform}.entity.{entry.domain}.{entry.translation_key}"
        f".state_attributes.{attribute}.state."
    )


def shown(hass: HomeAssistant, texts: dict[str, str], entity_id: str, attribute: str) -> str:
    """Return an attribute as the frontend's attribute row shows it.

    As computeAttributeValueDisplay does: each value by its name at ``value_key``, else as it
    is; a list joined with ", ".
    """
    state = hass.states.get(entity_id)
    assert state is not None
    prefix = value_key(hass, entity_id, attribute)
    value = state.attributes[attribute]
    values = value if isinstance(value, list) else [value]
    return ", ".join(texts.get(prefix + str(item), str(item)) for item in values)


def reason_names(hass: HomeAssistant, texts: dict[str, str]) -> dict[str, str]:
    """Return the reason sensor's translated states (what its "Reason" row shows), by code."""
    entry = er.async_get(hass).async_get(REASON)
    assert entry is not None
    prefix = f"component.{DOMAIN}.entity.sensor.{entry.translation_key}.state."
    return {key.removeprefix(prefix): text for key, text in texts.items() if key.startswith(prefix)}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_all_reasons_row_shows_translated_reasons(
    hass: HomeAssistant, installed: None, language: str
) -> None:
    """Check that "All reasons" lists each active reason by the name the "Reason" row gives."""
    texts = await async_get_translations(hass, language, "entity", {DOMAIN})
    names = reason_names(hass, texts)
    await hass.services.async_call(DOMAIN, "snooze", {"duration": {"minutes": 30}}, blocking=True)
    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(DND, "priority_only")
    await hass.async_block_till_done()
    codes = hass.states.get(READY).attributes["reasons"]  # type: ignore[union-attr]
    assert codes == ["manual", "driving", "do_not_disturb"]
    row = shown(hass, texts, READY, "reasons")
    assert row == ", ".join(names[code] for code in codes)
    if language == "en":
        assert row == "Busy (set by hand), Driving, Do not disturb"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_reason_has_a_translated_name_in_all_reasons(
    hass: HomeAssistant, installed: None, language: str
) -> None:
    """Check that every reason the "Reason" sensor can show has the same name in "All reasons"."""
    texts = await async_get_translations(hass, language, "entity", {DOMAIN})
    names = reason_names(hass, texts)
    codes = [code for code in hass.states.get(REASON).attributes["options"] if code != "ready"]  # type: ignore[union-attr]
    prefix = value_key(hass, READY, "reasons")
    assert {code: texts.get(prefix + code) for code in codes} == {
        code: names[code] for code in codes
    }
    assert all(names[code] != code for code in codes)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_not_now_is_translated(hass: HomeAssistant, installed: None, language: str) -> None:
    """Check that a client's "Not now because" row names the reasons instead of showing codes."""
    texts = await async_get_translations(hass, language, "entity", {DOMAIN})
    hass.states.async_set(DRIVING, "in_vehicle")
    await hass.async_block_till_done()
    assert "not_ready" in hass.states.get(ANNA).attributes["not_now"]  # type: ignore[union-attr]
    row = shown(hass, texts, ANNA, "not_now")
    assert not set(row.split(", ")) & {str(code) for code in NotNow}
    prefix = value_key(hass, ANNA, "not_now")
    missing = [code for code in NotNow if not texts.get(prefix + code)]
    assert not missing
