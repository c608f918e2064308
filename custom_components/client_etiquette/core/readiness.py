"""Pure readiness decision: a Snapshot of the signals and the time in, a Readiness out.

No Home Assistant imports; everything time-dependent takes ``now``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from . import freetime, hours
from .models import REASON_PRIORITY, Evidence, Mode, Readiness, Reason, Snapshot

# Rank of each reason in the documented priority; reasons outside it are never listed.
_RANK = {reason: rank for rank, reason in enumerate(REASON_PRIORITY)}


def evaluate(snapshot: Snapshot, now: datetime) -> Readiness:
    """Decide whether a client call can be taken at ``now``.

    Runs on every source change, so the common cases (nothing active; a few pieces
    of evidence without known ends) take short paths with the same results.
    """
    if snapshot.mode is Mode.AVAILABLE:
        return Readiness(
            ready=True,
            unavailable_sources=snapshot.unavailable_sources,
            next_change=None,
        )
    busy = snapshot.mode is Mode.BUSY and _busy_active(snapshot, now)
    evidence, passenger = _effective_evidence(snapshot, now)
    agenda = snapshot.agenda
    agenda_edge: datetime | None = None
    if agenda is not None:
        found, agenda_edge = _agenda_evidence(agenda, now)
        if found:
            evidence = (*evidence, *found)
    work_hours = snapshot.work_hours
    after_hours = work_hours is not None and not hours.is_open(
        work_hours, now, snapshot.workday_today
    )
    if not evidence and not after_hours and not busy:
        next_change = (
            None if work_hours is None else hours.next_edge(work_hours, now, snapshot.workday_today)
        )
        if agenda_edge is not None:
            next_change = _earlier(next_change, agenda_edge)
        return Readiness(
            ready=True,
            unavailable_sources=snapshot.unavailable_sources,
            passenger=passenger,
            next_change=next_change,
        )
    sources = _sources_by_reason(evidence)
    if after_hours:
        sources.setdefault(Reason.AFTER_HOURS, ())
    if busy:
        sources.setdefault(snapshot.busy_reason, ())
    reasons = _in_priority(sources)
    return Readiness(
        ready=not reasons,
        reasons=reasons,
        ready_again_at=_ready_again(snapshot, evidence, busy, now) if reasons else None,
        unavailable_sources=snapshot.unavailable_sources,
        passenger=passenger,
        next_change=_next_change(snapshot, evidence, busy, now, agenda_edge),
        sources=(
            sources  # one ranked reason: already the mapping wanted
            if len(reasons) == 1 == len(sources)
            else {reason: sources[reason] for reason in reasons}
        ),
    )


def _in_priority(sources: dict[Reason, tuple[str, ...]]) -> tuple[Reason, ...]:
    """Return the reasons among ``sources``' keys that are ranked, in priority order."""
    if len(sources) == 1:  # the common case: one reason, no sorting
        (reason,) = sources
        return (reason,) if reason in _RANK else ()
    return tuple(sorted(_RANK.keys() & sources.keys(), key=_RANK.__getitem__))


def _agenda_evidence(
    agenda: freetime.Agenda, now: datetime
) -> tuple[tuple[Evidence, ...], datetime | None]:
    """Return the meetings in progress and the one about to start, and their next edge.

    Meetings count in any calendar; one about to start (rule E5) lasts until it ends.
    Nothing changes between two edges of the agenda, so the answer is kept until the next.
    """
    cached = agenda.memo.get("evidence")
    if cached is not None:
        since, until, found = cached
        if (since is None or since <= now) and (until is None or now < until):
            return found, until
    since, until = freetime.window(agenda, now)
    found = tuple(
        Evidence(Reason.IN_MEETING, event.calendar, event.end)
        for event in freetime.in_progress(agenda, now)
    )
    soon = freetime.about_to_start(agenda, now)
    if soon is not None:
        found = (*found, Evidence(Reason.MEETING_SOON, soon.calendar, soon.end))
    agenda.memo["evidence"] = (since, until, found)
    return found, until


