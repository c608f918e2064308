"""Pure call screening: a Call, the Client, the Readiness and recent history in, a Decision out.

No Home Assistant imports; everything time-dependent takes ``now``. History is data
passed in by the caller (the glue keeps it), never module state.

The decision, in order:

1. Unknown caller and ``unknown_callers`` is ``leave_alone``: ring, no text.
2. The *blocking* reasons are the active readiness reasons that count for the
   caller's tier (unknown callers screened as ``new``). None: ring.
3. The same number called within ``repeat_window``: ring through
   (``breakthrough="repeat_call"``), except while driving, in a dead zone or on a
   call blocks the call (rule E1, E4).
4. Otherwise: voicemail, with a polite text when the number may be texted, and a
   promised callback time (rule E6).

Breakthrough codes (why it rang although the freelancer was not ready):
``repeat_call``, ``tier`` (none of the active reasons block this tier) and
``unknown_caller`` (unknown callers are left alone).

No-text codes (why no text is sent): ``ringing``, ``anonymous``, ``not_mobile``,
``cooldown``, ``hourly_cap``.

Time windows are half-open: a window of length X that starts at t is over at
exactly t + X. So a call exactly ``repeat_window`` after the previous one is not a
repeat, a text exactly ``text_cooldown`` after the last one is allowed, and a
text sent exactly one hour ago no longer counts towards the hourly cap.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from . import freetime, hours
from .freetime import Agenda
from .models import (
    Action,
    Breakthrough,
    Call,
    Client,
    Decision,
    NoText,
    Readiness,
    Reason,
    ScreeningPolicy,
    Tier,
    UnknownCallers,
)
from .phone import is_anonymous

HOURLY_WINDOW: Final = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class History:
    """Recent calls and sent texts, keyed by number as in ``Call.number``.

    Each value is the times of the calls (texts) from (to) that number, in any order.
    ``calls`` should hold calls before the current one; calls at or after ``now`` are
    ignored, so recording the current call first does no harm.

    The times of all texts are also kept sorted (built once here, grown by
    ``note_text``), so the hourly cap is a binary search, not a walk over every number
    texted in the last days.
    """

    calls: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)
    texts: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)
    _text_times: list[datetime] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Sort the times of the texts once."""
        times = sorted(at for ats in self.texts.values() for at in ats)
        object.__setattr__(self, "_text_times", times)

    def last_call(self, number: str, now: datetime) -> datetime | None:
        """Return the latest call from ``number`` strictly before ``now``."""
        return max((at for at in self.calls.get(number, ()) if at < now), default=None)

    def last_text(self, number: str) -> datetime | None:
        """Return the latest text sent to ``number``."""
        return max(self.texts.get(number, ()), default=None)

    def texts_in_last_hour(self, now: datetime) -> int:
        """How many texts were sent, to anyone, in the hour before ``now``."""
        times = self._text_times
        return len(times) - bisect_right(times, now - HOURLY_WINDOW)

    def hourly_cap_frees_at(self, now: datetime, cap: int) -> datetime | None:
        """Return when fewer than ``cap`` texts are left in the hour; None when never.

        ``now`` itself when the cap is not reached; None when the cap is 0.
        """
        if cap <= 0:
            return None
        times = self._text_times
        recent = times[bisect_right(times, now - HOURLY_WINDOW) :]
        if len(recent) < cap:
            return now
        return recent[len(recent) - cap] + HOURLY_WINDOW


def note_call(history: History, number: str, at: datetime) -> None:
    """Add a call to ``history`` in place: O(1), for a history that is kept and grown.

    ``history`` must have been built with dicts (as ``prune`` and ``History()`` do).
    """
    _note(history.calls, number, at)


def note_text(history: History, number: str, at: datetime) -> None:
    """Add a sent text to ``history`` in place (see ``note_call``)."""
    _note(history.texts, number, at)
    insort(history._text_times, at)


def _note(times: Mapping[str, tuple[datetime, ...]], number: str, at: datetime) -> None:
    if not isinstance(times, dict):
        raise TypeError("note_call and note_text need a history built with dicts")
    times[number] = (*times.get(number, ()), at)


def prune(history: History, now: datetime, keep: timedelta) -> History:
    """Return a new History without entries older than ``keep`` before ``now``."""
    return History(
        calls=_drop_before(history.calls, now - keep),
        texts=_drop_before(history.texts, now - keep),
    )


def _drop_before(
    times: Mapping[str, tuple[datetime, ...]], cutoff: datetime
) -> dict[str, tuple[datetime, ...]]:
    kept = {number: tuple(at for at in ats if at >= cutoff) for number, ats in times.items()}
    return {number: ats for number, ats in kept.items() if ats}


