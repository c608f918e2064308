"""Hold and hysteresis (``core/stability.py``) and how ``evaluate`` uses held evidence.

Table tests for each reading and the latch, then hypothesis properties over random
histories of readings: the latch against a plain specification, "never ready within the
hold after driving evidence", "a flap shorter than the hysteresis time never changes the
verdict".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st
import pytest

from custom_components.client_etiquette.core.models import Evidence, Reason, Snapshot
from custom_components.client_etiquette.core.readiness import evaluate
from custom_components.client_etiquette.core.stability import (
    COUNTING,
    DEFAULT_DRIVING_HOLD,
    IDLE,
    Latch,
    Level,
    Steadiness,
    advance,
    driving_level,
    evidence,
    signal_level,
    zone_level,
)

T0 = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
HOLD = DEFAULT_DRIVING_HOLD
MINUTE = timedelta(minutes=1)
SIGNAL = "sensor.pixel_signal_strength"
ACTIVITY = "sensor.pixel_detected_activity"
METRO = "zone.metro"


def at(seconds: float) -> datetime:
    """T0 plus some seconds."""
    return T0 + timedelta(seconds=seconds)


def test_defaults_are_the_documented_ones() -> None:
    """Driving hold 5 min, signal margin 5 dB and recovery 60 s, zone exit 60 s."""
    assert Steadiness() == Steadiness(
        driving_hold=timedelta(minutes=5),
        signal_margin=5.0,
        signal_recovery=timedelta(seconds=60),
        zone_exit=timedelta(seconds=60),
    )


@pytest.mark.parametrize(
    ("dbm", "level"),
    [
        (-120, Level.ACTIVE),
        (-110, Level.ACTIVE),  # at the threshold: weak
        (-109, Level.DOUBT),  # above it, within the margin
        (-105, Level.DOUBT),  # exactly the margin above: still not enough
        (-104.9, Level.CALM),
        (-85, Level.CALM),
    ],
)
def test_signal_level(dbm: float, level: Level) -> None:
    """Weak at or below the threshold; good only above it by more than the margin."""
    assert signal_level(dbm, -110, 5) is level


@pytest.mark.parametrize(
    ("inside", "distance", "level"),
    [
        (True, None, Level.ACTIVE),
        (True, 500.0, Level.ACTIVE),
        (False, None, Level.CALM),  # no position: wait for the exit time
        (False, 120.0, Level.CALM),  # radius 100 + accuracy 30: maybe still inside
        (False, 130.0, Level.CALM),
        (False, 130.5, Level.CLEAR),  # beyond radius plus accuracy: out at once
        (False, float("nan"), Level.CALM),
    ],
)
def test_zone_level(inside: bool, distance: float | None, level: Level) -> None:
    """Leaving needs time, unless the tracker is beyond the radius plus its GPS accuracy."""
    assert zone_level(inside, distance, 100, 30) is level


@pytest.mark.parametrize(
    ("driving", "level"), [(True, Level.ACTIVE), (False, Level.CALM), (None, Level.CALM)]
)
def test_driving_level(driving: bool | None, level: Level) -> None:
    """A stop, or an unknown activity, starts the hold; only driving is active."""
    assert driving_level(driving) is level


@pytest.mark.parametrize(
    ("latch", "level", "now", "expected"),
    [
        (IDLE, Level.ACTIVE, at(0), COUNTING),
        (IDLE, Level.DOUBT, at(0), IDLE),  # doubt never starts a reason
        (IDLE, Level.CALM, at(0), IDLE),
        (IDLE, Level.CLEAR, at(0), IDLE),
        (COUNTING, Level.CALM, at(10), Latch(True, at(10))),
        (COUNTING, Level.DOUBT, at(10), COUNTING),
        (COUNTING, Level.CLEAR, at(10), IDLE),
        (Latch(True, at(10)), Level.CALM, at(30), Latch(True, at(10))),  # the clock runs on
        (Latch(True, at(10)), Level.DOUBT, at(30), COUNTING),  # the clock stops
        (Latch(True, at(10)), Level.ACTIVE, at(30), COUNTING),
        (Latch(True, at(10)), Level.DOUBT, at(70), IDLE),  # ran out: doubt does not revive it
        (Latch(True, at(10)), Level.CALM, at(70), IDLE),
    ],
)
def test_advance(latch: Latch, level: Level, now: datetime, expected: Latch) -> None:
    """One reading at a time, with a 60 s delay."""
    assert advance(latch, level, now, timedelta(seconds=60)) == expected


def test_zero_delay_releases_at_once() -> None:
    """A delay of zero switches the hold off: calm means over."""
    assert advance(COUNTING, Level.CALM, at(0), timedelta(0)) == IDLE


def test_evidence_of_a_latch() -> None:
    """None when idle, current while active, held until the delay runs out when calm."""
    assert evidence(IDLE, Reason.DRIVING, ACTIVITY, HOLD) == ()
    assert evidence(COUNTING, Reason.DRIVING, ACTIVITY, HOLD) == (
        Evidence(Reason.DRIVING, ACTIVITY),
    )
    assert evidence(Latch(True, at(0)), Reason.DRIVING, ACTIVITY, HOLD) == (
        Evidence(Reason.DRIVING, ACTIVITY, T0 + HOLD, held=True),
    )


# --- evaluate with held evidence ---------------------------------------------------------

HELD = Evidence(Reason.DRIVING, ACTIVITY, T0 + HOLD, held=True)


@pytest.mark.parametrize(
    ("snapshot", "now", "ready", "ready_again_at", "passenger"),
    [
        # Within the hold: driving, ready again at the last evidence plus the hold.
        (Snapshot(evidence=(HELD,)), at(60), False, T0 + HOLD, False),
        # The hold is over.
        (Snapshot(evidence=(HELD,)), T0 + HOLD, True, None, False),
        # With the car still connected the hold goes on.
        (Snapshot(evidence=(HELD,), in_own_car=True), at(60), False, T0 + HOLD, False),
        # Own-car evidence ended (Android Auto disconnected): parked, at once; no passenger.
        (Snapshot(evidence=(HELD,), in_own_car=False), at(60), True, None, False),
        # Moving without the car is a passenger, as before.
        (
            Snapshot(evidence=(Evidence(Reason.DRIVING, ACTIVITY),), in_own_car=False),
            at(60),
            True,
            None,
            True,
        ),
        # Current driving evidence: nobody knows the end yet.
        (Snapshot(evidence=(Evidence(Reason.DRIVING, ACTIVITY),)), at(60), False, None, False),
        # A held reason and one with a later known end: the later end.
        (
            Snapshot(evidence=(HELD, Evidence(Reason.IN_MEETING, "calendar.work", T0 + 2 * HOLD))),
            at(60),
            False,
            T0 + 2 * HOLD,
            False,
        ),
    ],
)
def test_evaluate_held_evidence(
    snapshot: Snapshot,
    now: datetime,
    ready: bool,
    ready_again_at: datetime | None,
    passenger: bool,
) -> None:
    """Held evidence counts only before its end, which is also when to look again."""
    readiness = evaluate(snapshot, now)
    assert (readiness.ready, readiness.ready_again_at, readiness.passenger) == (
        ready,
        ready_again_at,
        passenger,
    )
    if not ready and snapshot.evidence[0] is HELD and snapshot.in_own_car is not False:
        assert readiness.next_change == T0 + HOLD


def test_held_evidence_that_ran_out_is_ignored_among_others() -> None:
    """Only the held piece that ran out goes; the others stay."""
    on_call = Evidence(Reason.ON_CALL, "sensor.pixel_phone_state")
    readiness = evaluate(Snapshot(evidence=(HELD, on_call)), T0 + HOLD)
    assert readiness.reasons == (Reason.ON_CALL,)
    assert readiness.sources == {Reason.ON_CALL: ("sensor.pixel_phone_state",)}


# --- properties ------------------------------------------------------------------------

LEVELS = st.sampled_from(list(Level))
# Readings: seconds since the previous one (ascending times), and what the source said.
READINGS = st.lists(
    st.tuples(st.integers(min_value=1, max_value=400), LEVELS), min_size=1, max_size=25
)
DELAYS = st.sampled_from([0, 1, 30, 60, 300])


def _timeline(readings: list[tuple[int, Level]]) -> list[tuple[datetime, Level]]:
    moments, total = [], 0
    for gap, level in readings:
        total += gap
        moments.append((at(total), level))
    return moments


def _specification(timeline: list[tuple[datetime, Level]], delay: timedelta, now: datetime) -> bool:
    """Whether the reason counts at ``now``, written the plain way.

    It counts from an active reading on, until a clear reading, or until the source has
    been calm (only calm readings) for the delay. Doubt neither starts nor ends it, but
    stops the calm clock.
    """
    counting, calm_since = False, None
    for moment, level in timeline:
        if moment > now:
            break
        if counting and calm_since is not None and calm_since + delay <= moment:
            counting = False
        if level is Level.ACTIVE:
            counting, calm_since = True, None
        elif level is Level.CLEAR:
            counting = False
        elif level is Level.DOUBT:
            calm_since = None
        elif counting and calm_since is None:
            calm_since = moment
    return counting and (calm_since is None or calm_since + delay > now)


@given(READINGS, DELAYS, st.integers(min_value=0, max_value=600))
def test_latch_follows_the_specification(
    readings: list[tuple[int, Level]], delay_s: int, after: int
) -> None:
    """At every reading and between them, the latch counts exactly when the spec says."""
    delay = timedelta(seconds=delay_s)
    timeline = _timeline(readings)
    latch = IDLE
    for index, (moment, level) in enumerate(timeline):
        latch = advance(latch, level, moment, delay)
        following = timeline[index + 1][0] if index + 1 < len(timeline) else moment
        for now in {moment, moment + (following - moment) / 2, moment + timedelta(seconds=after)}:
            if index + 1 < len(timeline) and now >= following:
                continue  # the next reading is taken by then
            assert latch.counts(delay, now) == _specification(timeline, delay, now)


@given(
    st.lists(
        st.tuples(st.integers(min_value=1, max_value=600), st.sampled_from([True, False, None])),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=0, max_value=900),
)
def test_never_ready_within_the_hold_after_driving_evidence(
    readings: list[tuple[int, bool | None]], probe: int
) -> None:
    """Never ready within the hold after the last driving evidence, whatever comes.

    The verdict stays "driving" for the whole hold after the last moment the activity
    sensor said driving, and ready_again_at is that moment plus the hold.
    """
    latch, total, stopped = IDLE, 0, None
    last_driving: datetime | None = None
    for gap, driving in readings:
        total += gap
        moment = at(total)
        if last_driving is not None and stopped is None and not driving:
            stopped = moment  # the last driving evidence: driving until this reading
        if driving:
            last_driving, stopped = moment, None
        latch = advance(latch, driving_level(driving), moment, HOLD)
    now = at(total + probe)
    readiness = evaluate(Snapshot(evidence=evidence(latch, Reason.DRIVING, ACTIVITY, HOLD)), now)
    if last_driving is None:
        assert readiness.ready
    elif stopped is None:
        assert readiness.reasons == (Reason.DRIVING,)
        assert readiness.ready_again_at is None  # still driving: the end is unknown
    elif now < stopped + HOLD:
        assert readiness.reasons == (Reason.DRIVING,)
        assert readiness.ready_again_at == stopped + HOLD
    else:
        assert readiness.ready


@given(
    st.lists(st.integers(min_value=1, max_value=59), min_size=1, max_size=20),
    st.sampled_from([-104, -90, -70]),
    st.sampled_from([-110, -107, -115]),
)
def test_a_flap_shorter_than_the_recovery_never_changes_the_verdict(
    good_for: list[int], good_dbm: int, bad_dbm: int
) -> None:
    """A flap shorter than the recovery time never changes the verdict.

    Weak signal, then good spells shorter than the 60 s recovery, each ended by a weak or
    doubtful reading: weak_signal holds at every moment.
    """
    steady = Steadiness()
    delay = steady.signal_recovery
    latch, moment = advance(IDLE, signal_level(-115, -110, 5), T0, delay), T0
    for seconds in good_for:
        moment += timedelta(seconds=1)
        latch = advance(latch, signal_level(good_dbm, -110, steady.signal_margin), moment, delay)
        for probe in (moment, moment + timedelta(seconds=seconds) - timedelta(microseconds=1)):
            readiness = evaluate(
                Snapshot(evidence=evidence(latch, Reason.WEAK_SIGNAL, SIGNAL, delay)), probe
            )
            assert readiness.reasons == (Reason.WEAK_SIGNAL,)
        moment += timedelta(seconds=seconds)
        latch = advance(latch, signal_level(bad_dbm, -110, steady.signal_margin), moment, delay)
    readiness = evaluate(
        Snapshot(evidence=evidence(latch, Reason.WEAK_SIGNAL, SIGNAL, delay)), moment
    )
    assert readiness.reasons == (Reason.WEAK_SIGNAL,)


@given(st.lists(st.integers(min_value=1, max_value=59), min_size=1, max_size=20))
def test_gps_jitter_at_the_edge_never_leaves_the_zone(outside_for: list[int]) -> None:
    """GPS jitter shorter than the exit time never leaves the zone.

    Inside a dead zone, then fixes just outside its edge (within the GPS accuracy) for less
    than the exit time, each followed by a fix inside: dead_zone holds throughout.
    """
    delay = Steadiness().zone_exit
    latch, moment = advance(IDLE, zone_level(True, 40, 100, 30), T0, delay), T0
    for seconds in outside_for:
        moment += timedelta(seconds=1)
        latch = advance(latch, zone_level(False, 115, 100, 30), moment, delay)
        probe = moment + timedelta(seconds=seconds) - timedelta(microseconds=1)
        assert latch.counts(delay, probe)
        assert evaluate(
            Snapshot(evidence=evidence(latch, Reason.DEAD_ZONE, METRO, delay)), probe
        ).reasons == (Reason.DEAD_ZONE,)
        moment += timedelta(seconds=seconds)
        latch = advance(latch, zone_level(True, 90, 100, 30), moment, delay)
    assert latch == COUNTING
