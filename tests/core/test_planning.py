"""Table-driven tests for the pure outgoing-call planning in ``planning.py`` (issue #5).

The usual set-up: the client is in New York (contact hours 9:00-17:00, Monday to
Friday), the freelancer in Warsaw. Times are written in the zone they are thought in.

Calendar facts (2026):
- America/New_York springs forward Sun 2026-03-08 and falls back Sun 2026-11-01.
- Europe/Warsaw springs forward Sun 2026-03-29 and falls back Sun 2026-10-25.
  So Warsaw is 6 h ahead of New York, except 2026-03-08..03-28 and 2026-10-25..10-31
  when it is 5 h ahead.
- US holidays: Thanksgiving Thu 2026-11-26, Christmas Fri 2026-12-25, Independence Day
  Sat 2026-07-04 (observed Fri 2026-07-03).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.client_etiquette.core.models import (
    CallPlan,
    Channel,
    Client,
    Language,
    NotNow,
    Readiness,
    Reason,
    Tier,
    WorkHours,
)
from custom_components.client_etiquette.core.phone import country_of_number, country_of_numbers
from custom_components.client_etiquette.core.planning import (
    channel_now,
    client_hours,
    holiday_years,
    is_holiday,
    next_open,
    plan_call,
)

WAW = ZoneInfo("Europe/Warsaw")
NY = ZoneInfo("America/New_York")
MON_FRI = frozenset(range(5))
MOBILE_US = "+12125550123"
MOBILE_PL = "+48601234567"
LANDLINE_PL = "+48221234567"

NY_OFFICE = WorkHours(tz=NY, days=MON_FRI, start=time(9), end=time(17))
# A client who takes calls late: 20:00 to 2:00, the window belongs to the day it starts on.
WAW_LATE = WorkHours(tz=WAW, days=MON_FRI, start=time(20), end=time(2))

READY = Readiness(ready=True)
US_HOLIDAYS = frozenset({date(2026, 11, 26), date(2026, 12, 25), date(2026, 7, 3)})


def waw(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WAW)


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def busy(until: datetime | None = None) -> Readiness:
    return Readiness(ready=False, reasons=(Reason.IN_MEETING,), ready_again_at=until)


def client(
    contact: WorkHours | None = NY_OFFICE,
    *,
    channel: Channel = Channel.CALL,
    numbers: tuple[str, ...] = (MOBILE_US,),
    email: str | None = None,
    language: Language = Language.EN,
    time_zone: str = "America/New_York",
) -> Client:
    return Client(
        client_id="c1",
        name="John Smith",
        numbers=numbers,
        tier=Tier.REGULAR,
        language=language,
        time_zone=time_zone,
        contact_hours=contact,
        channel=channel,
        email=email,
    )


# (id, client, readiness, now, holidays, ok, next_good_time, not_now)
CASES = [
    # Winter: Warsaw 6 h ahead.
    (
        "winter-open",
        client(),
        READY,
        waw("2026-03-02 15:30"),
        US_HOLIDAYS,
        True,
        waw("2026-03-02 15:30"),
        (),
    ),
    (
        "winter-before-opening",
        client(),
        READY,
        waw("2026-03-02 14:30"),
        US_HOLIDAYS,
        False,
        waw("2026-03-02 15:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    (
        "winter-closing-edge",
        client(),
        READY,
        waw("2026-03-02 23:00"),
        US_HOLIDAYS,
        False,
        waw("2026-03-03 15:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    (
        "winter-last-minute",
        client(),
        READY,
        waw("2026-03-02 22:59"),
        US_HOLIDAYS,
        True,
        waw("2026-03-02 22:59"),
        (),
    ),
    # New York has sprung forward, Warsaw not yet: 5 h ahead.
    (
        "us-dst-only-open-at-14-30",
        client(),
        READY,
        waw("2026-03-09 14:30"),
        US_HOLIDAYS,
        True,
        waw("2026-03-09 14:30"),
        (),
    ),
    (
        "us-dst-only-before-14",
        client(),
        READY,
        waw("2026-03-09 13:30"),
        US_HOLIDAYS,
        False,
        waw("2026-03-09 14:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    # The Friday before the US change, asked in the evening: next is Monday 9:00 EDT.
    (
        "over-us-spring-forward",
        client(),
        READY,
        waw("2026-03-06 23:30"),
        US_HOLIDAYS,
        False,
        ny("2026-03-09 09:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    # Both on summer time again: 6 h.
    (
        "summer-before-opening",
        client(),
        READY,
        waw("2026-03-30 14:30"),
        US_HOLIDAYS,
        False,
        waw("2026-03-30 15:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    # Warsaw has fallen back, New York not yet: 5 h again.
    (
        "eu-winter-us-summer",
        client(),
        READY,
        waw("2026-10-26 14:30"),
        US_HOLIDAYS,
        True,
        waw("2026-10-26 14:30"),
        (),
    ),
    (
        "both-winter",
        client(),
        READY,
        waw("2026-11-02 14:30"),
        US_HOLIDAYS,
        False,
        waw("2026-11-02 15:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    (
        "over-us-fall-back",
        client(),
        READY,
        waw("2026-10-30 23:30"),
        US_HOLIDAYS,
        False,
        ny("2026-11-02 09:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    # Weekends and holidays in the client's country.
    (
        "saturday",
        client(),
        READY,
        ny("2026-06-06 11:00"),
        US_HOLIDAYS,
        False,
        ny("2026-06-08 09:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    (
        "thanksgiving",
        client(),
        READY,
        ny("2026-11-26 10:00"),
        US_HOLIDAYS,
        False,
        ny("2026-11-27 09:00"),
        (NotNow.HOLIDAY,),
    ),
    (
        "eve-of-thanksgiving-after-hours",
        client(),
        READY,
        ny("2026-11-25 18:00"),
        US_HOLIDAYS,
        False,
        ny("2026-11-27 09:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    (
        "christmas-friday-to-monday",
        client(),
        READY,
        ny("2026-12-25 10:00"),
        US_HOLIDAYS,
        False,
        ny("2026-12-28 09:00"),
        (NotNow.HOLIDAY,),
    ),
    (
        "observed-independence-day",
        client(),
        READY,
        ny("2026-07-02 17:30"),
        US_HOLIDAYS,
        False,
        ny("2026-07-06 09:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    (
        "holiday-ignored-without-set",
        client(),
        READY,
        ny("2026-11-26 10:00"),
        frozenset(),
        True,
        ny("2026-11-26 10:00"),
        (),
    ),
    # Contact hours across midnight.
    (
        "late-client-friday-night",
        client(WAW_LATE, time_zone="Europe/Warsaw"),
        READY,
        waw("2026-06-06 01:00"),
        frozenset(),
        True,
        waw("2026-06-06 01:00"),
        (),
    ),
    (
        "late-client-saturday-morning",
        client(WAW_LATE, time_zone="Europe/Warsaw"),
        READY,
        waw("2026-06-06 03:00"),
        frozenset(),
        False,
        waw("2026-06-08 20:00"),
        (NotNow.OUTSIDE_HOURS,),
    ),
    (
        "late-client-holiday-window",
        client(WAW_LATE, time_zone="Europe/Warsaw"),
        READY,
        waw("2026-06-05 01:00"),
        frozenset({date(2026, 6, 4)}),
        False,
        waw("2026-06-05 20:00"),
        (NotNow.HOLIDAY,),
    ),
    # The freelancer's side.
    (
        "freelancer-ready-later-today",
        client(),
        busy(ny("2026-06-03 16:30")),
        ny("2026-06-03 10:00"),
        US_HOLIDAYS,
        False,
        ny("2026-06-03 16:30"),
        (NotNow.NOT_READY,),
    ),
    (
        "freelancer-ready-after-closing",
        client(),
        busy(waw("2026-06-03 23:30")),
        ny("2026-06-03 10:00"),
        US_HOLIDAYS,
        False,
        ny("2026-06-04 09:00"),
        (NotNow.NOT_READY,),
    ),
    (
        "freelancer-ready-at-stale",
        client(),
        busy(ny("2026-06-03 09:30")),
        ny("2026-06-03 10:00"),
        US_HOLIDAYS,
        False,
        ny("2026-06-03 10:00"),
        (NotNow.NOT_READY,),
    ),
    (
        "freelancer-busy-unknown-end",
        client(),
        busy(),
        ny("2026-06-03 10:00"),
        US_HOLIDAYS,
        False,
        None,
        (NotNow.NOT_READY,),
    ),
    (
        "everything-wrong",
        client(channel=Channel.TEXT),
        busy(),
        ny("2026-11-26 20:00"),
        US_HOLIDAYS,
        False,
        None,
        (NotNow.OUTSIDE_HOURS, NotNow.HOLIDAY, NotNow.CHANNEL, NotNow.NOT_READY),
    ),
    # Calls are not the client's channel: never a good time to call.
    (
        "prefers-email",
        client(channel=Channel.EMAIL),
        READY,
        ny("2026-06-03 10:00"),
        US_HOLIDAYS,
        False,
        None,
        (NotNow.CHANNEL,),
    ),
    # No agreed hours: any time of day, but not on a holiday.
    (
        "no-hours-night",
        client(None),
        READY,
        ny("2026-06-06 03:00"),
        US_HOLIDAYS,
        True,
        ny("2026-06-06 03:00"),
        (),
    ),
    (
        "no-hours-holiday",
        client(None),
        READY,
        ny("2026-12-25 03:00"),
        US_HOLIDAYS,
        False,
        ny("2026-12-26 00:00"),
        (NotNow.HOLIDAY,),
    ),
    # No contact days at all: no next good time within the search.
    (
        "no-days",
        client(WorkHours(tz=NY, days=frozenset(), start=time(9), end=time(17))),
        READY,
        ny("2026-06-03 10:00"),
        US_HOLIDAYS,
        False,
        None,
        (NotNow.OUTSIDE_HOURS,),
    ),
]


@pytest.mark.parametrize(
    ("who", "readiness", "now", "holidays", "ok", "next_good", "not_now"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_plan_call(
    who: Client,
    readiness: Readiness,
    now: datetime,
    holidays: frozenset[date],
    ok: bool,
    next_good: datetime | None,
    not_now: tuple[NotNow, ...],
) -> None:
    plan = plan_call(who, readiness, now, holidays=holidays)
    assert plan.ok_to_call is ok
    assert plan.not_now == not_now
    assert plan.next_good_time == next_good
    assert plan.client_local_time == now
    assert plan.client_local_time.tzinfo is who.tz
    if next_good is not None:
        assert plan.next_good_time is not None
        assert plan.next_good_time.tzinfo is who.tz
        assert plan.next_good_time >= now
        # The next good time is itself a good time on the client's side.
        later = plan_call(who, READY, plan.next_good_time, holidays=holidays)
        assert later.ok_to_call
    if ok:
        assert plan.channel is Channel.CALL
        assert plan.next_good_time == now == plan.client_available_at


def test_the_same_plan_with_a_callable_and_with_the_holidays_package() -> None:
    """How the glue builds the holiday set: the ``holidays`` package Home Assistant ships."""
    import holidays

    now = ny("2026-11-26 10:00")
    who = client()
    country = country_of_numbers(who.numbers)
    assert country == "US"
    years = holiday_years(now)
    days = frozenset(holidays.country_holidays(country, years=years))
    assert {date(2026, 11, 26), date(2026, 12, 25), date(2027, 1, 1)} <= days
    by_set = plan_call(who, READY, now, holidays=days)
    by_callable = plan_call(who, READY, now, holidays=lambda day: day in days)
    by_package = plan_call(who, READY, now, holidays=holidays.country_holidays("US", years=years))
    assert by_set == by_callable == by_package
    assert by_set.not_now == (NotNow.HOLIDAY,)
    assert by_set.next_good_time == ny("2026-11-27 09:00")
    # Poland's holidays are different: 26 November is an ordinary Thursday there.
    polish = frozenset(holidays.country_holidays("PL", years=years))
    assert plan_call(who, READY, now, holidays=polish).ok_to_call


@pytest.mark.parametrize(
    ("who", "ok", "expected"),
    [
        (client(), True, Channel.CALL),
        (client(), False, Channel.TEXT),
        (client(channel=Channel.TEXT), True, Channel.TEXT),
        (client(channel=Channel.EMAIL), False, Channel.EMAIL),
        (client(numbers=(LANDLINE_PL,), email="john@example.com"), False, Channel.EMAIL),
        (client(numbers=(LANDLINE_PL, MOBILE_PL), email="john@example.com"), False, Channel.TEXT),
        (client(numbers=(LANDLINE_PL,)), False, Channel.TEXT),
        (client(numbers=(LANDLINE_PL,), email="john@example.com"), True, Channel.CALL),
    ],
)
def test_channel_now(who: Client, ok: bool, expected: Channel) -> None:
    assert channel_now(who, ok_to_call=ok) is expected


def test_plan_channel_out_of_hours_is_a_text() -> None:
    plan = plan_call(client(), READY, ny("2026-06-03 20:00"))
    assert plan.channel is Channel.TEXT
    assert plan.client_available_at == ny("2026-06-04 09:00")


def test_client_available_at_ignores_the_freelancer_and_the_channel() -> None:
    plan = plan_call(client(channel=Channel.EMAIL), busy(), ny("2026-06-06 10:00"))
    assert plan.next_good_time is None
    assert plan.client_available_at == ny("2026-06-08 09:00")
    assert plan.client_available_at is not None
    assert plan.client_available_at.tzinfo is NY


@pytest.mark.parametrize(
    ("language", "topic", "sender", "expected"),
    [
        (Language.EN, None, "", "Hi! Is now a good time for a quick call?"),
        (
            Language.EN,
            "the invoice",
            "Jan",
            "Hi, it's Jan. Is now a good time for a quick call about the invoice?",
        ),
        (Language.RU, None, "", "Здравствуйте! Вам удобно сейчас коротко созвониться?"),
        (
            Language.RU,
            "счёт",
            "Ян",
            "Здравствуйте, это Ян. Вам удобно сейчас коротко созвониться? Тема: счёт.",
        ),
        (Language.PL, "", "", "Dzień dobry! Czy możemy teraz chwilę porozmawiać?"),
        (
            Language.PL,
            "faktura",
            "",
            "Dzień dobry! Czy możemy teraz chwilę porozmawiać? Temat: faktura.",
        ),
    ],
)
def test_suggested_text_in_the_clients_language(
    language: Language, topic: str | None, sender: str, expected: str
) -> None:
    plan = plan_call(
        client(language=language), READY, ny("2026-06-03 10:00"), topic=topic, sender_name=sender
    )
    assert plan.suggested_text == expected


def test_client_hours_default_is_every_day_in_the_clients_zone() -> None:
    assert client_hours(client()) is NY_OFFICE
    whole = client_hours(client(None, time_zone="Asia/Tokyo"))
    assert whole == WorkHours(tz=ZoneInfo("Asia/Tokyo"), days=frozenset(range(7)))


def test_next_open_skips_holidays_and_gives_up_after_the_search() -> None:
    start = ny("2026-12-24 18:00")
    assert next_open(NY_OFFICE, start, US_HOLIDAYS) == datetime(2026, 12, 28, 14, 0, tzinfo=UTC)
    assert next_open(NY_OFFICE, start, lambda _day: True) is None
    # A two-month holiday run is still searched through; a longer one is not.
    long_break = frozenset(date(2026, 12, 25) + timedelta(days=n) for n in range(50))
    assert next_open(NY_OFFICE, start, long_break) == ny("2027-02-15 09:00")
    longer = frozenset(date(2026, 12, 25) + timedelta(days=n) for n in range(70))
    assert next_open(NY_OFFICE, start, longer) is None


@pytest.mark.parametrize(
    ("holidays", "day", "expected"),
    [
        (frozenset({date(2026, 1, 1)}), date(2026, 1, 1), True),
        (frozenset({date(2026, 1, 1)}), date(2026, 1, 2), False),
        (lambda day: day.day == 1, date(2026, 5, 1), True),
        (lambda day: day.day == 1, date(2026, 5, 2), False),
        ({date(2026, 5, 3): "Constitution Day"}, date(2026, 5, 3), True),
    ],
)
def test_is_holiday(holidays: object, day: date, expected: bool) -> None:
    assert is_holiday(holidays, day) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "years"),
    [
        (datetime(2026, 6, 3, tzinfo=UTC), range(2025, 2027)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), range(2025, 2028)),
        (datetime(2027, 1, 1, 0, 30, tzinfo=UTC), range(2026, 2028)),
    ],
)
def test_holiday_years(now: datetime, years: range) -> None:
    assert holiday_years(now) == years


@pytest.mark.parametrize(
    ("number", "country"),
    [
        (MOBILE_US, "US"),
        ("+14165550123", "CA"),
        (MOBILE_PL, "PL"),
        (LANDLINE_PL, "PL"),
        ("+79161234567", "RU"),
        ("+442079460123", "GB"),
        ("+80012345678", None),  # international freephone: no country
        ("+4860", None),
        ("601234567", None),
        ("anonymous", None),
        ("", None),
    ],
)
def test_country_of_number(number: str, country: str | None) -> None:
    assert country_of_number(number) == country


def test_country_of_numbers_takes_the_first_known() -> None:
    assert country_of_numbers(("+80012345678", "+4860", MOBILE_PL, MOBILE_US)) == "PL"
    assert country_of_numbers(("anonymous",)) is None
    assert country_of_numbers(()) is None


def test_plan_is_a_frozen_value() -> None:
    plan = plan_call(client(), READY, ny("2026-06-03 10:00"))
    assert isinstance(plan, CallPlan)
    with pytest.raises(AttributeError):
        plan.ok_to_call = False  # type: ignore[misc]
