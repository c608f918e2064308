"""Plan outgoing calls, purely: is now a good time to call this client (issue #5).

No Home Assistant imports; everything time-dependent takes ``now``. Public holidays are
passed in (a set of dates or a ``date -> bool`` callable), so the module needs neither
the ``holidays`` package nor a clock. The glue builds the set for the client's country::

    country = country_of_numbers(client.numbers) or entry_country
    days = frozenset(holidays.country_holidays(country, years=holiday_years(now)))

What counts as a good time to call (rules E7, E8, E12), and the channel to use when it
is not, is described in docs/outgoing.md ("A good time to call: what counts").
"""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import UTC, date, datetime, timedelta
from typing import Final

from . import hours
from .messages.texts import ask_first_text
from .models import CallPlan, Channel, Client, NotNow, Readiness, WorkHours
from .phone import is_mobile

type HolidayCheck = Callable[[date], bool] | Container[date]

NO_HOLIDAYS: Final[frozenset[date]] = frozenset()
# How far ahead the next good time is looked for: long holiday runs fit in two months.
SEARCH_DAYS: Final = 62
_STEP: Final = timedelta(days=7)
_EVERY_DAY: Final = frozenset(range(7))


def plan_call(
    client: Client,
    readiness: Readiness,
    now: datetime,
    *,
    holidays: HolidayCheck = NO_HOLIDAYS,
    topic: str | None = None,
    sender_name: str = "",
) -> CallPlan:
    """Whether to call ``client`` now, how to reach them otherwise, and when to call."""
    contact = client_hours(client)
    tz = contact.tz
    current = _window_at(contact, now)
    day = current[0].astimezone(tz).date() if current else now.astimezone(tz).date()
    holiday = is_holiday(holidays, day)
    not_now: list[NotNow] = []
    if current is None:
        not_now.append(NotNow.OUTSIDE_HOURS)
    if holiday:
        not_now.append(NotNow.HOLIDAY)
    if client.channel is not Channel.CALL:
        not_now.append(NotNow.CHANNEL)
    if not readiness.ready:
        not_now.append(NotNow.NOT_READY)
    ok = not not_now
    available = next_open(contact, now, holidays)
    return CallPlan(
        ok_to_call=ok,
        channel=channel_now(client, ok_to_call=ok),
        client_local_time=now.astimezone(tz),
        next_good_time=_next_good_time(client, contact, readiness, now, holidays),
        client_available_at=available.astimezone(tz) if available else None,
        suggested_text=ask_first_text(client.language, topic=topic, sender_name=sender_name),
        not_now=tuple(not_now),
    )


def client_hours(client: Client) -> WorkHours:
    """Return the client's contact hours; no agreed hours means the whole day, every day."""
    if client.contact_hours is not None:
        return client.contact_hours
    return WorkHours(tz=client.tz, days=_EVERY_DAY)


def channel_now(client: Client, *, ok_to_call: bool) -> Channel:
    """How to reach the client now (rules E7, E8, E11)."""
    if client.channel is not Channel.CALL:
        return client.channel
    if ok_to_call:
        return Channel.CALL
    if client.email and not any(is_mobile(number) for number in client.numbers):
        return Channel.EMAIL
    return Channel.TEXT


def is_holiday(holidays: HolidayCheck, day: date) -> bool:
    """Whether ``day`` is a public holiday, asking a callable or looking in a set."""
    if callable(holidays):
        return bool(holidays(day))
    return day in holidays


def next_open(
    contact: WorkHours, after: datetime, holidays: HolidayCheck = NO_HOLIDAYS
) -> datetime | None:
    """Find the first moment at or after ``after`` within ``contact`` on a non-holiday day.

    None when there is none within ``SEARCH_DAYS`` (no contact days at all, say).
    """
    horizon = after + timedelta(days=SEARCH_DAYS)
    around = after
    while around <= horizon:
        for start, end in hours.windows(contact, around):
            if end <= after or start > horizon:
                continue
            if is_holiday(holidays, start.astimezone(contact.tz).date()):
                continue
            return max(start, after.astimezone(UTC))
        around += _STEP
    return None


def _window_at(contact: WorkHours, now: datetime) -> tuple[datetime, datetime] | None:
    """Return the contact window ``now`` falls in, if any."""
    return next(
        (window for window in hours.windows(contact, now) if window[0] <= now < window[1]), None
    )


def _next_good_time(
    client: Client,
    contact: WorkHours,
    readiness: Readiness,
    now: datetime,
    holidays: HolidayCheck,
) -> datetime | None:
    if client.channel is not Channel.CALL:
        return None
    if readiness.ready:
        after = now
    elif readiness.ready_again_at is None:
        return None
    else:
        after = max(now, readiness.ready_again_at)
    moment = next_open(contact, after, holidays)
    return moment.astimezone(contact.tz) if moment else None


def holiday_years(now: datetime) -> range:
    """Return the years whose holidays ``plan_call`` may look at from ``now``.

    One year back (the client may still be in yesterday's year) to the year after the
    search horizon.
    """
    return range(now.year - 1, (now + timedelta(days=SEARCH_DAYS)).year + 1)
