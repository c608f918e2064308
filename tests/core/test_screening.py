"""Table-driven and property tests for the pure call screening in ``screening.py``.

Issue #3 "The decision" (tiers, repeat calls, unknown callers), "The polite text"
(who is never texted), and issue #7 "Bad input" (hypothesis properties).

Calendar facts used below (2026):
- Wed 2026-06-03: an ordinary summer week (Warsaw +02:00, New York -04:00).
- America/New_York springs forward Sun 2026-03-08 and falls back Sun 2026-11-01;
  Europe/Warsaw springs forward Sun 2026-03-29 and falls back Sun 2026-10-25.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from hypothesis import event, given, settings, strategies as st
import pytest

from custom_components.client_etiquette.core.models import (
    Action,
    Breakthrough,
    Call,
    Client,
    Decision,
    Language,
    NoText,
    Readiness,
    Reason,
    ScreeningPolicy,
    Tier,
    UnknownCallers,
    WorkHours,
)
from custom_components.client_etiquette.core.phone import is_anonymous, is_mobile, normalize_number
from custom_components.client_etiquette.core.screening import (
    History,
    callback_time,
    decide,
    is_repeat_call,
    note_call,
    note_text,
    prune,
    screened_tier,
    text_refusal,
)


def record_call(history: History, number: str, at: datetime) -> History:
    """Return a new History with a call from ``number`` at ``at`` (``history`` is not changed)."""
    calls = {**history.calls, number: (*history.calls.get(number, ()), at)}
    return History(calls=calls, texts=history.texts)


def record_text(history: History, number: str, at: datetime) -> History:
    """Return a new History with a text sent to ``number`` at ``at``; ``history`` is unchanged."""
    texts = {**history.texts, number: (*history.texts.get(number, ()), at)}
    return History(calls=history.calls, texts=texts)


WAW = ZoneInfo("Europe/Warsaw")
NY = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
MON_FRI = frozenset(range(5))

NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)  # Wednesday, 14:00 in Warsaw
MOBILE_PL = "+48601234567"
MOBILE_PL_2 = "+48602345678"
MOBILE_US = "+12125550123"  # the US plan does not tell mobile from fixed: counts as mobile
LANDLINE_PL = "+48221234567"
TOLL_FREE_PL = "+48800123456"

# The spec's default blocking sets (issue #3), written out rather than imported.
VIP_BLOCKED = {"driving", "dead_zone", "on_call", "do_not_disturb"}
NO_BREAKTHROUGH = {"driving", "dead_zone", "on_call"}
ALL = set(Reason)


def client(
    tier: Tier = Tier.REGULAR,
    *,
    number: str = MOBILE_PL,
    contact: WorkHours | None = None,
    time_zone: str = "Europe/Warsaw",
) -> Client:
    return Client(
        client_id=f"id-{tier}",
        name="Anna Kowalska",
        numbers=(number,),
        tier=tier,
        language=Language.PL,
        time_zone=time_zone,
        contact_hours=contact,
    )


def not_ready(*reasons: Reason, until: datetime | None = None) -> Readiness:
    ordered = tuple(reason for reason in Reason if reason in reasons)
    return Readiness(ready=not ordered, reasons=ordered, ready_again_at=until)


def call(number: str = MOBILE_PL, at: datetime = NOW) -> Call:
    return Call(number=number, at=at, call_id="c1")


def run(
    readiness: Readiness,
    who: Client | None,
    *,
    number: str = MOBILE_PL,
    policy: ScreeningPolicy | None = None,
    history: History | None = None,
    now: datetime = NOW,
) -> Decision:
    return decide(
        call(number, now),
        client=who,
        readiness=readiness,
        policy=policy or ScreeningPolicy(),
        history=history or History(),
        now=now,
        mobile=is_mobile(number),
    )


# ---------------------------------------------------------------------------
# Every reason x tier with the default policy


CALLERS = [
    pytest.param(Tier.NEW, ALL, id="new"),
    pytest.param(Tier.REGULAR, ALL, id="regular"),
    pytest.param(Tier.VIP, VIP_BLOCKED, id="vip"),
    pytest.param(None, ALL, id="unknown-screened-as-new"),
]


@pytest.mark.parametrize("reason", list(Reason))
@pytest.mark.parametrize(("tier", "blocked_by"), CALLERS)
def test_every_reason_for_every_tier(
    reason: Reason, tier: Tier | None, blocked_by: set[str]
) -> None:
    who = client(tier) if tier is not None else None
    decision = run(not_ready(reason, until=NOW + timedelta(minutes=40)), who)
    assert decision.reasons == (reason,)
    assert decision.client is who
    assert decision.tier is (tier or Tier.NEW)
    if reason in blocked_by:
        assert decision.action is Action.VOICEMAIL
        assert decision.blocking == (reason,)
        assert decision.primary is reason
        assert decision.breakthrough is None
        assert decision.send_text is True
        assert decision.no_text_reason is None
        assert decision.callback_at == NOW + timedelta(minutes=40)
        assert decision.outside_hours is (reason is Reason.AFTER_HOURS)
    else:
        assert decision.action is Action.RING
        assert decision.blocking == ()
        assert decision.primary is None
        assert decision.breakthrough is Breakthrough.TIER
        assert decision.send_text is False
        assert decision.no_text_reason is NoText.RINGING
        assert decision.callback_at is None


@pytest.mark.parametrize(("tier", "blocked_by"), CALLERS)
def test_ready_rings_without_breakthrough(tier: Tier | None, blocked_by: set[str]) -> None:
    decision = run(not_ready(), client(tier) if tier is not None else None)
    assert decision.action is Action.RING
    assert decision.breakthrough is None
    assert decision.reasons == ()
    assert decision.no_text_reason is NoText.RINGING


@pytest.mark.parametrize(
    "reasons", [(), (Reason.DRIVING,), (Reason.NOISY_PLACE, Reason.AFTER_HOURS)]
)
def test_unknown_caller_left_alone_always_rings(reasons: tuple[Reason, ...]) -> None:
    policy = ScreeningPolicy(unknown_callers=UnknownCallers.LEAVE_ALONE)
    decision = run(not_ready(*reasons), None, policy=policy)
    assert decision.action is Action.RING
    assert decision.tier is None
    assert decision.client is None
    assert decision.blocking == ()
    assert decision.reasons == reasons
    assert decision.breakthrough is (Breakthrough.UNKNOWN_CALLER if reasons else None)
    assert decision.no_text_reason is NoText.RINGING


def test_leave_alone_does_not_concern_known_clients() -> None:
    policy = ScreeningPolicy(unknown_callers=UnknownCallers.LEAVE_ALONE)
    decision = run(not_ready(Reason.IN_MEETING), client(Tier.NEW), policy=policy)
    assert decision.action is Action.VOICEMAIL
    assert decision.tier is Tier.NEW


@pytest.mark.parametrize(
    ("tier", "policy", "expected"),
    [
        (Tier.REGULAR, ScreeningPolicy(), Tier.REGULAR),
        (None, ScreeningPolicy(), Tier.NEW),
        (None, ScreeningPolicy(unknown_callers=UnknownCallers.LEAVE_ALONE), None),
        (Tier.VIP, ScreeningPolicy(unknown_callers=UnknownCallers.LEAVE_ALONE), Tier.VIP),
    ],
)
def test_screened_tier(tier: Tier | None, policy: ScreeningPolicy, expected: Tier | None) -> None:
    assert screened_tier(client(tier) if tier else None, policy) is expected


def test_vip_with_several_reasons_is_blocked_only_by_its_own() -> None:
    readiness = not_ready(Reason.NOISY_PLACE, Reason.DO_NOT_DISTURB, Reason.AFTER_HOURS)
    decision = run(readiness, client(Tier.VIP))
    assert decision.action is Action.VOICEMAIL
    assert decision.reasons == (Reason.DO_NOT_DISTURB, Reason.NOISY_PLACE, Reason.AFTER_HOURS)
    assert decision.blocking == (Reason.DO_NOT_DISTURB,)
    assert decision.primary is Reason.DO_NOT_DISTURB
    # After hours is active but does not count for a VIP: no e-mail invitation.
    assert decision.outside_hours is False


def test_primary_follows_reason_priority() -> None:
    decision = run(not_ready(Reason.AFTER_HOURS, Reason.PUBLIC_PLACE, Reason.ON_CALL), client())
    assert decision.primary is Reason.ON_CALL
    assert decision.outside_hours is True


def test_custom_blocking_sets_and_missing_tiers() -> None:
    # Only VIP is configured (to nothing): a missing tier is blocked by every reason.
    policy = ScreeningPolicy(blocking={Tier.VIP: frozenset()})
    assert policy.blocking_for(Tier.REGULAR) == frozenset(Reason)
    vip = run(not_ready(Reason.DRIVING), client(Tier.VIP), policy=policy)
    assert (vip.action, vip.breakthrough) == (Action.RING, Breakthrough.TIER)
    regular = run(not_ready(Reason.WEAK_SIGNAL), client(Tier.REGULAR), policy=policy)
    assert regular.action is Action.VOICEMAIL
    # Unknown callers screened as new use the "new" entry.
    only_meetings = ScreeningPolicy(blocking={Tier.NEW: frozenset({Reason.IN_MEETING})})
    assert run(not_ready(Reason.NOISY_PLACE), None, policy=only_meetings).action is Action.RING
    assert run(not_ready(Reason.IN_MEETING), None, policy=only_meetings).action is Action.VOICEMAIL


# ---------------------------------------------------------------------------
# Repeated calls


def history_with_call(ago: timedelta, number: str = MOBILE_PL) -> History:
    return record_call(History(), number, NOW - ago)


@pytest.mark.parametrize(
    ("ago", "repeat"),
    [
        pytest.param(timedelta(0), False, id="same-instant-is-this-call"),
        pytest.param(timedelta(microseconds=1), True, id="just-before"),
        pytest.param(timedelta(minutes=1), True, id="1min"),
        pytest.param(timedelta(minutes=3) - timedelta(microseconds=1), True, id="window-minus-1us"),
        pytest.param(timedelta(minutes=3), False, id="exactly-the-window"),
        pytest.param(timedelta(minutes=3, seconds=1), False, id="after-the-window"),
        pytest.param(-timedelta(minutes=1), False, id="a-later-call-is-ignored"),
    ],
)
@pytest.mark.parametrize(
    "reason",
    [r for r in Reason if r not in NO_BREAKTHROUGH],
)
def test_repeat_window_edges(ago: timedelta, repeat: bool, reason: Reason) -> None:
    decision = run(not_ready(reason), client(Tier.REGULAR), history=history_with_call(ago))
    if repeat:
        assert decision.action is Action.RING
        assert decision.breakthrough is Breakthrough.REPEAT_CALL
        assert decision.blocking == (reason,)
        assert decision.no_text_reason is NoText.RINGING
    else:
        assert decision.action is Action.VOICEMAIL
        assert decision.breakthrough is None


@pytest.mark.parametrize("blocker", [Reason.DRIVING, Reason.DEAD_ZONE, Reason.ON_CALL])
@pytest.mark.parametrize("with_other", [False, True])
@pytest.mark.parametrize("tier", list(Tier))
def test_no_breakthrough_while_driving_dead_zone_or_on_call(
    blocker: Reason, with_other: bool, tier: Tier
) -> None:
    reasons = (blocker, Reason.NOISY_PLACE) if with_other else (blocker,)
    history = history_with_call(timedelta(seconds=30))
    decision = run(not_ready(*reasons), client(tier), history=history)
    assert decision.action is Action.VOICEMAIL
    assert decision.breakthrough is None
    assert decision.primary is blocker


def test_repeat_counts_only_blocking_reasons() -> None:
    """Check that a reason this tier's calls ring through anyway does not stop a repeat call."""
    policy = ScreeningPolicy(blocking={Tier.VIP: frozenset({Reason.NOISY_PLACE})})
    history = history_with_call(timedelta(minutes=1))
    readiness = not_ready(Reason.DRIVING, Reason.NOISY_PLACE)
    decision = run(readiness, client(Tier.VIP), policy=policy, history=history)
    assert decision.action is Action.RING
    assert decision.breakthrough is Breakthrough.REPEAT_CALL
    # The same with driving in the VIP's set: no breakthrough.
    strict = ScreeningPolicy(blocking={Tier.VIP: frozenset({Reason.NOISY_PLACE, Reason.DRIVING})})
    decision = run(readiness, client(Tier.VIP), policy=strict, history=history)
    assert decision.action is Action.VOICEMAIL


