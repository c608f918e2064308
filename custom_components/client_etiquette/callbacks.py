"""The callback queue and the recent call/text history, persisted with a versioned Store.

One item per client waiting for a call back (unknown callers: one per number); repeat
calls merge into it. The todo entity shows the items; the reminders read them.

Every change is O(log n) bookkeeping plus a memmove: the queue keeps its order
(oldest call first) as it changes, finds an item by key or call id through dict
indexes, and tells its listeners which items changed, so none of them has to walk
the whole queue on each change.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left, insort
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from itertools import count
from typing import Any
from uuid import uuid4

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .screening import History

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1
SAVE_DELAY = 0.5
# Calls and texts older than this are forgotten (longer than any cooldown one can set).
HISTORY_KEEP = timedelta(days=8)

# Told the uids of the items that were added, changed or removed.
type QueueListener = Callable[[Collection[str]], None]

# "Call back Anna": the to-do item's summary and the reminder's title.
CALL_BACK = {"en": "Call back {name}", "ru": "Перезвонить: {name}", "pl": "Oddzwoń: {name}"}


def ui_language(language: str) -> str:
    """Home Assistant's language ("pl", "en-GB") as one we have wording in; else "en"."""
    base = language.split("-", maxsplit=1)[0]
    return base if base in CALL_BACK else "en"


@dataclass(slots=True)
class CallbackItem:
    """A client (or unknown caller) waiting for a call back."""

    uid: str
    key: str
    name: str
    number: str
    client_id: str | None
    language: str
    reasons: list[str]
    calls: int
    first_call: datetime
    last_call: datetime
    promised_at: datetime | None
    text: str | None = None
    text_status: str = "not_sent"
    recording_url: str | None = None
    transcription: str | None = None
    due_fired: bool = False
    overdue_fired: bool = False
    call_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The item as stored (what ``dataclasses.asdict`` gives, without its deep copy).

        A save serialises every item in the event loop, so this stays cheap.
        """
        data = {name: getattr(self, name) for name in _ITEM_FIELDS}
        data["reasons"] = list(self.reasons)
        data["call_ids"] = list(self.call_ids)
        for key in ("first_call", "last_call", "promised_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallbackItem:
        """An item from storage."""
        values = dict(data)
        for key in ("first_call", "last_call", "promised_at"):
            values[key] = dt_util.parse_datetime(values[key]) if values.get(key) else None
        return cls(**values)


_ITEM_FIELDS = tuple(item_field.name for item_field in fields(CallbackItem))


def _history_to_json(history: History) -> dict[str, Any]:
    return {
        kind: {number: [at.isoformat() for at in times] for number, times in table.items()}
        for kind, table in (("calls", history.calls), ("texts", history.texts))
    }


def _history_from_json(data: Mapping[str, Any]) -> History:
    tables: dict[str, dict[str, tuple[datetime, ...]]] = {}
    for kind in ("calls", "texts"):
        table = data.get(kind, {})
        tables[kind] = {
            number: tuple(
                moment for moment in map(dt_util.parse_datetime, times) if moment is not None
            )
            for number, times in table.items()
        }
    return History(calls=tables["calls"], texts=tables["texts"])


class CallbackStore(Store[dict[str, Any]]):
    """The queue's Store; migrations go here when the format changes."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        """Version 1.x is the first format: nothing to migrate yet."""
        old_data.setdefault("items", [])
        old_data.setdefault("history", {})
        return old_data


