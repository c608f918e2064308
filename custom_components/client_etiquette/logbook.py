"""Each call decision in words in the logbook (never the caller's number)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.const import ATTR_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_CALL_SCREENED, EVENT_REPLY_RECEIVED


def describe_decision(data: dict[str, Any]) -> str:
    """'sent a call from Anna to voicemail (driving); a text was sent'."""
    who = data.get("client_name") or "an unknown caller"
    reasons = ", ".join(str(reason).replace("_", " ") for reason in data.get("reasons", []))
    because = f" ({reasons})" if reasons else ""
    if data.get("action") == "ring":
        why = data.get("breakthrough")
        through = f", rang through: {str(why).replace('_', ' ')}" if why else ""
        return f"let a call from {who} ring{because}{through}"
    text = (
        "a text was sent"
        if data.get("text_sent")
        else f"no text ({str(data.get('no_text_reason')).replace('_', ' ')})"
    )
    return f"sent a call from {who} to voicemail{because}; {text}"


def describe_reply(data: dict[str, Any]) -> str:
    """Return 'Anna Kowalska replied by text (urgent)': never the text or the number."""
    who = data.get("client_name") or "a caller"
    return f"{who} replied by text" + (" (urgent)" if data.get("urgent") else "")


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe call decisions."""

    @callback
    def describe(event: Event) -> dict[str, str]:
        return {
            ATTR_NAME: "Client Etiquette",
            "message": describe_decision(dict(event.data)),
        }

    async_describe_event(DOMAIN, EVENT_CALL_SCREENED, describe)

    @callback
    def describe_reply_event(event: Event) -> dict[str, str]:
        return {ATTR_NAME: "Client Etiquette", "message": describe_reply(dict(event.data))}

    async_describe_event(DOMAIN, EVENT_REPLY_RECEIVED, describe_reply_event)
