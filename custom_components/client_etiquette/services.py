"""Actions of Client Etiquette, registered once in async_setup."""

from __future__ import annotations

from datetime import datetime, timedelta
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
from .core.models import Client, Mode, NoText, Reason
from .core.screening import text_refusal
from .outgoing.actions import async_ask_before_calling, async_plan_call, mobile_number
from .telephony.policy import policy_from_options

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
    hass.services.async_register(DOMAIN, SERVICE_SNOOZE, _async_snooze, schema=SNOOZE_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_INCOMING_CALL,
        _async_incoming_call,
        schema=INCOMING_CALL_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_PLAN_CALL,
        _async_plan_call,
        schema=OUTGOING_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_ASK_BEFORE_CALLING,
        _async_ask_before_calling,
        schema=OUTGOING_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


async def _async_snooze(call: ServiceCall) -> None:
    """Set busy for the given duration (at most ``MAX_SNOOZE``)."""
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    duration: timedelta = call.data[ATTR_DURATION]
    if not timedelta(0) < duration <= MAX_SNOOZE:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_duration",
            translation_placeholders={"max_hours": str(int(MAX_SNOOZE.total_seconds() // 3600))},
        )
    entry.runtime_data.monitor.async_set_mode(
        Mode.BUSY, dt_util.utcnow() + duration, Reason(call.data[ATTR_REASON])
    )


async def _async_incoming_call(call: ServiceCall) -> ServiceResponse:
    """Screen a call reported by an automation; answer with the decision when asked."""
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    outcome = entry.runtime_data.screener.screen(
        number=call.data[ATTR_NUMBER],
        name=call.data.get(ATTR_NAME),
        source=call.data.get(ATTR_SOURCE),
        call_id=call.data.get(ATTR_CALL_ID),
    )
    await entry.runtime_data.screener.async_commit()  # acknowledged means saved
    return outcome.as_response() if call.return_response else None


async def _async_plan_call(call: ServiceCall) -> ServiceResponse:
    """Answer whether now is a good time to call a client, and what to do instead."""
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    client = resolve_client(entry, call.data[ATTR_CLIENT])
    return await async_plan_call(call.hass, entry, client, call.data.get(ATTR_TOPIC))


async def _async_ask_before_calling(call: ServiceCall) -> ServiceResponse:
    """Text a client to ask whether now is a good time for a call (rule E12).

    The same limits as the polite texts of call screening: a mobile number, the text
    cooldown per number and the hourly cap.
    """
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    client = resolve_client(entry, call.data[ATTR_CLIENT])
    if (sending := entry.runtime_data.sending) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_texting_backend"
        )
    if (number := mobile_number(client)) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="client_not_mobile",
            translation_placeholders={"client": client.name},
        )
    now = dt_util.utcnow()
    check_text_allowed(entry, client, number, now)
    result = async_ask_before_calling(
        entry, sending, client, number, topic=call.data.get(ATTR_TOPIC), now=now
    )
    return result if call.return_response else None


def check_text_allowed(
    entry: ClientEtiquetteConfigEntry, client: Client, number: str, now: datetime
) -> None:
    """Refuse a text to ``number`` within its cooldown or over the hourly cap."""
    policy = policy_from_options(entry.options)
    history = entry.runtime_data.callbacks.history
    refusal = text_refusal(number, policy, history, now, mobile=True)
    if refusal is NoText.COOLDOWN:
        hours_left = (policy.text_cooldown.total_seconds() + 3599) // 3600
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="text_cooldown",
            translation_placeholders={"client": client.name, "hours": str(int(hours_left))},
        )
    if refusal is not None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="texts_hourly_cap",
            translation_placeholders={"limit": str(policy.max_texts_per_hour)},
        )


def resolve_entry(hass: HomeAssistant, entry_id: str | None) -> ClientEtiquetteConfigEntry:
    """Return the loaded entry an action is about: the one named, or the only one there is."""
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


def resolve_client(entry: ClientEtiquetteConfigEntry, ref: str) -> Client:
    """Return the client an action means: a sub-entry id, or a name in any letter case."""
    directory = entry.runtime_data.directory
    wanted = ref.strip()
    if (client := directory.by_id(wanted)) is not None:
        return client
    name = " ".join(wanted.split()).casefold()
    matches = [
        client for client in directory.clients if " ".join(client.name.split()).casefold() == name
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="client_ambiguous",
            translation_placeholders={"client": wanted},
        )
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="client_not_found",
        translation_placeholders={"client": wanted},
    )
