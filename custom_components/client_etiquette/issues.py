"""Repair issues: raise and clear every issue Client Etiquette shows in Repairs.

The fix flow of the fixable one (a missing source) is in ``repairs.py``.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .core.models import Language

ISSUE_MISSING_SOURCE = "missing_source"
ISSUE_TEXTS_FAILING = "texts_failing"


def missing_source_issue_id(entry_id: str, entity_id: str) -> str:
    """Return the repair issue id for one missing source of one entry."""
    return f"{ISSUE_MISSING_SOURCE}_{entry_id}_{entity_id}"


def texts_failing_issue_id(entry_id: str) -> str:
    """Return the repair issue raised while an entry's texts keep failing."""
    return f"{ISSUE_TEXTS_FAILING}_{entry_id}"


def reminders_issue_id(entry_id: str) -> str:
    """Return the repair issue raised while reminders do not reach the phone."""
    return f"reminders_failing_{entry_id}"


def template_issue_id(entry_id: str, language: str) -> str:
    """Return the repair issue raised while an entry's template for ``language`` can't be used."""
    return f"template_broken_{entry_id}_{language}"


# --- missing sources ------------------------------------------------------------------


@callback
def async_create_missing_source(hass: HomeAssistant, entry: ConfigEntry, entity_id: str) -> None:
    """Raise the fixable issue for a configured source that no longer exists."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        missing_source_issue_id(entry.entry_id, entity_id),
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_MISSING_SOURCE,
        translation_placeholders={"entity_id": entity_id, "entry_title": entry.title},
        data={"entry_id": entry.entry_id, "entity_id": entity_id},
    )


@callback
def async_delete_missing_source(hass: HomeAssistant, entry_id: str, entity_id: str) -> None:
    """Clear the issue of a source that is back."""
    ir.async_delete_issue(hass, DOMAIN, missing_source_issue_id(entry_id, entity_id))


@callback
def async_delete_missing_sources(hass: HomeAssistant, entry_id: str) -> None:
    """Drop every missing-source issue of an entry (used when it is removed)."""
    registry = ir.async_get(hass)
    prefix = f"{ISSUE_MISSING_SOURCE}_{entry_id}_"
    for domain, existing_id in list(registry.issues):
        if domain == DOMAIN and existing_id.startswith(prefix):
            ir.async_delete_issue(hass, DOMAIN, existing_id)


# --- texts ----------------------------------------------------------------------------


@callback
def async_create_texts_failing(hass: HomeAssistant, entry_id: str, error: str) -> None:
    """Raise the issue that an entry's texts keep failing, with the last error."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        texts_failing_issue_id(entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_TEXTS_FAILING,
        translation_placeholders={"error": error},
    )


@callback
def async_delete_texts_failing(hass: HomeAssistant, entry_id: str) -> None:
    """Clear the failing-texts issue of an entry."""
    ir.async_delete_issue(hass, DOMAIN, texts_failing_issue_id(entry_id))


# --- reminders ------------------------------------------------------------------------


@callback
def async_create_reminders_failing(
    hass: HomeAssistant, entry_id: str, translation_key: str, action: str
) -> None:
    """Raise the issue that reminders do not get through ``action`` (gone, or failing)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        reminders_issue_id(entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=translation_key,
        translation_placeholders={"action": action},
    )


@callback
def async_delete_reminders_failing(hass: HomeAssistant, entry_id: str) -> None:
    """Clear the failing-reminders issue of an entry."""
    ir.async_delete_issue(hass, DOMAIN, reminders_issue_id(entry_id))


@callback
def async_delete_stale_reminders_issue(
    hass: HomeAssistant, entry_id: str, action: str | None
) -> None:
    """Clear the failing-reminders issue unless it is about ``action``."""
    issue = ir.async_get(hass).async_get_issue(DOMAIN, reminders_issue_id(entry_id))
    if issue is None:
        return
    placeholders = issue.translation_placeholders or {}
    if placeholders.get("action") != action:
        ir.async_delete_issue(hass, DOMAIN, reminders_issue_id(entry_id))


# --- text templates -------------------------------------------------------------------


@callback
def async_create_template_broken(
    hass: HomeAssistant, entry_id: str, language: Language, shown: str
) -> None:
    """Raise the issue that ``language``'s template gave ``shown`` (the built-in text is sent)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        template_issue_id(entry_id, language),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=f"template_broken_{language}",
        translation_placeholders={"text": shown},
    )


@callback
def async_delete_template_broken(hass: HomeAssistant, entry_id: str, language: Language) -> None:
    """Clear the broken-template issue of one language."""
    ir.async_delete_issue(hass, DOMAIN, template_issue_id(entry_id, language))


# --- a removed entry ------------------------------------------------------------------


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Forget every issue of a removed entry."""
    async_delete_missing_sources(hass, entry_id)
    async_delete_texts_failing(hass, entry_id)
    async_delete_reminders_failing(hass, entry_id)
    for language in Language:
        async_delete_template_broken(hass, entry_id, language)