def _earlier(first: datetime | None, second: datetime) -> datetime:
    """Return the earlier of two moments; None stands for no moment."""
    return second if first is None else min(first, second, key=_instant)


def _busy_active(snapshot: Snapshot, now: datetime) -> bool:
    """Busy mode (the caller checks the mode) holds until its end; an ended snooze does not."""
    return snapshot.busy_until is None or _later(snapshot.busy_until, now)


def _later(moment: datetime, now: datetime) -> bool:
    """Compare as instants: same-zone datetimes compare by wall clock in Python."""
    return moment.astimezone(UTC) > now.astimezone(UTC)


def _instant(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _effective_evidence(snapshot: Snapshot, now: datetime) -> tuple[tuple[Evidence, ...], bool]:
    """Drop held evidence that ran out, and motion that is not driving.

    Moving without own-car evidence is a passenger; a driving hold ends at once when
    own-car evidence ends (the car is parked).
    """
    evidence = snapshot.evidence
    for item in evidence:  # a plain loop: cheaper than any() on one or two items
        if item.held:
            evidence = tuple(
                item
                for item in evidence
                if not item.held or (item.until is not None and _later(item.until, now))
            )
            break
    if snapshot.in_own_car is not False or not evidence:
        return evidence, False
    driving = [item for item in evidence if item.reason is Reason.DRIVING]
    if not driving:
        return evidence, False
    passenger = any(not item.held for item in driving)
    return tuple(item for item in evidence if item.reason is not Reason.DRIVING), passenger


def _sources_by_reason(evidence: Sequence[Evidence]) -> dict[Reason, tuple[str, ...]]:
    if len(evidence) == 1:
        item = evidence[0]
        return {item.reason: (item.source,)}
    grouped: dict[Reason, list[str]] = {}
    for item in evidence:
        grouped.setdefault(item.reason, []).append(item.source)
    return {reason: tuple(dict.fromkeys(names)) for reason, names in grouped.items()}


def _ready_again(
    snapshot: Snapshot, evidence: Sequence[Evidence], busy: bool, now: datetime
) -> datetime | None:
    """When every active reason is expected to be over, or None when that is unknown.

    Reasons with known ends (calendar events, a schedule's next change, a snooze)
    are waited out first; then the calendars' look-ahead moves the time past
    back-to-back meetings to a free gap, and business hours to the next opening.
    """
    ends: list[datetime | None] = [item.until for item in evidence]
    if busy:
        ends.append(snapshot.busy_until)
    if None in ends:
        return None
    moment = max([now, *(end for end in ends if end is not None)], key=_instant)
    work_hours, agenda = snapshot.work_hours, snapshot.agenda
    if work_hours is None:
        return moment if agenda is None else _next_free(agenda, moment)
    if agenda is None:
        return hours.next_open(work_hours, moment, snapshot.workday_today, now=now)
    return freetime.settle(
        agenda,
        moment,
        lambda moment: hours.next_open(work_hours, moment, snapshot.workday_today, now=now),
    )


def _next_free(agenda: freetime.Agenda, moment: datetime) -> datetime:
    """Return the first free gap after ``moment``; kept for the same moment."""
    cached = agenda.memo.get("free")
    if cached is not None and cached[0] == moment:
        return cached[1]  # type: ignore[no-any-return]
    found = freetime.next_free(agenda, moment)
    agenda.memo["free"] = (moment, found)
    return found


def _next_change(
    snapshot: Snapshot,
    evidence: Sequence[Evidence],
    busy: bool,
    now: datetime,
    agenda_edge: datetime | None = None,
) -> datetime | None:
    """Return the earliest known future edge, so a timer can re-evaluate exactly then."""
    edges = [until for item in evidence if (until := item.until) is not None and _later(until, now)]
    if busy and snapshot.busy_until is not None:
        edges.append(snapshot.busy_until)
    if snapshot.work_hours is not None:
        edge = hours.next_edge(snapshot.work_hours, now, snapshot.workday_today)
        if edge is not None:
            edges.append(edge)
    if agenda_edge is not None:
        edges.append(agenda_edge)
    return min(edges, key=_instant, default=None)
