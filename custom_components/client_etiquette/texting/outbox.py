"""The durable outbox: how every polite text is queued, stored, sent and retried.

The outbox is the only way texts leave the integration. ``Outbox.enqueue`` is
synchronous and returns at once, so the call-screening decision never waits for a
provider. Each text is stored with ``helpers.storage.Store`` before it is sent and
retried with exponential backoff and full jitter until it is sent, fails for good,
or runs out of attempts.

No text is sent twice. An attempt is written to disk before the request leaves. When
its outcome is unknown (the provider answered too late, the connection broke after
the request left, or a crash cut the attempt off), the item is marked ``unsure``: a
backend that can look its messages up (Twilio) is asked whether the text was accepted
before it is sent again; with one that can't (a notify action), a crash-interrupted
attempt is reported as failed ("may have been delivered"), never repeated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import logging
import random
from typing import Any, Final, Protocol, runtime_checkable

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..const import DOMAIN
from .errors import (
    PermanentTextError,
    TemporaryTextError,
    TextError,
    UnsureTextError,
    redact_numbers,
)
from .store import outbox_store

_LOGGER = logging.getLogger(__name__)

RETENTION: Final = timedelta(days=7)
# In-flight sends get this long to finish on unload (a Twilio request's timeout).
SHUTDOWN_GRACE: Final = 10.0
# After an attempt with an unknown outcome, wait at least this long before looking the
# message up (a request still on its way must have arrived by then).
SETTLE_DELAY: Final = 30.0
# How far before an item was queued a found message may have been created (clock skew).
LOOKBACK: Final = timedelta(minutes=2)


class TextBackend(Protocol):
    """Something that sends one text, or raises a ``TextError`` subclass."""

    async def async_send(self, to: str, body: str) -> None:
        """Send ``body`` to the E.164 number ``to``."""


@runtime_checkable
class CheckableBackend(TextBackend, Protocol):
    """A backend that can tell whether it accepted a text (its message log)."""

    async def async_was_accepted(self, to: str, body: str, since: datetime) -> bool:
        """Whether a text with this body to ``to`` was accepted at or after ``since``.

        Raises a ``TextError`` subclass when the log can't be read now.
        """


class TextState(StrEnum):
    """Where a queued text is."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


INTERRUPTED: Final = "Interrupted while sending (restart or crash); it may have been delivered"
MAY_HAVE_BEEN_SENT: Final = "it may have been delivered, so it is not sent again"


@dataclass(slots=True)
class OutboxItem:
    """One text in the outbox. ``to`` is never logged above debug level.

    ``sending`` is True while a request is in flight; it is written to disk before the
    request leaves, so an item found with it after a restart may have been delivered.
    ``unsure`` is True once an attempt ended without knowing whether the text was
    accepted; every later attempt looks it up before sending (it stays True after).
    """

    id: str
    to: str
    body: str
    key: str
    created: datetime
    attempts: int = 0
    next_try: datetime | None = None
    last_error: str | None = None
    state: TextState = TextState.PENDING
    sending: bool = False
    unsure: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "id": self.id,
            "to": self.to,
            "body": self.body,
            "key": self.key,
            "created": self.created.isoformat(),
            "attempts": self.attempts,
            "next_try": self.next_try.isoformat() if self.next_try else None,
            "last_error": self.last_error,
            "state": self.state.value,
            "sending": self.sending,
            "unsure": self.unsure,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutboxItem:
        """Read the stored form."""
        next_try = data.get("next_try")
        return cls(
            id=data["id"],
            to=data["to"],
            body=data["body"],
            key=data["key"],
            created=datetime.fromisoformat(data["created"]),
            attempts=int(data.get("attempts", 0)),
            next_try=datetime.fromisoformat(next_try) if next_try else None,
            last_error=data.get("last_error"),
            state=TextState(data.get("state", TextState.PENDING)),
            sending=bool(data.get("sending", False)),
            unsure=bool(data.get("unsure", False)),
        )


