"""Persistence of the callback queue: a snapshot plus an append-only journal.

Persistence is a snapshot plus an append-only journal, so making a change durable
costs O(change), not O(queue):

- ``async_commit`` builds ONE journal line in the event loop, at the moment its
  sequence number is assigned (the changed items as they are then, the uids removed,
  the calls and texts added to the history), and appends it to
  ``.storage/client_etiquette.<entry_id>.callbacks.journal`` (O_APPEND, fsync) before
  it returns.
- The Store holds a full snapshot and ``journal_seq``: the last sequence number
  assigned when the snapshot was built. Lines at or below it are older than the
  snapshot; lines above it are newer and are replayed on load, in order. Replaying is
  idempotent (items are replaced, removals of absent uids do nothing, a history entry
  already there is not added twice), so a line that is both in a snapshot and above its
  ``journal_seq`` does no harm.
- A snapshot is written at most ``SNAPSHOT_DELAY`` after the first change not yet in
  one (not a debounce: a steady burst does not postpone it), when the journal has more
  than ``SNAPSHOT_LINES`` lines since the last one, and on unload or stop; once it is
  on disk, the journal is rewritten without the lines it holds.
- A line that does not parse is a torn write (its commit never returned): replay stops
  there and the journal is rewritten without it before anything is appended.

The call ids answered (``seen_calls``, newest last) are kept ``SEEN_KEEP`` and at most
``SEEN_MAX`` of them, so a request replayed after its callback was done is answered
alike and does nothing; they are journaled like the history. ``step_key`` is a random
key, made on first use, that binds the later steps of a Telnyx call to its call id
(``signature.step_tag``); a journal line carries it the first time.
"""

from __future__ import annotations

import asyncio
import base64
from collections import OrderedDict
from collections.abc import Mapping
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
import time
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..core.screening import History, note_call, note_text
from .index import QueueIndex
from .journal import JOURNAL_SUFFIX, append_line, read_journal, remove_journal, rewrite_journal
from .models import ITEM_KEYS, CallbackItem, history_from_json, history_to_json
from .store import callback_store, storage_key

_LOGGER = logging.getLogger(__name__)

# A change no caller commits (a reminder fired, a text's status) is journaled at most
# this long after it was made.
SAVE_DELAY = 0.5
# A snapshot is written at most this long after the first change not yet in one...
SNAPSHOT_DELAY = 30.0
# ...or as soon as the journal holds more lines than this since the last snapshot.
SNAPSHOT_LINES = 1_000
# Call ids answered are remembered this long, and at most this many (the oldest go first).
SEEN_KEEP = timedelta(days=7)
SEEN_MAX = 5_000
STEP_KEY_BYTES = 32


@dataclass(slots=True)
class _Line:
    """A journal line built in the loop, and the changes it holds (kept if it fails)."""

    seq: int
    data: bytes
    uids: set[str]
    history: list[tuple[str, str, str]]
    seen: list[tuple[str, dict[str, Any]]]
    step_key: bool


