"""Missing sources: the listener that clears their repair issues ignores ordinary changes."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from custom_components.client_etiquette.const import DOMAIN
from custom_components.client_etiquette.issues import missing_source_issue_id as issue_id

from .. import BASE_OPTIONS, DND, make_entry, setup_entry


async def test_missing_source_listener_ignores_ordinary_changes(
    hass: HomeAssistant,
    sources: None,
    entity_registry: er.EntityRegistry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Only a source appearing, or one with an open issue changing, can clear its issue."""
    registered = entity_registry.async_get_or_create("sensor", "mobile_app", "dnd-2")
    hass.states.async_set(registered.entity_id, "off")
    options = dict(BASE_OPTIONS, dnd_entities=[DND, registered.entity_id])
    entry = make_entry(options)
    # An issue left from before (the source is back): cleared at start.
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry.entry_id, DND),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="missing_source",
    )
    await setup_entry(hass, entry)
    assert issue_registry.async_get_issue(DOMAIN, issue_id(entry.entry_id, DND)) is None

    # Removed from the registry while its state is still there: the next change clears it.
    key = issue_id(entry.entry_id, registered.entity_id)
    entity_registry.async_remove(registered.entity_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, key) is not None
    hass.states.async_set(registered.entity_id, "on")
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, key) is None

    # An issue this tracker did not raise is not touched by ordinary changes...
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry.entry_id, DND),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="missing_source",
    )
    hass.states.async_set(DND, "priority_only")
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id(entry.entry_id, DND)) is not None
    # ...but the source appearing again clears it.
    hass.states.async_remove(DND)
    hass.states.async_set(DND, "off")
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id(entry.entry_id, DND)) is None
