"""Table-driven tests for the pure readiness decision in ``readiness.py``.

The default moment is Monday 2025-06-02 11:00 in Warsaw, inside office hours
(Mon-Fri 09:00-17:00). Expected instants are local wall-clock strings with their
offset ("Tue 2025-06-03 09:00 +0200"), so the business-hours answers read naturally.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.client_etiquette.core.models import (
    REASON_PRIORITY,
    Evidence,
    Mode,
    Readiness,
    Reason,
    Snapshot,
    WorkHours,
)
from custom_components.client_etiquette.core.readiness import evaluate

WAW = ZoneInfo("Europe/Warsaw")
NY = ZoneInfo("America/New_York")
MON_FRI = frozenset(range(5))

OFFICE = WorkHours(WAW, MON_FRI, time(9), time(17))
OFFICE_NY = WorkHours(NY, MON_FRI, time(9), time(17))
NEVER = WorkHours(WAW, frozenset(), time(9), time(17))

# Source entities as the glue would name them (see tests/__init__.py).
DRIVING_SRC = "sensor.phone_detected_activity"
ANDROID_AUTO_SRC = "binary_sensor.phone_android_auto"
PHONE_STATE_SRC = "sensor.phone_phone_state"
DND_SRC = "sensor.phone_do_not_disturb_sensor"
SIGNAL_SRC = "sensor.phone_signal_strength"
CALENDAR_SRC = "calendar.work"
SCHEDULE_SRC = "schedule.business_hours"
METRO = "zone.metro"
BAR = "zone.jazz_bar"
LIBRARY = "zone.library"

SOURCE_OF = {
    Reason.DRIVING: DRIVING_SRC,
    Reason.ON_CALL: PHONE_STATE_SRC,
    Reason.DEAD_ZONE: METRO,
    Reason.IN_MEETING: CALENDAR_SRC,
    Reason.MEETING_SOON: CALENDAR_SRC,
    Reason.DO_NOT_DISTURB: DND_SRC,
    Reason.NOISY_PLACE: BAR,
    Reason.WEAK_SIGNAL: SIGNAL_SRC,
    Reason.PUBLIC_PLACE: LIBRARY,
    Reason.AFTER_HOURS: SCHEDULE_SRC,
}
EVIDENCE_REASONS = tuple(SOURCE_OF)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the shared autouse fixture: these pure tests need no Home Assistant core."""


def waw(text: str, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WAW, fold=fold)


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


NOW = waw("2025-06-02 11:00")  # Monday, office open


def wall(moment: datetime | None, tz: ZoneInfo = WAW) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %z")


def ev(reason: Reason, until: str | datetime | None = None, source: str | None = None) -> Evidence:
    """Evidence for a reason from its usual source; ``until`` as a Warsaw wall clock."""
    if isinstance(until, str):
        until = waw(until)
    return Evidence(reason, source or SOURCE_OF[reason], until)


def snap(*evidence: Evidence, **kwargs: Any) -> Snapshot:
    return Snapshot(evidence=tuple(evidence), **kwargs)


def assert_consistent(result: Readiness, now: datetime) -> None:
    """Invariants every Readiness must satisfy."""
    assert result.ready is (not result.reasons)
    assert result.primary == (result.reasons[0] if result.reasons else None)
    assert list(result.reasons) == [r for r in REASON_PRIORITY if r in result.reasons]
    assert len(set(result.reasons)) == len(result.reasons)
    assert list(result.sources) == list(result.reasons)
    if result.ready:
        assert result.ready_again_at is None
    if result.ready_again_at is not None:
        assert result.ready_again_at >= now
    if result.next_change is not None:
        assert result.next_change > now


# --------------------------------------------------------------------------- priority


def test_documented_priority_order() -> None:
    assert REASON_PRIORITY == (
        Reason.MANUAL,
        Reason.DRIVING,
        Reason.ON_CALL,
        Reason.DEAD_ZONE,
        Reason.IN_MEETING,
        Reason.MEETING_SOON,
        Reason.DO_NOT_DISTURB,
        Reason.NOISY_PLACE,
        Reason.WEAK_SIGNAL,
        Reason.PUBLIC_PLACE,
        Reason.AFTER_HOURS,
    )
    assert {str(reason) for reason in Reason} == {
        "manual",
        "driving",
        "on_call",
        "dead_zone",
        "in_meeting",
        "meeting_soon",
        "do_not_disturb",
        "noisy_place",
        "weak_signal",
        "public_place",
        "after_hours",
    }


def test_ready_when_nothing_is_active() -> None:
    result = evaluate(Snapshot(), NOW)
    assert result == Readiness(ready=True)
    assert result.primary is None
    assert_consistent(result, NOW)


# --------------------------------------------------------------------------- single reasons


@pytest.mark.parametrize("reason", EVIDENCE_REASONS, ids=str)
def test_each_reason_with_known_end(reason: Reason) -> None:
    until = waw("2025-06-02 12:00")
    result = evaluate(snap(ev(reason, until)), NOW)
    assert result.ready is False
    assert result.reasons == (reason,)
    assert result.primary is reason
    assert result.sources == {reason: (SOURCE_OF[reason],)}
    assert result.ready_again_at == until
    assert result.next_change == until
    assert result.passenger is False
    assert_consistent(result, NOW)


@pytest.mark.parametrize("reason", EVIDENCE_REASONS, ids=str)
def test_each_reason_with_unknown_end(reason: Reason) -> None:
    result = evaluate(snap(ev(reason)), NOW)
    assert result.reasons == (reason,)
    assert result.primary is reason
    assert result.ready_again_at is None
    assert result.next_change is None
    assert_consistent(result, NOW)


def test_manual_via_busy_mode() -> None:
    result = evaluate(snap(mode=Mode.BUSY, busy_until=waw("2025-06-02 11:30")), NOW)
    assert result.reasons == (Reason.MANUAL,)
    assert result.primary is Reason.MANUAL
    assert result.sources == {Reason.MANUAL: ()}
    assert wall(result.ready_again_at) == "Mon 2025-06-02 11:30 +0200"
    assert wall(result.next_change) == "Mon 2025-06-02 11:30 +0200"
    assert_consistent(result, NOW)