def decide(
    call: Call,
    *,
    client: Client | None,
    readiness: Readiness,
    policy: ScreeningPolicy,
    history: History,
    now: datetime,
    mobile: bool,
    agenda: Agenda | None = None,
) -> Decision:
    """Decide what to do with ``call``.

    ``client`` is the directory entry for the caller's number, None for an unknown
    caller. ``mobile`` says whether the caller's number can receive texts (see
    ``is_mobile``); it is computed by the caller so this stays free of look-ups.
    """
    tier = screened_tier(client, policy)
    reasons = readiness.reasons
    if tier is None:
        breakthrough = Breakthrough.UNKNOWN_CALLER if reasons else None
        return _ring(reasons, (), client, None, breakthrough)
    allowed = policy.blocking_for(tier)
    blocking = tuple(reason for reason in reasons if reason in allowed)
    if not blocking:
        return _ring(reasons, blocking, client, tier, Breakthrough.TIER if reasons else None)
    if is_repeat_call(call, blocking, policy, history, now):
        return _ring(reasons, blocking, client, tier, Breakthrough.REPEAT_CALL)
    no_text = text_refusal(call.number, policy, history, now, mobile=mobile)
    return Decision(
        action=Action.VOICEMAIL,
        reasons=reasons,
        blocking=blocking,
        client=client,
        tier=tier,
        send_text=no_text is None,
        no_text_reason=no_text,
        callback_at=callback_time(readiness, client, now, agenda),
    )


def _ring(
    reasons: tuple[Reason, ...],
    blocking: tuple[Reason, ...],
    client: Client | None,
    tier: Tier | None,
    breakthrough: Breakthrough | None,
) -> Decision:
    return Decision(
        action=Action.RING,
        reasons=reasons,
        blocking=blocking,
        client=client,
        tier=tier,
        breakthrough=breakthrough,
        no_text_reason=NoText.RINGING,
    )


def screened_tier(client: Client | None, policy: ScreeningPolicy) -> Tier | None:
    """Return the tier a caller is screened as; None for unknown callers left alone."""
    if client is not None:
        return client.tier
    if policy.unknown_callers is UnknownCallers.SCREEN_AS_NEW:
        return Tier.NEW
    return None


def is_repeat_call(
    call: Call,
    blocking: Iterable[Reason],
    policy: ScreeningPolicy,
    history: History,
    now: datetime,
) -> bool:
    """Return True when the same number called within ``repeat_window`` and may ring through.

    ``blocking`` are the active reasons that count for the caller's tier. Hidden numbers
    are never repeats (all of them look alike), and nothing rings through while a
    ``no_breakthrough`` reason (driving, dead zone, on a call) blocks the call. A reason
    the policy lets this tier's calls through anyway (say, driving for a VIP whose
    blocking set was narrowed) does not stop a repeat call either.
    """
    if is_anonymous(call.number):
        return False
    if any(reason in policy.no_breakthrough for reason in blocking):
        return False
    last = history.last_call(call.number, now)
    return last is not None and now - last < policy.repeat_window


def text_refusal(
    number: str, policy: ScreeningPolicy, history: History, now: datetime, *, mobile: bool
) -> NoText | None:
    """Why a call sent to voicemail gets no text, or None when it gets one."""
    if is_anonymous(number):
        return NoText.ANONYMOUS
    if not mobile:
        return NoText.NOT_MOBILE
    last = history.last_text(number)
    if last is not None and now - last < policy.text_cooldown:
        return NoText.COOLDOWN
    if history.texts_in_last_hour(now) >= policy.max_texts_per_hour:
        return NoText.HOURLY_CAP
    return None


def callback_time(
    readiness: Readiness, client: Client | None, now: datetime, agenda: Agenda | None = None
) -> datetime | None:
    """When the freelancer can promise to call back, or None when unknown.

    The moment readiness returns, moved to the client's next contact-hours opening
    (rules E7, E8) and past the counted calendar events ahead (``agenda``) to a free
    gap long enough for the call. When readiness has no known end but
    the client's hours are closed now, the promise is their next opening. A
    ready-again time that is not after ``now`` (a readiness a moment stale) counts as
    unknown: promising a time that has already passed would make the callback
    overdue at once.
    """
    ready_at = readiness.ready_again_at
    if ready_at is not None and ready_at.astimezone(UTC) <= now.astimezone(UTC):
        ready_at = None
    contact = client.contact_hours if client is not None else None
    if contact is None:
        return ready_at
    if ready_at is None and hours.is_open(contact, now):
        return None
    opening = freetime.settle(
        agenda, ready_at or now, lambda moment: hours.next_open(contact, moment)
    )
    return opening if opening is not None else ready_at
