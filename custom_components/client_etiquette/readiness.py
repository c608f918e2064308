"""Pure readiness decision: a Snapshot of the signals and the time in, a Readiness out.

No Home Assistant imports; everything time-dependent takes ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from . import hours
from .const import REASON_PRIORITY, Mode, Reason
from .models import Evidence, Readiness, Snapshot


def evaluate(snapshot: Snapshot, now: datetime) -> Readiness:
    """Decide whether a client call can be taken at ``now``."""
    busy = _busy_active(snapshot, now)
    if snapshot.mode is Mode.AVAILABLE:
        return Readiness(
            ready=True,
            unavailable_sources=snapshot.unavailable_sources,
            next_change=None,
        )
    evidence, passenger = _effective_evidence(snapshot)
    after_hours = snapshot.work_hours is not None and not hours.is_open(
        snapshot.work_hours, now, snapshot.workday_today
    )
    sources = _sources_by_reason(evidence)
    if after_hours:
        sources.setdefault(Reason.AFTER_HOURS, ())
    if busy:
        sources.setdefault(snapshot.busy_reason, ())
    reasons = tuple(reason for reason in REASON_PRIORITY if reason in sources)
    return Readiness(
        ready=not reasons,
        reasons=reasons,
        ready_again_at=_ready_again(snapshot, evidence, busy, now) if reasons else None,
        unavailable_sources=snapshot.unavailable_sources,
        passenger=passenger,
        next_change=_next_change(snapshot, evidence, busy, now),
        sources={reason: sources[reason] for reason in reasons},
    )


def _busy_active(snapshot: Snapshot, now: datetime) -> bool:
    """Busy mode holds until its end; a snooze that has ended no longer counts."""
    if snapshot.mode is not Mode.BUSY:
        return False
    return snapshot.busy_until is None or _later(snapshot.busy_until, now)


def _later(moment: datetime, now: datetime) -> bool:
    """Compare as instants: same-zone datetimes compare by wall clock in Python."""
    return moment.astimezone(UTC) > now.astimezone(UTC)


def _instant(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _effective_evidence(snapshot: Snapshot) -> tuple[list[Evidence], bool]:
    """Drop motion that is not driving: moving without own-car evidence is a passenger."""
    moving = any(item.reason is Reason.DRIVING for item in snapshot.evidence)
    passenger = moving and snapshot.in_own_car is False
    if not passenger:
        return list(snapshot.evidence), False
    return [item for item in snapshot.evidence if item.reason is not Reason.DRIVING], True


def _sources_by_reason(evidence: Iterable[Evidence]) -> dict[Reason, tuple[str, ...]]:
    grouped: dict[Reason, list[str]] = {}
    for item in evidence:
        grouped.setdefault(item.reason, []).append(item.source)
    return {reason: tuple(dict.fromkeys(names)) for reason, names in grouped.items()}


def _ready_again(
    snapshot: Snapshot, evidence: list[Evidence], busy: bool, now: datetime
) -> datetime | None:
    """When every active reason is expected to be over, or None when that is unknown.

    Reasons with known ends (calendar events, a schedule's next change, a snooze)
    are waited out first; then business hours push the time to the next opening.
    """
    ends: list[datetime | None] = [item.until for item in evidence]
    if busy:
        ends.append(snapshot.busy_until)
    if any(end is None for end in ends):
        return None
    moment = max([now, *(end for end in ends if end is not None)], key=_instant)
    if snapshot.work_hours is None:
        return moment
    return hours.next_open(snapshot.work_hours, moment, snapshot.workday_today, now=now)


def _next_change(
    snapshot: Snapshot, evidence: list[Evidence], busy: bool, now: datetime
) -> datetime | None:
    """The earliest known future edge, so a timer can re-evaluate exactly then."""
    edges = [item.until for item in evidence if item.until is not None and _later(item.until, now)]
    if busy and snapshot.busy_until is not None:
        edges.append(snapshot.busy_until)
    if snapshot.work_hours is not None:
        edge = hours.next_edge(snapshot.work_hours, now, snapshot.workday_today)
        if edge is not None:
            edges.append(edge)
    return min(edges, key=_instant, default=None)
