"""The free-time look-ahead (``core/freetime.py``): table tests and properties.

Times are Tuesday 2026-03-10 in Warsaw ("14:00" means 14:00 local) unless a test says
otherwise. Properties: a promised time never falls inside a counted event, the gap
found is at least ``min_gap`` and free, and nothing earlier would do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.client_etiquette.core import hours
from custom_components.client_etiquette.core.freetime import (
    Agenda,
    CalendarEvent,
    about_to_start,
    build_agenda,
    in_progress,
    next_edge,
    next_free,
    settle,
)
from custom_components.client_etiquette.core.models import (
    Client,
    Evidence,
    Readiness,
    Reason,
    Snapshot,
    WorkHours,
)
from custom_components.client_etiquette.core.readiness import evaluate
from custom_components.client_etiquette.core.screening import callback_time

WAW = ZoneInfo("Europe/Warsaw")
DAY = date(2026, 3, 10)
M15 = timedelta(minutes=15)
M10 = timedelta(minutes=10)


def at(clock: str, day: date = DAY) -> datetime:
    """Return a local moment on the test day: "14:05" or "14:05:30"."""
    return datetime.combine(day, time.fromisoformat(clock), WAW)


def event(start: str, end: str, summary: str = "Call", **extra: object) -> CalendarEvent:
    return CalendarEvent(at(start), at(end), summary, **extra)  # type: ignore[arg-type]


def agenda(
    *events: CalendarEvent,
    keywords: tuple[str, ...] = (),
    soon: timedelta = M10,
    gap: timedelta = M15,
) -> Agenda | None:
    return build_agenda(events, keywords, soon=soon, min_gap=gap)


BACK_TO_BACK = (
    event("14:00", "15:00", "Acme kick-off", calendar="calendar.work"),
    event("15:00", "16:30", "Design review", calendar="calendar.personal"),
)


@pytest.mark.parametrize(
    ("events", "moment", "expected"),
    [
        # No events: the moment itself.
        ((), "14:00", "14:00"),
        # Back to back in two calendars: after both.
        (BACK_TO_BACK, "15:00", "16:30"),
        (BACK_TO_BACK, "14:10", "16:30"),
        # Overlapping events: after the later end.
        ((event("14:00", "15:00"), event("14:30", "15:30")), "15:00", "15:30"),
        # A 10-minute gap is too short; a 30-minute one is fine.
        (
            (event("10:00", "11:00"), event("11:10", "12:00"), event("12:30", "13:00")),
            "11:00",
            "12:00",
        ),
        # Exactly min_gap is enough (half-open events).
        ((event("10:00", "11:00"), event("11:15", "12:00")), "11:00", "11:00"),
        # Free now, but a meeting starts in 5 minutes: after it.
        ((event("10:05", "10:45"),), "10:00", "10:45"),
        # Free now and the next meeting is 20 minutes away: now.
        ((event("10:20", "10:45"),), "10:00", "10:00"),
        # Events already over don't matter.
        ((event("08:00", "09:00"),), "10:00", "10:00"),
        # All-day and free (transparent) events never count.
        ((event("00:00", "23:59", all_day=True),), "10:00", "10:00"),
        ((event("09:00", "12:00", transparent=True),), "10:00", "10:00"),
    ],
)
def test_next_free(events: tuple[CalendarEvent, ...], moment: str, expected: str) -> None:
    assert next_free(agenda(*events), at(moment)) == at(expected)


def test_keywords_filter_events_like_the_calendar_state() -> None:
    events = (event("10:00", "11:00", "Lunch"), event("11:00", "12:00", "Client call"))
    filtered = agenda(*events, keywords=("client",))
    assert filtered is not None
    assert [item.summary for item in filtered.events] == ["Client call"]
    # 10:00 is free with the filter only until 11:00, an hour later: free now.
    assert next_free(filtered, at("10:00")) == at("10:00")
    assert next_free(filtered, at("10:50")) == at("12:00")
    # Location and description count too.
    located = agenda(
        event("10:00", "11:00", "Lunch", location="Client office"), keywords=("client",)
    )
    assert located is not None
    assert next_free(located, at("10:30")) == at("11:00")


def test_nothing_counted_is_no_agenda() -> None:
    assert agenda(event("10:00", "11:00", all_day=True)) is None
    assert agenda(event("10:00", "10:00")) is None


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("13:49", None),
        ("13:50", "Acme kick-off"),
        ("13:59:59", "Acme kick-off"),
        # Started: it is a meeting now, not one about to start.
        ("14:00", None),
        # The next one starts at 15:00: about to start from 14:50.
        ("14:50", "Design review"),
    ],
)
def test_about_to_start(moment: str, expected: str | None) -> None:
    found = about_to_start(agenda(*BACK_TO_BACK), at(moment))
    assert (found.summary if found else None) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("13:59", []),
        ("14:00", ["Acme kick-off"]),
        ("14:45", ["Acme kick-off", "Overrun"]),
        ("15:00", ["Overrun", "Design review"]),
        ("15:10", ["Design review"]),
        ("16:30", []),
    ],
)
def test_in_progress(moment: str, expected: list[str]) -> None:
    overlapping = agenda(*BACK_TO_BACK, event("14:30", "15:10", "Overrun"))
    found = [item.summary for item in in_progress(overlapping, at(moment))]
    assert found == expected
    assert in_progress(None, at(moment)) == ()


def test_about_to_start_is_off_at_zero_minutes() -> None:
    assert about_to_start(agenda(*BACK_TO_BACK, soon=timedelta(0)), at("13:55")) is None
    # Starts and ends are still edges (a meeting in progress).
    assert next_edge(agenda(*BACK_TO_BACK, soon=timedelta(0)), at("13:00")) == at("14:00")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("13:00", "13:50"),
        ("13:50", "14:00"),
        ("14:00", "14:50"),
        ("14:55", "15:00"),
        ("15:00", "16:30"),
        ("16:30", None),
    ],
)
def test_next_edge(moment: str, expected: str | None) -> None:
    edge = next_edge(agenda(*BACK_TO_BACK), at(moment))
    assert edge == (at(expected) if expected else None)


def test_settle_with_opening_hours_skips_a_meeting_at_the_opening() -> None:
    office = WorkHours(WAW, frozenset(range(5)), time(9), time(17))
    tomorrow = DAY + timedelta(days=1)
    morning = agenda(CalendarEvent(at("09:00", tomorrow), at("09:45", tomorrow), "Standup"))
    found = settle(morning, at("17:30"), lambda moment: hours.next_open(office, moment))
    assert found == at("09:45", tomorrow)
    # Without opening hours the free moment is enough.
    assert settle(morning, at("17:30")) == at("17:30")
    # Hours that never open: no time at all.
    assert settle(morning, at("17:30"), lambda moment: None) is None


def test_settle_gives_up_when_hours_always_open_into_a_meeting() -> None:
    hourly = agenda(
        *(
            CalendarEvent(
                at("00:00") + timedelta(hours=n), at("00:30") + timedelta(hours=n), "Hourly"
            )
            for n in range(100)
        )
    )

    def on_the_hour(moment: datetime) -> datetime:
        return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)

    assert settle(hourly, at("00:10"), on_the_hour) is None


# --- Properties ------------------------------------------------------------------------

BASE = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
minutes = st.integers(min_value=0, max_value=24 * 60)
events_strategy = st.lists(
    st.tuples(minutes, st.integers(min_value=1, max_value=180), st.booleans(), st.booleans()),
    max_size=12,
)


def _events(raw: list[tuple[int, int, bool, bool]]) -> list[CalendarEvent]:
    return [
        CalendarEvent(
            BASE + timedelta(minutes=start),
            BASE + timedelta(minutes=start + length),
            "Meeting",
            all_day=all_day,
            transparent=transparent,
        )
        for start, length, all_day, transparent in raw
    ]


def _counted(found: list[CalendarEvent]) -> list[CalendarEvent]:
    return [item for item in found if not item.all_day and not item.transparent]


@given(events_strategy, minutes, st.integers(min_value=0, max_value=60))
def test_a_promised_time_is_never_inside_a_counted_event(
    raw: list[tuple[int, int, bool, bool]], offset: int, gap: int
) -> None:
    found = _events(raw)
    moment = BASE + timedelta(minutes=offset)
    free = next_free(build_agenda(found, (), soon=M10, min_gap=timedelta(minutes=gap)), moment)
    assert free >= moment
    assert not any(item.start <= free < item.end for item in _counted(found))


@given(events_strategy, minutes, st.integers(min_value=1, max_value=60))
def test_the_gap_found_is_at_least_min_gap_and_free(
    raw: list[tuple[int, int, bool, bool]], offset: int, gap: int
) -> None:
    found = _events(raw)
    moment = BASE + timedelta(minutes=offset)
    min_gap = timedelta(minutes=gap)
    free = next_free(build_agenda(found, (), soon=M10, min_gap=min_gap), moment)
    window_end = free + min_gap
    assert not any(item.start < window_end and item.end > free for item in _counted(found))


@given(events_strategy, minutes, st.integers(min_value=1, max_value=60))
def test_no_earlier_whole_minute_would_do(
    raw: list[tuple[int, int, bool, bool]], offset: int, gap: int
) -> None:
    found = _events(raw)
    counted = _counted(found)
    moment = BASE + timedelta(minutes=offset)
    min_gap = timedelta(minutes=gap)
    free = next_free(build_agenda(found, (), soon=M10, min_gap=min_gap), moment)
    candidate = moment
    while candidate < free:
        end = candidate + min_gap
        assert any(item.start < end and item.end > candidate for item in counted)
        candidate += timedelta(minutes=1)


@given(events_strategy, minutes)
def test_about_to_start_is_the_next_start_within_the_window(
    raw: list[tuple[int, int, bool, bool]], offset: int
) -> None:
    found = _events(raw)
    now = BASE + timedelta(minutes=offset)
    soon = about_to_start(build_agenda(found, (), soon=M10, min_gap=M15), now)
    upcoming = sorted(item.start for item in _counted(found) if item.start > now)
    if upcoming and upcoming[0] - now <= M10:
        assert soon is not None
        assert soon.start == upcoming[0]
    else:
        assert soon is None


# --- Readiness and promises with the look-ahead ---------------------------------------

OFFICE = WorkHours(WAW, frozenset(range(5)), time(9), time(17))


def test_meeting_soon_comes_right_after_in_meeting_in_the_priority() -> None:
    order = list(Reason)
    assert order.index(Reason.MEETING_SOON) == order.index(Reason.IN_MEETING) + 1


@pytest.mark.parametrize(
    ("moment", "in_meeting_until", "ready", "reasons", "ready_again"),
    [
        # Nothing yet: ready, with no promise needed.
        ("13:30", None, True, (), None),
        # Ten minutes before the first meeting: about to start, back after both.
        ("13:50", None, False, (Reason.MEETING_SOON,), "16:30"),
        # In the first meeting (the calendar state says until 15:00): after the second.
        ("14:10", "15:00", False, (Reason.IN_MEETING,), "16:30"),
        # Ten minutes before the second meeting, still in the first: both reasons.
        ("14:55", "15:00", False, (Reason.IN_MEETING, Reason.MEETING_SOON), "16:30"),
    ],
)
def test_readiness_with_back_to_back_meetings(
    moment: str,
    in_meeting_until: str | None,
    ready: bool,
    reasons: tuple[Reason, ...],
    ready_again: str | None,
) -> None:
    evidence = (
        (Evidence(Reason.IN_MEETING, "calendar.work", at(in_meeting_until)),)
        if in_meeting_until
        else ()
    )
    verdict = evaluate(Snapshot(evidence=evidence, agenda=agenda(*BACK_TO_BACK)), at(moment))
    assert verdict.ready is ready
    assert verdict.reasons == reasons
    assert verdict.ready_again_at == (at(ready_again) if ready_again else None)
    if Reason.MEETING_SOON in reasons:
        assert verdict.sources[Reason.MEETING_SOON] in (("calendar.work",), ("calendar.personal",))


def test_ready_wakes_up_when_a_meeting_is_about_to_start() -> None:
    verdict = evaluate(Snapshot(agenda=agenda(*BACK_TO_BACK)), at("13:00"))
    assert verdict.ready
    assert verdict.next_change == at("13:50")
    soon = evaluate(Snapshot(agenda=agenda(*BACK_TO_BACK)), at("13:50"))
    assert soon.next_change == at("14:00")


def test_meeting_soon_off_at_zero_minutes_still_skips_meetings() -> None:
    off = agenda(*BACK_TO_BACK, soon=timedelta(0))
    assert evaluate(Snapshot(agenda=off), at("13:55")).ready
    verdict = evaluate(
        Snapshot(evidence=(Evidence(Reason.IN_MEETING, "calendar.work", at("15:00")),), agenda=off),
        at("14:10"),
    )
    assert verdict.ready_again_at == at("16:30")


def test_business_hours_and_meetings_are_settled_together() -> None:
    tomorrow = DAY + timedelta(days=1)
    late = agenda(
        event("16:00", "17:00", "Late review"),
        CalendarEvent(at("09:00", tomorrow), at("10:00", tomorrow), "Standup"),
    )
    verdict = evaluate(
        Snapshot(
            evidence=(Evidence(Reason.IN_MEETING, "calendar.work", at("17:00")),),
            work_hours=OFFICE,
            agenda=late,
        ),
        at("16:10"),
    )
    assert verdict.ready_again_at == at("10:00", tomorrow)


def test_promised_callback_skips_meetings_after_the_contact_hours_open() -> None:
    tomorrow = DAY + timedelta(days=1)
    morning = agenda(CalendarEvent(at("09:00", tomorrow), at("09:40", tomorrow), "Standup"))
    client = Client("anna", "Anna", ("+48601234567",), contact_hours=OFFICE)
    readiness = Readiness(ready=False, reasons=(Reason.IN_MEETING,), ready_again_at=at("17:30"))
    assert callback_time(readiness, client, at("16:00"), morning) == at("09:40", tomorrow)
    assert callback_time(readiness, client, at("16:00")) == at("09:00", tomorrow)
    # Without contact hours the ready-again time (already free) is the promise.
    assert callback_time(readiness, None, at("16:00"), morning) == at("17:30")


@given(events_strategy, minutes, st.integers(min_value=0, max_value=300))
def test_ready_again_is_never_inside_a_counted_event(
    raw: list[tuple[int, int, bool, bool]], offset: int, busy_for: int
) -> None:
    found = _events(raw)
    now = BASE + timedelta(minutes=offset)
    snapshot = Snapshot(
        evidence=(Evidence(Reason.ON_CALL, "sensor.phone", now + timedelta(minutes=busy_for)),),
        agenda=build_agenda(found, (), soon=M10, min_gap=M15),
    )
    again = evaluate(snapshot, now).ready_again_at
    assert again is not None
    assert not any(item.start <= again < item.end for item in _counted(found))


@given(events_strategy, st.lists(minutes, min_size=1, max_size=8), st.booleans())
def test_a_kept_agenda_decides_like_a_fresh_one(
    raw: list[tuple[int, int, bool, bool]], offsets: list[int], meeting: bool
) -> None:
    """The agenda keeps what evaluate derived between two edges: never a stale answer."""
    found = _events(raw)
    kept = build_agenda(found, (), soon=M10, min_gap=M15)
    for offset in offsets:
        now = BASE + timedelta(minutes=offset)
        evidence = (
            (Evidence(Reason.ON_CALL, "sensor.phone", now + timedelta(minutes=20)),)
            if meeting
            else ()
        )
        fresh = build_agenda(found, (), soon=M10, min_gap=M15)
        assert evaluate(Snapshot(evidence=evidence, agenda=kept), now) == evaluate(
            Snapshot(evidence=evidence, agenda=fresh), now
        )