def test_after_hours_via_work_hours() -> None:
    now = waw("2025-06-02 18:00")
    result = evaluate(snap(work_hours=OFFICE), now)
    assert result.reasons == (Reason.AFTER_HOURS,)
    assert result.sources == {Reason.AFTER_HOURS: ()}
    assert wall(result.ready_again_at) == "Tue 2025-06-03 09:00 +0200"
    assert wall(result.next_change) == "Tue 2025-06-03 09:00 +0200"
    assert_consistent(result, now)


def test_after_hours_via_schedule_evidence() -> None:
    now = waw("2025-06-07 12:00")  # Saturday, no work_hours configured
    result = evaluate(snap(ev(Reason.AFTER_HOURS, "2025-06-09 09:00")), now)
    assert result.reasons == (Reason.AFTER_HOURS,)
    assert result.sources == {Reason.AFTER_HOURS: (SCHEDULE_SRC,)}
    assert wall(result.ready_again_at) == "Mon 2025-06-09 09:00 +0200"
    assert wall(result.next_change) == "Mon 2025-06-09 09:00 +0200"


# --------------------------------------------------------------------------- combinations


def _snapshot_for(reasons: tuple[Reason, ...]) -> Snapshot:
    """MANUAL comes from Mode.BUSY; every other reason from its usual Evidence."""
    evidence = tuple(
        ev(reason, "2025-06-02 12:00") for reason in reasons if reason is not Reason.MANUAL
    )
    if Reason.MANUAL in reasons:
        return Snapshot(evidence=evidence, mode=Mode.BUSY)
    return Snapshot(evidence=evidence)


PAIRS = [
    pytest.param(pair, id="+".join(pair))
    for pair in itertools.permutations(REASON_PRIORITY, 2)
    if REASON_PRIORITY.index(pair[0]) > REASON_PRIORITY.index(pair[1])  # lower priority first
]


@pytest.mark.parametrize("given", PAIRS)
def test_every_pair_sorted_by_priority(given: tuple[Reason, Reason]) -> None:
    result = evaluate(_snapshot_for(given), NOW)
    assert result.reasons == (given[1], given[0])
    assert result.primary is given[1]
    assert_consistent(result, NOW)


def test_all_reasons_at_once_in_reverse_order() -> None:
    given = tuple(reversed(REASON_PRIORITY))
    result = evaluate(_snapshot_for(given), NOW)
    assert result.reasons == REASON_PRIORITY
    assert result.primary is Reason.MANUAL
    assert_consistent(result, NOW)


REALISTIC_COMBOS = [
    pytest.param(
        (ev(Reason.NOISY_PLACE), ev(Reason.IN_MEETING)),
        {},
        (Reason.IN_MEETING, Reason.NOISY_PLACE),
        id="meeting-in-a-bar->in_meeting",
    ),
    pytest.param(
        (ev(Reason.PUBLIC_PLACE), ev(Reason.WEAK_SIGNAL)),
        {},
        (Reason.WEAK_SIGNAL, Reason.PUBLIC_PLACE),
        id="train-weak-signal->weak_signal",
    ),
    pytest.param(
        (ev(Reason.DEAD_ZONE), ev(Reason.DRIVING)),
        {},
        (Reason.DRIVING, Reason.DEAD_ZONE),
        id="driving-through-dead-zone->driving",
    ),
    pytest.param(
        (ev(Reason.DO_NOT_DISTURB), ev(Reason.ON_CALL)),
        {},
        (Reason.ON_CALL, Reason.DO_NOT_DISTURB),
        id="on-call-with-dnd->on_call",
    ),
    pytest.param(
        (ev(Reason.AFTER_HOURS), ev(Reason.NOISY_PLACE)),
        {},
        (Reason.NOISY_PLACE, Reason.AFTER_HOURS),
        id="evening-party->noisy_place",
    ),
    pytest.param(
        (ev(Reason.DRIVING),),
        {"mode": Mode.BUSY},
        (Reason.MANUAL, Reason.DRIVING),
        id="busy-and-driving->manual",
    ),
    pytest.param(
        (ev(Reason.PUBLIC_PLACE),),
        {"work_hours": OFFICE, "workday_today": False},
        (Reason.PUBLIC_PLACE, Reason.AFTER_HOURS),
        id="holiday-in-library->public_place",
    ),
    pytest.param(
        (ev(Reason.DRIVING), ev(Reason.IN_MEETING)),
        {"in_own_car": False},
        (Reason.IN_MEETING,),
        id="passenger-in-meeting->in_meeting",
    ),
]


@pytest.mark.parametrize(("evidence", "kwargs", "expected"), REALISTIC_COMBOS)
def test_realistic_combinations(
    evidence: tuple[Evidence, ...], kwargs: dict[str, Any], expected: tuple[Reason, ...]
) -> None:
    result = evaluate(snap(*evidence, **kwargs), NOW)
    assert result.reasons == expected
    assert result.primary is expected[0]
    assert_consistent(result, NOW)


# --------------------------------------------------------------------------- sources

