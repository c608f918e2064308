"""The caller's voice menu: what a caller sent to voicemail is offered, and what pressing 1 does.

Pure, no Home Assistant. The options give, per kind of caller (the client's tier, or
``unknown`` for a number that belongs to no client), whether "if it's urgent, press 1"
is offered and whether the caller is asked what the call is about.

The urgent rule: pressing 1 rings the freelancer's mobile at once, except while any of
``NO_BREAKTHROUGH_REASONS`` (driving, dead zone, on a call) is active. Then the caller
hears that the freelancer can't talk safely right now and when the callback comes, and
the callback is marked urgent. Only the digit 1 counts; anything else goes on as if
nothing was pressed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .models import NO_BREAKTHROUGH_REASONS, Client, Reason

URGENT_DIGIT: Final = "1"


class CallerKind(StrEnum):
    """Whom the voice menu is for: a client's tier, or a number of no client."""

    NEW = "new"
    REGULAR = "regular"
    VIP = "vip"
    UNKNOWN = "unknown"


# "If it's urgent, press 1": on for the clients one knows well.
DEFAULT_URGENT: Final[Mapping[CallerKind, bool]] = {
    CallerKind.NEW: False,
    CallerKind.REGULAR: True,
    CallerKind.VIP: True,
    CallerKind.UNKNOWN: False,
}
# "What is the call about?": on for callers one does not know (as iOS asks them).
DEFAULT_ASK_REASON: Final[Mapping[CallerKind, bool]] = {
    CallerKind.NEW: False,
    CallerKind.REGULAR: False,
    CallerKind.VIP: False,
    CallerKind.UNKNOWN: True,
}


class UrgentAnswer(StrEnum):
    """What a key press in the greeting leads to."""

    RING = "ring"  # put the caller through to the mobile now
    CANT_TALK = "cant_talk"  # urgent, but not safe now: say so, take a message
    NONE = "none"  # no 1 pressed (or not offered): go on to the message


@dataclass(frozen=True, slots=True)
class VoiceMenu:
    """What a caller who is sent to voicemail is offered."""

    urgent: bool = False
    ask_reason: bool = False


def caller_kind(client: Client | None) -> CallerKind:
    """Say whom a call is from: the client's tier, else an unknown caller."""
    if client is None:
        return CallerKind.UNKNOWN
    return CallerKind(str(client.tier))


def voice_menu(
    kind: CallerKind,
    urgent: Mapping[CallerKind, bool],
    ask_reason: Mapping[CallerKind, bool],
    *,
    can_dial: bool,
) -> VoiceMenu:
    """Return the menu for a caller; "press 1" only when there is a mobile to ring."""
    return VoiceMenu(
        urgent=can_dial and urgent.get(kind, DEFAULT_URGENT[kind]),
        ask_reason=ask_reason.get(kind, DEFAULT_ASK_REASON[kind]),
    )


def safe_to_ring(reasons: Iterable[Reason]) -> bool:
    """Whether an urgent call may ring through: never while driving, in a dead zone or on a call."""
    return NO_BREAKTHROUGH_REASONS.isdisjoint(reasons)


def urgent_answer(digits: str | None, reasons: Iterable[Reason], *, offered: bool) -> UrgentAnswer:
    """Decide what the digits pressed in the greeting lead to."""
    if not offered or (digits or "").strip() != URGENT_DIGIT:
        return UrgentAnswer.NONE
    return UrgentAnswer.RING if safe_to_ring(reasons) else UrgentAnswer.CANT_TALK
