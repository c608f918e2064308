"""Pure rule: keep a promised callback time, or renegotiate it once, politely.

No Home Assistant imports; everything time-dependent takes ``now``.

A promise is the callback time the client was told (in the text or the voicemail
greeting), as it was said: rounded up to the local clock (``times.round_up``). It can
no longer be kept when

- the promised time has come and the freelancer is still not ready, or
- the freelancer is not ready and the next free time (``ready_again_at``: a new
  meeting, a longer drive) is already known to come after it.

Then the client gets one short follow-up text with the new time, at most once per
callback: the new time is the moment the freelancer can promise again
(``screening.callback_time``: the next free time, moved to the client's contact
hours), so it is never before ``now`` and never inside a not-ready span that is known.
With no known end it says "as soon as I can". The per-number cooldown does not apply
(the text keeps a promise we made); the hourly cap on all texts does: a capped
follow-up waits until the cap frees. A promise more than ``STALE_AFTER`` past (Home
Assistant was off, the cap held the text back that long) gets no follow-up any more:
a text hours late, maybe at night, would not help; the overdue reminder takes over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from .models import Client, Readiness, ScreeningPolicy
from .screening import History, callback_time


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What to do about one promise now.

    ``send``: text the client now; ``new_time`` is the new promise (None: as soon as
    possible). ``wake``: when to look at the promise again if nothing changes before
    (None: never, unless readiness changes).
    """

    send: bool = False
    new_time: datetime | None = None
    wake: datetime | None = None


NOTHING = FollowUp()
# Past this long after the promised time, a follow-up is too late to send.
STALE_AFTER: Final = timedelta(hours=2)


def is_broken(promised: datetime, readiness: Readiness, now: datetime) -> bool:
    """Whether a promise (as said) can no longer be kept."""
    if readiness.ready:
        return False
    if now >= promised:
        return True
    ready_at = readiness.ready_again_at
    return ready_at is not None and ready_at.astimezone(UTC) > promised.astimezone(UTC)


def follow_up(
    promised: datetime,
    *,
    followed_up: bool,
    can_text: bool,
    readiness: Readiness,
    client: Client | None,
    policy: ScreeningPolicy,
    history: History,
    now: datetime,
) -> FollowUp:
    """Decide the follow-up text of one promise (``promised``: the time as said).

    ``followed_up``: this callback already had its follow-up (never a second one).
    ``can_text``: the number can receive texts and a texting backend is set.
    """
    if followed_up or not can_text or now >= promised + STALE_AFTER:
        return NOTHING
    if not is_broken(promised, readiness, now):
        return FollowUp(wake=promised if now < promised else None)
    frees_at = history.hourly_cap_frees_at(now, policy.max_texts_per_hour)
    if frees_at is None:
        return NOTHING
    if frees_at > now:
        return FollowUp(wake=frees_at) if frees_at < promised + STALE_AFTER else NOTHING
    new_time = callback_time(readiness, client, now)
    return FollowUp(send=True, new_time=new_time)