def test_repeat_window_and_no_breakthrough_are_configurable() -> None:
    history = history_with_call(timedelta(minutes=8))
    readiness = not_ready(Reason.IN_MEETING)
    assert run(readiness, client(), history=history).action is Action.VOICEMAIL
    wide = ScreeningPolicy(repeat_window=timedelta(minutes=10))
    assert run(readiness, client(), policy=wide, history=history).breakthrough is (
        Breakthrough.REPEAT_CALL
    )
    meetings_hold = ScreeningPolicy(
        repeat_window=timedelta(minutes=10), no_breakthrough=frozenset({Reason.IN_MEETING})
    )
    assert run(readiness, client(), policy=meetings_hold, history=history).action is (
        Action.VOICEMAIL
    )


def test_repeat_needs_the_same_number() -> None:
    history = history_with_call(timedelta(minutes=1), MOBILE_PL_2)
    assert run(not_ready(Reason.MANUAL), client(), history=history).action is Action.VOICEMAIL


@pytest.mark.parametrize("hidden", ["anonymous", "", "+266696687", "Private"])
def test_hidden_numbers_are_never_repeat_calls(hidden: str) -> None:
    history = history_with_call(timedelta(seconds=20), hidden)
    decision = run(not_ready(Reason.IN_MEETING), None, number=hidden, history=history)
    assert decision.action is Action.VOICEMAIL
    assert decision.no_text_reason is NoText.ANONYMOUS
    assert not is_repeat_call(call(hidden), (Reason.IN_MEETING,), ScreeningPolicy(), history, NOW)


