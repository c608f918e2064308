"""Outgoing calls in Home Assistant: the glue around the pure ``planning`` module (issue #5).

- which client an action means (a sub-entry id, or a name in any letter case);
- the client's country (the sub-entry's, else their numbers', else the entry's default
  region, else Home Assistant's) and its public holidays, built in the executor and
  remembered per (country, years): ``holidays`` imports a module per country and
  computes every date, which is too slow for the event loop;
- when the good-time-to-call answer can next change with no change of readiness;
- the ``plan_call`` and ``ask_before_calling`` actions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
import logging
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..const import CONF_COUNTRY, CONF_DEFAULT_REGION, CONF_SENDER_NAME, DOMAIN, SUBENTRY_CLIENT
from ..core import hours
from ..core.messages import ask_first_text
from ..core.models import CallPlan, Channel, Client, NoText, Readiness
from ..core.phone import country_of_numbers, is_mobile
from ..core.planning import NO_HOLIDAYS, client_hours, holiday_years, plan_call
from ..core.screening import text_refusal
from ..directory import client_from_data
from ..telephony.policy import policy_from_options

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

_LOGGER = logging.getLogger(__name__)

# Countries times year ranges remembered; one entry per client country in practice.
HOLIDAY_CACHE_SIZE: Final = 32
# The outbox key of an ask-first text: never the uid of a callback item (those are hex).
ASK_KEY_PREFIX: Final = "ask"

ATTR_CLIENT_LOCAL_TIME: Final = "client_local_time"
ATTR_NEXT_GOOD_TIME: Final = "next_good_time"
ATTR_CHANNEL: Final = "channel"
ATTR_NOT_NOW: Final = "not_now"

type HolidayKey = tuple[str, int, int]

# Public holidays per (country, first year, year after the last): plain dates, so
# nothing here belongs to a Home Assistant instance or an event loop.
_holiday_cache: dict[HolidayKey, frozenset[date]] = {}


@dataclass(frozen=True, slots=True)
class ClientTarget:
    """A client of an entry, with what planning needs besides the clock and readiness."""

    client: Client
    country: str | None
    sender_name: str


# --- public holidays ------------------------------------------------------------------


def _holiday_key(country: str, now: datetime) -> HolidayKey:
    years = holiday_years(now)
    return (country, years.start, years.stop)


def build_holidays(country: str, years: range) -> frozenset[date]:
    """The public holidays of ``country`` in ``years``; none for an unknown country.

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
    """The holidays ``plan_call`` needs at ``now``; None while they are not loaded yet."""
    if country is None:
        return NO_HOLIDAYS
    return _holiday_cache.get(_holiday_key(country, now))


async def async_holidays(
    hass: HomeAssistant, country: str | None, now: datetime
) -> frozenset[date]:
    """The holidays ``plan_call`` needs at ``now``, built in the executor when missing."""
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


# --- clients --------------------------------------------------------------------------


def ask_key(client_id: str) -> str:
    """The outbox key of a new ask-before-calling text to a client."""
    return f"{ASK_KEY_PREFIX}:{client_id}:{ulid_now()}"


def asked_client_id(key: str) -> str | None:
    """The client an outbox key's ask-before-calling text went to; None for other texts."""
    prefix, _, rest = key.partition(":")
    return rest.partition(":")[0] if prefix == ASK_KEY_PREFIX else None


def entry_clients(entry: ClientEtiquetteConfigEntry) -> list[Client]:
    """The clients of an entry's sub-entries, read afresh (the entity platform's set-up).

    Not through the directory: its index is built on first use and kept for the entry's
    life, and the platform should not be the one to build it.
    """
    return [
        client_from_data(subentry_id, subentry.title, subentry.data)
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_CLIENT
    ]


def client_country(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry, client: Client
) -> str | None:
    """The country whose holidays count for ``client``.

    The one chosen on the client's sub-entry, else the country of their first
    geographic number, else the entry's default region, else Home Assistant's country.
    """
    subentry = entry.subentries.get(client.client_id)
    chosen = subentry.data.get(CONF_COUNTRY) if subentry is not None else None
    country = (
        chosen
        or country_of_numbers(client.numbers)
        or entry.options.get(CONF_DEFAULT_REGION)
        or hass.config.country
    )
    return str(country).upper() if country else None


def client_target(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry, client: Client
) -> ClientTarget:
    """Everything about ``client`` that planning needs from the entry."""
    return ClientTarget(
        client=client,
        country=client_country(hass, entry, client),
        sender_name=str(entry.options.get(CONF_SENDER_NAME, "")),
    )


