"""Diagnostics: configuration, the current verdict and the sources' states, redacted.

Every field that can hold a phone number is redacted: numbers, a callback's key and
name (an unknown caller's are the number, or whatever the caller id said), texts,
transcriptions, recordings, call ids, templates, e-mails and notes; webhook ids and
secrets. A title or name typed by the user (the entry's, a client's, the sender's)
is kept only when it has no digit in it. Call ids and the call history are counted,
never listed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import ATTR_LATITUDE, ATTR_LONGITUDE
from homeassistant.core import HomeAssistant

from .const import (
    CONF_EMAIL,
    CONF_FORWARD_NUMBER,
    CONF_NOTE,
    CONF_PBX_WEBHOOK_ID,
    CONF_REPLY_EMAIL,
    CONF_SENDER_NAME,
    CONF_TEMPLATE_PREFIX,
    CONF_TWILIO_ACCOUNT_SID,
    CONF_TWILIO_FROM_NUMBER,
    CONF_VOICE_WEBHOOK_ID,
    LANGUAGES,
    SECRET_OPTIONS,
)
from .telephony.addresses import webhook_url
from .telephony.cloudhook import voice_cloudhook_url

if TYPE_CHECKING:
    from .runtime import ClientEtiquetteConfigEntry

# Locations, calendar contents and phone numbers never leave the house.
TO_REDACT = {
    ATTR_LATITUDE,
    ATTR_LONGITUDE,
    "gps_accuracy",
    "altitude",
    "message",
    "description",
    "location",
    "number",
    "numbers",
    "phone_number",
    "from",
    "to",
    "caller",
    "text",
    "transcription",
    "reason_text",
    "recording_url",
    "call_ids",
    "call_id",
    # A callback's key and name: an unknown caller's number, or the caller id's name.
    "key",
    "name",
    "caller_name",
    "incoming_number",
    CONF_EMAIL,
    CONF_NOTE,
    CONF_REPLY_EMAIL,
    CONF_FORWARD_NUMBER,
    CONF_TWILIO_ACCOUNT_SID,
    CONF_TWILIO_FROM_NUMBER,
    *(CONF_TEMPLATE_PREFIX + language for language in LANGUAGES),
    *SECRET_OPTIONS,
}
REDACTED = "**REDACTED**"


def _label(text: str) -> str:
    """Redact a title or name typed by the user when it has a digit (maybe a number)."""
    return REDACTED if any(char.isdigit() for char in text) else text


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry
) -> dict[str, Any]:
    """Return what helps to understand a verdict, without private data."""
    monitor = entry.runtime_data.monitor
    readiness = monitor.readiness
    sources = {}
    for entity_id in monitor.config.entity_ids:
        state = hass.states.get(entity_id)
        sources[entity_id] = (
            {
                "state": state.state,
                "attributes": async_redact_data(dict(state.attributes), TO_REDACT),
            }
            if state
            else None
        )
    data = entry.runtime_data
    clients = [
        async_redact_data({"title": _label(sub.title), **sub.data}, TO_REDACT)
        for sub in entry.subentries.values()
    ]
    callbacks = [async_redact_data(item.to_json(), TO_REDACT) for item in data.callbacks.items]
    outbox = data.sending.outbox if data.sending else None
    options = async_redact_data(dict(entry.options), TO_REDACT)
    if isinstance(sender := options.get(CONF_SENDER_NAME), str):
        options[CONF_SENDER_NAME] = _label(sender)
    return {
        "clients": clients,
        "callbacks": callbacks,
        "calls": {
            "numbers_in_history": len(data.callbacks.history.calls),
            "call_ids_remembered": data.callbacks.seen_calls,
        },
        "webhooks": {
            "voice_url": _redacted_url(hass, entry.options.get(CONF_VOICE_WEBHOOK_ID)),
            "pbx_url": _redacted_url(hass, entry.options.get(CONF_PBX_WEBHOOK_ID)),
            "voice_cloudhook_url": _redacted_cloudhook(voice_cloudhook_url(entry)),
        },
        "texting": {
            "pending": len(outbox.pending) if outbox else 0,
            "failing": outbox.failing if outbox else False,
        },
        "entry": {
            "title": _label(entry.title),
            "version": entry.version,
            "minor_version": entry.minor_version,
            "options": options,
        },
        "override": {
            "mode": monitor.mode.value,
            "busy_until": monitor.busy_until.isoformat() if monitor.busy_until else None,
            "busy_reason": monitor.busy_reason.value,
        },
        "readiness": {
            "ready": readiness.ready,
            "reasons": [reason.value for reason in readiness.reasons],
            "sources": {reason.value: list(names) for reason, names in readiness.sources.items()},
            "ready_again_at": readiness.ready_again_at.isoformat()
            if readiness.ready_again_at
            else None,
            "next_change": readiness.next_change.isoformat() if readiness.next_change else None,
            "passenger": readiness.passenger,
            "unavailable_sources": list(readiness.unavailable_sources),
        },
        "sources": sources,
    }


def _redacted_url(hass: HomeAssistant, webhook_id: str | None) -> str | None:
    """Mask the secret id in a webhook's full address: the host and path still show."""
    if not webhook_id:
        return None
    return webhook_url(hass, webhook_id).replace(webhook_id, REDACTED)


def _redacted_cloudhook(url: str | None) -> str | None:
    """Mask the secret path in the cloudhook's address: only the host shows."""
    if url is None:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/{REDACTED}"