# ---------------------------------------------------------------------------
# Who is never texted


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param(MOBILE_PL, None, id="pl-mobile"),
        pytest.param(MOBILE_US, None, id="us-fixed-or-mobile"),
        pytest.param(LANDLINE_PL, NoText.NOT_MOBILE, id="pl-landline"),
        pytest.param(TOLL_FREE_PL, NoText.NOT_MOBILE, id="toll-free"),
        pytest.param("+4860", NoText.NOT_MOBILE, id="too-short"),
        pytest.param("12345", NoText.NOT_MOBILE, id="not-e164"),
        pytest.param("anonymous", NoText.ANONYMOUS, id="anonymous"),
        pytest.param("Restricted", NoText.ANONYMOUS, id="restricted"),
        pytest.param("  ", NoText.ANONYMOUS, id="blank"),
        pytest.param("+266696687", NoText.ANONYMOUS, id="twilio-anonymous"),
        pytest.param("+86282452253", NoText.ANONYMOUS, id="twilio-unavailable"),
    ],
)
def test_voicemail_text_or_why_not(number: str, expected: NoText | None) -> None:
    decision = run(not_ready(Reason.MANUAL), None, number=number)
    assert decision.action is Action.VOICEMAIL
    assert decision.no_text_reason is expected
    assert decision.send_text is (expected is None)