def resolve_client(entry: ClientEtiquetteConfigEntry, ref: str) -> Client:
    """The client an action means: a sub-entry id, or a name in any letter case."""
    directory = entry.runtime_data.directory
    wanted = ref.strip()
    if (client := directory.by_id(wanted)) is not None:
        return client
    name = " ".join(wanted.split()).casefold()
    matches = [
        client for client in directory.clients if " ".join(client.name.split()).casefold() == name
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="client_ambiguous",
            translation_placeholders={"client": wanted},
        )
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="client_not_found",
        translation_placeholders={"client": wanted},
    )


# --- plans ----------------------------------------------------------------------------


def plan_for(
    target: ClientTarget,
    readiness: Readiness,
    now: datetime,
    days: frozenset[date],
    topic: str | None = None,
) -> CallPlan:
    """The pure plan for one client."""
    return plan_call(
        target.client,
        readiness,
        now,
        holidays=days,
        topic=topic,
        sender_name=target.sender_name,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def plan_attributes(plan: CallPlan) -> dict[str, Any]:
    """The good-time-to-call sensor's attributes."""
    return {
        ATTR_CLIENT_LOCAL_TIME: plan.client_local_time.isoformat(),
        ATTR_NEXT_GOOD_TIME: _iso(plan.next_good_time),
        ATTR_CHANNEL: str(plan.channel),
        ATTR_NOT_NOW: [str(reason) for reason in plan.not_now],
    }


def plan_key(target: ClientTarget) -> Hashable:
    """What a client's good-time-to-call answer depends on besides the clock and readiness.

    Clients with equal keys get equal answers (``plan_attributes``) at the same moment
    and the same ``next_change``: their contact hours and time zone, their channel,
    whether a client who prefers calls falls back to an e-mail rather than a text
    (``planning.channel_now``), and the country of their holidays. The suggested text
    (language, sender) is not part of the sensor's answer. Many clients usually share
    one key, so the sensors compute one plan per key.
    """
    client = target.client
    to_email = (
        client.channel is Channel.CALL
        and bool(client.email)
        and not any(is_mobile(number) for number in client.numbers)
    )
    return (client_hours(client), client.channel, to_email, target.country)


def plan_response(client: Client, plan: CallPlan) -> dict[str, Any]:
    """The ``plan_call`` action's response."""
    return {
        "client": client.name,
        "ok_to_call": plan.ok_to_call,
        **plan_attributes(plan),
        "suggested_text": plan.suggested_text,
    }


def next_change(client: Client, now: datetime) -> datetime:
    """When the answer for ``client`` may next change with readiness unchanged.

    The next opening or closing of their contact hours, or the next midnight in their
    time zone (a holiday begins or ends, the local date moves on), whichever comes first.
    """
    contact = client_hours(client)
    tomorrow = now.astimezone(contact.tz).date() + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(0), tzinfo=contact.tz).astimezone(UTC)
    edge = hours.next_edge(contact, now)
    return min(midnight, edge) if edge is not None else midnight


# --- actions --------------------------------------------------------------------------


async def async_plan_call(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry, ref: str, topic: str | None
) -> dict[str, Any]:
    """Answer ``plan_call`` for the client ``ref`` means."""
    client = resolve_client(entry, ref)
    target = client_target(hass, entry, client)
    now = dt_util.utcnow()
    days = await async_holidays(hass, target.country, now)
    plan = plan_for(target, entry.runtime_data.monitor.readiness, now, days, topic)
    return plan_response(client, plan)


@callback
def async_ask_before_calling(
    entry: ClientEtiquetteConfigEntry, ref: str, topic: str | None
) -> dict[str, Any]:
    """Text the client ``ref`` means "is now a good time for a quick call?" (rule E12).

    The same limits as the polite texts of call screening: a mobile number, the text
    cooldown per number and the hourly cap; the text is recorded in the same history,
    so a polite text after a missed call and an ask-first text share the cooldown.
    """
    data = entry.runtime_data
    client = resolve_client(entry, ref)
    if data.sending is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_texting_backend"
        )
    number = next((number for number in client.numbers if is_mobile(number)), None)
    if number is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="client_not_mobile",
            translation_placeholders={"client": client.name},
        )
    policy = policy_from_options(entry.options)
    history = data.callbacks.history
    now = dt_util.utcnow()
    refusal = text_refusal(number, policy, history, now, mobile=True)
    if refusal is NoText.COOLDOWN:
        hours_left = (policy.text_cooldown.total_seconds() + 3599) // 3600
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="text_cooldown",
            translation_placeholders={"client": client.name, "hours": str(int(hours_left))},
        )
    if refusal is not None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="texts_hourly_cap",
            translation_placeholders={"limit": str(policy.max_texts_per_hour)},
        )
    text = ask_first_text(
        client.language, topic=topic, sender_name=str(entry.options.get(CONF_SENDER_NAME, ""))
    )
    data.sending.outbox.enqueue(number, text, key=ask_key(client.client_id))
    data.callbacks.note_text(number, now)
    _LOGGER.debug("Asked %s at %s whether now is a good time for a call", client.name, number)
    return {"sent": True, "text": text}