class CallbackQueue:
    """The callbacks and the call/text history of one entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Open the entry's store (load with async_load)."""
        self._store = CallbackStore(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry_id}.callbacks",
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._items: dict[str, CallbackItem] = {}
        self._by_key: dict[str, str] = {}
        self._by_call: dict[str, str] = {}
        # (first_call, insertion number, uid), sorted: the order of ``items``; the
        # insertion number keeps items with the same first call in the order they came.
        self._order: list[tuple[datetime, int, str]] = []
        self._seq: dict[str, int] = {}
        self._counter = count()
        self._sorted: list[CallbackItem] | None = None
        self.history = History()
        self._listeners: list[QueueListener] = []
        self._hass = hass
        self._commit: asyncio.Task[None] | None = None

    async def async_load(self) -> None:
        """Read the stored queue and history."""
        data = await self._store.async_load() or {}
        for raw in data.get("items", []):
            self._put(CallbackItem.from_json(raw))
        self.history = _history_from_json(data.get("history", {}))

    async def async_remove_storage(self) -> None:
        """Delete the stored queue (the entry was removed)."""
        await self._store.async_remove()

    async def async_commit(self) -> None:
        """Return once every change made before this call is on disk.

        Callers waiting at the same time share one write; a change made while a write
        is under way is in the next one. (``async_delay_save`` alone is a debounce:
        during a steady burst it would write nothing until the burst ends.)
        """
        if self._commit is None:
            self._commit = self._hass.async_create_task(
                self._async_write(), f"{DOMAIN} callbacks save", eager_start=False
            )
        await asyncio.shield(self._commit)

    async def _async_write(self) -> None:
        self._commit = None  # changes from now on join the next write
        await self._store.async_save(self._data())

    async def async_flush(self) -> None:
        """Write pending changes now (on unload)."""
        await self._store.async_save(self._data())

    def _data(self) -> dict[str, Any]:
        return {
            "items": [item.to_json() for item in self._items.values()],
            "history": _history_to_json(self.history),
        }

    def _put(self, item: CallbackItem) -> None:
        """Add or replace an item, keeping the order and the indexes."""
        uid = item.uid
        old = self._items.get(uid)
        if old is None:
            seq = self._seq[uid] = next(self._counter)
            insort(self._order, (item.first_call, seq, uid))
        else:
            self._unindex(old)
            if old.first_call != item.first_call:
                seq = self._seq[uid]
                del self._order[bisect_left(self._order, (old.first_call, seq, uid))]
                insort(self._order, (item.first_call, seq, uid))
        self._items[uid] = item
        self._by_key[item.key] = uid
        for call_id in item.call_ids:
            self._by_call[call_id] = uid
        self._sorted = None

    def _pop(self, uid: str) -> CallbackItem | None:
        item = self._items.pop(uid, None)
        if item is None:
            return None
        self._unindex(item)
        seq = self._seq.pop(uid)
        del self._order[bisect_left(self._order, (item.first_call, seq, uid))]
        self._sorted = None
        return item

    def _unindex(self, item: CallbackItem) -> None:
        if self._by_key.get(item.key) == item.uid:
            del self._by_key[item.key]
        for call_id in item.call_ids:
            if self._by_call.get(call_id) == item.uid:
                del self._by_call[call_id]

    @callback
    def _changed(self, uids: Collection[str]) -> None:
        self._store.async_delay_save(self._data, SAVE_DELAY)
        for listener in list(self._listeners):
            listener(uids)

    @callback
    def async_add_listener(self, listener: QueueListener) -> CALLBACK_TYPE:
        """Call ``listener`` with the changed uids after every change; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @property
    def items(self) -> list[CallbackItem]:
        """Waiting callbacks, oldest call first."""
        if self._sorted is None:
            items = self._items
            self._sorted = [items[uid] for _, _, uid in self._order]
        return list(self._sorted)

    def __len__(self) -> int:
        """How many callbacks wait."""
        return len(self._items)

    def get(self, uid: str) -> CallbackItem | None:
        """The item with this uid."""
        return self._items.get(uid)

    def find(self, key: str) -> CallbackItem | None:
        """The item of a client id or number."""
        uid = self._by_key.get(key)
        return self._items.get(uid) if uid is not None else None

    def find_call(self, call_id: str) -> CallbackItem | None:
        """The item one of whose last calls had this call id."""
        uid = self._by_call.get(call_id)
        return self._items.get(uid) if uid is not None else None

    @callback
    def async_set_history(self, history: History) -> None:
        """Keep the new history (saved with the next change)."""
        self.history = history
        self._store.async_delay_save(self._data, SAVE_DELAY)

    @callback
    def async_add_call(self, item: CallbackItem, call_id: str | None) -> CallbackItem:
        """Queue a callback, or merge a repeat call into the waiting one."""
        existing = self.find(item.key)
        if existing is not None:
            merged = replace(
                existing,
                name=item.name,
                number=item.number,
                reasons=list(dict.fromkeys([*item.reasons, *existing.reasons])),
                calls=existing.calls + 1,
                last_call=item.last_call,
                promised_at=item.promised_at or existing.promised_at,
                text=item.text or existing.text,
                text_status=item.text_status
                if item.text_status != "not_sent"
                else existing.text_status,
                overdue_fired=existing.overdue_fired and item.promised_at is None,
                due_fired=False,
            )
            item = merged
        if call_id:
            item.call_ids = [*item.call_ids, call_id][-20:]
        self._put(item)
        self._changed((item.uid,))
        return item

    @callback
    def async_update(self, uid: str, **changes: Any) -> CallbackItem | None:
        """Change fields of an item (text status, recording, reminders fired)."""
        item = self._items.get(uid)
        if item is None:
            return None
        updated = replace(item, **changes)
        self._put(updated)
        self._changed((uid,))
        return updated

    @callback
    def async_update_many(self, changes: Mapping[str, Mapping[str, Any]]) -> list[CallbackItem]:
        """Change fields of several items as one change (one save, listeners told once)."""
        updated: list[CallbackItem] = []
        for uid, item_changes in changes.items():
            item = self._items.get(uid)
            if item is not None:
                updated.append(replace(item, **item_changes))
                self._put(updated[-1])
        if updated:
            self._changed([item.uid for item in updated])
        return updated

    @callback
    def async_remove_items(self, uids: Iterable[str]) -> None:
        """Clear items (the callback was made or the user deleted them)."""
        removed = [uid for uid in uids if self._pop(uid) is not None]
        self._changed(removed)


def new_uid() -> str:
    """A fresh item uid."""
    return uuid4().hex