SOURCES_CASES = [
    pytest.param(
        (
            ev(Reason.DO_NOT_DISTURB, source="sensor.phone_dnd"),
            ev(Reason.DO_NOT_DISTURB, source="sensor.tablet_dnd"),
        ),
        {},
        {Reason.DO_NOT_DISTURB: ("sensor.phone_dnd", "sensor.tablet_dnd")},
        id="two-sources-one-reason-in-order",
    ),
    pytest.param(
        (ev(Reason.IN_MEETING, "2025-06-02 12:00"), ev(Reason.IN_MEETING, "2025-06-02 13:00")),
        {},
        {Reason.IN_MEETING: (CALENDAR_SRC,)},
        id="duplicate-source-deduplicated",
    ),
    pytest.param(
        (
            ev(Reason.NOISY_PLACE, source=BAR),
            ev(Reason.IN_MEETING),
            ev(Reason.NOISY_PLACE, source="zone.stadium"),
        ),
        {},
        {Reason.IN_MEETING: (CALENDAR_SRC,), Reason.NOISY_PLACE: (BAR, "zone.stadium")},
        id="interleaved-grouped-by-reason",
    ),
    pytest.param(
        (
            ev(Reason.DRIVING, source=ANDROID_AUTO_SRC),
            ev(Reason.DRIVING, source=DRIVING_SRC),
            ev(Reason.DRIVING, source=ANDROID_AUTO_SRC),
        ),
        {},
        {Reason.DRIVING: (ANDROID_AUTO_SRC, DRIVING_SRC)},
        id="dedup-keeps-first-appearance-order",
    ),
    pytest.param((), {"mode": Mode.BUSY}, {Reason.MANUAL: ()}, id="busy-has-no-source"),
    pytest.param(
        (ev(Reason.IN_MEETING),),
        {"mode": Mode.BUSY, "busy_reason": Reason.IN_MEETING},
        {Reason.IN_MEETING: (CALENDAR_SRC,)},
        id="busy-reason-merges-with-evidence",
    ),
    pytest.param(
        (),
        {"work_hours": OFFICE, "workday_today": False},
        {Reason.AFTER_HOURS: ()},
        id="closed-hours-have-no-source",
    ),
    pytest.param(
        (ev(Reason.AFTER_HOURS),),
        {"work_hours": OFFICE, "workday_today": False},
        {Reason.AFTER_HOURS: (SCHEDULE_SRC,)},
        id="closed-hours-merge-with-schedule",
    ),
    pytest.param(
        (ev(Reason.DRIVING), ev(Reason.PUBLIC_PLACE)),
        {"in_own_car": False},
        {Reason.PUBLIC_PLACE: (LIBRARY,)},
        id="passenger-driving-source-dropped",
    ),
    pytest.param((), {}, {}, id="ready-no-sources"),
]


@pytest.mark.parametrize(("evidence", "kwargs", "expected"), SOURCES_CASES)
def test_sources_grouping(
    evidence: tuple[Evidence, ...], kwargs: dict[str, Any], expected: dict[Reason, tuple[str, ...]]
) -> None:
    result = evaluate(snap(*evidence, **kwargs), NOW)
    assert result.sources == expected
    assert list(result.sources) == list(result.reasons)
    assert_consistent(result, NOW)


# --------------------------------------------------------------------------- passenger vs driver

PASSENGER_CASES = [
    pytest.param(
        None, (ev(Reason.DRIVING),), (Reason.DRIVING,), False, id="no-car-source-motion-is-driving"
    ),
    pytest.param(True, (ev(Reason.DRIVING),), (Reason.DRIVING,), False, id="own-car-is-driving"),
    pytest.param(False, (ev(Reason.DRIVING),), (), True, id="not-own-car-is-passenger"),
    pytest.param(
        False,
        (ev(Reason.DRIVING, source=DRIVING_SRC), ev(Reason.DRIVING, source=ANDROID_AUTO_SRC)),
        (),
        True,
        id="passenger-all-driving-dropped",
    ),
    pytest.param(
        False,
        (ev(Reason.DRIVING), ev(Reason.NOISY_PLACE)),
        (Reason.NOISY_PLACE,),
        True,
        id="passenger-on-noisy-bus",
    ),
    pytest.param(
        False,
        (ev(Reason.DO_NOT_DISTURB),),
        (Reason.DO_NOT_DISTURB,),
        False,
        id="no-motion-no-passenger",
    ),
    pytest.param(False, (), (), False, id="nothing-no-passenger"),
    pytest.param(True, (), (), False, id="own-car-parked"),
    pytest.param(
        None,
        (ev(Reason.DRIVING), ev(Reason.DEAD_ZONE)),
        (Reason.DRIVING, Reason.DEAD_ZONE),
        False,
        id="driver-in-dead-zone",
    ),
]


@pytest.mark.parametrize(("in_own_car", "evidence", "expected", "passenger"), PASSENGER_CASES)
def test_passenger_vs_driver(
    in_own_car: bool | None,
    evidence: tuple[Evidence, ...],
    expected: tuple[Reason, ...],
    passenger: bool,
) -> None:
    result = evaluate(snap(*evidence, in_own_car=in_own_car), NOW)
    assert result.reasons == expected
    assert result.ready is (not expected)
    assert result.passenger is passenger
    assert_consistent(result, NOW)


def test_passenger_driving_end_is_ignored() -> None:
    """Check that a passenger's motion does not hold up ready_again_at or next_change."""
    evidence = (ev(Reason.DRIVING, "2025-06-02 11:10"), ev(Reason.NOISY_PLACE, "2025-06-02 11:30"))
    result = evaluate(snap(*evidence, in_own_car=False), NOW)
    assert wall(result.ready_again_at) == "Mon 2025-06-02 11:30 +0200"
    assert wall(result.next_change) == "Mon 2025-06-02 11:30 +0200"


def test_passenger_unknown_driving_end_does_not_block_ready_again() -> None:
    evidence = (ev(Reason.DRIVING), ev(Reason.NOISY_PLACE, "2025-06-02 11:30"))
    result = evaluate(snap(*evidence, in_own_car=False), NOW)
    assert wall(result.ready_again_at) == "Mon 2025-06-02 11:30 +0200"


def test_busy_driving_reason_is_not_dropped_for_a_passenger() -> None:
    """busy_reason=DRIVING is a manual claim, not motion: it stays even with in_own_car False."""
    result = evaluate(snap(in_own_car=False, mode=Mode.BUSY, busy_reason=Reason.DRIVING), NOW)
    assert result.reasons == (Reason.DRIVING,)
    assert result.passenger is False


# --------------------------------------------------------------------------- modes

EVERYTHING = tuple(ev(reason, "2025-06-02 12:00") for reason in EVIDENCE_REASONS)

