"""A deleted source raises a repair issue whose fix removes it from the options."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.client_etiquette.const import DOMAIN
from custom_components.client_etiquette.issues import missing_source_issue_id as issue_id

from . import BASE_OPTIONS, DND, DRIVING, TRACKER, make_entry, setup_entry


async def test_missing_at_start_and_fix_flow(
    hass: HomeAssistant,
    sources: None,
    hass_client: ClientSessionGenerator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A source that does not exist once HA has started gets an issue; fixing drops it."""
    assert await async_setup_component(hass, "repairs", {})
    hass.states.async_remove(DRIVING)
    hass.states.async_remove(TRACKER)
    entry = await setup_entry(hass, make_entry())
    await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, issue_id(entry.entry_id, DRIVING))
    assert issue is not None
    assert issue.translation_key == "missing_source"
    assert issue.translation_placeholders == {"entity_id": DRIVING, "entry_title": "My phone"}
    assert issue_registry.async_get_issue(DOMAIN, issue_id(entry.entry_id, TRACKER))

    client = await hass_client()
    resp = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue.issue_id}
    )
    assert resp.status == HTTPStatus.OK
    flow = await resp.json()
    assert flow["step_id"] == "confirm"
    resp = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert resp.status == HTTPStatus.OK
    assert (await resp.json())["type"] == "create_entry"
    await hass.async_block_till_done()
    assert entry.options["driving_entities"] == []
    assert entry.options["dnd_entities"] == [DND]
    assert issue_registry.async_get_issue(DOMAIN, issue.issue_id) is None

    resp = await client.post(
        "/api/repairs/issues/fix",
        json={"handler": DOMAIN, "issue_id": issue_id(entry.entry_id, TRACKER)},
    )
    flow = await resp.json()
    resp = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    await hass.async_block_till_done()
    assert "tracker_entity" not in entry.options


async def test_registry_removal_and_return(
    hass: HomeAssistant,
    sources: None,
    entity_registry: er.EntityRegistry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Removing a registered source raises the issue; the entity coming back clears it."""
    registered = entity_registry.async_get_or_create("sensor", "mobile_app", "dnd-1")
    options = dict(BASE_OPTIONS, dnd_entities=[registered.entity_id])
    hass.states.async_set(registered.entity_id, "off")
    entry = await setup_entry(hass, make_entry(options))
    key = issue_id(entry.entry_id, registered.entity_id)
    assert issue_registry.async_get_issue(DOMAIN, key) is None
    entity_registry.async_remove(registered.entity_id)
    hass.states.async_remove(registered.entity_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, key) is not None
    hass.states.async_set(registered.entity_id, "off")
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, key) is None

    entity_registry.async_remove(entity_registry.async_get_or_create("sensor", "x", "y").entity_id)
    await hass.async_block_till_done()
    assert len([i for i in issue_registry.issues if i[0] == DOMAIN]) == 0


async def test_issues_removed_with_entry(
    hass: HomeAssistant,
    sources: None,
    issue_registry: ir.IssueRegistry,
    hass_storage: dict[str, Any],
) -> None:
    """Check that deleting the entry deletes its issues, its stored queue and its outbox."""
    hass.states.async_remove(DRIVING)
    entry = await setup_entry(hass, make_entry())
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id(entry.entry_id, DRIVING))
    ir.async_create_issue(
        hass, "other", "x", is_fixable=False, severity=ir.IssueSeverity.WARNING, translation_key="x"
    )
    hass_storage[f"{DOMAIN}.{entry.entry_id}.outbox"] = {"version": 1, "data": {"items": []}}
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id(entry.entry_id, DRIVING)) is None
    assert not [key for key in hass_storage if entry.entry_id in key]  # queue and outbox
    assert issue_registry.async_get_issue("other", "x") is not None