def texts_at(*moments: datetime, number: str = MOBILE_PL) -> History:
    history = History()
    for moment in moments:
        history = record_text(history, number, moment)
    return history


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        pytest.param(timedelta(0), NoText.COOLDOWN, id="just-now"),
        pytest.param(
            timedelta(hours=12) - timedelta(microseconds=1), NoText.COOLDOWN, id="12h-1us"
        ),
        pytest.param(timedelta(hours=12), None, id="exactly-12h"),
        pytest.param(timedelta(hours=13), None, id="13h"),
        pytest.param(-timedelta(minutes=5), NoText.COOLDOWN, id="clock-skew-future-text"),
    ],
)
def test_text_cooldown_edges(ago: timedelta, expected: NoText | None) -> None:
    history = texts_at(NOW - ago)
    assert text_refusal(MOBILE_PL, ScreeningPolicy(), history, NOW, mobile=True) is expected


def test_cooldown_is_per_number_and_configurable() -> None:
    history = texts_at(NOW - timedelta(hours=1), number=MOBILE_PL_2)
    assert text_refusal(MOBILE_PL, ScreeningPolicy(), history, NOW, mobile=True) is None
    assert text_refusal(MOBILE_PL_2, ScreeningPolicy(), history, NOW, mobile=True) is (
        NoText.COOLDOWN
    )
    short = ScreeningPolicy(text_cooldown=timedelta(minutes=30))
    assert text_refusal(MOBILE_PL_2, short, history, NOW, mobile=True) is None


def others_texted(count: int, ago: timedelta) -> History:
    history = History()
    for index in range(count):
        history = record_text(history, f"+4860100{index:04d}", NOW - ago)
    return history


@pytest.mark.parametrize(
    ("count", "ago", "cap", "expected"),
    [
        pytest.param(9, timedelta(minutes=10), 10, None, id="9-of-10"),
        pytest.param(10, timedelta(minutes=10), 10, NoText.HOURLY_CAP, id="10-of-10"),
        pytest.param(11, timedelta(minutes=10), 10, NoText.HOURLY_CAP, id="11-of-10"),
        pytest.param(10, timedelta(hours=1), 10, None, id="exactly-an-hour-ago"),
        pytest.param(
            10, timedelta(hours=1) - timedelta(microseconds=1), 10, NoText.HOURLY_CAP, id="1h-1us"
        ),
        pytest.param(0, timedelta(0), 0, NoText.HOURLY_CAP, id="cap-0-never-texts"),
        pytest.param(2, timedelta(minutes=1), 3, None, id="custom-cap"),
        pytest.param(3, timedelta(minutes=1), 3, NoText.HOURLY_CAP, id="custom-cap-reached"),
    ],
)
def test_hourly_cap_edges(count: int, ago: timedelta, cap: int, expected: NoText | None) -> None:
    policy = ScreeningPolicy(max_texts_per_hour=cap)
    history = others_texted(count, ago)
    assert history.texts_in_last_hour(NOW) == (count if ago < timedelta(hours=1) else 0)
    assert text_refusal(MOBILE_PL, policy, history, NOW, mobile=True) is expected
    decision = run(not_ready(Reason.MANUAL), client(), policy=policy, history=history)
    assert decision.no_text_reason is expected