MODE_CASES = [
    # (snapshot, now, expected reasons, expected ready_again_at, expected next_change)
    pytest.param(
        snap(
            *EVERYTHING,
            mode=Mode.AVAILABLE,
            work_hours=OFFICE,
            workday_today=False,
            busy_until=waw("2025-06-02 13:00"),
        ),
        NOW,
        (),
        None,
        None,
        id="available-overrides-everything",
    ),
    pytest.param(
        snap(mode=Mode.AVAILABLE, work_hours=OFFICE),
        waw("2025-06-07 23:00"),
        (),
        None,
        None,
        id="available-after-hours",
    ),
    pytest.param(
        snap(ev(Reason.DRIVING), mode=Mode.AVAILABLE, in_own_car=True),
        NOW,
        (),
        None,
        None,
        id="available-while-driving",
    ),
    pytest.param(snap(mode=Mode.BUSY), NOW, (Reason.MANUAL,), None, None, id="busy-indefinite"),
    pytest.param(
        snap(mode=Mode.BUSY, work_hours=OFFICE),
        NOW,
        (Reason.MANUAL,),
        None,
        "Mon 2025-06-02 17:00 +0200",
        id="busy-indefinite-hours-edge",
    ),
    pytest.param(
        snap(mode=Mode.BUSY, busy_until=waw("2025-06-02 11:30")),
        NOW,
        (Reason.MANUAL,),
        "Mon 2025-06-02 11:30 +0200",
        "Mon 2025-06-02 11:30 +0200",
        id="busy-until-future",
    ),
    pytest.param(
        snap(mode=Mode.BUSY, busy_until=waw("2025-06-02 12:00"), work_hours=OFFICE),
        NOW,
        (Reason.MANUAL,),
        "Mon 2025-06-02 12:00 +0200",
        "Mon 2025-06-02 12:00 +0200",
        id="busy-until-before-closing",
    ),
    pytest.param(
        snap(mode=Mode.BUSY, busy_until=waw("2025-06-02 18:00"), work_hours=OFFICE),
        NOW,
        (Reason.MANUAL,),
        "Tue 2025-06-03 09:00 +0200",
        "Mon 2025-06-02 17:00 +0200",
        id="busy-until-after-closing",
    ),
    pytest.param(
        snap(mode=Mode.BUSY, busy_until=NOW), NOW, (), None, None, id="busy-until-now-expired"
    ),
    pytest.param(
        snap(mode=Mode.BUSY, busy_until=waw("2025-06-02 10:00")),
        NOW,
        (),
        None,
        None,
        id="busy-until-past-expired",
    ),
    pytest.param(
        snap(
            ev(Reason.IN_MEETING, "2025-06-02 12:00"),
            mode=Mode.BUSY,
            busy_until=waw("2025-06-02 10:00"),
        ),
        NOW,
        (Reason.IN_MEETING,),
        "Mon 2025-06-02 12:00 +0200",
        "Mon 2025-06-02 12:00 +0200",
        id="busy-expired-other-reasons-stay",
    ),
    pytest.param(
        snap(mode=Mode.BUSY, busy_reason=Reason.IN_MEETING),
        NOW,
        (Reason.IN_MEETING,),
        None,
        None,
        id="busy-reason-in-meeting",
    ),
    pytest.param(
        snap(mode=Mode.BUSY, busy_reason=Reason.AFTER_HOURS, work_hours=OFFICE),
        NOW,
        (Reason.AFTER_HOURS,),
        None,
        "Mon 2025-06-02 17:00 +0200",
        id="busy-reason-after-hours-while-open",
    ),
    pytest.param(
        snap(mode=Mode.BUSY, busy_reason=Reason.NOISY_PLACE, busy_until=waw("2025-06-02 11:15")),
        NOW,
        (Reason.NOISY_PLACE,),
        "Mon 2025-06-02 11:15 +0200",
        "Mon 2025-06-02 11:15 +0200",
        id="busy-reason-noisy-snooze",
    ),
    pytest.param(
        snap(
            ev(Reason.DRIVING, "2025-06-02 11:20"),
            mode=Mode.BUSY,
            busy_until=waw("2025-06-02 11:40"),
        ),
        NOW,
        (Reason.MANUAL, Reason.DRIVING),
        "Mon 2025-06-02 11:40 +0200",
        "Mon 2025-06-02 11:20 +0200",
        id="busy-and-driving",
    ),
    pytest.param(
        snap(mode=Mode.AUTO, busy_until=waw("2025-06-02 12:00")),
        NOW,
        (),
        None,
        None,
        id="auto-ignores-busy-until",
    ),
    pytest.param(
        snap(mode=Mode.AUTO, busy_reason=Reason.DRIVING),
        NOW,
        (),
        None,
        None,
        id="auto-ignores-busy-reason",
    ),
]


@pytest.mark.parametrize(("snapshot", "now", "reasons", "ready_again", "next_change"), MODE_CASES)
def test_modes(
    snapshot: Snapshot,
    now: datetime,
    reasons: tuple[Reason, ...],
    ready_again: str | None,
    next_change: str | None,
) -> None:
    result = evaluate(snapshot, now)
    assert result.reasons == reasons
    assert result.ready is (not reasons)
    assert wall(result.ready_again_at) == ready_again
    assert wall(result.next_change) == next_change
    assert_consistent(result, now)


def test_available_is_a_clean_verdict() -> None:
    snapshot = snap(
        *EVERYTHING,
        ev(Reason.DRIVING),
        in_own_car=False,
        mode=Mode.AVAILABLE,
        unavailable_sources=(SIGNAL_SRC,),
    )
    result = evaluate(snapshot, NOW)
    assert result == Readiness(ready=True, unavailable_sources=(SIGNAL_SRC,))
    assert result.passenger is False
    assert result.sources == {}


# --------------------------------------------------------------------------- ready_again_at

