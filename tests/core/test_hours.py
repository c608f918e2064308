"""Table-driven tests for the pure opening-hours arithmetic in ``hours.py``.

Expected instants are written as local wall-clock strings with their UTC offset
("Mon 2025-06-02 09:00 +0200"), so DST answers are readable and checked exactly.

Calendar facts used below (2025):
- 2025-06-02 is a Monday (ordinary summer week, Warsaw is +02:00, New York -04:00).
- Europe/Warsaw: spring forward Sun 2025-03-30 02:00 -> 03:00 (02:00-02:59 does not
  exist); fall back Sun 2025-10-26 03:00 -> 02:00 (02:00-02:59 happens twice).
- America/New_York: spring forward Sun 2025-03-09 02:00 -> 03:00; fall back
  Sun 2025-11-02 02:00 -> 01:00 (01:00-01:59 happens twice).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from custom_components.client_etiquette.core import hours
from custom_components.client_etiquette.core.models import WorkHours

WAW = ZoneInfo("Europe/Warsaw")
NY = ZoneInfo("America/New_York")

MON_FRI = frozenset(range(5))
EVERY_DAY = frozenset(range(7))

OFFICE = WorkHours(WAW, MON_FRI, time(9), time(17))
OFFICE_NY = WorkHours(NY, MON_FRI, time(9), time(17))
NIGHT = WorkHours(WAW, MON_FRI, time(22), time(6))
WHOLE_DAY = WorkHours(WAW, MON_FRI, None, None)
FROM_NINE = WorkHours(WAW, MON_FRI, time(9), None)
NEVER = WorkHours(WAW, frozenset(), time(9), time(17))
NEVER_WHOLE_DAY = WorkHours(WAW, frozenset(), None, None)
WED_ONLY = WorkHours(WAW, frozenset({2}), time(9), time(17))
ROUND_THE_CLOCK = WorkHours(WAW, MON_FRI, time(9), time(9))

DAILY = WorkHours(WAW, EVERY_DAY, time(9), time(17))
DAILY_NY = WorkHours(NY, EVERY_DAY, time(9), time(17))
# Openings that fall into the DST gap / overlap.
GAP_OPENING_WAW = WorkHours(WAW, EVERY_DAY, time(2, 30), time(17))
GAP_OPENING_NY = WorkHours(NY, EVERY_DAY, time(2, 30), time(17))
OVERLAP_OPENING_WAW = WorkHours(WAW, EVERY_DAY, time(2, 30), time(17))
OVERLAP_OPENING_NY = WorkHours(NY, EVERY_DAY, time(1, 30), time(17))
NIGHT_DAILY_WAW = WorkHours(WAW, EVERY_DAY, time(22), time(6))
NIGHT_DAILY_NY = WorkHours(NY, EVERY_DAY, time(22), time(6))
SUNDAY_WHOLE_DAY_WAW = WorkHours(WAW, frozenset({6}), None, None)


def at(tz: ZoneInfo, text: str, fold: int = 0) -> datetime:
    """Return an aware datetime from a local wall-clock 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=tz, fold=fold)


def waw(text: str, fold: int = 0) -> datetime:
    return at(WAW, text, fold)


def ny(text: str, fold: int = 0) -> datetime:
    return at(NY, text, fold)


