"""Fire an entry's call events: to the client_call event entity, and decisions to the logbook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .const import EVENT_CALL_SCREENED, EVENT_REPLY_RECEIVED

type EventListener = Callable[[str, dict[str, Any]], None]


class CallEvents:
    """The events of one entry: decisions, reminders and failed texts."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start with nobody listening."""
        self._hass = hass
        self._entry_id = entry_id
        self._listeners: list[EventListener] = []

    @callback
    def async_add_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Tell ``listener`` (event type, data) about every event from now on."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def fire(self, event_type: str, data: dict[str, Any]) -> None:
        """Pass an event to the event entity and automations."""
        for listener in list(self._listeners):
            listener(event_type, data)

    @callback
    def fire_call_screened(self, data: dict[str, Any]) -> None:
        """Put a decision on the bus for the logbook (``data`` holds no number)."""
        self._hass.bus.async_fire(EVENT_CALL_SCREENED, {"entry_id": self._entry_id, **data})

    @callback
    def fire_reply_received(self, data: dict[str, Any]) -> None:
        """Put a client's reply on the bus for the logbook (``data`` holds no number, no text)."""
        self._hass.bus.async_fire(EVENT_REPLY_RECEIVED, {"entry_id": self._entry_id, **data})