READY_AGAIN_CASES = [
    # (now, snapshot, expected wall clock in Warsaw)
    pytest.param(NOW, snap(work_hours=OFFICE), None, id="ready-none"),
    pytest.param(NOW, snap(ev(Reason.IN_MEETING)), None, id="unknown-end-none"),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 12:00"), ev(Reason.DO_NOT_DISTURB)),
        None,
        id="one-unknown-end-none",
    ),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 12:00"), mode=Mode.BUSY),
        None,
        id="indefinite-busy-none",
    ),
    pytest.param(
        NOW,
        snap(
            ev(Reason.IN_MEETING, "2025-06-02 12:00"), ev(Reason.DO_NOT_DISTURB, "2025-06-02 13:00")
        ),
        "Mon 2025-06-02 13:00 +0200",
        id="max-of-known-ends",
    ),
    pytest.param(
        NOW,
        snap(
            ev(Reason.IN_MEETING, "2025-06-02 13:00"), ev(Reason.DO_NOT_DISTURB, "2025-06-02 12:00")
        ),
        "Mon 2025-06-02 13:00 +0200",
        id="max-independent-of-order",
    ),
    pytest.param(
        NOW,
        snap(
            ev(Reason.IN_MEETING, "2025-06-02 12:00"),
            mode=Mode.BUSY,
            busy_until=waw("2025-06-02 14:00"),
        ),
        "Mon 2025-06-02 14:00 +0200",
        id="busy-later-than-meeting",
    ),
    pytest.param(
        NOW,
        snap(
            ev(Reason.IN_MEETING, "2025-06-02 14:00"),
            mode=Mode.BUSY,
            busy_until=waw("2025-06-02 12:00"),
        ),
        "Mon 2025-06-02 14:00 +0200",
        id="meeting-later-than-busy",
    ),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 10:00")),
        "Mon 2025-06-02 11:00 +0200",
        id="stale-end-is-now",
    ),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, datetime(2025, 6, 2, 10, 0, tzinfo=UTC))),
        "Mon 2025-06-02 12:00 +0200",
        id="end-given-in-utc",
    ),
    # Business hours push the moment to the next opening.
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 16:00"), work_hours=OFFICE),
        "Mon 2025-06-02 16:00 +0200",
        id="hours-end-within-hours",
    ),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 16:59"), work_hours=OFFICE),
        "Mon 2025-06-02 16:59 +0200",
        id="hours-end-a-minute-before-close",
    ),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 17:00"), work_hours=OFFICE),
        "Tue 2025-06-03 09:00 +0200",
        id="hours-end-at-close-next-morning",
    ),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 17:30"), work_hours=OFFICE),
        "Tue 2025-06-03 09:00 +0200",
        id="hours-meeting-1730-next-morning",
    ),
    pytest.param(
        waw("2025-06-06 16:00"),
        snap(ev(Reason.IN_MEETING, "2025-06-06 17:30"), work_hours=OFFICE),
        "Mon 2025-06-09 09:00 +0200",
        id="hours-friday-meeting-to-monday",
    ),
    pytest.param(
        waw("2025-06-06 18:00"),
        snap(work_hours=OFFICE),
        "Mon 2025-06-09 09:00 +0200",
        id="hours-friday-evening-to-monday",
    ),
    pytest.param(
        waw("2025-06-07 12:00"),
        snap(work_hours=OFFICE),
        "Mon 2025-06-09 09:00 +0200",
        id="hours-saturday-to-monday",
    ),
    pytest.param(
        waw("2025-06-02 07:00"),
        snap(ev(Reason.DRIVING, "2025-06-02 08:00"), work_hours=OFFICE),
        "Mon 2025-06-02 09:00 +0200",
        id="hours-early-drive-waits-for-opening",
    ),
    pytest.param(
        waw("2025-06-02 07:00"),
        snap(ev(Reason.DRIVING, "2025-06-02 09:30"), work_hours=OFFICE),
        "Mon 2025-06-02 09:30 +0200",
        id="hours-drive-past-opening",
    ),
    pytest.param(
        waw("2025-06-02 07:00"),
        snap(ev(Reason.DRIVING), work_hours=OFFICE),
        None,
        id="hours-unknown-drive-none",
    ),
    pytest.param(
        NOW,
        snap(mode=Mode.BUSY, busy_until=waw("2025-06-07 10:00"), work_hours=OFFICE),
        "Mon 2025-06-09 09:00 +0200",
        id="hours-snooze-into-weekend",
    ),
    # The workday sensor's verdict for today.
    pytest.param(
        waw("2025-06-07 12:00"),
        snap(ev(Reason.IN_MEETING, "2025-06-07 13:00"), work_hours=OFFICE, workday_today=True),
        "Sat 2025-06-07 13:00 +0200",
        id="workday-saturday-meeting",
    ),
    pytest.param(
        waw("2025-06-07 10:00"),
        snap(ev(Reason.IN_MEETING, "2025-06-07 18:00"), work_hours=OFFICE, workday_today=True),
        "Mon 2025-06-09 09:00 +0200",
        id="workday-saturday-sunday-stays-off",
    ),
    pytest.param(
        waw("2025-06-07 08:00"),
        snap(work_hours=OFFICE, workday_today=True),
        "Sat 2025-06-07 09:00 +0200",
        id="workday-saturday-before-opening",
    ),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 12:00"), work_hours=OFFICE, workday_today=False),
        "Tue 2025-06-03 09:00 +0200",
        id="holiday-monday-meeting",
    ),
    pytest.param(
        NOW,
        snap(work_hours=OFFICE, workday_today=False),
        "Tue 2025-06-03 09:00 +0200",
        id="holiday-monday",
    ),
    pytest.param(
        waw("2025-06-06 10:00"),
        snap(work_hours=OFFICE, workday_today=False),
        "Mon 2025-06-09 09:00 +0200",
        id="holiday-friday",
    ),
    # Hours that never open.
    pytest.param(NOW, snap(work_hours=NEVER), None, id="never-open-none"),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 12:00"), work_hours=NEVER),
        None,
        id="never-open-meeting-none",
    ),
    # Over DST changes: still 09:00 on the wall clock.
    pytest.param(
        waw("2025-03-28 18:00"),
        snap(work_hours=OFFICE),
        "Mon 2025-03-31 09:00 +0200",
        id="dst-spring-friday-evening",
    ),
    pytest.param(
        waw("2025-10-24 16:00"),
        snap(ev(Reason.IN_MEETING, "2025-10-24 17:30"), work_hours=OFFICE),
        "Mon 2025-10-27 09:00 +0100",
        id="dst-fall-friday-meeting",
    ),
]


@pytest.mark.parametrize(("now", "snapshot", "expected"), READY_AGAIN_CASES)
def test_ready_again_at(now: datetime, snapshot: Snapshot, expected: str | None) -> None:
    result = evaluate(snapshot, now)
    assert wall(result.ready_again_at) == expected
    assert_consistent(result, now)