def test_refusal_precedence() -> None:
    """Anonymous, then not mobile, then cooldown, then the cap."""
    policy = ScreeningPolicy(max_texts_per_hour=0)
    history = texts_at(NOW - timedelta(minutes=1), number="anonymous")
    assert text_refusal("anonymous", policy, history, NOW, mobile=True) is NoText.ANONYMOUS
    history = texts_at(NOW - timedelta(minutes=1), number=LANDLINE_PL)
    assert text_refusal(LANDLINE_PL, policy, history, NOW, mobile=False) is NoText.NOT_MOBILE
    history = texts_at(NOW - timedelta(minutes=1))
    assert text_refusal(MOBILE_PL, policy, history, NOW, mobile=True) is NoText.COOLDOWN
    assert text_refusal(MOBILE_PL_2, policy, history, NOW, mobile=True) is NoText.HOURLY_CAP


def test_no_text_when_ringing_even_if_textable() -> None:
    decision = run(not_ready(Reason.NOISY_PLACE), client(Tier.VIP))
    assert (decision.send_text, decision.no_text_reason) == (False, NoText.RINGING)


# ---------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("raw", "hidden"),
    [
        ("anonymous", True),
        ("ANONYMOUS", True),
        (" Unknown ", True),
        ("private", True),
        ("restricted", True),
        ("unavailable", True),
        ("withheld", True),
        ("blocked", True),
        ("hidden", True),
        ("", True),
        ("   ", True),
        ("+", True),
        ("no number", True),
        ("+266696687", True),  # A-N-O-N-Y-M-O-U-S on a keypad (Twilio)
        ("+86282452253", True),  # UNAVAILABLE
        ("+8656696", True),  # UNKNOWN
        ("+2562533", True),  # BLOCKED
        ("+7378742833", True),  # RESTRICTED
        ("+266 696 687", True),
        ("266696687", False),  # a Polish landline written nationally, not ANONYMOUS
        (MOBILE_PL, False),
        ("0", False),
        ("+48 601 234 567", False),
        ("sip:100@pbx.local", False),
    ],
)
def test_is_anonymous(raw: str, hidden: bool) -> None:
    assert is_anonymous(raw) is hidden


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        (MOBILE_PL, None, MOBILE_PL),
        ("+48 601 234 567", None, MOBILE_PL),
        ("601 234 567", "PL", MOBILE_PL),
        ("601-234-567", "pl", MOBILE_PL),
        ("0048601234567", "PL", MOBILE_PL),
        (" (212) 555-0123 ", "US", MOBILE_US),
        ("tel:+48601234567", None, MOBILE_PL),
        ("601 234 567", None, None),  # no country code and no default region
        ("601 234 567", "XX", None),  # unknown region
        ("+48 601 234", None, None),  # too short to be valid
        ("not a number", "PL", None),
        ("anonymous", "PL", None),
        ("+266696687", None, None),
        ("266696687", "PL", "+48266696687"),
        ("266696687", None, None),
        ("", "PL", None),
    ],
)
def test_normalize_number(raw: str, region: str | None, expected: str | None) -> None:
    assert normalize_number(raw, region) == expected


@pytest.mark.parametrize(
    ("number", "mobile"),
    [
        (MOBILE_PL, True),
        ("+79161234567", True),
        (MOBILE_US, True),
        ("+14165550123", True),  # Canada: fixed or mobile
        (LANDLINE_PL, False),
        ("+74951234567", False),
        (TOLL_FREE_PL, False),
        ("+48701234567", False),  # premium rate
        ("+4860", False),
        ("601234567", False),  # not E.164
        ("++48", False),
        ("anonymous", False),
        ("+266696687", False),
    ],
)
def test_is_mobile(number: str, mobile: bool) -> None:
    assert is_mobile(number) is mobile


# ---------------------------------------------------------------------------
# History


def test_history_is_immutable_and_records_in_order() -> None:
    empty = History()
    one = record_call(empty, MOBILE_PL, NOW - timedelta(minutes=5))
    two = record_call(one, MOBILE_PL, NOW - timedelta(minutes=2))
    texted = record_text(two, MOBILE_PL, NOW - timedelta(minutes=2))
    assert empty.calls == {}
    assert one.calls == {MOBILE_PL: (NOW - timedelta(minutes=5),)}
    assert two.calls[MOBILE_PL] == (NOW - timedelta(minutes=5), NOW - timedelta(minutes=2))
    assert two.texts == {}
    assert texted.calls == two.calls
    assert texted.texts == {MOBILE_PL: (NOW - timedelta(minutes=2),)}
    assert texted.last_call(MOBILE_PL, NOW) == NOW - timedelta(minutes=2)
    assert texted.last_call(MOBILE_PL, NOW - timedelta(minutes=2)) == NOW - timedelta(minutes=5)
    assert texted.last_call(MOBILE_PL_2, NOW) is None
    assert texted.last_text(MOBILE_PL) == NOW - timedelta(minutes=2)
    assert texted.last_text(MOBILE_PL_2) is None


