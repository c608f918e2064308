"""When the callback comes, said in the client's time zone and language.

No Home Assistant imports; everything time-dependent takes ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final

from ..models import Language
from .plurals import plural_category

DEFAULT_WITHIN_MINUTES: Final = 30
# Promised times are rounded up to this many minutes: "at 15:30", not "at 15:27".
ROUND_MINUTES: Final = 5
# Callbacks further away than this many days are said as a date, not a weekday.
WEEKDAY_HORIZON_DAYS: Final = 6

_WEEKDAYS: Final[Mapping[Language, tuple[str, ...]]] = {
    Language.EN: (
        "on Monday",
        "on Tuesday",
        "on Wednesday",
        "on Thursday",
        "on Friday",
        "on Saturday",
        "on Sunday",
    ),
    # Accusative after "в"/"во": в среду, в пятницу, во вторник.
    Language.RU: (
        "в понедельник",
        "во вторник",
        "в среду",
        "в четверг",
        "в пятницу",
        "в субботу",
        "в воскресенье",
    ),
    # Accusative after "w"/"we": w środę, we wtorek.
    Language.PL: (
        "w poniedziałek",
        "we wtorek",
        "w środę",
        "w czwartek",
        "w piątek",
        "w sobotę",
        "w niedzielę",
    ),
}

# Month names as used in a date: genitive in Russian and Polish ("14 марта", "14 marca").
_MONTHS: Final[Mapping[Language, tuple[str, ...]]] = {
    Language.EN: (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    Language.RU: (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
    Language.PL: (
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ),
}

# "at", "tomorrow" and how a date is said, per language.
_AT: Final[Mapping[Language, str]] = {Language.EN: "at", Language.RU: "в", Language.PL: "o"}
_TOMORROW: Final[Mapping[Language, str]] = {
    Language.EN: "tomorrow",
    Language.RU: "завтра",
    Language.PL: "jutro",
}
_DATE_PREFIX: Final[Mapping[Language, str]] = {Language.EN: "on ", Language.RU: "", Language.PL: ""}


def format_callback_time(
    callback_at: datetime | None,
    now: datetime,
    client_tz: tzinfo,
    language: Language,
    *,
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
) -> str:
    """When the callback comes, said in the client's time zone and language.

    Today: "at 15:30" / "в 15:30" / "o 15:30"; the next day: "tomorrow at 9:00";
    within the next week: "on Monday at 9:00" / "в понедельник в 9:00" /
    "w poniedziałek o 9:00"; later: "on 14 March at 9:00". Times are rounded up to
    ``ROUND_MINUTES``. Unknown or past times: "within about N minutes".
    """
    if callback_at is None or callback_at <= now:
        return format_within(within_minutes, language)
    local = round_up(callback_at, client_tz)
    days = (local.date() - now.astimezone(client_tz).date()).days
    at = f"{_AT[language]} {local.hour}:{local.minute:02d}"
    if days <= 0:
        return at
    if days == 1:
        return f"{_TOMORROW[language]} {at}"
    if days <= WEEKDAY_HORIZON_DAYS:
        return f"{_WEEKDAYS[language][local.weekday()]} {at}"
    return f"{_DATE_PREFIX[language]}{day_and_month(local, language)} {at}"


def day_and_month(local: datetime, language: Language) -> str:
    """Say the day of the month and the month's name: "14 March", "14 марта", "14 marca"."""
    return f"{local.day} {_MONTHS[language][local.month - 1]}"


def round_up(moment: datetime, tz: tzinfo) -> datetime:
    """``moment`` in ``tz``, rounded up to the next ``ROUND_MINUTES`` of the local clock."""
    local = moment.astimezone(tz)
    past = timedelta(
        minutes=local.minute % ROUND_MINUTES,
        seconds=local.second,
        microseconds=local.microsecond,
    )
    if not past:
        return local
    return (moment.astimezone(UTC) + timedelta(minutes=ROUND_MINUTES) - past).astimezone(tz)


def format_within(minutes: int, language: Language) -> str:
    """Say "within about N minutes" (whole hours said as hours), with correct plural forms.

    Russian and Polish say "within N minutes" ("в течение 30 минут", "w ciągu 30 minut"),
    shorter than "in about N minutes", so the text fits one SMS segment more often.
    """
    if minutes < 1:
        msg = f"within_minutes must be at least 1, got {minutes}"
        raise ValueError(msg)
    if minutes % 60 == 0:
        return _within_hours(minutes // 60, language)
    return _within_minutes(minutes, language)


def _within_minutes(count: int, language: Language) -> str:
    if language is Language.RU:
        unit = _plural_ru(count, "минуты", "минут")
        return "в течение минуты" if count == 1 else f"в течение {count} {unit}"
    if language is Language.PL:
        return "w ciągu minuty" if count == 1 else f"w ciągu {count} minut"
    return "within about a minute" if count == 1 else f"within about {count} minutes"


def _within_hours(count: int, language: Language) -> str:
    if language is Language.RU:
        unit = _plural_ru(count, "часа", "часов")
        return "в течение часа" if count == 1 else f"в течение {count} {unit}"
    if language is Language.PL:
        return "w ciągu godziny" if count == 1 else f"w ciągu {count} godzin"
    return "within about an hour" if count == 1 else f"within about {count} hours"


def _plural_ru(count: int, one: str, other: str) -> str:
    """Pick the Russian genitive after "в течение": 1, 21, 101 минуты; 2, 5, 11, 22 минут."""
    return one if plural_category(count, Language.RU) == "one" else other
