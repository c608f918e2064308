"""Every core type and enum, once: the plain data passed between the decisions and the glue.

No Home Assistant imports, and nothing outside ``core``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final, dataclass_transform
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .freetime import Agenda


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def hot_record[T](cls: type[T]) -> type[T]:
    """Make ``cls`` a slotted dataclass that is read-only to the type checker.

    For the values built on every source change (evidence, snapshot, verdict): a
    ``frozen=True`` dataclass sets each field through ``object.__setattr__``, which
    makes building one about three times dearer (docs/performance.md).
    """
    return dataclass(slots=True)(cls)


# --- Readiness ---------------------------------------------------------------------


class Reason(StrEnum):
    """Why the freelancer is not ready for a client call.

    The member order is the documented priority: the first active reason is the
    primary one shown by the reason sensor.
    """

    MANUAL = "manual"
    DRIVING = "driving"
    ON_CALL = "on_call"
    DEAD_ZONE = "dead_zone"
    IN_MEETING = "in_meeting"
    MEETING_SOON = "meeting_soon"
    DO_NOT_DISTURB = "do_not_disturb"
    NOISY_PLACE = "noisy_place"
    WEAK_SIGNAL = "weak_signal"
    PUBLIC_PLACE = "public_place"
    AFTER_HOURS = "after_hours"


REASON_PRIORITY: Final = tuple(Reason)


class Mode(StrEnum):
    """The manual override, Focus-like."""

    AUTO = "auto"
    AVAILABLE = "available"
    BUSY = "busy"


@hot_record
class Evidence:
    """One configured source that currently says the freelancer is not ready.

    ``until`` is when the source itself says it will end (a calendar event's end,
    a schedule's next change), or None when nobody knows. ``held`` evidence comes from
    a source that has calmed down (``core.stability``): it counts only before ``until``.
    """

    reason: Reason
    source: str
    until: datetime | None = None
    held: bool = False


@dataclass(frozen=True, slots=True)
class WorkHours:
    """Recurring opening hours in one time zone.

    ``start``/``end`` None means the whole day. ``start`` later than ``end`` is a
    window that runs past midnight and belongs to the day it starts on. ``days``
    holds weekday numbers (Monday is 0).
    """

    tz: tzinfo
    days: frozenset[int]
    start: time | None = None
    end: time | None = None


@hot_record
class Snapshot:
    """Everything the readiness decision needs, read from Home Assistant at one moment."""

    evidence: tuple[Evidence, ...] = ()
    unavailable_sources: tuple[str, ...] = ()
    # True/False: own-car evidence present/absent; None: no usable car source
    # (none configured, or all unavailable), so motion counts as driving.
    in_own_car: bool | None = None
    work_hours: WorkHours | None = None
    # The workday sensor's verdict for today; None when not configured or unavailable.
    workday_today: bool | None = None
    mode: Mode = Mode.AUTO
    busy_until: datetime | None = None
    busy_reason: Reason = Reason.MANUAL
    # The counted calendar events ahead (core.freetime); None when none is known.
    agenda: Agenda | None = None


@hot_record
class Readiness:
    """Whether the freelancer can take a client call now, why not, and until when."""

    ready: bool
    reasons: tuple[Reason, ...] = ()
    ready_again_at: datetime | None = None
    unavailable_sources: tuple[str, ...] = ()
    passenger: bool = False
    # The next moment the verdict may change with no state change (a known edge).
    next_change: datetime | None = None
    sources: dict[Reason, tuple[str, ...]] = field(default_factory=dict)

    @property
    def primary(self) -> Reason | None:
        """The most important active reason, or None when ready."""
        return self.reasons[0] if self.reasons else None


# --- Screening ---------------------------------------------------------------------


class Tier(StrEnum):
    """How close the client is (rule E9)."""

    NEW = "new"
    REGULAR = "regular"
    VIP = "vip"


class Language(StrEnum):
    """Languages the polite texts are written in."""

    EN = "en"
    RU = "ru"
    PL = "pl"


class Channel(StrEnum):
    """The client's preferred way to be contacted (rule E8)."""

    CALL = "call"
    TEXT = "text"
    EMAIL = "email"


class UnknownCallers(StrEnum):
    """What to do with numbers that belong to no client."""

    SCREEN_AS_NEW = "screen_as_new"
    LEAVE_ALONE = "leave_alone"


class Action(StrEnum):
    """What happens to the call."""

    RING = "ring"
    VOICEMAIL = "voicemail"


class Breakthrough(StrEnum):
    """Why a call rang although the freelancer was not ready."""

    REPEAT_CALL = "repeat_call"
    TIER = "tier"
    UNKNOWN_CALLER = "unknown_caller"
    URGENT = "urgent"


class NoText(StrEnum):
    """Why no polite text is sent."""

    RINGING = "ringing"
    ANONYMOUS = "anonymous"
    NOT_MOBILE = "not_mobile"
    COOLDOWN = "cooldown"
    HOURLY_CAP = "hourly_cap"
    # A missed call reported too long after it rang (or from before a restart).
    LATE = "late"


ALL_REASONS: Final = frozenset(Reason)
VIP_REASONS: Final = frozenset(
    {Reason.DRIVING, Reason.DEAD_ZONE, Reason.ON_CALL, Reason.DO_NOT_DISTURB}
)
# While any of these is active, a repeated call does not ring through.
NO_BREAKTHROUGH_REASONS: Final = frozenset({Reason.DRIVING, Reason.DEAD_ZONE, Reason.ON_CALL})
DEFAULT_REPEAT_WINDOW: Final = timedelta(minutes=3)
DEFAULT_TEXT_COOLDOWN: Final = timedelta(hours=12)
DEFAULT_MAX_TEXTS_PER_HOUR: Final = 10


@dataclass(frozen=True, slots=True)
class Client:
    """One client from the directory.

    ``numbers`` are E.164 strings. ``time_zone`` is an IANA name ("Europe/Warsaw").
    ``contact_hours`` are the agreed hours for calls (rule E8), in their own time
    zone; None means any time.
    """

    client_id: str
    name: str
    numbers: tuple[str, ...]
    tier: Tier = Tier.REGULAR
    language: Language = Language.EN
    time_zone: str = "UTC"
    contact_hours: WorkHours | None = None
    channel: Channel = Channel.CALL
    email: str | None = None
    note: str = ""
    # How the freelancer's phone shows the client (its contacts), when not ``name``.
    phone_name: str = ""

    @property
    def tz(self) -> ZoneInfo:
        """The client's time zone; UTC when the stored name is not a known zone."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """An incoming call as reported by the phone system.

    ``number`` is the caller ID: E.164 when the glue could normalise it, else as received
    (it may be a hidden-number word such as "anonymous").
    """

    number: str
    name: str | None = None
    source: str | None = None
    call_id: str | None = None
    at: datetime


@dataclass(frozen=True, slots=True)
class MissedCall:
    """A call that rang on the freelancer's own phone and was not answered.

    ``number`` is as the app reported it (read with ``core.phone`` later); ``rang_at``
    is aware and says when it rang (the app's time), not when the report came;
    ``source`` is "httpsms", "sms_gateway" or "companion_app"; ``event_id`` is the
    app's delivery or event id, for duplicate deliveries; ``name`` is the contact
    name the phone showed, when that is all there is (``number`` is then "").
    """

    number: str
    rang_at: datetime
    source: str
    event_id: str | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class IncomingText:
    """A text a client sent to the freelancer's own number (or Twilio number).

    ``source`` is "httpsms", "sms_gateway" or "twilio"; ``event_id`` is the app's
    message or event id, for duplicate deliveries.
    """

    number: str
    body: str
    received_at: datetime
    source: str
    event_id: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a call.

    ``reasons`` are all active readiness reasons at the time of the call;
    ``blocking`` those of them that count for the caller's tier. ``tier`` is the tier
    the call was screened as (``new`` for unknown callers screened as new, None when
    unknown callers are left alone). ``callback_at`` is the promised callback time
    when known (voicemail only).
    """

    action: Action
    reasons: tuple[Reason, ...] = ()
    client: Client | None = None
    breakthrough: Breakthrough | None = None
    send_text: bool = False
    no_text_reason: NoText | None = None
    callback_at: datetime | None = None
    blocking: tuple[Reason, ...] = ()
    tier: Tier | None = None

    @property
    def primary(self) -> Reason | None:
        """The most important blocking reason: the one the polite text talks about."""
        return self.blocking[0] if self.blocking else None

    @property
    def outside_hours(self) -> bool:
        """True when the call came outside working hours and that counted (rule E9)."""
        return Reason.AFTER_HOURS in self.blocking


def _default_blocking() -> dict[Tier, frozenset[Reason]]:
    return {Tier.NEW: ALL_REASONS, Tier.REGULAR: ALL_REASONS, Tier.VIP: VIP_REASONS}


@dataclass(frozen=True, slots=True)
class ScreeningPolicy:
    """The user's screening options.

    ``blocking`` maps a tier to the reasons that send its calls to voicemail; a tier
    missing from the map is blocked by every reason. Unknown callers screened as new
    use the ``new`` entry.
    """

    blocking: Mapping[Tier, frozenset[Reason]] = field(default_factory=_default_blocking)
    repeat_window: timedelta = DEFAULT_REPEAT_WINDOW
    no_breakthrough: frozenset[Reason] = NO_BREAKTHROUGH_REASONS
    unknown_callers: UnknownCallers = UnknownCallers.SCREEN_AS_NEW
    text_cooldown: timedelta = DEFAULT_TEXT_COOLDOWN
    max_texts_per_hour: int = DEFAULT_MAX_TEXTS_PER_HOUR

    def blocking_for(self, tier: Tier) -> frozenset[Reason]:
        """Return the reasons that send a call from this tier to voicemail."""
        return self.blocking.get(tier, ALL_REASONS)


# --- Planning and wording ------------------------------------------------------------


class NotNow(StrEnum):
    """Why now is not a good time to call."""

    NOT_READY = "not_ready"
    OUTSIDE_HOURS = "outside_hours"
    HOLIDAY = "holiday"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class CallPlan:
    """The answer for one client at one moment.

    ``client_local_time`` is ``now`` in the client's time zone. ``next_good_time`` is
    the first moment at or after ``now`` that is a good time on the client's side and not
    before the freelancer's ``ready_again_at``; None when calls are not the client's
    channel, when the freelancer is not ready with no known end, or when no such moment
    comes within ``planning.SEARCH_DAYS``. ``client_available_at`` is the client's side alone
    (contact hours, working day, holiday), whatever the channel and the freelancer.
    Both are in the client's time zone. ``not_now`` lists why ``ok_to_call`` is False.
    """

    ok_to_call: bool
    channel: Channel
    client_local_time: datetime
    next_good_time: datetime | None
    client_available_at: datetime | None
    suggested_text: str
    not_now: tuple[NotNow, ...] = ()


class TextFault(StrEnum):
    """Why a rendered text must not be sent."""

    EMPTY = "empty"
    EMPTY_SLOT = "empty_slot"
    DOUBLED_SPACE = "doubled_space"
    DANGLING_PUNCTUATION = "dangling_punctuation"