def test_history_in_any_order() -> None:
    history = History(
        calls={MOBILE_PL: (NOW - timedelta(minutes=1), NOW - timedelta(hours=2))},
        texts={MOBILE_PL: (NOW - timedelta(hours=1), NOW - timedelta(hours=30))},
    )
    assert history.last_call(MOBILE_PL, NOW) == NOW - timedelta(minutes=1)
    assert history.last_text(MOBILE_PL) == NOW - timedelta(hours=1)


def test_prune_drops_old_entries_and_empty_numbers() -> None:
    history = History(
        calls={
            MOBILE_PL: (NOW - timedelta(hours=13), NOW - timedelta(hours=1)),
            MOBILE_PL_2: (NOW - timedelta(days=2),),
        },
        texts={MOBILE_PL: (NOW - timedelta(hours=12),), MOBILE_PL_2: (NOW - timedelta(hours=20),)},
    )
    pruned = prune(history, NOW, timedelta(hours=12))
    assert pruned.calls == {MOBILE_PL: (NOW - timedelta(hours=1),)}
    # Kept exactly at the edge: a text exactly 12 h ago still counts until then.
    assert pruned.texts == {MOBILE_PL: (NOW - timedelta(hours=12),)}


# ---------------------------------------------------------------------------
# The promised callback time


def office(tz: ZoneInfo, start: time = time(9), end: time = time(17)) -> WorkHours:
    return WorkHours(tz=tz, days=MON_FRI, start=start, end=end)


def local(tz: ZoneInfo, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


NIGHT_SHIFT = WorkHours(tz=WAW, days=MON_FRI, start=time(22), end=time(6))


@pytest.mark.parametrize(
    ("ready_at", "contact", "now", "expected"),
    [
        pytest.param(None, None, NOW, None, id="nothing-known"),
        pytest.param(
            NOW + timedelta(minutes=20), None, NOW, NOW + timedelta(minutes=20), id="no-hours"
        ),
        pytest.param(NOW - timedelta(minutes=1), None, NOW, None, id="stale-ready-at"),
        pytest.param(NOW, None, NOW, None, id="ready-at-now"),
        pytest.param(None, office(WAW), NOW, None, id="open-now-unknown-end"),
        pytest.param(
            local(WAW, "2026-06-03 15:00"),
            office(WAW),
            NOW,
            local(WAW, "2026-06-03 15:00"),
            id="ready-within-hours",
        ),
        pytest.param(
            local(WAW, "2026-06-03 18:30"),
            office(WAW),
            NOW,
            local(WAW, "2026-06-04 09:00"),
            id="ready-after-closing-next-morning",
        ),
        pytest.param(
            local(WAW, "2026-06-05 19:00"),
            office(WAW),
            NOW,
            local(WAW, "2026-06-08 09:00"),
            id="friday-evening-to-monday",
        ),
        pytest.param(
            None,
            office(WAW),
            local(WAW, "2026-06-06 11:00"),
            local(WAW, "2026-06-08 09:00"),
            id="weekend-unknown-end-next-opening",
        ),
        pytest.param(
            local(WAW, "2026-06-03 07:00"),
            NIGHT_SHIFT,
            local(WAW, "2026-06-03 05:00"),
            local(WAW, "2026-06-03 22:00"),
            id="overnight-client-morning",
        ),
        pytest.param(
            local(WAW, "2026-06-03 23:30"),
            NIGHT_SHIFT,
            NOW,
            local(WAW, "2026-06-03 23:30"),
            id="overnight-client-late-evening",
        ),
        pytest.param(
            local(WAW, "2026-06-06 02:00"),
            NIGHT_SHIFT,
            NOW,
            local(WAW, "2026-06-06 02:00"),
            id="overnight-window-of-friday-into-saturday",
        ),
        pytest.param(
            local(WAW, "2026-06-06 07:00"),
            NIGHT_SHIFT,
            NOW,
            local(WAW, "2026-06-08 22:00"),
            id="overnight-saturday-morning-to-monday-night",
        ),
        # A client in New York, the freelancer in Warsaw: promised in New York hours.
        pytest.param(
            local(WAW, "2026-06-03 14:30"),
            office(NY),
            NOW,
            local(NY, "2026-06-03 09:00"),
            id="ny-client-opens-later",
        ),
        pytest.param(
            local(WAW, "2026-06-03 16:00"),
            office(NY),
            NOW,
            local(WAW, "2026-06-03 16:00"),
            id="ny-client-open",
        ),
        # US DST starts Sun 2026-03-08: 9:00 New York is 14:00 UTC before, 13:00 UTC after.
        pytest.param(
            datetime(2026, 3, 6, 23, 0, tzinfo=UTC),
            office(NY),
            datetime(2026, 3, 6, 22, 0, tzinfo=UTC),
            datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
            id="ny-over-spring-forward",
        ),
        pytest.param(
            datetime(2026, 10, 30, 22, 0, tzinfo=UTC),
            office(NY),
            datetime(2026, 10, 30, 21, 0, tzinfo=UTC),
            datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
            id="ny-over-fall-back",
        ),
        # Between the US and the EU changes Warsaw is 5 h ahead of New York, not 6.
        pytest.param(
            local(WAW, "2026-03-16 14:00"),
            office(NY),
            local(WAW, "2026-03-16 13:00"),
            local(WAW, "2026-03-16 14:00"),
            id="dst-gap-weeks-ny-opens-at-14-warsaw",
        ),
        pytest.param(
            local(WAW, "2026-06-03 16:00"),
            office(KOLKATA, time(10), time(18, 30)),
            NOW,
            local(KOLKATA, "2026-06-04 10:00"),
            id="half-hour-zone",
        ),
        pytest.param(
            NOW + timedelta(hours=2),
            WorkHours(tz=WAW, days=frozenset(), start=time(9), end=time(17)),
            NOW,
            NOW + timedelta(hours=2),
            id="no-contact-days-keeps-ready-at",
        ),
    ],
)
def test_callback_time(
    ready_at: datetime | None, contact: WorkHours | None, now: datetime, expected: datetime | None
) -> None:
    who = client(contact=contact)
    readiness = not_ready(Reason.MANUAL, until=ready_at)
    result = callback_time(readiness, who, now)
    assert result == expected
    if result is not None:
        assert result > now
    decision = run(readiness, who, now=now)
    assert decision.callback_at == expected


def test_callback_time_for_unknown_caller_is_ready_again_at() -> None:
    readiness = not_ready(Reason.IN_MEETING, until=NOW + timedelta(minutes=45))
    assert callback_time(readiness, None, NOW) == NOW + timedelta(minutes=45)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("America/New_York", "America/New_York"),
        ("Not/AZone", "UTC"),
        ("", "UTC"),
        ("../etc", "UTC"),
    ],
)
def test_client_time_zone_falls_back_to_utc(name: str, expected: str) -> None:
    assert client(time_zone=name).tz == ZoneInfo(expected)


