"""The callback queue's Store (its snapshot) and the snapshot's migrations."""

from __future__ import annotations

import inspect
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from ..const import DOMAIN

STORAGE_VERSION = 1
# 1.2: the snapshot records "journal_seq" (1.1 had none: every journal line is newer).
# 1.3: "seen_calls" (the call ids answered) and "step_key"; journal lines may carry
# "seen" and "step_key" (older lines have neither, and older code ignores them).
STORAGE_MINOR_VERSION = 3

# JSON of a snapshot in the executor: its data is fresh lists of cached dicts that
# nothing changes afterwards. Newer Home Assistant serializes in the event loop unless
# told otherwise; before that option existed (2025.9 and others) it always used the
# executor, and the option is unknown.
_IN_EXECUTOR: Final[dict[str, Any]] = (
    {"serialize_in_event_loop": False}
    if "serialize_in_event_loop" in inspect.signature(Store.__init__).parameters
    else {}
)


def storage_key(entry_id: str) -> str:
    """Return the Store key of an entry's queue (its journal's file name starts with it)."""
    return f"{DOMAIN}.{entry_id}.callbacks"


class CallbackStore(Store[dict[str, Any]]):
    """The queue's Store (the snapshot); migrations go here when the format changes."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        """1.1 had no journal: its snapshot is older than every journal line (seq 0).

        1.2 and older remembered no call ids and had no step key (made on first use).
        """
        old_data.setdefault("items", [])
        old_data.setdefault("history", {})
        old_data.setdefault("journal_seq", 0)
        old_data.setdefault("seen_calls", {})
        return old_data


def callback_store(hass: HomeAssistant, entry_id: str) -> CallbackStore:
    """Open the Store of an entry's queue."""
    return CallbackStore(
        hass,
        STORAGE_VERSION,
        storage_key(entry_id),
        minor_version=STORAGE_MINOR_VERSION,
        atomic_writes=True,  # fsynced: the journal is cut only once it is on disk
        **_IN_EXECUTOR,
    )