@pytest.mark.parametrize(
    ("now", "snapshot", "tz"),
    [
        pytest.param(
            waw("2025-06-06 17:30"), snap(work_hours=OFFICE), WAW, id="waw-friday-evening"
        ),
        pytest.param(
            waw("2025-06-06 16:00"),
            snap(ev(Reason.IN_MEETING, "2025-06-06 17:30"), work_hours=OFFICE),
            WAW,
            id="waw-friday-meeting",
        ),
        pytest.param(
            datetime(2025, 6, 6, 21, 30, tzinfo=UTC),
            snap(work_hours=OFFICE_NY),
            NY,
            id="ny-friday-evening-utc-now",
        ),
        pytest.param(
            ny("2025-10-31 16:00"),
            snap(ev(Reason.DRIVING, ny("2025-10-31 18:00")), work_hours=OFFICE_NY),
            NY,
            id="ny-friday-drive-over-fall-back",
        ),
        pytest.param(
            ny("2025-03-07 18:00"),
            snap(work_hours=OFFICE_NY),
            NY,
            id="ny-friday-over-spring-forward",
        ),
    ],
)
def test_ready_again_friday_evening_is_monday_nine(
    now: datetime, snapshot: Snapshot, tz: ZoneInfo
) -> None:
    result = evaluate(snapshot, now)
    assert result.ready_again_at is not None
    local = result.ready_again_at.astimezone(tz)
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
    assert local - now.astimezone(tz) < timedelta(days=4)


# --------------------------------------------------------------------------- next_change

NEXT_CHANGE_CASES = [
    # (now, snapshot, expected wall clock)
    pytest.param(NOW, snap(), None, id="ready-no-hours-none"),
    pytest.param(
        NOW, snap(work_hours=OFFICE), "Mon 2025-06-02 17:00 +0200", id="ready-hours-close"
    ),
    pytest.param(
        waw("2025-06-02 07:00"),
        snap(work_hours=OFFICE),
        "Mon 2025-06-02 09:00 +0200",
        id="before-opening",
    ),
    pytest.param(
        waw("2025-06-06 18:00"),
        snap(work_hours=OFFICE),
        "Mon 2025-06-09 09:00 +0200",
        id="friday-evening-opening",
    ),
    pytest.param(
        waw("2025-06-07 08:00"),
        snap(work_hours=OFFICE, workday_today=True),
        "Sat 2025-06-07 09:00 +0200",
        id="workday-saturday-opening",
    ),
    pytest.param(
        NOW,
        snap(work_hours=OFFICE, workday_today=False),
        "Tue 2025-06-03 09:00 +0200",
        id="holiday-next-opening",
    ),
    pytest.param(NOW, snap(work_hours=NEVER), None, id="never-open-none"),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 12:00")),
        "Mon 2025-06-02 12:00 +0200",
        id="evidence-until",
    ),
    pytest.param(NOW, snap(ev(Reason.IN_MEETING)), None, id="evidence-unknown-end"),
    pytest.param(
        NOW,
        snap(
            ev(Reason.IN_MEETING, "2025-06-02 12:00"), ev(Reason.DO_NOT_DISTURB, "2025-06-02 11:30")
        ),
        "Mon 2025-06-02 11:30 +0200",
        id="earliest-evidence",
    ),
    pytest.param(
        NOW,
        snap(
            ev(Reason.IN_MEETING, "2025-06-02 10:00"), ev(Reason.DO_NOT_DISTURB, "2025-06-02 12:00")
        ),
        "Mon 2025-06-02 12:00 +0200",
        id="past-until-ignored",
    ),
    pytest.param(NOW, snap(ev(Reason.IN_MEETING, NOW)), None, id="until-now-ignored"),
    pytest.param(
        NOW,
        snap(
            ev(Reason.IN_MEETING, "2025-06-02 12:00"),
            mode=Mode.BUSY,
            busy_until=waw("2025-06-02 11:15"),
        ),
        "Mon 2025-06-02 11:15 +0200",
        id="busy-until-earliest",
    ),
    pytest.param(
        NOW,
        snap(
            ev(Reason.IN_MEETING, "2025-06-02 12:00"),
            mode=Mode.BUSY,
            busy_until=waw("2025-06-02 10:00"),
        ),
        "Mon 2025-06-02 12:00 +0200",
        id="expired-busy-ignored",
    ),
    pytest.param(NOW, snap(mode=Mode.BUSY), None, id="indefinite-busy-none"),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 18:00"), work_hours=OFFICE),
        "Mon 2025-06-02 17:00 +0200",
        id="closing-before-meeting-end",
    ),
    pytest.param(
        waw("2025-06-06 18:00"),
        snap(ev(Reason.NOISY_PLACE, "2025-06-06 19:00"), work_hours=OFFICE),
        "Fri 2025-06-06 19:00 +0200",
        id="evidence-before-monday-opening",
    ),
    pytest.param(
        NOW,
        snap(
            ev(Reason.DRIVING, "2025-06-02 11:10"),
            ev(Reason.NOISY_PLACE, "2025-06-02 12:00"),
            in_own_car=False,
        ),
        "Mon 2025-06-02 12:00 +0200",
        id="passenger-motion-ignored",
    ),
    pytest.param(
        NOW,
        snap(ev(Reason.IN_MEETING, "2025-06-02 12:00"), mode=Mode.AVAILABLE, work_hours=OFFICE),
        None,
        id="available-none",
    ),
    pytest.param(
        waw("2025-03-29 12:00"),
        snap(work_hours=WorkHours(WAW, frozenset(range(7)), time(22), time(6))),
        "Sat 2025-03-29 22:00 +0100",
        id="dst-night-window-opens",
    ),
    pytest.param(
        waw("2025-03-29 23:00"),
        snap(work_hours=WorkHours(WAW, frozenset(range(7)), time(22), time(6))),
        "Sun 2025-03-30 06:00 +0200",
        id="dst-night-window-closes-over-gap",
    ),
]


@pytest.mark.parametrize(("now", "snapshot", "expected"), NEXT_CHANGE_CASES)
def test_next_change(now: datetime, snapshot: Snapshot, expected: str | None) -> None:
    result = evaluate(snapshot, now)
    assert wall(result.next_change) == expected
    assert_consistent(result, now)


# --------------------------------------------------------------------------- unavailable sources

UNAVAILABLE = (SIGNAL_SRC, CALENDAR_SRC)

