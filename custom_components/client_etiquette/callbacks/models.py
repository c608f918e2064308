"""A waiting callback and the call/text history, and their stored (JSON) forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from homeassistant.util import dt as dt_util

from ..core.screening import History

# Calls and texts older than this are forgotten (longer than any cooldown one can set).
HISTORY_KEEP = timedelta(days=8)


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
    # The client's last text back (callbacks/replies.py), when it came, whether it says
    # it is urgent, and the time it names as written ("jutro o 10").
    reply: str | None = None
    reply_at: datetime | None = None
    reply_urgent: bool = False
    reply_time: str | None = None
    # An urgent reply's alert waits for driving to end (kept across a restart).
    reply_alert: bool = False
    # The voice menu (issue #18): the caller pressed 1 ("it's urgent"), and what they
    # said the call is about (the provider's speech result).
    urgent: bool = False
    reason_text: str | None = None
    # The voicemail as the chosen speech-to-text entity heard it; True once it failed.
    transcript: str | None = None
    transcript_failed: bool = False
    # The client was texted once that the promised time can't be kept (#18).
    followed_up: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the item as stored (what ``dataclasses.asdict`` gives, without its deep copy).

        A save serialises every item in the event loop, so this stays cheap.
        """
        data = {name: getattr(self, name) for name in _ITEM_FIELDS}
        data["reasons"] = list(self.reasons)
        data["call_ids"] = list(self.call_ids)
        for key in _TIME_FIELDS:
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallbackItem:
        """Make an item from storage."""
        values = dict(data)
        for key in _TIME_FIELDS:
            values[key] = dt_util.parse_datetime(values[key]) if values.get(key) else None
        return cls(**values)


_TIME_FIELDS = ("first_call", "last_call", "promised_at", "reply_at")
_ITEM_FIELDS = tuple(item_field.name for item_field in fields(CallbackItem))
# The keys of an item as to_json stores it.
ITEM_KEYS = frozenset(_ITEM_FIELDS)


def new_uid() -> str:
    """Make a fresh item uid."""
    return uuid4().hex


def history_to_json(history: History) -> dict[str, Any]:
    """Return the history as stored: ISO times per number, for calls and for texts."""
    return {
        kind: {number: [at.isoformat() for at in times] for number, times in table.items()}
        for kind, table in (("calls", history.calls), ("texts", history.texts))
    }


def history_from_json(data: Mapping[str, Any]) -> History:
    """Read the history from its stored form (times that don't parse are left out)."""
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
