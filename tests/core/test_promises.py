"""The follow-up rule: a promise that can't be kept is renegotiated once, politely."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.client_etiquette.core.models import (
    Client,
    Language,
    Readiness,
    Reason,
    ScreeningPolicy,
    Tier,
    WorkHours,
)
from custom_components.client_etiquette.core.promises import follow_up, is_broken
from custom_components.client_etiquette.core.screening import History

NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
PROMISED = NOW + timedelta(minutes=30)
POLICY = ScreeningPolicy(max_texts_per_hour=2)
BUSY = Readiness(ready=False, reasons=(Reason.IN_MEETING,))


def busy_until(moment: datetime | None) -> Readiness:
    """Return a not-ready verdict that ends at ``moment`` (None: unknown)."""
    return Readiness(ready=False, reasons=(Reason.IN_MEETING,), ready_again_at=moment)


def decide(
    readiness: Readiness,
    now: datetime = NOW,
    *,
    followed_up: bool = False,
    can_text: bool = True,
    client: Client | None = None,
    history: History | None = None,
    policy: ScreeningPolicy = POLICY,
) -> tuple[bool, datetime | None, datetime | None]:
    """Return (send, new_time, wake) for the promise at PROMISED."""
    decision = follow_up(
        PROMISED,
        followed_up=followed_up,
        can_text=can_text,
        readiness=readiness,
        client=client,
        policy=policy,
        history=history or History(),
        now=now,
    )
    return decision.send, decision.new_time, decision.wake


LATER = PROMISED + timedelta(hours=1)


@pytest.mark.parametrize(
    ("readiness", "now", "expected"),
    [
        # Ready before the promise: nothing yet; look again at the promised time.
        (Readiness(ready=True), NOW, (False, None, PROMISED)),
        # Ready at or after the promise: it can be kept (the reminder says call now).
        (Readiness(ready=True), PROMISED, (False, None, None)),
        # Busy, ending before the promise: nothing yet.
        (busy_until(PROMISED - timedelta(minutes=5)), NOW, (False, None, PROMISED)),
        # Busy, ending exactly at the promise: still kept.
        (busy_until(PROMISED), NOW, (False, None, PROMISED)),
        # Busy with no known end before the promise: wait for the promised time.
        (BUSY, NOW, (False, None, PROMISED)),
        # The next free time moved past the promise: tell the client now, with it.
        (busy_until(LATER), NOW, (True, LATER, None)),
        # Still busy at the promised time, end known: the new time is that end.
        (busy_until(LATER), PROMISED, (True, LATER, None)),
        # Still busy at the promised time, no known end: "as soon as I can".
        (BUSY, PROMISED, (True, None, None)),
        # A stale end already past: counts as unknown.
        (busy_until(NOW), PROMISED + timedelta(minutes=1), (True, None, None)),
    ],
)
def test_rule(
    readiness: Readiness, now: datetime, expected: tuple[bool, datetime | None, datetime | None]
) -> None:
    """Each case: send or not, the new promise, when to look again."""
    assert decide(readiness, now) == expected


def test_once_and_only_to_a_number_that_takes_texts() -> None:
    """A followed-up promise, or a number that can't be texted, gets nothing, ever."""
    assert decide(busy_until(LATER), followed_up=True) == (False, None, None)
    assert decide(busy_until(LATER), can_text=False) == (False, None, None)


def test_too_late_is_left_to_the_overdue_reminder() -> None:
    """Two hours past the promise (Home Assistant was off), no follow-up is sent any more."""
    assert decide(BUSY, PROMISED + timedelta(hours=2)) == (False, None, None)
    assert decide(BUSY, PROMISED + timedelta(hours=1, minutes=59))[0] is True


def test_hourly_cap_past_the_stale_limit_gives_up() -> None:
    """A cap that frees only after the follow-up would be stale: nothing to wait for."""
    texted = PROMISED + timedelta(hours=1, minutes=30)
    history = History(texts={"+48601000001": (texted,), "+48601000002": (texted,)})
    now = PROMISED + timedelta(hours=1, minutes=40)
    assert decide(BUSY, now, history=history) == (False, None, None)


def test_hourly_cap_waits_until_it_frees() -> None:
    """The hourly cap holds a follow-up back until a text leaves the hour; 0 means never."""
    first, second = NOW - timedelta(minutes=50), NOW - timedelta(minutes=20)
    history = History(texts={"+48601000001": (first,), "+48601000002": (second,)})
    assert decide(busy_until(LATER), history=history) == (False, None, first + timedelta(hours=1))
    at_free = first + timedelta(hours=1)
    assert decide(busy_until(LATER), at_free, history=history) == (True, LATER, None)
    no_texts = ScreeningPolicy(max_texts_per_hour=0)
    assert decide(busy_until(LATER), policy=no_texts) == (False, None, None)


def test_cooldown_does_not_hold_a_follow_up_back() -> None:
    """The same number texted a minute ago still gets the follow-up to our promise."""
    history = History(texts={"+48601234567": (NOW - timedelta(minutes=1),)})
    assert decide(busy_until(LATER), history=history)[0] is True


def test_new_time_respects_the_clients_hours() -> None:
    """Free at 20:00 but the client takes calls 9-18: the follow-up promises 9:00 next day."""
    warsaw = ZoneInfo("Europe/Warsaw")
    client = Client(
        client_id="anna",
        name="Anna",
        numbers=("+48601234567",),
        tier=Tier.REGULAR,
        language=Language.PL,
        time_zone="Europe/Warsaw",
        contact_hours=WorkHours(warsaw, frozenset(range(7)), time(9), time(18)),
    )
    free = datetime(2026, 6, 3, 20, 0, tzinfo=warsaw)
    send, new_time, _ = decide(busy_until(free), client=client)
    assert send is True
    assert new_time == datetime(2026, 6, 4, 9, 0, tzinfo=warsaw)


MINUTES = st.integers(min_value=-180, max_value=600)


@given(
    ends=st.lists(st.one_of(st.none(), MINUTES), min_size=1, max_size=12),
    steps=st.lists(st.integers(min_value=0, max_value=90), min_size=1, max_size=12),
    ready=st.lists(st.booleans(), min_size=1, max_size=12),
)
def test_at_most_one_follow_up_never_before_now_nor_inside_a_busy_span(
    ends: list[int | None], steps: list[int], ready: list[bool]
) -> None:
    """Over any run of verdicts: at most one follow-up; its time is after now and the busy span."""
    now, followed_up, sent = NOW, False, 0
    for index, step in enumerate(steps):
        now += timedelta(minutes=step)
        end = ends[index % len(ends)]
        ready_again = None if end is None else NOW + timedelta(minutes=end)
        verdict = Readiness(ready=True) if ready[index % len(ready)] else busy_until(ready_again)
        send, new_time, wake = decide(verdict, now, followed_up=followed_up)
        assert wake is None or wake > now
        if not send:
            continue
        sent += 1
        followed_up = True
        assert is_broken(PROMISED, verdict, now)
        if new_time is not None:
            assert new_time > now
            assert verdict.ready_again_at is not None
            assert new_time >= verdict.ready_again_at
    assert sent <= 1
