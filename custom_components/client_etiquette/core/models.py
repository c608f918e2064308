"""Plain data passed between the Home Assistant glue and the pure decision modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo

from ..const import Mode, Reason


@dataclass(frozen=True, slots=True)
class Evidence:
    """One configured source that currently says the freelancer is not ready.

    ``until`` is when the source itself says it will end (a calendar event's end,
    a schedule's next change), or None when nobody knows.
    """

    reason: Reason
    source: str
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class WorkHours:
    """Recurring opening hours in one time zone.

    ``start``/``end`` None means the whole day. ``start`` later than ``end`` is a
    window that runs past midnight and belongs to the day it starts on. ``days``
    holds weekday numbers (Monday is 0).
    """

    tz: tzinfo
    days: frozenset[int]
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the readiness decision needs, read from Home Assistant at one moment."""

    evidence: tuple[Evidence, ...] = ()
    unavailable_sources: tuple[str, ...] = ()
    # True/False: own-car evidence present/absent; None: no usable car source
    # (none configured, or all unavailable), so motion counts as driving.
    in_own_car: bool | None = None
    work_hours: WorkHours | None = None
    # The workday sensor's verdict for today; None when not configured or unavailable.
    workday_today: bool | None = None
    mode: Mode = Mode.AUTO
    busy_until: datetime | None = None
    busy_reason: Reason = Reason.MANUAL


@dataclass(frozen=True, slots=True)
class Readiness:
    """Whether the freelancer can take a client call now, why not, and until when."""

    ready: bool
    reasons: tuple[Reason, ...] = ()
    ready_again_at: datetime | None = None
    unavailable_sources: tuple[str, ...] = ()
    passenger: bool = False
    # The next moment the verdict may change with no state change (a known edge).
    next_change: datetime | None = None
    sources: dict[Reason, tuple[str, ...]] = field(default_factory=dict)

    @property
    def primary(self) -> Reason | None:
        """The most important active reason, or None when ready."""
        return self.reasons[0] if self.reasons else None