class JournaledQueue(QueueIndex):
    """The queue's items, history, call ids answered and step key, kept on disk."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Open the entry's store (load with async_load)."""
        super().__init__()
        self._store = callback_store(hass, entry_id)
        self._journal_path = hass.config.path(STORAGE_DIR, storage_key(entry_id) + JOURNAL_SUFFIX)
        self.history = History()
        # Call id -> what was answered (``calls.CallScreener`` writes it), oldest first.
        self._seen_calls: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._step_key: bytes | None = None
        self._hass = hass
        self._commit: asyncio.Task[None] | None = None
        # Changed since the last journal line was built: uids, history additions.
        self._pending_uids: set[str] = set()
        self._pending_history: list[tuple[str, str, str]] = []
        self._pending_seen: list[tuple[str, dict[str, Any]]] = []
        self._pending_key = False
        self._journal_lock = asyncio.Lock()
        self._journal_seq = 0  # the last sequence number assigned
        self._snapshot_seq = 0  # journal_seq of the newest snapshot on disk
        # The monotonic time of the first change not yet in a snapshot (None: none).
        self._unsnapped_since: float | None = None
        self._snapshot_task: asyncio.Task[None] | None = None
        self._journal_timer: CALLBACK_TYPE | None = None
        self._snapshot_timer: CALLBACK_TYPE | None = None
        self._unsub_final_write: CALLBACK_TYPE | None = None

    async def async_load(self) -> None:
        """Read the stored snapshot, then replay the journal lines newer than it."""
        data = await self._store.async_load() or {}
        for raw in data.get("items", []):
            self._load_item(raw)
        self.history = history_from_json(data.get("history", {}))
        seen = data.get("seen_calls", {})
        for call_id, record in seen.items() if isinstance(seen, dict) else ():
            self._load_seen(call_id, record)
        self._load_step_key(data.get("step_key"))
        snapshot_seq = int(data.get("journal_seq", 0))
        async with self._journal_lock:
            lines, torn = await self._hass.async_add_executor_job(read_journal, self._journal_path)
            if torn:
                # Cut the torn tail before anything is appended after it.
                _LOGGER.warning("The callback journal ended in a torn write; it was dropped")
                await self._hass.async_add_executor_job(
                    rewrite_journal, self._journal_path, snapshot_seq
                )
        last = snapshot_seq
        replayed = 0
        for entry, _ in lines:
            seq = entry["seq"]
            if seq <= snapshot_seq:
                continue  # older than the snapshot, which holds it
            self._replay(entry)
            last = max(last, seq)
            replayed += 1
        self._journal_seq = last
        self._snapshot_seq = snapshot_seq
        self._prune_seen(dt_util.utcnow().timestamp())
        _LOGGER.debug("Callback queue: %d items, %d journal lines replayed", len(self), replayed)
        self._unsub_final_write = self._hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_FINAL_WRITE, self._async_final_write
        )
        if replayed:
            self._mark_unsnapped()

    def _load_item(self, raw: Mapping[str, Any]) -> None:
        """Put a stored item; what was stored is its JSON (the next snapshot's, cached)."""
        item = CallbackItem.from_json(raw)
        self._put(item)
        if raw.keys() == ITEM_KEYS:  # written by to_json: the same again
            self._json[item.uid] = dict(raw)

    def _replay(self, entry: Mapping[str, Any]) -> None:
        for raw in entry["items"]:
            self._load_item(raw)
        for uid in entry["removed"]:
            self._pop(uid)
        history = self.history
        for kind, number, iso in entry["history"]:
            at = dt_util.parse_datetime(iso)
            if at is None or kind not in ("call", "text"):
                continue
            table = history.calls if kind == "call" else history.texts
            if at in table.get(number, ()):
                continue  # already in the snapshot: a text counts once toward the cap
            (note_call if kind == "call" else note_text)(history, number, at)
        seen = entry.get("seen")
        for pair in seen if isinstance(seen, list) else ():
            if isinstance(pair, list) and len(pair) == 2:
                self._load_seen(*pair)
        self._load_step_key(entry.get("step_key"))

    def _load_seen(self, call_id: Any, record: Any) -> None:
        """Remember a stored call id; anything malformed is left out."""
        if (
            isinstance(call_id, str)
            and isinstance(record, dict)
            and isinstance(record.get("at"), (int, float))
        ):
            self._seen_calls[call_id] = record

    def _load_step_key(self, stored: Any) -> None:
        """Keep the stored step key (base64), when there is a well-formed one."""
        if not isinstance(stored, str):
            return
        try:
            key = base64.b64decode(stored, validate=True)
        except ValueError:
            return
        if len(key) == STEP_KEY_BYTES:
            self._step_key = key

    async def _async_final_write(self, _event: Event) -> None:
        self._unsub_final_write = None
        await self.async_flush()

    async def async_remove_storage(self) -> None:
        """Delete the stored queue and its journal (the entry was removed)."""
        self._cancel_timers()
        if self._unsub_final_write is not None:
            self._unsub_final_write()
            self._unsub_final_write = None
        await self._store.async_remove()
        async with self._journal_lock:
            await self._hass.async_add_executor_job(remove_journal, self._journal_path)

    async def async_commit(self) -> None:
        """Return once every change made before this call is on disk.

        Callers waiting at the same time share one write; a change made while a write
        is under way is in the next one. The write is one journal line with only what
        changed, so its cost does not grow with the queue.
        """
        if self._commit is None:
            self._commit = self._hass.async_create_task(
                self._async_write(), f"{DOMAIN} callbacks save", eager_start=False
            )
        await asyncio.shield(self._commit)

    async def _async_write(self) -> None:
        self._commit = None  # changes from now on join the next write
        line = self._build_line()
        # Also with nothing new: the lock makes this wait for a line in flight that
        # holds this caller's change.
        async with self._journal_lock:
            if line is not None:
                try:
                    await self._hass.async_add_executor_job(
                        append_line, self._journal_path, line.data
                    )
                except BaseException:
                    self._requeue(line)
                    raise
        if self._journal_seq - self._snapshot_seq > SNAPSHOT_LINES:
            self._start_snapshot()

    def _build_line(self) -> _Line | None:
        """Build the next journal line: its content is fixed when its number is assigned."""
        if self._journal_timer is not None:
            self._journal_timer()
            self._journal_timer = None
        if not (
            self._pending_uids or self._pending_history or self._pending_seen or self._pending_key
        ):
            return None
        uids, history, seen = self._pending_uids, self._pending_history, self._pending_seen
        step_key = self._pending_key
        self._pending_uids, self._pending_history, self._pending_seen = set(), [], []
        self._pending_key = False
        self._journal_seq += 1
        order = self._seq
        # In the order the items came, so a replay keeps the order of equal first calls.
        present = sorted((uid for uid in uids if uid in order), key=order.__getitem__)
        content: dict[str, Any] = {
            "seq": self._journal_seq,
            "items": [self._item_json(uid) for uid in present],
            "removed": [uid for uid in uids if uid not in order],
            "history": history,
        }
        if seen:
            content["seen"] = seen
        if step_key and self._step_key is not None:
            content["step_key"] = base64.b64encode(self._step_key).decode("ascii")
        data = json_bytes(content)
        return _Line(self._journal_seq, data + b"\n", uids, history, seen, step_key)

    def _requeue(self, line: _Line) -> None:
        """Put the changes of a line that did not reach the disk into the next one."""
        self._pending_uids |= line.uids
        self._pending_history[:0] = line.history
        self._pending_seen[:0] = line.seen
        self._pending_key = self._pending_key or line.step_key
        self._schedule_journal()

    @callback
    def _schedule_journal(self) -> None:
        """Journal pending changes at most SAVE_DELAY from now, if no caller commits."""
        if self._journal_timer is None:
            self._journal_timer = async_call_later(self._hass, SAVE_DELAY, self._journal_due)

    @callback
    def _journal_due(self, _now: datetime) -> None:
        self._journal_timer = None
        self._hass.async_create_task(
            self._async_commit_logged(), f"{DOMAIN} callbacks journal", eager_start=False
        )

    async def _async_commit_logged(self) -> None:
        try:
            await self.async_commit()
        except Exception as err:  # a background write: logged, its changes kept
            _LOGGER.error("Could not save the callback queue (%s)", type(err).__name__)
            _LOGGER.debug("Callback queue save failure", exc_info=True)

    @callback
    def _mark_unsnapped(self) -> None:
        """Note a change not in any snapshot yet: one is due at most SNAPSHOT_DELAY from now."""
        if self._unsnapped_since is None:
            self._unsnapped_since = time.monotonic()
        self._schedule_snapshot()

    @callback
    def _schedule_snapshot(self) -> None:
        if self._snapshot_timer is not None or self._unsnapped_since is None:
            return
        delay = max(0.0, self._unsnapped_since + SNAPSHOT_DELAY - time.monotonic())
        self._snapshot_timer = async_call_later(self._hass, delay, self._snapshot_due)

    @callback
    def _snapshot_due(self, _now: datetime) -> None:
        self._snapshot_timer = None
        self._start_snapshot()

    @callback
    def _start_snapshot(self) -> None:
        if self._snapshot_task is None:
            self._snapshot_task = self._hass.async_create_task(
                self._async_snapshot_logged(), f"{DOMAIN} callbacks snapshot", eager_start=False
            )

    async def _async_snapshot_logged(self) -> None:
        try:
            await self.async_snapshot()
        except Exception as err:  # retried at the next due time
            _LOGGER.error("Could not save the callback queue (%s)", type(err).__name__)
            _LOGGER.debug("Callback queue snapshot failure", exc_info=True)
        finally:
            self._snapshot_task = None
        self._schedule_snapshot()  # changes made meanwhile (or a failed one)

    async def async_snapshot(self) -> None:
        """Write the whole queue to the Store, then drop the journal lines it holds."""
        if self._snapshot_timer is not None:
            self._snapshot_timer()
            self._snapshot_timer = None
        # Built in the loop: every change so far, and the last sequence number assigned.
        seq = self._journal_seq
        unsnapped_since, self._unsnapped_since = self._unsnapped_since, None
        try:
            await self._store.async_save(self._data())
        except BaseException:
            if self._unsnapped_since is None:
                self._unsnapped_since = unsnapped_since or time.monotonic()
            raise
        self._snapshot_seq = max(self._snapshot_seq, seq)
        async with self._journal_lock:
            kept = await self._hass.async_add_executor_job(
                rewrite_journal, self._journal_path, self._snapshot_seq
            )
        _LOGGER.debug("Callback queue snapshot at %d; %d journal lines kept", seq, kept)

    async def async_flush(self) -> None:
        """Write everything now (on unload and stop): a snapshot, an empty journal."""
        if self._unsub_final_write is not None:  # unloaded: a stale queue writes nothing
            self._unsub_final_write()
            self._unsub_final_write = None
        self._cancel_timers()
        if self._commit is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._commit)
        if self._snapshot_task is not None:
            await asyncio.shield(self._snapshot_task)
        await self.async_snapshot()
        self._cancel_timers()

    def _cancel_timers(self) -> None:
        for timer in (self._journal_timer, self._snapshot_timer):
            if timer is not None:
                timer()
        self._journal_timer = self._snapshot_timer = None

    def _data(self) -> dict[str, Any]:
        data = {
            "items": [self._item_json(uid) for uid in self._items],
            "history": history_to_json(self.history),
            "journal_seq": self._journal_seq,
            # The records are never changed once made (a change replaces one).
            "seen_calls": dict(self._seen_calls),
        }
        if self._step_key is not None:
            data["step_key"] = base64.b64encode(self._step_key).decode("ascii")
        return data

    def _item_json(self, uid: str) -> dict[str, Any]:
        """Return the stored form of an item, cached until it changes (never mutated)."""
        data = self._json.get(uid)
        if data is None:
            data = self._json[uid] = self._items[uid].to_json()
        return data

    def _prune_seen(self, now: float) -> None:
        """Forget call ids past SEEN_KEEP, and the oldest past SEEN_MAX (O(1) each)."""
        seen = self._seen_calls
        while len(seen) > SEEN_MAX:
            seen.popitem(last=False)
        oldest = now - SEEN_KEEP.total_seconds()
        while seen and next(iter(seen.values()))["at"] < oldest:
            seen.popitem(last=False)
