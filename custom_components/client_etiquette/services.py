"""Actions of Client Etiquette, registered once in async_setup."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

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
    ATTR_CATEGORY,
    ATTR_CLIENT,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DURATION,
    ATTR_EVENT_ID,
    ATTR_NAME,
    ATTR_NUMBER,
    ATTR_POST_TIME,
    ATTR_RANG_AT,
    ATTR_REASON,
    ATTR_SOURCE,
    ATTR_TEXT,
    ATTR_TITLE,
    ATTR_TOPIC,
    DOMAIN,
    MAX_SNOOZE,
    SERVICE_ASK_BEFORE_CALLING,
    SERVICE_INCOMING_CALL,
    SERVICE_MISSED_CALL,
    SERVICE_PLAN_CALL,
    SERVICE_SNOOZE,
)
from .core.models import Client, MissedCall, Mode, NoText, Reason
from .core.notifications import read_notification
from .core.phone import is_anonymous, normalize_number
from .core.screening import text_refusal
from .outgoing.actions import async_ask_before_calling, async_plan_call, mobile_number
from .telephony.missed import async_screen_missed
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

MISSED_CALL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_NUMBER): vol.All(cv.string, vol.Length(max=64)),
        vol.Optional(ATTR_NAME): vol.All(cv.string, vol.Length(max=200)),
        vol.Optional(ATTR_RANG_AT): cv.datetime,
        vol.Optional(ATTR_EVENT_ID): vol.All(cv.string, vol.Length(max=200)),
        # The companion app's notification, read as its Last notification sensor is.
        vol.Optional(ATTR_TITLE): vol.All(cv.string, vol.Length(max=500)),
        vol.Optional(ATTR_TEXT): vol.All(cv.string, vol.Length(max=500)),
        vol.Optional(ATTR_CATEGORY): vol.All(cv.string, vol.Length(max=100)),
        vol.Optional(ATTR_POST_TIME): vol.Coerce(float),
    }
)
# A missed call may be reported this late after it rang, not earlier than it rang.
CLOCK_SKEW = timedelta(minutes=1)
SOURCE_AUTOMATION = "automation"
SOURCE_COMPANION_APP = "companion_app"

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
        SERVICE_MISSED_CALL,
        _async_missed_call,
        schema=MISSED_CALL_SCHEMA,
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


async def _async_missed_call(call: ServiceCall) -> ServiceResponse:
    """Screen a call missed on the own phone as sent to voicemail when it rang.

    The caller is a number, a contact name, or the dialer's missed-call notification
    (title, text, category, post time). Answer with the decision when asked; a
    duplicate, a notification that is no missed call or names no client: not screened.
    """
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    missed = _missed_call_of(entry, call.data)
    if isinstance(missed, str):
        return {"screened": False, "ignored": missed} if call.return_response else None
    outcome = await async_screen_missed(entry, missed)
    if not call.return_response:
        return None
    if outcome is None:
        return {"screened": False, "ignored": "duplicate"}
    return {"screened": True, **outcome.as_response()}


def _missed_call_of(entry: ClientEtiquetteConfigEntry, data: Mapping[str, Any]) -> MissedCall | str:
    """Return the missed call an action reports, or why a notification is ignored."""
    number = data.get(ATTR_NUMBER, "").strip()
    name = " ".join(data.get(ATTR_NAME, "").split()) or None
    rang_at = _rang_at(data.get(ATTR_RANG_AT))
    source = SOURCE_AUTOMATION
    if not number and name is None and (ATTR_TITLE in data or ATTR_TEXT in data):
        notice = read_notification(
            {
                "android.title": data.get(ATTR_TITLE),
                "android.text": data.get(ATTR_TEXT),
                "category": data.get(ATTR_CATEGORY),
                "post_time": data.get(ATTR_POST_TIME),
            },
            packages=None,
        )
        if notice is None:
            return "not_a_missed_call"
        if notice.name is not None and _named_client(entry, notice.name) is None:
            return "no_such_client"
        number, name, source = notice.number, notice.name, SOURCE_COMPANION_APP
        rang_at = rang_at or notice.posted_at
    if not number and name is None:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_caller")
    if number and not is_anonymous(number):
        if normalize_number(number, entry.runtime_data.screener.region) is None:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="bad_number")
    elif not number and name is not None and _named_client(entry, name) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="contact_not_a_client",
            translation_placeholders={"name": name},
        )
    now = dt_util.utcnow()
    if rang_at is not None and rang_at > now + CLOCK_SKEW:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="rang_in_future")
    return MissedCall(
        number=number,
        rang_at=rang_at or now,
        source=source,
        event_id=data.get(ATTR_EVENT_ID),
        name=name,
    )


def _named_client(entry: ClientEtiquetteConfigEntry, name: str) -> Client | None:
    """Return the client the phone shows by ``name``, if they have a number to call."""
    client = entry.runtime_data.directory.by_contact_name(name)
    return client if client is not None and client.numbers else None


def _rang_at(value: datetime | None) -> datetime | None:
    """Return a time as aware UTC; a time without a zone is Home Assistant's local time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(value)


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
