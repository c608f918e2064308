"""Sending the polite texts: the configured backend behind a durable outbox.

Wires texting.Outbox to the callback queue (each item shows its text's status), the
client_call event (``text_failed``, through ``events``) and a repair issue while texts
keep failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant, callback

from ..callbacks.models import CallbackItem
from ..callbacks.queue import CallbackQueue
from ..const import (
    CONF_NOTIFY_ACTION,
    CONF_TEXTING_BACKEND,
    CONF_TWILIO_ACCOUNT_SID,
    CONF_TWILIO_API_BASE,
    CONF_TWILIO_AUTH_TOKEN,
    CONF_TWILIO_FROM_NUMBER,
    EVENT_TEXT_FAILED,
)
from ..directory import ClientDirectory
from ..events import CallEvents
from ..issues import async_create_texts_failing, async_delete_texts_failing
from ..outgoing.actions import asked_client_id
from .notify import NotifyBackend
from .outbox import Outbox, OutboxItem, TextBackend
from .twilio import TWILIO_API_BASE, TwilioBackend

# Consecutive failed attempts of one text before the user is told.
FAILURE_THRESHOLD = 3


def backend_from_options(hass: HomeAssistant, options: Mapping[str, Any]) -> TextBackend | None:
    """Return the texting backend the user chose, or None for no texting."""
    backend = options.get(CONF_TEXTING_BACKEND, "none")
    if backend == "twilio":
        return TwilioBackend(
            hass,
            options[CONF_TWILIO_ACCOUNT_SID],
            options[CONF_TWILIO_AUTH_TOKEN],
            options[CONF_TWILIO_FROM_NUMBER],
            api_base=options.get(CONF_TWILIO_API_BASE) or TWILIO_API_BASE,
        )
    if backend == "notify":
        return NotifyBackend(hass, options[CONF_NOTIFY_ACTION])
    return None


class TextSending:
    """The outbox of one entry and what its outcomes mean to the rest."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        backend: TextBackend,
        *,
        queue: CallbackQueue,
        directory: ClientDirectory,
        events: CallEvents,
    ) -> None:
        """Create the outbox; load it with async_load."""
        self._hass = hass
        self._entry_id = entry_id
        self._queue = queue
        self._directory = directory
        self._events = events
        self.outbox = Outbox(hass, entry_id, backend, on_change=self._on_change)
        self._reported: set[str] = set()

    async def async_load(self) -> None:
        """Load unsent texts (they are sent again after a restart)."""
        await self.outbox.async_load()
        if not self.outbox.failing:
            async_delete_texts_failing(self._hass, self._entry_id)

    async def async_shutdown(self) -> None:
        """Stop retry timers and save."""
        await self.outbox.async_shutdown()

    @callback
    def send(self, item: CallbackItem, body: str) -> bool:
        """Queue a text to the caller of a callback item."""
        self.outbox.enqueue(item.number, body, key=f"{item.uid}:{item.calls}")
        return True

    @callback
    def _on_change(self, message: OutboxItem) -> None:
        uid = message.key.partition(":")[0]
        if message.state == "sent":
            self._queue.async_update(uid, text_status="sent")
            self._reported.discard(message.key)
            if not self.outbox.failing:
                async_delete_texts_failing(self._hass, self._entry_id)
            return
        failed = message.state == "failed"
        if not failed and message.attempts < FAILURE_THRESHOLD:
            return
        item = self._queue.async_update(uid, text_status="failed" if failed else "retrying")
        if message.key not in self._reported:
            self._reported.add(message.key)
            self._report(item, message)

    def _asked_client(self, key: str) -> str | None:
        """Return the name of the client an ask-before-calling text went to."""
        client_id = asked_client_id(key)
        if client_id is None:
            return None
        client = self._directory.by_id(client_id)
        return client.name if client else None

    def _report(self, item: CallbackItem | None, message: OutboxItem) -> None:
        async_create_texts_failing(self._hass, self._entry_id, str(message.last_error or ""))
        self._events.fire(
            EVENT_TEXT_FAILED,
            {
                "client_name": item.name if item else self._asked_client(message.key),
                "number": message.to,
                "error": message.last_error,
                "final": message.state == "failed",
            },
        )
