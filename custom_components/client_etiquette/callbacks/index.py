"""The waiting callbacks in memory: kept in order, found by key or call id.

Every change is O(log n) bookkeeping plus a memmove: the queue keeps its order
(oldest call first) as it changes, and finds an item by key or call id through dict
indexes.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from datetime import datetime
from itertools import count
from typing import Any

from .models import CallbackItem


class QueueIndex:
    """The items of a queue, oldest call first, with their indexes and stored forms."""

    def __init__(self) -> None:
        """Start empty."""
        self._items: dict[str, CallbackItem] = {}
        self._by_key: dict[str, str] = {}
        self._by_call: dict[str, str] = {}
        # (first_call, insertion number, uid), sorted: the order of ``items``; the
        # insertion number keeps items with the same first call in the order they came.
        self._order: list[tuple[datetime, int, str]] = []
        self._seq: dict[str, int] = {}
        self._counter = count()
        self._sorted: list[CallbackItem] | None = None
        # Each item's to_json(), dropped when the item changes: a snapshot of many
        # items costs the loop a list of cached dicts.
        self._json: dict[str, dict[str, Any]] = {}

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
        self._json.pop(uid, None)
        self._by_key[item.key] = uid
        for call_id in item.call_ids:
            self._by_call[call_id] = uid
        self._sorted = None

    def _pop(self, uid: str) -> CallbackItem | None:
        item = self._items.pop(uid, None)
        if item is None:
            return None
        self._json.pop(uid, None)
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
        """Return the item with this uid."""
        return self._items.get(uid)

    def find(self, key: str) -> CallbackItem | None:
        """Return the item of a client id or number."""
        uid = self._by_key.get(key)
        return self._items.get(uid) if uid is not None else None

    def find_call(self, call_id: str) -> CallbackItem | None:
        """Return the item one of whose last calls had this call id."""
        uid = self._by_call.get(call_id)
        return self._items.get(uid) if uid is not None else None
