"""Put a client's text back on their callback item, and raise the alarm when it is urgent.

A text from a client (by number) or from a number with a waiting callback lands on
that callback item (what they wrote, when, whether it is urgent, the time it names)
and fires ``client_replied``; a text from anyone else is left alone (the phone shows
it anyway, and a stranger's "URGENT" must not wake anyone). An urgent one sends the
freelancer a notification through the reminder action at once, or, while driving,
the moment driving ends (a readiness change, no polling). A text is handled once:
its app event id, and its number, time and words, are kept with the callback queue.
"""

from __future__ import annotations

from collections.abc import Callable
from hashlib import sha256
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ..const import EVENT_CLIENT_REPLIED
from ..core.models import Client, IncomingText, Readiness, Reason
from ..core.phone import normalize_number
from ..core.replies import is_urgent, mentioned_time
from ..core.ui_text import urgent_title
from ..directory import ClientDirectory
from ..events import CallEvents
from ..sources.monitor import ReadinessMonitor
from .models import CallbackItem
from .queue import CallbackQueue

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

_LOGGER = logging.getLogger(__name__)
# In a seen-calls record: the key was a text's.
REPLY = "reply"


async def async_incoming_text(entry: ClientEtiquetteConfigEntry, text: IncomingText) -> bool:
    """Put a client's reply on their callback item, alarm if urgent; False for a duplicate.

    Returns once the item and the marks that make a redelivery a duplicate are on disk.
    """
    data = entry.runtime_data
    if not data.replies.receive(text):
        return False
    await data.callbacks.async_commit()
    return True


class Replies:
    """The replies of one entry's clients, and the urgent alerts waiting for driving to end."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        queue: CallbackQueue,
        directory: ClientDirectory,
        monitor: ReadinessMonitor,
        events: CallEvents,
        notify_action: str | None,
        region: Callable[[], str | None],
    ) -> None:
        """Keep what a reply needs; alerts wait only after async_start."""
        self._hass = hass
        self._queue = queue
        self._directory = directory
        self._monitor = monitor
        self._events = events
        self._notify_action = notify_action
        self._region = region
        # Alerts waiting for driving to end: the item they are about (if any), the message.
        self._waiting: list[tuple[str | None, dict[str, Any]]] = []
        self._tasks: set[Any] = set()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow readiness, to send waiting alerts when driving ends; return the stopper.

        Alerts that were waiting when Home Assistant stopped are on their items: they
        wait again, or go out now when not driving.
        """
        language = self._hass.config.language
        self._waiting = [
            (item.uid, _message(item.name, item.number, item.reply, language))
            for item in self._queue.items
            if item.reply_alert and item.reply is not None
        ]
        self._on_readiness(self._monitor.readiness)
        unsub = self._monitor.async_add_listener(self._on_readiness)

        @callback
        def stop() -> None:
            unsub()
            self._waiting.clear()

        return stop

    @callback
    def receive(self, text: IncomingText) -> bool:
        """Handle a text once; False for one handled before."""
        number = normalize_number(text.number, self._region()) or text.number.strip()
        keys = _keys(text, number)
        if any(self._queue.seen_call(key) is not None for key in keys):
            _LOGGER.debug("Text from %s delivered again; ignored", number)
            return False
        now = dt_util.utcnow().timestamp()
        for key in keys:
            self._queue.note_seen_call(key, {"at": now, REPLY: True})
        client = self._directory.by_number(number)
        item = self._queue.find(client.client_id if client else number)
        if client is None and item is None:
            _LOGGER.debug("Text from %s, neither a client nor waiting for a callback", number)
            return True
        urgent = is_urgent(text.body)
        when = mentioned_time(text.body)
        if item is not None:
            item = self._queue.async_update(
                item.uid,
                reply=text.body,
                reply_at=text.received_at,
                reply_urgent=urgent,
                reply_time=when,
            )
        self._tell(text, number, client, item, urgent=urgent, when=when)
        return True

    def _tell(
        self,
        text: IncomingText,
        number: str,
        client: Client | None,
        item: CallbackItem | None,
        *,
        urgent: bool,
        when: str | None,
    ) -> None:
        """Fire client_replied and the logbook's event; alert the freelancer when urgent."""
        name = client.name if client else (item.name if item else number)
        self._events.fire(
            EVENT_CLIENT_REPLIED,
            {
                "client_name": name,
                "number": number,
                "text": text.body,
                "urgent": urgent,
                "time_named": when,
                "received_at": text.received_at.isoformat(),
                "source": text.source,
                "uid": item.uid if item else None,
            },
        )
        self._events.fire_reply_received({"client_name": name, "urgent": urgent})
        if urgent and self._notify_action:
            self._alert(name, number, text.body, item.uid if item else None)

    def _alert(self, name: str, number: str, body: str, uid: str | None) -> None:
        """Send the urgent alert now, or when driving ends (marked on the item meanwhile)."""
        message = _message(name, number, body, self._hass.config.language)
        if Reason.DRIVING in self._monitor.current().reasons:
            _LOGGER.debug("Urgent reply from %s waits until driving ends", number)
            self._waiting.append((uid, message))
            if uid is not None:
                self._queue.async_update(uid, reply_alert=True)
            return
        self._send(message)

    @callback
    def _on_readiness(self, readiness: Readiness) -> None:
        if not self._waiting or Reason.DRIVING in readiness.reasons:
            return
        waiting, self._waiting = self._waiting, []
        for _, message in waiting:
            self._send(message)
        uids = {uid for uid, _ in waiting if uid is not None}
        self._queue.async_update_many({uid: {"reply_alert": False} for uid in uids})

    def _send(self, message: dict[str, Any]) -> None:
        action = self._notify_action
        if not action:
            return
        task = self._hass.async_create_task(
            self._async_send(action, message), "client_etiquette urgent reply", eager_start=False
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _async_send(self, action: str, message: dict[str, Any]) -> None:
        """Send an alert and wait for it, so a failure is logged without the text or number."""
        domain, _, service = action.partition(".")
        try:
            await self._hass.services.async_call(domain, service, message, blocking=True)
        except Exception as err:  # someone else's action: told, never raised
            _LOGGER.warning(
                "An urgent reply could not be announced through %s (%s)",
                action,
                type(err).__name__,
            )


def _message(name: str, number: str, body: str, language: str) -> dict[str, Any]:
    """Return the urgent alert: who, their words, a tap to call them."""
    uri = f"tel:{number}"
    return {
        "title": urgent_title(name, number, language),
        "message": body,
        "data": {
            "url": uri,
            "clickAction": uri,
            "priority": "high",
            "ttl": 0,
            "tag": f"client_etiquette_reply_{number}",
        },
    }


def _keys(text: IncomingText, number: str) -> list[str]:
    """Return what makes a redelivery of ``text`` known: its event id, and its content."""
    digest = sha256(f"{number}|{text.received_at.timestamp():.0f}|{text.body}".encode()).hexdigest()
    keys = [f"text:{digest[:24]}"]
    if text.event_id:
        keys.append(f"text:{text.source}:{text.event_id}")
    return keys
