"""Public holidays per country for outgoing calls: built in the executor, kept in a bounded cache.

``holidays`` imports a module per country and computes every date, which is too slow
for the event loop; the dates are remembered per (country, years).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date, datetime
import logging
from typing import Final

from homeassistant.core import HomeAssistant

from ..core.planning import NO_HOLIDAYS, holiday_years

_LOGGER = logging.getLogger(__name__)

# Countries times year ranges remembered; one entry per client country in practice.
HOLIDAY_CACHE_SIZE: Final = 32

type HolidayKey = tuple[str, int, int]

# Public holidays per (country, first year, year after the last): plain dates, so
# nothing here belongs to a Home Assistant instance or an event loop.
_holiday_cache: dict[HolidayKey, frozenset[date]] = {}


def _holiday_key(country: str, now: datetime) -> HolidayKey:
    years = holiday_years(now)
    return (country, years.start, years.stop)


def build_holidays(country: str, years: range) -> frozenset[date]:
    """Return the public holidays of ``country`` in ``years``; none for an unknown country.

    Blocking (imports the country's module and computes the dates): run in the executor.
    ``holidays`` itself is imported here too: importing it takes a tenth of a second.
    """
    import holidays as holidays_lib  # noqa: PLC0415

    try:
        return frozenset(holidays_lib.country_holidays(country, years=years))
    except NotImplementedError:
        _LOGGER.debug("No public holidays known for country %s", country)
        return NO_HOLIDAYS


def cached_holidays(country: str | None, now: datetime) -> frozenset[date] | None:
    """Return the holidays ``plan_call`` needs at ``now``; None while they are not loaded yet."""
    if country is None:
        return NO_HOLIDAYS
    return _holiday_cache.get(_holiday_key(country, now))


async def async_holidays(
    hass: HomeAssistant, country: str | None, now: datetime
) -> frozenset[date]:
    """Return the holidays ``plan_call`` needs at ``now``, built in the executor when missing."""
    if (known := cached_holidays(country, now)) is not None:
        return known
    assert country is not None  # cached_holidays answers for no country
    key = _holiday_key(country, now)
    days = await hass.async_add_executor_job(build_holidays, country, holiday_years(now))
    while len(_holiday_cache) >= HOLIDAY_CACHE_SIZE:
        del _holiday_cache[next(iter(_holiday_cache))]
    _holiday_cache[key] = days
    return days


async def async_preload_holidays(
    hass: HomeAssistant, countries: Iterable[str | None], now: datetime
) -> None:
    """Load the holidays of several countries at once (each country once)."""
    await asyncio.gather(*(async_holidays(hass, country, now) for country in set(countries)))
