"""Promises kept, or renegotiated politely: one follow-up text when a promise can't be kept.

The rule is ``core.promises.follow_up``; this keeps it current, event-driven: a
callback's promise is looked at again when readiness changes, when the queue changes
it, and at the promised time (one timer, at the earliest moment wanted). When the
client is to be told, the item is marked (``followed_up``), its promise and the
to-do item's due time move to the new time, the text is noted in the history (the
hourly cap counts it), and all that is saved before the text is handed to the
outbox: a restart never sends a second follow-up.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
import logging
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ..const import CONF_DEFAULT_REGION, CONF_SENDER_NAME, DOMAIN
from ..core.messages.late import late_text
from ..core.messages.times import round_up
from ..core.models import Client, Language, Readiness
from ..core.phone import read_number
from ..core.promises import follow_up
from ..directory import ClientDirectory
from ..sources.monitor import ReadinessMonitor
from ..telephony.policy import policy_from_options
from .models import CallbackItem
from .queue import CallbackQueue
from .watcher import QueueWatcher

_LOGGER = logging.getLogger(__name__)

type FollowUpSender = Callable[[CallbackItem, str], None]


class PromiseKeeper(QueueWatcher):
    """Watches the promised callback times of one entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        options: Mapping[str, Any],
        *,
        queue: CallbackQueue,
        monitor: ReadinessMonitor,
        directory: ClientDirectory,
        send: FollowUpSender,
    ) -> None:
        """Keep the parts; start with async_start."""
        super().__init__(hass, queue=queue, monitor=monitor)
        self._directory = directory
        self._send = send
        self._policy = policy_from_options(options)
        self._sender = str(options.get(CONF_SENDER_NAME, ""))
        self._region: str | None = options.get(CONF_DEFAULT_REGION) or hass.config.country
        # uid -> when to look at its promise again (items with a promise not followed up).
        self._wake: dict[str, datetime | None] = {}
        self._marking = False

    @callback
    def async_start(self) -> None:
        """Follow readiness and the queue; look at every promise once now."""
        self._listen()
        self._run(item.uid for item in self._queue.items)

    @callback
    def _on_readiness(self, readiness: Readiness) -> None:
        if self._wake:
            self._run(list(self._wake))

    @callback
    def _on_queue(self, uids: Collection[str]) -> None:
        if not self._marking:
            self._run(uids)

    @callback
    def _on_timer(self, now: datetime) -> None:
        moment = dt_util.utcnow()
        self._run([uid for uid, when in self._wake.items() if when is not None and when <= moment])

    def _run(self, uids: Iterable[str]) -> None:
        """Decide these items' promises; send what must be sent; re-arm the timer."""
        # First: deciding a verdict whose edge has passed may call back into _run.
        readiness = self._monitor.current()
        now = dt_util.utcnow()
        changes: dict[str, dict[str, Any]] = {}
        texts: list[tuple[str, str]] = []
        for uid in uids:
            item = self._queue.get(uid)
            if item is None or item.promised_at is None or item.followed_up:
                self._wake.pop(uid, None)
                continue
            client = self._directory.by_id(item.client_id) if item.client_id else None
            tz = self._tz(client)
            decision = follow_up(
                round_up(item.promised_at, tz),
                followed_up=item.followed_up,
                can_text=self._can_text(item),
                readiness=readiness,
                client=client,
                policy=self._policy,
                history=self._queue.history,
                now=now,
            )
            if not decision.send:
                self._wake[uid] = decision.wake
                continue
            self._wake.pop(uid, None)
            language = Language(item.language)
            body = late_text(language, decision.new_time, now, tz, sender_name=self._sender)
            changes[uid] = {
                "followed_up": True,
                "promised_at": decision.new_time,
                "overdue_fired": False,
            }
            texts.append((uid, body))
            self._queue.note_text(item.number, now)
        if changes:
            self._marking = True
            try:
                self._queue.async_update_many(changes)
            finally:
                self._marking = False
            self._start(self._async_send(texts), f"{DOMAIN} follow-up texts")
        self._arm()

    async def _async_send(self, texts: list[tuple[str, str]]) -> None:
        """Save the marks, then hand the texts to the outbox (never two per callback)."""
        await self._queue.async_commit()
        for uid, body in texts:
            if (item := self._queue.get(uid)) is not None:
                _LOGGER.debug("Promise to %s can't be kept; follow-up text queued", item.number)
                self._send(item, body)

    def _arm(self) -> None:
        """One timer, at the earliest moment wanted."""
        self._set_timer(
            min((when for when in self._wake.values() if when is not None), default=None)
        )

    def _can_text(self, item: CallbackItem) -> bool:
        """Whether the item's number can receive a text."""
        return read_number(item.number, self._region).mobile

    def _tz(self, client: Client | None) -> ZoneInfo:
        return client.tz if client is not None else ZoneInfo(self._hass.config.time_zone)