class Outbox:
    """A durable queue of texts for one config entry.

    ``on_change(item)`` is called when an item is sent, fails for good, and after each
    failed attempt once the item has failed ``failure_threshold`` times in a row (its
    state is still pending). ``failing`` says whether any pending item is in that
    condition; a repair issue can follow it.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        backend: TextBackend,
        *,
        on_change: Callable[[OutboxItem], None] | None = None,
        max_attempts: int = 8,
        base_delay: float = 5.0,
        max_delay: float = 900.0,
        failure_threshold: int = 3,
        max_concurrent: int = 4,
        shutdown_grace: float = SHUTDOWN_GRACE,
        rng: random.Random | None = None,
    ) -> None:
        """Nothing is read or sent until ``async_load``."""
        self._hass = hass
        self._backend = backend
        self._on_change = on_change
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._failure_threshold = failure_threshold
        self._shutdown_grace = shutdown_grace
        self._rng = rng or random.Random()
        self._store = outbox_store(hass, entry_id)
        self._items: dict[str, OutboxItem] = {}
        self._by_key: dict[str, OutboxItem] = {}
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._semaphore = asyncio.Semaphore(max_concurrent)
        self._closing = False

    # -- reading -------------------------------------------------------------------------

    @property
    def items(self) -> list[OutboxItem]:
        """Every kept item, oldest first."""
        return list(self._items.values())

    @property
    def pending(self) -> list[OutboxItem]:
        """Items not sent yet and not given up on, oldest first."""
        return [item for item in self._items.values() if item.state is TextState.PENDING]

    @property
    def failing(self) -> bool:
        """Whether some pending text has failed ``failure_threshold`` times in a row."""
        return any(self._is_failing(item) for item in self.pending)

    def get(self, item_id: str) -> OutboxItem | None:
        """Return the item with this id, if it is kept."""
        return self._items.get(item_id)

    def by_key(self, key: str) -> OutboxItem | None:
        """Return the item queued under this idempotency key, if it is kept."""
        return self._by_key.get(key)

    @staticmethod
    def _finished(item: OutboxItem) -> bool:
        return item.state is not TextState.PENDING

    def _is_failing(self, item: OutboxItem) -> bool:
        return item.state is TextState.PENDING and item.attempts >= self._failure_threshold

    # -- life cycle ----------------------------------------------------------------------

    async def async_load(self) -> None:
        """Read the stored items and schedule the pending ones."""
        data = await self._store.async_load() or {}
        now = dt_util.utcnow()
        interrupted: list[OutboxItem] = []
        for raw in data.get("items", []):
            item = OutboxItem.from_dict(raw)
            if item.state is TextState.PENDING and item.sending:
                self._interrupted(item)
                interrupted.append(item)
            self._add(item)
        self._prune(now)
        for item in interrupted:
            if item.state is TextState.FAILED:
                _LOGGER.warning("Text %s was interrupted while sending; not sent again", item.id)
                self._notify(item)
            else:
                _LOGGER.info("Text %s was interrupted while sending; checking first", item.id)
        for item in self.pending:
            self._schedule(item)
        if interrupted:
            await self._async_save()

    def _interrupted(self, item: OutboxItem) -> None:
        """Handle an attempt a crash cut off: look it up before sending again, if we can."""
        item.sending = False
        item.next_try = None
        item.last_error = INTERRUPTED
        if self._can_check:
            item.unsure = True
        else:
            item.state = TextState.FAILED

    @property
    def _can_check(self) -> bool:
        return isinstance(self._backend, CheckableBackend)

    async def async_shutdown(self) -> None:
        """Stop timers, let in-flight sends finish (up to ``shutdown_grace``), save."""
        self._closing = True
        for unsub in self._timers.values():
            unsub()
        self._timers.clear()
        tasks = list(self._tasks.values())
        if tasks:
            _, still_running = await asyncio.wait(tasks, timeout=self._shutdown_grace)
            for task in still_running:
                task.cancel()
            await asyncio.gather(*still_running, return_exceptions=True)
        await self._async_save()

    # -- queueing ------------------------------------------------------------------------

    @callback
    def enqueue(self, to: str, body: str, *, key: str) -> OutboxItem:
        """Queue a text and return its item; the same ``key`` always gives the same item.

        The new item is written to disk at once (in the background) and sent as soon
        as possible; this method never waits.
        """
        if (existing := self._by_key.get(key)) is not None:
            _LOGGER.debug("Text for key %s already queued as %s", key, existing.id)
            return existing
        now = dt_util.utcnow()
        self._prune(now)
        item = OutboxItem(id=ulid_now(), to=to, body=body, key=key, created=now)
        self._add(item)
        _LOGGER.debug("Queued text %s to %s", item.id, to)
        # Serialised and handed to the writer before this returns (crash safety).
        self._hass.async_create_task(
            self._async_save(), f"{DOMAIN} outbox save {item.id}", eager_start=True
        )
        self._schedule(item)
        return item

    def _add(self, item: OutboxItem) -> None:
        self._items[item.id] = item
        self._by_key[item.key] = item

    def _prune(self, now: datetime) -> None:
        """Forget finished items older than the retention period."""
        cutoff = now - RETENTION
        for item in list(self._items.values()):
            if item.state is not TextState.PENDING and item.created < cutoff:
                del self._items[item.id]
                del self._by_key[item.key]

    def _data(self) -> dict[str, Any]:
        return {"items": [item.as_dict() for item in self._items.values()]}

    async def _async_save(self) -> None:
        await self._store.async_save(self._data())

    # -- sending -------------------------------------------------------------------------

    @callback
    def _schedule(self, item: OutboxItem) -> None:
        """Start the item's next attempt now, or set a timer for its ``next_try``."""
        if self._closing or item.id in self._tasks:
            return
        if (unsub := self._timers.pop(item.id, None)) is not None:
            unsub()
        delay = 0.0
        if item.next_try is not None:
            delay = (item.next_try - dt_util.utcnow()).total_seconds()
        if delay > 0:
            self._timers[item.id] = async_call_later(
                self._hass, delay, HassJob(self._timer_fired(item), cancel_on_shutdown=True)
            )
            return
        self._tasks[item.id] = self._hass.async_create_background_task(
            self._async_attempt(item), f"{DOMAIN} outbox {item.id}", eager_start=False
        )

    def _timer_fired(self, item: OutboxItem) -> Callable[[datetime], None]:
        @callback
        def fire(_now: datetime) -> None:
            self._timers.pop(item.id, None)
            item.next_try = None
            self._schedule(item)

        return fire

    async def _async_attempt(self, item: OutboxItem) -> None:
        """One attempt to send ``item``; only one runs per item at a time."""
        try:
            async with self._semaphore:
                if self._closing or self._finished(item):
                    return
                item.attempts += 1
                item.sending = True
                # Written before the request leaves: a crash during it must not resend.
                await self._async_save()
                try:
                    await self._async_send_once(item)
                except PermanentTextError as err:
                    self._give_up(item, str(err))
                except UnsureTextError as err:
                    self._unsure(item, err)
                except Exception as err:  # temporary, or a backend bug
                    self._retry_later(item, err)
                else:
                    self._sent(item)
                item.sending = False
                await self._async_save()
        finally:
            self._tasks.pop(item.id, None)
        if item.state is TextState.PENDING:
            self._schedule(item)
        elif item.state is TextState.SENT:
            self._resume_waiting()
        if item.state is not TextState.PENDING or self._is_failing(item):
            self._notify(item)

    async def _async_send_once(self, item: OutboxItem) -> None:
        """Send, unless an earlier attempt whose outcome was unknown got through."""
        backend = self._backend
        if item.unsure and isinstance(backend, CheckableBackend):
            since = item.created - LOOKBACK
            if await backend.async_was_accepted(item.to, item.body, since):
                _LOGGER.info("Text %s had been accepted after all; not sent again", item.id)
                return
        await backend.async_send(item.to, item.body)

    def _unsure(self, item: OutboxItem, err: UnsureTextError) -> None:
        """Handle a text that may have been accepted: check before the next try, or stop."""
        if not self._can_check:
            self._give_up(item, f"{err}; {MAY_HAVE_BEEN_SENT}")
            return
        item.unsure = True
        self._retry_later(item, err, at_least=SETTLE_DELAY)

    def _sent(self, item: OutboxItem) -> None:
        item.state = TextState.SENT
        item.next_try = None
        _LOGGER.debug("Sent text %s to %s after %d attempt(s)", item.id, item.to, item.attempts)

    def _give_up(self, item: OutboxItem, error: str) -> None:
        item.state = TextState.FAILED
        item.next_try = None
        item.last_error = error
        _LOGGER.warning("Text %s failed for good: %s", item.id, error)

    def _retry_later(self, item: OutboxItem, err: Exception, *, at_least: float = 0.0) -> None:
        error = str(err) if isinstance(err, TextError) else redact_numbers(repr(err))
        if item.attempts >= self._max_attempts:
            self._give_up(item, f"Gave up after {item.attempts} attempts: {error}")
            return
        retry_after = err.retry_after if isinstance(err, TemporaryTextError) else None
        ceiling = min(self._max_delay, self._base_delay * 2 ** (item.attempts - 1))
        delay = self._rng.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, retry_after)
        delay = max(delay, at_least)
        item.next_try = dt_util.utcnow() + timedelta(seconds=delay)
        item.last_error = error
        log = _LOGGER.warning if self._is_failing(item) else _LOGGER.info
        log(
            "Text %s not sent (attempt %d), retrying in %.0f s: %s",
            item.id,
            item.attempts,
            delay,
            error,
        )

    def _resume_waiting(self) -> None:
        """After a success the provider is back: retry texts waiting in backoff now.

        Unsure texts keep their timer: their request may still be on its way, and a
        lookup before it arrives would miss it.
        """
        for item in self.pending:
            if item.id in self._timers and not item.unsure:
                item.next_try = None
                self._schedule(item)

    def _notify(self, item: OutboxItem) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(item)
        except Exception:
            _LOGGER.exception("Error in the outbox change callback for text %s", item.id)
