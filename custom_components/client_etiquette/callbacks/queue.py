"""The callback queue, the recent call/text history and the call ids answered, persisted.

One item per client waiting for a call back (unknown callers: one per number); repeat
calls merge into it. The todo entity shows the items; the reminders read them.

The queue keeps its items in order (``index.QueueIndex``) and on disk
(``persistence.JournaledQueue``), and tells its listeners which items changed, so none
of them has to walk the whole queue on each change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
import secrets
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from ..core.screening import History, note_call, note_text
from .models import CallbackItem
from .persistence import STEP_KEY_BYTES, JournaledQueue

# Told the uids of the items that were added, changed or removed.
type QueueListener = Callable[[Collection[str]], None]


class CallbackQueue(JournaledQueue):
    """The callbacks and the call/text history of one entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Open the entry's store (load with async_load)."""
        super().__init__(hass, entry_id)
        self._listeners: list[QueueListener] = []

    @callback
    def _changed(self, uids: Collection[str]) -> None:
        if uids:
            self._pending_uids.update(uids)
            self._schedule_journal()
            self._mark_unsnapped()
        for listener in list(self._listeners):
            listener(uids)

    @callback
    def async_add_listener(self, listener: QueueListener) -> CALLBACK_TYPE:
        """Call ``listener`` with the changed uids after every change; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_set_history(self, history: History) -> None:
        """Keep a new history (a pruned one): it goes into the next snapshot.

        Journal lines replayed onto an older, unpruned snapshot bring back entries
        too old to matter; they are pruned again.
        """
        self.history = history
        self._mark_unsnapped()

    @callback
    def note_call(self, number: str, at: datetime) -> None:
        """Record a call in the history (journaled with the next commit)."""
        note_call(self.history, number, at)
        self._note("call", number, at)

    @callback
    def note_text(self, number: str, at: datetime) -> None:
        """Record a sent text in the history (journaled with the next commit)."""
        note_text(self.history, number, at)
        self._note("text", number, at)

    def _note(self, kind: str, number: str, at: datetime) -> None:
        self._pending_history.append((kind, number, at.isoformat()))
        self._schedule_journal()
        self._mark_unsnapped()

    def seen_call(self, call_id: str) -> Mapping[str, Any] | None:
        """Return what was answered to this call id (within SEEN_KEEP), else None."""
        return self._seen_calls.get(call_id)

    @property
    def seen_calls(self) -> int:
        """How many call ids are remembered."""
        return len(self._seen_calls)

    @callback
    def note_seen_call(self, call_id: str, record: dict[str, Any]) -> None:
        """Remember what was answered to a call id (``record["at"]``: POSIX seconds).

        Journaled with the next commit; the record must not be changed afterwards (a
        later change is a new record for the same id, which keeps its place).
        """
        self._seen_calls[call_id] = record
        self._pending_seen.append((call_id, record))
        self._prune_seen(record["at"])
        self._schedule_journal()
        self._mark_unsnapped()

    async def async_step_key(self) -> bytes:
        """Return the key that binds a Telnyx call's later steps to it; made and saved once."""
        if self._step_key is None:
            self._step_key = secrets.token_bytes(STEP_KEY_BYTES)
            self._pending_key = True
            self._mark_unsnapped()
            # On disk before any URL carries a tag made with it; a failed write is kept
            # for the next commit (the key works meanwhile, until a restart).
            await self._async_commit_logged()
        return self._step_key

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