UNAVAILABLE_CASES = [
    pytest.param(snap(unavailable_sources=UNAVAILABLE), (), id="only-unavailable-is-ready"),
    pytest.param(
        snap(ev(Reason.DO_NOT_DISTURB), unavailable_sources=UNAVAILABLE),
        (Reason.DO_NOT_DISTURB,),
        id="with-evidence",
    ),
    pytest.param(snap(mode=Mode.AVAILABLE, unavailable_sources=UNAVAILABLE), (), id="available"),
    pytest.param(
        snap(mode=Mode.BUSY, unavailable_sources=UNAVAILABLE), (Reason.MANUAL,), id="busy"
    ),
    pytest.param(snap(work_hours=OFFICE, unavailable_sources=UNAVAILABLE), (), id="open-hours"),
    pytest.param(
        snap(ev(Reason.DRIVING), in_own_car=None, unavailable_sources=(ANDROID_AUTO_SRC,)),
        (Reason.DRIVING,),
        id="car-source-unavailable-motion-counts",
    ),
    pytest.param(
        snap(unavailable_sources=(DRIVING_SRC, DND_SRC, SIGNAL_SRC, CALENDAR_SRC, SCHEDULE_SRC)),
        (),
        id="everything-unavailable-is-ready",
    ),
]


@pytest.mark.parametrize(("snapshot", "reasons"), UNAVAILABLE_CASES)
def test_unavailable_sources_pass_through_and_never_block(
    snapshot: Snapshot, reasons: tuple[Reason, ...]
) -> None:
    result = evaluate(snapshot, NOW)
    assert result.unavailable_sources == snapshot.unavailable_sources
    assert result.reasons == reasons
    for names in result.sources.values():
        assert not set(names) & set(snapshot.unavailable_sources)
    assert_consistent(result, NOW)


def test_unavailable_sources_do_not_change_the_verdict() -> None:
    base = snap(ev(Reason.IN_MEETING, "2025-06-02 12:00"), work_hours=OFFICE)
    with_unavailable = snap(
        ev(Reason.IN_MEETING, "2025-06-02 12:00"),
        work_hours=OFFICE,
        unavailable_sources=UNAVAILABLE,
    )
    a, b = evaluate(base, NOW), evaluate(with_unavailable, NOW)
    assert (a.ready, a.reasons, a.ready_again_at, a.next_change, a.sources) == (
        b.ready,
        b.reasons,
        b.ready_again_at,
        b.next_change,
        b.sources,
    )


# --------------------------------------------------------------------------- time zones of inputs


def test_inputs_in_mixed_zones_are_compared_as_instants() -> None:
    """`now` in UTC, ends in Warsaw and New York: all compared as instants."""
    now = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)  # 11:00 Warsaw
    snapshot = snap(
        ev(Reason.IN_MEETING, waw("2025-06-02 12:00")),  # 10:00 UTC
        ev(Reason.DO_NOT_DISTURB, ny("2025-06-02 06:30")),  # 10:30 UTC
        mode=Mode.BUSY,
        busy_until=datetime(2025, 6, 2, 9, 45, tzinfo=UTC),
    )
    result = evaluate(snapshot, now)
    assert result.reasons == (Reason.MANUAL, Reason.IN_MEETING, Reason.DO_NOT_DISTURB)
    assert result.ready_again_at == datetime(2025, 6, 2, 10, 30, tzinfo=UTC)
    assert result.next_change == datetime(2025, 6, 2, 9, 45, tzinfo=UTC)


def test_fall_back_hour_with_utc_now() -> None:
    """During the repeated 02:xx in Warsaw, a UTC `now` compares correctly."""
    now = datetime(2025, 10, 26, 0, 45, tzinfo=UTC)  # 02:45 CEST, first pass
    busy_until = waw("2025-10-26 02:30", fold=1)  # 02:30 CET = 01:30 UTC, 45 min later
    result = evaluate(snap(mode=Mode.BUSY, busy_until=busy_until), now)
    assert result.reasons == (Reason.MANUAL,)
    assert result.ready_again_at == busy_until
    assert result.next_change == busy_until


def test_fall_back_hour_with_local_now() -> None:
    now = waw("2025-10-26 02:45", fold=0)
    busy_until = waw("2025-10-26 02:30", fold=1)
    assert busy_until.astimezone(UTC) > now.astimezone(UTC)
    result = evaluate(snap(mode=Mode.BUSY, busy_until=busy_until), now)
    assert result.reasons == (Reason.MANUAL,)


def test_fall_back_hour_evidence_until_with_local_now() -> None:
    now = waw("2025-10-26 02:45", fold=0)
    until = waw("2025-10-26 02:30", fold=1)
    result = evaluate(snap(ev(Reason.IN_MEETING, until)), now)
    assert result.next_change == until


# --------------------------------------------------------------------------- properties


def test_property_never_ready_while_evidence_is_active() -> None:
    """Mode AUTO: any evidence that is not a passenger's motion makes the verdict 'not ready'."""
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    base = datetime(2025, 1, 1, tzinfo=UTC)
    moments = st.integers(0, 365 * 24 * 60).map(lambda minutes: base + timedelta(minutes=minutes))
    evidence_items = st.builds(
        Evidence,
        reason=st.sampled_from(list(Reason)),
        source=st.sampled_from([DRIVING_SRC, DND_SRC, CALENDAR_SRC, METRO, "sensor.other"]),
        until=st.one_of(st.none(), moments),
    )

    @hypothesis.settings(max_examples=200, deadline=None, derandomize=True)
    @hypothesis.given(
        evidence=st.lists(evidence_items, max_size=5).map(tuple),
        in_own_car=st.sampled_from([None, True, False]),
        work_hours=st.sampled_from([None, OFFICE, OFFICE_NY, NEVER]),
        workday_today=st.sampled_from([None, True, False]),
        mode=st.sampled_from(list(Mode)),
        busy_until=st.one_of(st.none(), moments),
        busy_reason=st.sampled_from(list(Reason)),
        now=moments,
    )
    def check(
        evidence, in_own_car, work_hours, workday_today, mode, busy_until, busy_reason, now
    ) -> None:
        snapshot = Snapshot(
            evidence=evidence,
            in_own_car=in_own_car,
            work_hours=work_hours,
            workday_today=workday_today,
            mode=mode,
            busy_until=busy_until,
            busy_reason=busy_reason,
            unavailable_sources=("sensor.gone",),
        )
        result = evaluate(snapshot, now)
        assert_consistent(result, now)
        assert result.unavailable_sources == ("sensor.gone",)
        if mode is Mode.AVAILABLE:
            assert result.ready is True
            return
        passenger = in_own_car is False and any(e.reason is Reason.DRIVING for e in evidence)
        assert result.passenger is passenger
        blocking = [e for e in evidence if not (passenger and e.reason is Reason.DRIVING)]
        if mode is Mode.AUTO and blocking:
            assert result.ready is False
        for item in blocking:
            assert item.reason in result.reasons
            assert item.source in result.sources[item.reason]
        if blocking and any(item.until is None for item in blocking):
            assert result.ready_again_at is None
        if result.ready_again_at is not None:
            assert result.ready_again_at >= max([now, *(item.until for item in blocking)])
            if work_hours is not None:
                assert result.ready_again_at == now or _open_at(
                    work_hours, result.ready_again_at, now, workday_today
                )

    check()