def wall(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """Render an instant as local wall clock with offset: 'Mon 2025-06-02 09:00 +0200'."""
    if moment is None:
        return None
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %z")


def test_calendar_facts() -> None:
    """Check that the dates the tables rely on are what the comments say they are."""
    assert date(2025, 6, 2).weekday() == 0
    assert date(2025, 3, 30).weekday() == 6
    assert date(2025, 10, 26).weekday() == 6
    assert date(2025, 3, 9).weekday() == 6
    assert date(2025, 11, 2).weekday() == 6
    # Warsaw gap and overlap.
    assert waw("2025-03-30 01:59").utcoffset() == timedelta(hours=1)
    assert waw("2025-03-30 03:00").utcoffset() == timedelta(hours=2)
    assert waw("2025-10-26 02:30", fold=0).utcoffset() == timedelta(hours=2)
    assert waw("2025-10-26 02:30", fold=1).utcoffset() == timedelta(hours=1)
    # New York gap and overlap.
    assert ny("2025-03-09 01:59").utcoffset() == timedelta(hours=-5)
    assert ny("2025-03-09 03:00").utcoffset() == timedelta(hours=-4)
    assert ny("2025-11-02 01:30", fold=0).utcoffset() == timedelta(hours=-4)
    assert ny("2025-11-02 01:30", fold=1).utcoffset() == timedelta(hours=-5)


# --------------------------------------------------------------------------- is_open

IS_OPEN_CASES = [
    # Plain office hours, Mon-Fri 09:00-17:00 (end exclusive).
    pytest.param(OFFICE, waw("2025-06-02 08:59"), None, False, id="office-mon-0859-closed"),
    pytest.param(OFFICE, waw("2025-06-02 09:00"), None, True, id="office-mon-0900-open"),
    pytest.param(OFFICE, waw("2025-06-02 12:00"), None, True, id="office-mon-noon-open"),
    pytest.param(OFFICE, waw("2025-06-02 16:59"), None, True, id="office-mon-1659-open"),
    pytest.param(OFFICE, waw("2025-06-02 17:00"), None, False, id="office-mon-1700-closed"),
    pytest.param(OFFICE, waw("2025-06-06 12:00"), None, True, id="office-fri-noon-open"),
    pytest.param(OFFICE, waw("2025-06-07 12:00"), None, False, id="office-sat-noon-closed"),
    pytest.param(OFFICE, waw("2025-06-08 12:00"), None, False, id="office-sun-noon-closed"),
    pytest.param(OFFICE, waw("2025-06-03 00:00"), None, False, id="office-tue-midnight-closed"),
    # `now` in another zone is compared as an instant.
    pytest.param(
        OFFICE, datetime(2025, 6, 2, 7, 0, tzinfo=UTC), None, True, id="office-utc-0700-is-0900-waw"
    ),
    pytest.param(
        OFFICE, datetime(2025, 6, 2, 6, 59, tzinfo=UTC), None, False, id="office-utc-0659-closed"
    ),
    pytest.param(
        OFFICE_NY,
        datetime(2025, 6, 2, 13, 0, tzinfo=UTC),
        None,
        True,
        id="office-ny-utc-1300-is-0900-edt",
    ),
    pytest.param(
        OFFICE_NY,
        datetime(2025, 6, 2, 12, 59, tzinfo=UTC),
        None,
        False,
        id="office-ny-utc-1259-closed",
    ),
    pytest.param(
        OFFICE_NY, waw("2025-06-02 22:30"), None, True, id="office-ny-waw-2230-is-1630-edt"
    ),
    # A window across midnight belongs to the day it starts on.
    pytest.param(NIGHT, waw("2025-06-02 21:59"), None, False, id="night-mon-2159-closed"),
    pytest.param(NIGHT, waw("2025-06-02 22:00"), None, True, id="night-mon-2200-open"),
    pytest.param(NIGHT, waw("2025-06-02 23:59"), None, True, id="night-mon-2359-open"),
    pytest.param(NIGHT, waw("2025-06-03 00:00"), None, True, id="night-tue-0000-open-from-mon"),
    pytest.param(NIGHT, waw("2025-06-03 05:59"), None, True, id="night-tue-0559-open-from-mon"),
    pytest.param(NIGHT, waw("2025-06-03 06:00"), None, False, id="night-tue-0600-closed"),
    pytest.param(
        NIGHT, waw("2025-06-02 03:00"), None, False, id="night-mon-0300-closed-sun-not-workday"
    ),
    pytest.param(NIGHT, waw("2025-06-07 03:00"), None, True, id="night-sat-0300-open-from-fri"),
    pytest.param(NIGHT, waw("2025-06-07 23:00"), None, False, id="night-sat-2300-closed"),
    pytest.param(NIGHT, waw("2025-06-08 23:00"), None, False, id="night-sun-2300-closed"),
    # Whole-day windows.
    pytest.param(WHOLE_DAY, waw("2025-06-02 00:00"), None, True, id="wholeday-mon-0000-open"),
    pytest.param(WHOLE_DAY, waw("2025-06-06 23:59"), None, True, id="wholeday-fri-2359-open"),
    pytest.param(WHOLE_DAY, waw("2025-06-07 00:00"), None, False, id="wholeday-sat-0000-closed"),
    pytest.param(WHOLE_DAY, waw("2025-06-08 23:59"), None, False, id="wholeday-sun-2359-closed"),
    # Start only: open until midnight.
    pytest.param(FROM_NINE, waw("2025-06-02 08:59"), None, False, id="from9-mon-0859-closed"),
    pytest.param(FROM_NINE, waw("2025-06-02 23:59"), None, True, id="from9-mon-2359-open"),
    pytest.param(FROM_NINE, waw("2025-06-07 00:00"), None, False, id="from9-sat-0000-closed"),
    # start == end: a 24-hour window from the start.
    pytest.param(
        ROUND_THE_CLOCK, waw("2025-06-03 08:59"), None, True, id="9to9-tue-0859-open-from-mon"
    ),
    pytest.param(
        ROUND_THE_CLOCK, waw("2025-06-07 08:59"), None, True, id="9to9-sat-0859-open-from-fri"
    ),
    pytest.param(ROUND_THE_CLOCK, waw("2025-06-07 09:00"), None, False, id="9to9-sat-0900-closed"),
    pytest.param(ROUND_THE_CLOCK, waw("2025-06-02 08:59"), None, False, id="9to9-mon-0859-closed"),
    # No days at all: never open.
    pytest.param(NEVER, waw("2025-06-02 12:00"), None, False, id="never-mon-noon"),
    pytest.param(
        NEVER_WHOLE_DAY, waw("2025-06-02 12:00"), None, False, id="never-wholeday-mon-noon"
    ),
    pytest.param(NEVER, waw("2025-06-02 12:00"), False, False, id="never-override-false"),
    # The workday sensor's verdict overrides the weekday rule for today only.
    pytest.param(OFFICE, waw("2025-06-07 12:00"), True, True, id="override-sat-workday-open"),
    pytest.param(
        OFFICE, waw("2025-06-07 08:00"), True, False, id="override-sat-workday-still-hours"
    ),
    pytest.param(
        OFFICE, waw("2025-06-07 17:00"), True, False, id="override-sat-workday-closes-1700"
    ),
    pytest.param(OFFICE, waw("2025-06-02 12:00"), False, False, id="override-mon-holiday-closed"),
    pytest.param(OFFICE, waw("2025-06-02 12:00"), True, True, id="override-mon-true-open"),
    pytest.param(OFFICE, waw("2025-06-07 12:00"), False, False, id="override-sat-false-closed"),
    pytest.param(NEVER, waw("2025-06-07 12:00"), True, True, id="override-true-opens-never-hours"),
    pytest.param(WHOLE_DAY, waw("2025-06-08 03:00"), True, True, id="override-sun-wholeday-open"),
    pytest.param(NIGHT, waw("2025-06-07 23:00"), True, True, id="override-night-sat-workday-open"),
    pytest.param(
        NIGHT, waw("2025-06-02 23:00"), False, False, id="override-night-mon-holiday-closed"
    ),
    pytest.param(
        NIGHT,
        waw("2025-06-03 03:00"),
        False,
        True,
        id="override-night-tue-holiday-mon-window-still-open",
    ),
]


@pytest.mark.parametrize(("work_hours", "now", "workday_today", "expected"), IS_OPEN_CASES)
def test_is_open(
    work_hours: WorkHours, now: datetime, workday_today: bool | None, expected: bool
) -> None:
    assert hours.is_open(work_hours, now, workday_today) is expected


# --------------------------------------------------------------------------- next_open

NEXT_OPEN_CASES = [
    pytest.param(
        OFFICE, waw("2025-06-02 07:00"), None, "Mon 2025-06-02 09:00 +0200", id="office-mon-early"
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-02 09:00"),
        None,
        "Mon 2025-06-02 09:00 +0200",
        id="office-at-opening-is-itself",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-02 12:34"),
        None,
        "Mon 2025-06-02 12:34 +0200",
        id="office-inside-is-itself",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-02 17:00"),
        None,
        "Tue 2025-06-03 09:00 +0200",
        id="office-at-closing-next-morning",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-02 23:30"),
        None,
        "Tue 2025-06-03 09:00 +0200",
        id="office-late-evening",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-06 17:30"),
        None,
        "Mon 2025-06-09 09:00 +0200",
        id="office-fri-evening-to-mon",
    ),
    pytest.param(
        OFFICE, waw("2025-06-07 12:00"), None, "Mon 2025-06-09 09:00 +0200", id="office-sat-to-mon"
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-08 23:59"),
        None,
        "Mon 2025-06-09 09:00 +0200",
        id="office-sun-late-to-mon",
    ),
    pytest.param(
        OFFICE,
        datetime(2025, 6, 6, 16, 0, tzinfo=UTC),
        None,
        "Mon 2025-06-09 09:00 +0200",
        id="office-utc-input",
    ),
    pytest.param(
        OFFICE_NY,
        waw("2025-06-02 22:30"),
        None,
        "Mon 2025-06-02 22:30 +0200",
        id="office-ny-waw-input-is-itself",
    ),
    pytest.param(
        NIGHT, waw("2025-06-02 12:00"), None, "Mon 2025-06-02 22:00 +0200", id="night-mon-noon"
    ),
    pytest.param(
        NIGHT,
        waw("2025-06-03 03:00"),
        None,
        "Tue 2025-06-03 03:00 +0200",
        id="night-inside-after-midnight",
    ),
    pytest.param(
        NIGHT,
        waw("2025-06-07 12:00"),
        None,
        "Mon 2025-06-09 22:00 +0200",
        id="night-sat-to-mon-night",
    ),
    pytest.param(
        NIGHT,
        waw("2025-06-02 03:00"),
        None,
        "Mon 2025-06-02 22:00 +0200",
        id="night-mon-0300-sun-window-absent",
    ),
    pytest.param(
        WHOLE_DAY,
        waw("2025-06-07 10:00"),
        None,
        "Mon 2025-06-09 00:00 +0200",
        id="wholeday-sat-to-mon-midnight",
    ),
    pytest.param(
        WHOLE_DAY, waw("2025-06-04 10:00"), None, "Wed 2025-06-04 10:00 +0200", id="wholeday-inside"
    ),
    pytest.param(
        WED_ONLY,
        waw("2025-06-04 17:00"),
        None,
        "Wed 2025-06-11 09:00 +0200",
        id="wed-only-a-week-ahead",
    ),
    pytest.param(
        WED_ONLY,
        waw("2025-06-04 08:00"),
        False,
        "Wed 2025-06-11 09:00 +0200",
        id="wed-only-holiday-a-week-ahead",
    ),
    pytest.param(
        WED_ONLY,
        waw("2025-06-05 08:00"),
        None,
        "Wed 2025-06-11 09:00 +0200",
        id="wed-only-from-thu",
    ),
    pytest.param(NEVER, waw("2025-06-02 08:00"), None, None, id="never-none"),
    pytest.param(NEVER_WHOLE_DAY, waw("2025-06-02 08:00"), None, None, id="never-wholeday-none"),
    pytest.param(
        NEVER,
        waw("2025-06-02 08:00"),
        True,
        "Mon 2025-06-02 09:00 +0200",
        id="never-but-workday-today",
    ),
    pytest.param(
        NEVER, waw("2025-06-02 18:00"), True, None, id="never-workday-today-already-closed"
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-07 08:00"),
        True,
        "Sat 2025-06-07 09:00 +0200",
        id="override-sat-workday",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-02 08:00"),
        False,
        "Tue 2025-06-03 09:00 +0200",
        id="override-mon-holiday",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-06 08:00"),
        False,
        "Mon 2025-06-09 09:00 +0200",
        id="override-fri-holiday",
    ),
]


@pytest.mark.parametrize(("work_hours", "after", "workday_today", "expected"), NEXT_OPEN_CASES)
def test_next_open(
    work_hours: WorkHours, after: datetime, workday_today: bool | None, expected: str | None
) -> None:
    result = hours.next_open(work_hours, after, workday_today)
    assert wall(result, WAW) == expected
    if result is not None:
        assert result >= after
        assert hours.is_open(
            work_hours,
            result,
            workday_today
            if result.astimezone(work_hours.tz).date() == after.astimezone(work_hours.tz).date()
            else None,
        )


NEXT_OPEN_WITH_NOW_CASES = [
    # The override belongs to the date of `now`, not of `after`.
    pytest.param(
        waw("2025-06-07 10:00"),
        waw("2025-06-07 18:00"),
        True,
        "Mon 2025-06-09 09:00 +0200",
        id="sat-override-not-applied-to-sunday",
    ),
    pytest.param(
        waw("2025-06-07 07:00"),
        waw("2025-06-07 08:00"),
        True,
        "Sat 2025-06-07 09:00 +0200",
        id="sat-override-applied-to-sat",
    ),
    pytest.param(
        waw("2025-06-06 10:00"),
        waw("2025-06-08 12:00"),
        False,
        "Mon 2025-06-09 09:00 +0200",
        id="fri-holiday-does-not-shift-monday",
    ),
    pytest.param(
        waw("2025-06-02 07:00"),
        waw("2025-06-02 08:00"),
        False,
        "Tue 2025-06-03 09:00 +0200",
        id="mon-holiday-applied-to-mon",
    ),
    pytest.param(
        waw("2025-06-01 20:00"),
        waw("2025-06-02 08:00"),
        False,
        "Mon 2025-06-02 09:00 +0200",
        id="sun-verdict-not-applied-to-mon",
    ),
]


@pytest.mark.parametrize(("now", "after", "workday_today", "expected"), NEXT_OPEN_WITH_NOW_CASES)
def test_next_open_override_follows_now(
    now: datetime, after: datetime, workday_today: bool, expected: str
) -> None:
    assert wall(hours.next_open(OFFICE, after, workday_today, now=now), WAW) == expected


# --------------------------------------------------------------------------- next_edge

NEXT_EDGE_CASES = [
    pytest.param(
        OFFICE,
        waw("2025-06-02 08:00"),
        None,
        "Mon 2025-06-02 09:00 +0200",
        id="office-before-opening",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-02 09:00"),
        None,
        "Mon 2025-06-02 17:00 +0200",
        id="office-at-opening-strictly-after",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-02 10:00"),
        None,
        "Mon 2025-06-02 17:00 +0200",
        id="office-open-next-is-close",
    ),
    pytest.param(
        OFFICE, waw("2025-06-02 17:00"), None, "Tue 2025-06-03 09:00 +0200", id="office-at-closing"
    ),
    pytest.param(
        OFFICE, waw("2025-06-06 18:00"), None, "Mon 2025-06-09 09:00 +0200", id="office-fri-evening"
    ),
    pytest.param(
        OFFICE, waw("2025-06-08 08:00"), None, "Mon 2025-06-09 09:00 +0200", id="office-sunday"
    ),
    pytest.param(
        NIGHT,
        waw("2025-06-02 23:00"),
        None,
        "Tue 2025-06-03 06:00 +0200",
        id="night-inside-close-next-morning",
    ),
    pytest.param(
        NIGHT,
        waw("2025-06-03 03:00"),
        None,
        "Tue 2025-06-03 06:00 +0200",
        id="night-after-midnight",
    ),
    pytest.param(
        NIGHT, waw("2025-06-03 07:00"), None, "Tue 2025-06-03 22:00 +0200", id="night-daytime"
    ),
    pytest.param(
        NIGHT, waw("2025-06-07 07:00"), None, "Mon 2025-06-09 22:00 +0200", id="night-weekend"
    ),
    pytest.param(
        WHOLE_DAY,
        waw("2025-06-06 10:00"),
        None,
        "Sat 2025-06-07 00:00 +0200",
        id="wholeday-fri-closes-midnight",
    ),
    pytest.param(
        WHOLE_DAY,
        waw("2025-06-07 10:00"),
        None,
        "Mon 2025-06-09 00:00 +0200",
        id="wholeday-sat-opens-mon",
    ),
    pytest.param(
        FROM_NINE,
        waw("2025-06-02 10:00"),
        None,
        "Tue 2025-06-03 00:00 +0200",
        id="from9-closes-midnight",
    ),
    pytest.param(NEVER, waw("2025-06-02 10:00"), None, None, id="never-none"),
    pytest.param(NEVER_WHOLE_DAY, waw("2025-06-02 10:00"), None, None, id="never-wholeday-none"),
    pytest.param(
        OFFICE,
        waw("2025-06-07 08:00"),
        True,
        "Sat 2025-06-07 09:00 +0200",
        id="override-sat-workday-opens",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-07 10:00"),
        True,
        "Sat 2025-06-07 17:00 +0200",
        id="override-sat-workday-closes",
    ),
    pytest.param(
        OFFICE,
        waw("2025-06-02 08:00"),
        False,
        "Tue 2025-06-03 09:00 +0200",
        id="override-mon-holiday",
    ),
    pytest.param(
        OFFICE_NY,
        waw("2025-06-02 12:00"),
        None,
        "Mon 2025-06-02 15:00 +0200",
        id="office-ny-opens-1500-waw",
    ),
]


@pytest.mark.parametrize(("work_hours", "now", "workday_today", "expected"), NEXT_EDGE_CASES)
def test_next_edge(
    work_hours: WorkHours, now: datetime, workday_today: bool | None, expected: str | None
) -> None:
    result = hours.next_edge(work_hours, now, workday_today)
    assert wall(result, WAW) == expected
    if result is not None:
        assert result > now


# --------------------------------------------------------------------------- windows


def test_windows_are_utc_and_sorted() -> None:
    result = hours.windows(OFFICE, waw("2025-06-04 12:00"))
    assert result, "a week of office hours has windows"
    assert all(start.tzinfo is UTC and end.tzinfo is UTC for start, end in result)
    assert all(start < end for start, end in result)
    assert result == sorted(result)
    # From the day before (Tue 3rd) to a week after (Wed 11th).
    assert [wall(start, WAW)[:6] for start, _ in result] == [
        "Tue 20",
        "Wed 20",
        "Thu 20",
        "Fri 20",
        "Mon 20",
        "Tue 20",
        "Wed 20",
    ]
    assert wall(result[0][0], WAW) == "Tue 2025-06-03 09:00 +0200"
    assert wall(result[-1][0], WAW) == "Wed 2025-06-11 09:00 +0200"


def test_windows_include_yesterdays_overnight_window() -> None:
    result = hours.windows(NIGHT, waw("2025-06-03 03:00"))
    assert (wall(result[0][0], WAW), wall(result[0][1], WAW)) == (
        "Mon 2025-06-02 22:00 +0200",
        "Tue 2025-06-03 06:00 +0200",
    )


def test_windows_never_is_empty() -> None:
    assert hours.windows(NEVER, waw("2025-06-03 03:00")) == []


def test_windows_today_keyword_moves_the_override() -> None:
    # Override for Saturday while looking around Friday: Saturday becomes a window.
    result = hours.windows(OFFICE, waw("2025-06-06 12:00"), True, today=date(2025, 6, 7))
    assert "Sat 2025-06-07 09:00 +0200" in [wall(start, WAW) for start, _ in result]
    # And Friday keeps its weekday rule.
    assert "Fri 2025-06-06 09:00 +0200" in [wall(start, WAW) for start, _ in result]


# --------------------------------------------------------------------------- DST

# (hours, now, expected is_open)
DST_IS_OPEN_CASES = [
    # Warsaw spring forward: an opening at 02:30 does not exist; it resolves forward
    # by the gap (PEP 495 fold=0), to 03:30 CEST.
    pytest.param(
        GAP_OPENING_WAW, waw("2025-03-30 01:59"), False, id="waw-spring-gap-opening-0159-closed"
    ),
    pytest.param(
        GAP_OPENING_WAW, waw("2025-03-30 03:00"), False, id="waw-spring-gap-opening-0300-closed"
    ),
    pytest.param(
        GAP_OPENING_WAW, waw("2025-03-30 03:30"), True, id="waw-spring-gap-opening-0330-open"
    ),
    pytest.param(
        GAP_OPENING_WAW, waw("2025-03-30 16:59"), True, id="waw-spring-gap-opening-1659-open"
    ),
    pytest.param(
        GAP_OPENING_WAW, waw("2025-03-30 17:00"), False, id="waw-spring-gap-opening-1700-closed"
    ),
    pytest.param(
        GAP_OPENING_WAW, waw("2025-03-31 02:30"), True, id="waw-day-after-0230-exists-and-open"
    ),
    pytest.param(
        GAP_OPENING_NY, ny("2025-03-09 03:00"), False, id="ny-spring-gap-opening-0300-closed"
    ),
    pytest.param(
        GAP_OPENING_NY, ny("2025-03-09 03:30"), True, id="ny-spring-gap-opening-0330-open"
    ),
    # Fall back: an ambiguous opening means its first occurrence (summer time).
    pytest.param(
        OVERLAP_OPENING_WAW,
        waw("2025-10-26 02:29", fold=0),
        False,
        id="waw-fall-overlap-0229-first-closed",
    ),
    pytest.param(
        OVERLAP_OPENING_WAW,
        waw("2025-10-26 02:30", fold=0),
        True,
        id="waw-fall-overlap-0230-first-open",
    ),
    pytest.param(
        OVERLAP_OPENING_WAW,
        waw("2025-10-26 02:10", fold=1),
        True,
        id="waw-fall-overlap-0210-second-open",
    ),
    pytest.param(
        OVERLAP_OPENING_NY,
        ny("2025-11-02 01:29", fold=0),
        False,
        id="ny-fall-overlap-0129-first-closed",
    ),
    pytest.param(
        OVERLAP_OPENING_NY,
        ny("2025-11-02 01:30", fold=0),
        True,
        id="ny-fall-overlap-0130-first-open",
    ),
    pytest.param(
        OVERLAP_OPENING_NY,
        ny("2025-11-02 01:10", fold=1),
        True,
        id="ny-fall-overlap-0110-second-open",
    ),
    # Ordinary hours on DST days keep the wall clock.
    pytest.param(DAILY, waw("2025-03-30 08:59"), False, id="waw-spring-day-0859-closed"),
    pytest.param(DAILY, waw("2025-03-30 09:00"), True, id="waw-spring-day-0900-open"),
    pytest.param(DAILY, waw("2025-03-30 17:00"), False, id="waw-spring-day-1700-closed"),
    pytest.param(DAILY, waw("2025-10-26 08:59"), False, id="waw-fall-day-0859-closed"),
    pytest.param(DAILY, waw("2025-10-26 09:00"), True, id="waw-fall-day-0900-open"),
    pytest.param(DAILY_NY, ny("2025-03-09 09:00"), True, id="ny-spring-day-0900-open"),
    pytest.param(DAILY_NY, ny("2025-11-02 08:59"), False, id="ny-fall-day-0859-closed"),
    pytest.param(DAILY_NY, ny("2025-11-02 16:59"), True, id="ny-fall-day-1659-open"),
    # A window across midnight that spans the DST change.
    pytest.param(
        NIGHT_DAILY_WAW, waw("2025-03-30 02:30"), True, id="waw-night-spring-nonexistent-0230-open"
    ),
    pytest.param(NIGHT_DAILY_WAW, waw("2025-03-30 05:59"), True, id="waw-night-spring-0559-open"),
    pytest.param(
        NIGHT_DAILY_WAW, waw("2025-03-30 06:00"), False, id="waw-night-spring-0600-closed"
    ),
    pytest.param(
        NIGHT_DAILY_WAW, waw("2025-10-26 02:30", fold=0), True, id="waw-night-fall-0230-first-open"
    ),
    pytest.param(
        NIGHT_DAILY_WAW, waw("2025-10-26 02:30", fold=1), True, id="waw-night-fall-0230-second-open"
    ),
    pytest.param(NIGHT_DAILY_WAW, waw("2025-10-26 05:59"), True, id="waw-night-fall-0559-open"),
    pytest.param(NIGHT_DAILY_WAW, waw("2025-10-26 06:00"), False, id="waw-night-fall-0600-closed"),
    pytest.param(NIGHT_DAILY_NY, ny("2025-03-09 05:59"), True, id="ny-night-spring-0559-open"),
    pytest.param(NIGHT_DAILY_NY, ny("2025-03-09 06:00"), False, id="ny-night-spring-0600-closed"),
    pytest.param(
        NIGHT_DAILY_NY, ny("2025-11-02 01:30", fold=1), True, id="ny-night-fall-0130-second-open"
    ),
    pytest.param(NIGHT_DAILY_NY, ny("2025-11-02 06:00"), False, id="ny-night-fall-0600-closed"),
    # A whole day that is 23 or 25 hours long.
    pytest.param(
        SUNDAY_WHOLE_DAY_WAW, waw("2025-03-30 23:59"), True, id="waw-wholeday-23h-sunday-2359-open"
    ),
    pytest.param(
        SUNDAY_WHOLE_DAY_WAW, waw("2025-03-31 00:00"), False, id="waw-wholeday-23h-monday-closed"
    ),
    pytest.param(
        SUNDAY_WHOLE_DAY_WAW, waw("2025-10-26 23:59"), True, id="waw-wholeday-25h-sunday-2359-open"
    ),
    pytest.param(
        SUNDAY_WHOLE_DAY_WAW, waw("2025-10-27 00:00"), False, id="waw-wholeday-25h-monday-closed"
    ),
    pytest.param(
        SUNDAY_WHOLE_DAY_WAW, waw("2025-10-25 23:59"), False, id="waw-wholeday-25h-saturday-closed"
    ),
]


@pytest.mark.parametrize(("work_hours", "now", "expected"), DST_IS_OPEN_CASES)
def test_is_open_across_dst(work_hours: WorkHours, now: datetime, expected: bool) -> None:
    assert hours.is_open(work_hours, now) is expected


# (hours, function, moment, expected local wall clock in the hours' zone)
DST_NEXT_CASES = [
    pytest.param(
        GAP_OPENING_WAW,
        "next_open",
        waw("2025-03-30 00:00"),
        "Sun 2025-03-30 03:30 +0200",
        id="waw-next-open-gap-resolves-forward",
    ),
    pytest.param(
        GAP_OPENING_WAW,
        "next_edge",
        waw("2025-03-30 00:00"),
        "Sun 2025-03-30 03:30 +0200",
        id="waw-next-edge-gap-resolves-forward",
    ),
    pytest.param(
        GAP_OPENING_NY,
        "next_open",
        ny("2025-03-09 00:00"),
        "Sun 2025-03-09 03:30 -0400",
        id="ny-next-open-gap-resolves-forward",
    ),
    pytest.param(
        OVERLAP_OPENING_WAW,
        "next_open",
        waw("2025-10-26 00:00"),
        "Sun 2025-10-26 02:30 +0200",
        id="waw-next-open-overlap-first",
    ),
    pytest.param(
        OVERLAP_OPENING_NY,
        "next_open",
        ny("2025-11-02 00:00"),
        "Sun 2025-11-02 01:30 -0400",
        id="ny-next-open-overlap-first",
    ),
    pytest.param(
        OVERLAP_OPENING_NY,
        "next_open",
        ny("2025-11-02 01:40", fold=1),
        "Sun 2025-11-02 01:40 -0500",
        id="ny-second-0140-is-open-itself",
    ),
    pytest.param(
        DAILY,
        "next_open",
        waw("2025-03-29 17:00"),
        "Sun 2025-03-30 09:00 +0200",
        id="waw-next-open-over-spring-night",
    ),
    pytest.param(
        DAILY,
        "next_open",
        waw("2025-10-25 17:00"),
        "Sun 2025-10-26 09:00 +0100",
        id="waw-next-open-over-fall-night",
    ),
    pytest.param(
        DAILY,
        "next_edge",
        waw("2025-03-30 10:00"),
        "Sun 2025-03-30 17:00 +0200",
        id="waw-next-edge-spring-day-close",
    ),
    pytest.param(
        DAILY,
        "next_edge",
        waw("2025-10-25 20:00"),
        "Sun 2025-10-26 09:00 +0100",
        id="waw-next-edge-over-fall-night",
    ),
    pytest.param(
        OFFICE,
        "next_open",
        waw("2025-03-28 17:30"),
        "Mon 2025-03-31 09:00 +0200",
        id="waw-office-fri-to-mon-over-spring",
    ),
    pytest.param(
        OFFICE,
        "next_open",
        waw("2025-10-24 17:30"),
        "Mon 2025-10-27 09:00 +0100",
        id="waw-office-fri-to-mon-over-fall",
    ),
    pytest.param(
        OFFICE_NY,
        "next_open",
        ny("2025-03-07 17:30"),
        "Mon 2025-03-10 09:00 -0400",
        id="ny-office-fri-to-mon-over-spring",
    ),
    pytest.param(
        OFFICE_NY,
        "next_open",
        ny("2025-10-31 17:30"),
        "Mon 2025-11-03 09:00 -0500",
        id="ny-office-fri-to-mon-over-fall",
    ),
    pytest.param(
        DAILY_NY,
        "next_open",
        ny("2025-03-08 17:00"),
        "Sun 2025-03-09 09:00 -0400",
        id="ny-next-open-over-spring-night",
    ),
    pytest.param(
        DAILY_NY,
        "next_open",
        ny("2025-11-01 17:00"),
        "Sun 2025-11-02 09:00 -0500",
        id="ny-next-open-over-fall-night",
    ),
    pytest.param(
        NIGHT_DAILY_WAW,
        "next_edge",
        waw("2025-03-29 23:00"),
        "Sun 2025-03-30 06:00 +0200",
        id="waw-night-spring-closes-0600",
    ),
    pytest.param(
        NIGHT_DAILY_WAW,
        "next_edge",
        waw("2025-10-25 23:00"),
        "Sun 2025-10-26 06:00 +0100",
        id="waw-night-fall-closes-0600",
    ),
    pytest.param(
        NIGHT_DAILY_WAW,
        "next_open",
        waw("2025-03-30 12:00"),
        "Sun 2025-03-30 22:00 +0200",
        id="waw-night-spring-opens-2200",
    ),
    pytest.param(
        NIGHT_DAILY_NY,
        "next_edge",
        ny("2025-03-08 23:00"),
        "Sun 2025-03-09 06:00 -0400",
        id="ny-night-spring-closes-0600",
    ),
    pytest.param(
        NIGHT_DAILY_NY,
        "next_edge",
        ny("2025-11-01 23:00"),
        "Sun 2025-11-02 06:00 -0500",
        id="ny-night-fall-closes-0600",
    ),
    pytest.param(
        SUNDAY_WHOLE_DAY_WAW,
        "next_edge",
        waw("2025-03-30 12:00"),
        "Mon 2025-03-31 00:00 +0200",
        id="waw-wholeday-23h-closes-midnight",
    ),
    pytest.param(
        SUNDAY_WHOLE_DAY_WAW,
        "next_edge",
        waw("2025-10-26 12:00"),
        "Mon 2025-10-27 00:00 +0100",
        id="waw-wholeday-25h-closes-midnight",
    ),
    pytest.param(
        SUNDAY_WHOLE_DAY_WAW,
        "next_open",
        waw("2025-10-20 12:00"),
        "Sun 2025-10-26 00:00 +0200",
        id="waw-wholeday-25h-opens-midnight",
    ),
]


@pytest.mark.parametrize(("work_hours", "function", "moment", "expected"), DST_NEXT_CASES)
def test_next_open_and_edge_across_dst(
    work_hours: WorkHours, function: str, moment: datetime, expected: str
) -> None:
    result = getattr(hours, function)(work_hours, moment)
    assert wall(result, work_hours.tz) == expected


@pytest.mark.parametrize(
    ("work_hours", "after"),
    [
        pytest.param(DAILY, waw("2025-03-29 17:00"), id="waw-spring"),
        pytest.param(DAILY, waw("2025-10-25 17:00"), id="waw-fall"),
        pytest.param(DAILY_NY, ny("2025-03-08 17:00"), id="ny-spring"),
        pytest.param(DAILY_NY, ny("2025-11-01 17:00"), id="ny-fall"),
    ],
)
def test_next_morning_is_nine_local_over_dst(work_hours: WorkHours, after: datetime) -> None:
    result = hours.next_open(work_hours, after)
    assert result is not None
    assert result.astimezone(work_hours.tz).hour == 9
    assert result.astimezone(work_hours.tz).minute == 0


@pytest.mark.parametrize(
    ("work_hours", "start", "expected_hours"),
    [
        pytest.param(NIGHT_DAILY_WAW, waw("2025-03-29 22:00"), 7, id="waw-spring-night-is-7h"),
        pytest.param(NIGHT_DAILY_WAW, waw("2025-10-25 22:00"), 9, id="waw-fall-night-is-9h"),
        pytest.param(NIGHT_DAILY_NY, ny("2025-03-08 22:00"), 7, id="ny-spring-night-is-7h"),
        pytest.param(NIGHT_DAILY_NY, ny("2025-11-01 22:00"), 9, id="ny-fall-night-is-9h"),
        pytest.param(
            SUNDAY_WHOLE_DAY_WAW, waw("2025-03-30 00:00"), 23, id="waw-spring-sunday-is-23h"
        ),
        pytest.param(
            SUNDAY_WHOLE_DAY_WAW, waw("2025-10-26 00:00"), 25, id="waw-fall-sunday-is-25h"
        ),
    ],
)
def test_window_spanning_dst_has_real_length(
    work_hours: WorkHours, start: datetime, expected_hours: int
) -> None:
    """The wall clock wins: the window's real length shrinks or grows with the change."""
    assert hours.next_open(work_hours, start) == start
    end = hours.next_edge(work_hours, start)
    assert end is not None
    assert end - start == timedelta(hours=expected_hours)


def test_next_open_is_open_for_window_inverted_by_the_gap() -> None:
    work_hours = WorkHours(WAW, EVERY_DAY, time(2, 30), time(3, 15))
    after = waw("2025-03-30 00:00")
    result = hours.next_open(work_hours, after)
    assert result is None or hours.is_open(work_hours, result)


# --------------------------------------------------------------------------- spec ambiguity


def test_no_start_opens_at_midnight_and_closes_at_end() -> None:
    work_hours = WorkHours(WAW, MON_FRI, None, time(17))
    assert hours.is_open(work_hours, waw("2025-06-02 16:59")) is True
    assert hours.is_open(work_hours, waw("2025-06-02 18:00")) is False


# --------------------------------------------------------------------------- properties

FIXED_ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-7))]


def test_properties_without_dst() -> None:
    """Consistency of is_open/next_open/next_edge on zones without DST."""
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    clocks = st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0)))

    @hypothesis.settings(max_examples=150, deadline=None, derandomize=True)
    @hypothesis.given(
        tz=st.sampled_from(FIXED_ZONES),
        days=st.frozensets(st.integers(0, 6)),
        start=clocks,
        end=clocks,
        now=st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31)),
        workday_today=st.sampled_from([None, True, False]),
    )
    def check(tz, days, start, end, now, workday_today) -> None:
        work_hours = WorkHours(tz, days, start, end)
        now = now.replace(tzinfo=tz)
        open_now = hours.is_open(work_hours, now, workday_today)
        opening = hours.next_open(work_hours, now, workday_today)
        assert (opening == now) is open_now
        if opening is not None:
            assert opening >= now
            assert hours.is_open(
                work_hours,
                opening,
                workday_today if opening.astimezone(tz).date() == now.date() else None,
            )
        edge = hours.next_edge(work_hours, now, workday_today)
        if edge is not None:
            assert edge > now
        if not open_now and opening is not None:
            # The next edge of a closed period is its opening.
            assert edge == opening

    check()
