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
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.client_etiquette.const import DOMAIN
from custom_components.client_etiquette.sources_form import DEFAULT_NAME

from .conftest import BASE_OPTIONS, DRIVING, setup_entry

DASHBOARD = Path(__file__).parent.parent / "docs" / "dashboard.yaml"
URL_PATH = "client-etiquette"
# The standard cards the example may use (issue #5: no custom cards).
STANDARD_CARDS = frozenset({"entities", "tile", "todo-list", "glance", "markdown", "conditional"})
ENTITY_ID = re.compile(r"\b(?:binary_sensor|sensor|select|todo|event)\.[a-z0-9_]+\b")


def default_install() -> MockConfigEntry:
    """The entry as the config flow names it, with the stand-in sources and two clients."""
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
    """Only standard cards; every entity id it names exists after a default install."""
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
    """Every attribute row shows an attribute its entity has."""
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
    """The "not now" card's template renders the reason and the ready-again time."""
    config = load_yaml_dict(str(DASHBOARD))
    conditional = next(card for card in cards(config) if card["type"] == "conditional")
    condition = conditional["conditions"][0]
    freezer.move_to("2025-06-03 10:00:00+02:00")  # a Tuesday in Warsaw
    await hass.services.async_call(DOMAIN, "snooze", {"duration": {"minutes": 30}}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get(condition["entity"]).state == condition["state"]  # type: ignore[union-attr]
    content = conditional["card"]["content"]
    rendered = Template(content, hass).async_render(parse_result=False)
    assert "**Why:** manual\n" in rendered
    assert "**Ready again:** Tue 10:30" in rendered

    hass.states.async_set(DRIVING, "in_vehicle")
    await hass.async_block_till_done()
    rendered = Template(content, hass).async_render(parse_result=False)
    assert "**Why:** manual (also: driving)" in rendered
    assert "**Ready again:** not known yet" in rendered
