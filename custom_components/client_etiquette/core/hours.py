"""Pure opening-hours arithmetic: open now, next opening, next edge.

Works in the hours' own time zone, so windows across midnight and DST changes
behave as a wall clock does. No Home Assistant imports.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from .models import WorkHours

# How far ahead to look for the next opening: a week covers any weekday set.
_LOOKAHEAD_DAYS = 8


def _at(day: date, clock: time | None, hours: WorkHours) -> datetime:
    """Return the instant (UTC) of a wall-clock time on a day; gaps resolve forward."""
    local = datetime.combine(day, clock or time(0), tzinfo=hours.tz)
    return local.astimezone(UTC)


def _window(day: date, hours: WorkHours) -> tuple[datetime, datetime] | None:
    """Return the window that starts on ``day``, or None when a DST gap swallows it.

    No start means from midnight; no end means to the next midnight; an end at
    or before the start means the window runs past midnight.
    """
    start = _at(day, hours.start, hours)
    overnight = hours.start is not None and hours.end is not None and hours.end <= hours.start
    if hours.end is None or overnight:
        end = _at(day + timedelta(days=1), hours.end, hours)
    else:
        end = _at(day, hours.end, hours)
    if end <= start:
        return None
    return start, end


def _day_allowed(day: date, today: date, hours: WorkHours, workday_today: bool | None) -> bool:
    if day == today and workday_today is not None:
        return workday_today
    return day.weekday() in hours.days


def windows(
    hours: WorkHours,
    around: datetime,
    workday_today: bool | None = None,
    *,
    today: date | None = None,
) -> list[tuple[datetime, datetime]]:
    """Return opening windows (UTC) from the day before ``around`` to a week after.

    ``workday_today`` overrides the weekday rule for ``today`` (default: the date of ``around``).
    """
    first = around.astimezone(hours.tz).date() - timedelta(days=1)
    return list(_windows_from(hours, first, today or first + timedelta(days=1), workday_today))


@lru_cache(maxsize=64)
def _windows_from(
    hours: WorkHours, first: date, today: date, workday_today: bool | None
) -> tuple[tuple[datetime, datetime], ...]:
    """Return the windows of ``windows``, kept per day.

    They only change when the date does, and readiness asks for them on every update.
    """
    result = []
    for offset in range(_LOOKAHEAD_DAYS + 1):
        day = first + timedelta(days=offset)
        window = _window(day, hours) if _day_allowed(day, today, hours, workday_today) else None
        if window is not None:
            result.append(window)
    return tuple(result)


def is_open(hours: WorkHours, now: datetime, workday_today: bool | None = None) -> bool:
    """Return True when ``now`` falls inside an opening window."""
    return any(start <= now < end for start, end in windows(hours, now, workday_today))


def next_open(
    hours: WorkHours,
    after: datetime,
    workday_today: bool | None = None,
    *,
    now: datetime | None = None,
) -> datetime | None:
    """Return the first moment at or after ``after`` that is open; None if none within a week.

    ``workday_today`` applies to the date of ``now`` (default: ``after``).
    """
    today = (now or after).astimezone(hours.tz).date()
    candidates = []
    for start, end in windows(hours, after, workday_today, today=today):
        if start <= after < end:
            return after
        if start > after:
            candidates.append(start)
    return min(candidates, default=None)


def next_edge(
    hours: WorkHours, now: datetime, workday_today: bool | None = None
) -> datetime | None:
    """Return the next opening or closing after ``now``, for a timer."""
    edges = [edge for window in windows(hours, now, workday_today) for edge in window if edge > now]
    return min(edges, default=None)