# ---------------------------------------------------------------------------
# Properties (issue #7 "Bad input")

NUMBERS = st.one_of(
    st.sampled_from(
        [
            MOBILE_PL,
            MOBILE_PL_2,
            MOBILE_US,
            LANDLINE_PL,
            TOLL_FREE_PL,
            "anonymous",
            "Private",
            "",
            "+266696687",
            "+86282452253",
            "+4860",
        ]
    ),
    st.text(max_size=20),
    st.from_regex(r"\+[0-9]{1,15}", fullmatch=True),
)
REASON_SETS = st.frozensets(st.sampled_from(list(Reason)))
POLICIES = st.builds(
    ScreeningPolicy,
    blocking=st.fixed_dictionaries(
        {Tier.NEW: REASON_SETS, Tier.REGULAR: REASON_SETS, Tier.VIP: REASON_SETS}
    ),
    repeat_window=st.timedeltas(timedelta(0), timedelta(minutes=30)),
    unknown_callers=st.sampled_from(list(UnknownCallers)),
    text_cooldown=st.timedeltas(timedelta(0), timedelta(hours=24)),
    max_texts_per_hour=st.integers(0, 12),
)
TIERS = st.one_of(st.none(), st.sampled_from(list(Tier)))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(number=NUMBERS, reasons=REASON_SETS, tier=TIERS, policy=POLICIES)
def test_property_never_text_hidden_or_invalid_numbers(
    number: str, reasons: frozenset[Reason], tier: Tier | None, policy: ScreeningPolicy
) -> None:
    who = client(tier, number=number) if tier else None
    decision = run(not_ready(*reasons), who, number=number, policy=policy)
    if decision.send_text:
        assert not is_anonymous(number)
        assert normalize_number(number, None) == number
        assert is_mobile(number)
        assert decision.action is Action.VOICEMAIL
    if is_anonymous(number) and decision.action is Action.VOICEMAIL:
        assert decision.no_text_reason is NoText.ANONYMOUS


