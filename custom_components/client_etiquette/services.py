"""Actions of Client Etiquette, registered once in async_setup."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import (
    ATTR_CALL_ID,
    ATTR_CLIENT,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DURATION,
    ATTR_NAME,
    ATTR_NUMBER,
    ATTR_REASON,
    ATTR_SOURCE,
    ATTR_TOPIC,
    DOMAIN,
    MAX_SNOOZE,
    SERVICE_ASK_BEFORE_CALLING,
    SERVICE_INCOMING_CALL,
    SERVICE_PLAN_CALL,
    SERVICE_SNOOZE,
)
from .core.models import Mode, Reason
from .outgoing.actions import async_ask_before_calling, async_plan_call

if TYPE_CHECKING:
    from .runtime import ClientEtiquetteConfigEntry

SNOOZE_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_DURATION): cv.positive_time_period,
        vol.Optional(ATTR_REASON, default=Reason.MANUAL.value): vol.In([r.value for r in Reason]),
    }
)

INCOMING_CALL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_NUMBER): vol.All(cv.string, vol.Length(max=64)),
        vol.Optional(ATTR_NAME): vol.All(cv.string, vol.Length(max=200)),
        vol.Optional(ATTR_SOURCE): vol.All(cv.string, vol.Length(max=100)),
        vol.Optional(ATTR_CALL_ID): vol.All(cv.string, vol.Length(max=200)),
    }
)

# plan_call and ask_before_calling: a client by sub-entry id or name, an optional topic.
OUTGOING_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_CLIENT): vol.All(cv.string, vol.Length(min=1, max=200)),
        vol.Optional(ATTR_TOPIC): vol.All(cv.string, vol.Length(max=200)),
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""

    async def snooze(call: ServiceCall) -> None:
        entry = resolve_entry(hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
        duration: timedelta = call.data[ATTR_DURATION]
        if not timedelta(0) < duration <= MAX_SNOOZE:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_duration",
                translation_placeholders={
                    "max_hours": str(int(MAX_SNOOZE.total_seconds() // 3600))
                },
            )
        entry.runtime_data.monitor.async_set_mode(
            Mode.BUSY, dt_util.utcnow() + duration, Reason(call.data[ATTR_REASON])
        )

    hass.services.async_register(DOMAIN, SERVICE_SNOOZE, snooze, schema=SNOOZE_SCHEMA)

    async def incoming_call(call: ServiceCall) -> ServiceResponse:
        entry = resolve_entry(hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
        outcome = entry.runtime_data.screener.screen(
            number=call.data[ATTR_NUMBER],
            name=call.data.get(ATTR_NAME),
            source=call.data.get(ATTR_SOURCE),
            call_id=call.data.get(ATTR_CALL_ID),
        )
        await entry.runtime_data.screener.async_commit()  # acknowledged means saved
        return outcome.as_response() if call.return_response else None

    hass.services.async_register(
        DOMAIN,
        SERVICE_INCOMING_CALL,
        incoming_call,
        schema=INCOMING_CALL_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )

    async def plan_call(call: ServiceCall) -> ServiceResponse:
        entry = resolve_entry(hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
        return await async_plan_call(hass, entry, call.data[ATTR_CLIENT], call.data.get(ATTR_TOPIC))

    hass.services.async_register(
        DOMAIN,
        SERVICE_PLAN_CALL,
        plan_call,
        schema=OUTGOING_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )

    async def ask_before_calling(call: ServiceCall) -> ServiceResponse:
        entry = resolve_entry(hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
        result = async_ask_before_calling(entry, call.data[ATTR_CLIENT], call.data.get(ATTR_TOPIC))
        return result if call.return_response else None

    hass.services.async_register(
        DOMAIN,
        SERVICE_ASK_BEFORE_CALLING,
        ask_before_calling,
        schema=OUTGOING_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


def resolve_entry(hass: HomeAssistant, entry_id: str | None) -> ClientEtiquetteConfigEntry:
    """The loaded entry an action is about: the one named, or the only one there is."""
    if entry_id is None:
        loaded = [
            entry
            for entry in hass.config_entries.async_entries(DOMAIN)
            if entry.state is ConfigEntryState.LOADED
        ]
        if len(loaded) == 1:
            return loaded[0]
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_entries" if not loaded else "entry_required",
        )
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"entry_title": entry.title},
        )
    return entry