def _open_at(
    work_hours: WorkHours, moment: datetime, now: datetime, workday_today: bool | None
) -> bool:
    """Open at ``moment``; ``workday_today`` overrides the weekday rule on now's date only."""
    from custom_components.client_etiquette.core import hours

    same_day = moment.astimezone(work_hours.tz).date() == now.astimezone(work_hours.tz).date()
    return hours.is_open(work_hours, moment, workday_today if same_day else None)


def _specification(snapshot: Snapshot, now: datetime) -> Readiness:
    """Return the decision written the plain way, with no short paths: the oracle for ``evaluate``.

    Every reason from the evidence (a passenger's motion dropped), after-hours and an
    active busy mode; listed in priority order; ready again when every known end has
    passed and business hours are open; the next change at the earliest future edge.
    """
    from custom_components.client_etiquette.core import hours

    def instant(moment: datetime) -> datetime:
        return moment.astimezone(UTC)

    busy = snapshot.mode is Mode.BUSY and (
        snapshot.busy_until is None or instant(snapshot.busy_until) > instant(now)
    )
    if snapshot.mode is Mode.AVAILABLE:
        return Readiness(ready=True, unavailable_sources=snapshot.unavailable_sources)
    moving = any(item.reason is Reason.DRIVING for item in snapshot.evidence)
    passenger = moving and snapshot.in_own_car is False
    evidence = [
        item for item in snapshot.evidence if not (passenger and item.reason is Reason.DRIVING)
    ]
    after_hours = snapshot.work_hours is not None and not hours.is_open(
        snapshot.work_hours, now, snapshot.workday_today
    )
    grouped: dict[Reason, list[str]] = {}
    for item in evidence:
        grouped.setdefault(item.reason, []).append(item.source)
    if after_hours:
        grouped.setdefault(Reason.AFTER_HOURS, [])
    if busy:
        grouped.setdefault(snapshot.busy_reason, [])
    reasons = tuple(reason for reason in REASON_PRIORITY if reason in grouped)
    ready_again = None
    ends = [item.until for item in evidence] + ([snapshot.busy_until] if busy else [])
    if reasons and all(end is not None for end in ends):
        moment = max([now, *(end for end in ends if end is not None)], key=instant)
        ready_again = (
            moment
            if snapshot.work_hours is None
            else hours.next_open(snapshot.work_hours, moment, snapshot.workday_today, now=now)
        )
    edges = [
        item.until
        for item in evidence
        if item.until is not None and instant(item.until) > instant(now)
    ]
    if busy and snapshot.busy_until is not None:
        edges.append(snapshot.busy_until)
    if snapshot.work_hours is not None:
        edge = hours.next_edge(snapshot.work_hours, now, snapshot.workday_today)
        if edge is not None:
            edges.append(edge)
    return Readiness(
        ready=not reasons,
        reasons=reasons,
        ready_again_at=ready_again,
        unavailable_sources=snapshot.unavailable_sources,
        passenger=passenger,
        next_change=min(edges, key=instant, default=None),
        sources={reason: tuple(dict.fromkeys(grouped[reason])) for reason in reasons},
    )


def test_property_short_paths_agree_with_the_specification() -> None:
    """``evaluate``'s short paths (nothing active, one piece of evidence) change nothing."""
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    base = datetime(2025, 3, 28, tzinfo=UTC)  # the spring DST change is two days later
    moments = st.integers(0, 14 * 24 * 60).map(lambda minutes: base + timedelta(minutes=minutes))
    evidence_items = st.builds(
        Evidence,
        reason=st.sampled_from(list(Reason)),
        source=st.sampled_from([DRIVING_SRC, DND_SRC, CALENDAR_SRC, METRO, "sensor.other"]),
        until=st.one_of(st.none(), moments, moments.map(lambda moment: moment.astimezone(NY))),
    )

    @hypothesis.settings(max_examples=600, deadline=None, derandomize=True)
    @hypothesis.given(
        evidence=st.lists(evidence_items, max_size=4).map(tuple),
        in_own_car=st.sampled_from([None, True, False]),
        work_hours=st.sampled_from([None, None, OFFICE, OFFICE_NY, NEVER]),
        workday_today=st.sampled_from([None, True, False]),
        mode=st.sampled_from([Mode.AUTO, Mode.AUTO, Mode.BUSY, Mode.AVAILABLE]),
        busy_until=st.one_of(st.none(), moments),
        busy_reason=st.sampled_from(list(Reason)),
        unavailable=st.sampled_from([(), ("sensor.gone",)]),
        now=moments,
    )
    def check(
        evidence: tuple[Evidence, ...],
        in_own_car: bool | None,
        work_hours: WorkHours | None,
        workday_today: bool | None,
        mode: Mode,
        busy_until: datetime | None,
        busy_reason: Reason,
        unavailable: tuple[str, ...],
        now: datetime,
    ) -> None:
        snapshot = Snapshot(
            evidence=evidence,
            in_own_car=in_own_car,
            work_hours=work_hours,
            workday_today=workday_today,
            mode=mode,
            busy_until=busy_until,
            busy_reason=busy_reason,
            unavailable_sources=unavailable,
        )
        assert evaluate(snapshot, now) == _specification(snapshot, now)

    check()
