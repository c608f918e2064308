"""The verdict log: the readiness that held at a moment of the last 30 minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from custom_components.client_etiquette.core.models import Readiness, Reason
from custom_components.client_etiquette.core.verdicts import PRUNE_ABOVE, VERDICT_KEEP, VerdictLog

T0 = datetime(2026, 6, 3, 8, 0, tzinfo=UTC)
READY = Readiness(ready=True)
DRIVING = Readiness(ready=False, reasons=(Reason.DRIVING,))
MEETING = Readiness(ready=False, reasons=(Reason.IN_MEETING,))


def minutes(n: float) -> datetime:
    """T0 plus ``n`` minutes."""
    return T0 + timedelta(minutes=n)


def test_the_verdict_that_held() -> None:
    """Each moment gets the verdict in force then; a verdict starts at its own moment."""
    log = VerdictLog()
    log.record(minutes(0), READY)
    log.record(minutes(5), DRIVING)
    log.record(minutes(9), MEETING)
    now = minutes(10)
    assert log.at(minutes(0), now) is READY
    assert log.at(minutes(4.99), now) is READY
    assert log.at(minutes(5), now) is DRIVING
    assert log.at(minutes(8), now) is DRIVING
    assert log.at(minutes(9.5), now) is MEETING
    assert log.at(minutes(12), now) is MEETING  # the phone's clock ahead: the latest


def test_unknown_before_the_log_or_too_old() -> None:
    """Before the first verdict (a restart) and older than 30 minutes: unknown."""
    log = VerdictLog()
    assert log.at(T0, T0) is None
    log.record(minutes(0), DRIVING)
    assert log.at(minutes(-1), minutes(1)) is None
    assert log.at(minutes(1), minutes(1) + VERDICT_KEEP) is None
    assert log.at(minutes(1), minutes(1) + VERDICT_KEEP - timedelta(seconds=1)) is DRIVING


def test_forgets_what_no_longer_matters() -> None:
    """Verdicts that stopped holding more than 30 minutes ago are dropped; one stays."""
    log = VerdictLog()
    for n in range(0, 600, 5):
        log.record(minutes(n), DRIVING if n % 10 else READY)
        assert len(log) <= PRUNE_ABOVE
    assert log.at(minutes(590), minutes(595)) is READY
    assert log.at(minutes(560), minutes(595)) is None
    log = VerdictLog()
    for n in range(0, 120, 5):
        log.record(minutes(n), DRIVING if n % 10 else READY)
    assert log.at(minutes(100), minutes(115)) is READY
    assert log.at(minutes(117), minutes(117)) is DRIVING


def test_a_clock_that_went_back_keeps_the_log_ordered() -> None:
    """A verdict recorded before the last one's start replaces the later ones."""
    log = VerdictLog()
    log.record(minutes(0), READY)
    log.record(minutes(5), DRIVING)
    log.record(minutes(3), MEETING)
    assert log.at(minutes(6), minutes(6)) is MEETING
    assert log.at(minutes(2), minutes(6)) is READY


@given(st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=30))
def test_matches_a_plain_scan(starts: list[int]) -> None:
    """Against a plain scan of every verdict ever recorded (kept in order)."""
    log = VerdictLog()
    history: list[tuple[datetime, Readiness]] = []
    for index, start in enumerate(sorted(set(starts))):
        ready = index % 2 == 0
        verdict = Readiness(ready=ready, reasons=() if ready else (Reason.MANUAL,))
        log.record(minutes(start), verdict)
        history.append((minutes(start), verdict))
    now = history[-1][0]
    for probe in range(201):
        moment = minutes(probe)
        held = [verdict for start, verdict in history if start <= moment]
        expected = held[-1] if held and moment > now - VERDICT_KEEP else None
        assert log.at(moment, now) == expected
