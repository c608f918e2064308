"""The voice menu's pure rules (issue #18): who is offered what, and what pressing 1 does."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.client_etiquette.core.models import (
    NO_BREAKTHROUGH_REASONS,
    Client,
    Reason,
    Tier,
)
from custom_components.client_etiquette.core.voice import (
    DEFAULT_ASK_REASON,
    DEFAULT_URGENT,
    CallerKind,
    UrgentAnswer,
    VoiceMenu,
    caller_kind,
    safe_to_ring,
    urgent_answer,
    voice_menu,
)

UNSAFE = sorted(NO_BREAKTHROUGH_REASONS)


@pytest.mark.parametrize(
    ("digits", "reasons", "offered", "expected"),
    [
        ("1", [Reason.IN_MEETING], True, UrgentAnswer.RING),
        ("1", [], True, UrgentAnswer.RING),
        ("1", [Reason.DO_NOT_DISTURB, Reason.AFTER_HOURS], True, UrgentAnswer.RING),
        (" 1 ", [Reason.IN_MEETING], True, UrgentAnswer.RING),
        ("1", [Reason.DRIVING], True, UrgentAnswer.CANT_TALK),
        ("1", [Reason.DEAD_ZONE], True, UrgentAnswer.CANT_TALK),
        ("1", [Reason.ON_CALL], True, UrgentAnswer.CANT_TALK),
        ("1", [Reason.IN_MEETING, Reason.DRIVING], True, UrgentAnswer.CANT_TALK),
        ("1", [Reason.IN_MEETING], False, UrgentAnswer.NONE),
        ("2", [Reason.IN_MEETING], True, UrgentAnswer.NONE),
        ("11", [Reason.IN_MEETING], True, UrgentAnswer.NONE),
        ("", [Reason.IN_MEETING], True, UrgentAnswer.NONE),
        (None, [Reason.IN_MEETING], True, UrgentAnswer.NONE),
        ("#", [Reason.DRIVING], True, UrgentAnswer.NONE),
    ],
)
def test_urgent_answer(
    digits: str | None, reasons: list[Reason], offered: bool, expected: UrgentAnswer
) -> None:
    """Only a 1, when offered, counts; it rings unless driving, in a dead zone or on a call."""
    assert urgent_answer(digits, reasons, offered=offered) is expected


@given(
    digits=st.one_of(st.none(), st.text(max_size=4)),
    reasons=st.sets(st.sampled_from(list(Reason))),
    unsafe=st.sampled_from(UNSAFE),
    offered=st.booleans(),
)
def test_never_rings_through_while_unsafe(
    digits: str | None, reasons: set[Reason], unsafe: Reason, offered: bool
) -> None:
    """Whatever was pressed and whatever else is going on: never rings while unsafe."""
    assert urgent_answer(digits, {*reasons, unsafe}, offered=offered) is not UrgentAnswer.RING
    assert not safe_to_ring({*reasons, unsafe})


@given(
    digits=st.one_of(st.none(), st.text(max_size=4)),
    reasons=st.sets(st.sampled_from(list(Reason))),
)
def test_rings_only_for_a_one_that_was_offered(digits: str | None, reasons: set[Reason]) -> None:
    """Not offered: nothing; offered: a ring only for exactly "1"."""
    assert urgent_answer(digits, reasons, offered=False) is UrgentAnswer.NONE
    answer = urgent_answer(digits, reasons, offered=True)
    if (digits or "").strip() != "1":
        assert answer is UrgentAnswer.NONE
    else:
        assert answer is (UrgentAnswer.RING if safe_to_ring(reasons) else UrgentAnswer.CANT_TALK)


@pytest.mark.parametrize(
    ("kind", "urgent", "ask_reason"),
    [
        (CallerKind.NEW, False, False),
        (CallerKind.REGULAR, True, False),
        (CallerKind.VIP, True, False),
        (CallerKind.UNKNOWN, False, True),
    ],
)
def test_defaults(kind: CallerKind, urgent: bool, ask_reason: bool) -> None:
    """Press 1 for regular and VIP clients; the reason asked of unknown callers."""
    assert voice_menu(kind, {}, {}, can_dial=True) == VoiceMenu(urgent, ask_reason)
    assert (DEFAULT_URGENT[kind], DEFAULT_ASK_REASON[kind]) == (urgent, ask_reason)


def test_choices_and_no_mobile() -> None:
    """The user's choice wins; without a mobile to ring, "press 1" is never offered."""
    chosen = voice_menu(
        CallerKind.NEW, {CallerKind.NEW: True}, {CallerKind.NEW: True}, can_dial=True
    )
    assert chosen == VoiceMenu(urgent=True, ask_reason=True)
    assert voice_menu(CallerKind.VIP, {}, {}, can_dial=False) == VoiceMenu(False, False)


@pytest.mark.parametrize("tier", list(Tier))
def test_caller_kind(tier: Tier) -> None:
    """A client's kind is their tier; no client is an unknown caller."""
    client = Client(client_id="c", name="Anna", numbers=("+48601234567",), tier=tier)
    assert caller_kind(client) == CallerKind(str(tier))
    assert caller_kind(None) is CallerKind.UNKNOWN