# Busy policies for the stream: every reason blocks, short cooldowns and small caps, so
# that texts are sent, refused for the cooldown and refused for the cap in one run.
STREAM_POLICIES = st.builds(
    ScreeningPolicy,
    repeat_window=st.timedeltas(timedelta(0), timedelta(minutes=5)),
    text_cooldown=st.timedeltas(timedelta(0), timedelta(hours=2)),
    max_texts_per_hour=st.integers(0, 4),
)
STREAM_NUMBERS = [MOBILE_PL, MOBILE_PL_2, MOBILE_US, "+48603456789", LANDLINE_PL, "anonymous"]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(STREAM_NUMBERS),
            st.one_of(
                st.timedeltas(timedelta(0), timedelta(minutes=20)),
                st.timedeltas(timedelta(0), timedelta(hours=3)),
            ),
            st.frozensets(st.sampled_from(list(Reason)), min_size=1),
        ),
        max_size=60,
    ),
    policy=STREAM_POLICIES,
    tiers=st.fixed_dictionaries(dict.fromkeys(STREAM_NUMBERS, TIERS)),
)
def test_property_cooldown_and_hourly_cap_hold_over_a_stream(
    steps: list[tuple[str, timedelta, frozenset[Reason]]],
    policy: ScreeningPolicy,
    tiers: dict[str, Tier | None],
) -> None:
    """The glue's loop: prune, decide, record the call, record the text when sent."""
    keep = max(policy.text_cooldown, timedelta(hours=1), policy.repeat_window)
    history = History()
    sent: list[tuple[str, datetime]] = []
    now = NOW
    for number, gap, reasons in steps:
        now += gap
        history = prune(history, now, keep)
        tier = tiers[number]
        decision = run(
            not_ready(*reasons),
            client(tier, number=number) if tier else None,
            number=number,
            policy=policy,
            history=history,
            now=now,
        )
        history = record_call(history, number, now)
        if decision.send_text:
            history = record_text(history, number, now)
            sent.append((number, now))
        elif decision.no_text_reason in {NoText.COOLDOWN, NoText.HOURLY_CAP}:
            event(f"refused: {decision.no_text_reason}")
    event(f"texts sent: {min(len(sent), 5)}+")
    for index, (number, at) in enumerate(sent):
        earlier = [t for n, t in sent[:index] if n == number]
        assert all(at - t >= policy.text_cooldown for t in earlier)
        in_hour = [t for _, t in sent[: index + 1] if at - t < timedelta(hours=1)]
        assert len(in_hour) <= policy.max_texts_per_hour


@settings(max_examples=300, deadline=None, derandomize=True)
@given(reasons=REASON_SETS, policy=POLICIES, recent_call=st.booleans())
def test_property_vip_only_blocked_by_its_reasons(
    reasons: frozenset[Reason], policy: ScreeningPolicy, recent_call: bool
) -> None:
    history = history_with_call(timedelta(seconds=10)) if recent_call else History()
    decision = run(not_ready(*reasons), client(Tier.VIP), policy=policy, history=history)
    vip_set = policy.blocking_for(Tier.VIP)
    if not reasons & vip_set:
        assert decision.action is Action.RING
    if decision.action is Action.VOICEMAIL:
        assert decision.blocking
        assert set(decision.blocking) <= vip_set & reasons
        assert decision.primary in vip_set


def test_note_call_and_text_grow_the_history_in_place() -> None:
    """Check that note_call/note_text add to the same History, as record_call/record_text would."""
    start = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
    history = History()
    note_call(history, MOBILE_PL, start)
    note_call(history, MOBILE_PL, start + timedelta(minutes=1))
    note_text(history, MOBILE_PL, start)
    expected = record_text(
        record_call(
            record_call(History(), MOBILE_PL, start), MOBILE_PL, start + timedelta(minutes=1)
        ),
        MOBILE_PL,
        start,
    )
    assert history == expected
    frozen = History(calls=MappingProxyType({}), texts=MappingProxyType({}))
    with pytest.raises(TypeError):
        note_call(frozen, MOBILE_PL, start)


_TEXT_MINUTES = st.lists(
    st.tuples(st.sampled_from((MOBILE_PL, "+48600000001", "+48600000002")), st.integers(0, 240)),
    max_size=40,
)


@given(stored=_TEXT_MINUTES, noted=_TEXT_MINUTES, now_minute=st.integers(0, 300))
@settings(max_examples=200, deadline=None)
def test_hourly_count_matches_a_walk_over_every_text(
    stored: list[tuple[str, int]], noted: list[tuple[str, int]], now_minute: int
) -> None:
    """Check that the hourly count (kept sorted, searched) equals counting every text.

    That is, every text after the hour's start, for a history loaded with texts, then grown
    with note_text (in any order of times), and for one pruned from it.
    """
    start = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
    texts: dict[str, tuple[datetime, ...]] = {}
    for number, minute in stored:
        texts[number] = (*texts.get(number, ()), start + timedelta(minutes=minute))
    history = History(calls={}, texts=texts)
    for number, minute in noted:
        note_text(history, number, start + timedelta(minutes=minute))
    now = start + timedelta(minutes=now_minute)

    def walk(of: History) -> int:
        since = now - timedelta(hours=1)
        return sum(1 for times in of.texts.values() for at in times if at > since)

    assert history.texts_in_last_hour(now) == walk(history)
    pruned = prune(history, now, timedelta(hours=2))
    assert pruned.texts_in_last_hour(now) == walk(pruned)
    assert record_text(history, MOBILE_PL, now).texts_in_last_hour(now) == walk(history) + 1
