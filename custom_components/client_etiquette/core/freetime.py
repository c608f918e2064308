"""Find the next free time in the calendars: meetings about to start and free gaps.

Pure: calendar events across every configured calendar in, the first free gap of at
least ``min_gap`` (and the meeting about to start) out. No Home Assistant imports.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

DEFAULT_MEETING_SOON_MINUTES: Final = 10
DEFAULT_MIN_FREE_MINUTES: Final = 15
# How far ahead the calendars are read.
LOOKAHEAD: Final = timedelta(hours=24)
# Free time and opening hours are settled against each other at most this many times.
_MAX_SETTLE_STEPS: Final = 64


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event a calendar returned; ``start`` and ``end`` are aware datetimes.

    ``all_day`` and ``transparent`` (shown as free) events never count as busy.
    ``calendar`` is the calendar it came from.
    """

    start: datetime
    end: datetime
    summary: str = ""
    description: str = ""
    location: str = ""
    all_day: bool = False
    transparent: bool = False
    calendar: str = ""


@dataclass(frozen=True, slots=True)
class Agenda:
    """The counted events of every calendar, and the busy spans they make.

    ``events`` are sorted by start (``starts``, in UTC); ``spans`` are the events
    merged where they overlap or touch, in UTC, sorted (``ends``: their ends).
    ``edges`` are the moments the verdict may change with no state change: every
    start and end, and ``soon`` before every start. ``soon`` is how long before a
    start the meeting counts as about to start (zero: never); ``min_gap`` the
    shortest free time worth promising. ``memo`` caches what the readiness decision
    derived from it, so that a source change between two edges reads it at no cost.
    """

    events: tuple[CalendarEvent, ...]
    spans: tuple[tuple[datetime, datetime], ...]
    ends: tuple[datetime, ...]
    starts: tuple[datetime, ...]
    edges: tuple[datetime, ...]
    soon: timedelta
    min_gap: timedelta
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def counts(event: CalendarEvent, keywords: Sequence[str]) -> bool:
    """Say whether an event makes the freelancer busy.

    All-day and free (transparent) events never count, nor do events without a
    duration. With keywords (already in lower case), only events whose title,
    description or location holds one count.
    """
    if event.all_day or event.transparent or event.end <= event.start:
        return False
    if not keywords:
        return True
    text = f"{event.summary} {event.description} {event.location}".casefold()
    return any(word in text for word in keywords)


def build_agenda(
    events: Iterable[CalendarEvent],
    keywords: Sequence[str],
    *,
    soon: timedelta,
    min_gap: timedelta,
) -> Agenda | None:
    """Keep the counted events and merge them into busy spans; None when none counts."""
    counted = sorted(
        (event for event in events if counts(event, keywords)),
        key=lambda event: (_utc(event.start), _utc(event.end)),
    )
    if not counted:
        return None
    spans = merge((_utc(event.start), _utc(event.end)) for event in counted)
    starts = tuple(_utc(event.start) for event in counted)
    edges = {*starts, *(_utc(event.end) for event in counted)}
    if soon:
        edges.update(start - soon for start in starts)
    return Agenda(
        events=tuple(counted),
        spans=spans,
        ends=tuple(end for _, end in spans),
        starts=starts,
        edges=tuple(sorted(edges)),
        soon=soon,
        min_gap=min_gap,
    )


def merge(
    intervals: Iterable[tuple[datetime, datetime]],
) -> tuple[tuple[datetime, datetime], ...]:
    """Merge intervals that overlap or touch; the result is sorted and disjoint."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def next_free(agenda: Agenda | None, moment: datetime) -> datetime:
    """Return the first moment at or after ``moment`` that starts a free gap of ``min_gap``.

    A gap between two meetings shorter than ``min_gap`` is skipped: the answer
    is never inside a counted event, and no counted event starts within
    ``min_gap`` after it (as far as the calendars were read).
    """
    if agenda is None:
        return moment
    spans, found = agenda.spans, _utc(moment)
    index = bisect_right(agenda.ends, found)
    while index < len(spans):
        start, end = spans[index]
        if start > found and start - found >= agenda.min_gap:
            break
        found = max(found, end)
        index += 1
    return moment if found == _utc(moment) else found.astimezone(moment.tzinfo)


def about_to_start(agenda: Agenda | None, now: datetime) -> CalendarEvent | None:
    """Return the first counted event that starts after ``now`` within ``soon``, if any."""
    if agenda is None or not agenda.soon:
        return None
    index = bisect_right(agenda.starts, _utc(now))
    if index == len(agenda.starts) or agenda.starts[index] - _utc(now) > agenda.soon:
        return None
    return agenda.events[index]


def in_progress(agenda: Agenda | None, now: datetime) -> tuple[CalendarEvent, ...]:
    """Return the counted events in progress at ``now``.

    The calendar entity's state shows one event only (an all-day one can hide the
    meetings of the day); the look-ahead sees them all.
    """
    if agenda is None:
        return ()
    moment = _utc(now)
    index = bisect_right(agenda.ends, moment)
    if index == len(agenda.spans) or agenda.spans[index][0] > moment:
        return ()
    started = bisect_right(agenda.starts, moment)
    return tuple(event for event in agenda.events[:started] if _utc(event.end) > moment)


def window(agenda: Agenda, now: datetime) -> tuple[datetime | None, datetime | None]:
    """Return the edges around ``now``: the last at or before it and the next after it."""
    edges = agenda.edges
    index = bisect_right(edges, _utc(now))
    return (
        edges[index - 1] if index else None,
        edges[index] if index < len(edges) else None,
    )


def next_edge(agenda: Agenda | None, now: datetime) -> datetime | None:
    """Return the next start or end of a counted event, or of its "about to start" window."""
    if agenda is None:
        return None
    index = bisect_right(agenda.edges, _utc(now))
    return agenda.edges[index] if index < len(agenda.edges) else None


def settle(
    agenda: Agenda | None,
    moment: datetime,
    opening: Callable[[datetime], datetime | None] | None = None,
) -> datetime | None:
    """Return the first moment at or after ``moment`` that is free and open.

    ``opening`` gives the next opening of some hours (business or contact hours)
    at or after a moment, None when they never open. Free time and opening hours
    are tried in turn until both agree; None when they never do (after 64 tries).
    """
    free = next_free(agenda, moment)
    if opening is None:
        return free
    for _ in range(_MAX_SETTLE_STEPS):
        found = opening(free)
        if found is None:
            return None
        free = next_free(agenda, found)
        if _utc(free) == _utc(found):
            return found
    return None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
