"""The clients of an entry as planning sees them: their country, the plan and its attributes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant

from ..const import CONF_COUNTRY, CONF_DEFAULT_REGION, CONF_SENDER_NAME, SUBENTRY_CLIENT
from ..core.models import CallPlan, Client, Readiness
from ..core.phone import country_of_numbers
from ..core.planning import plan_call
from ..directory import client_from_data

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

ATTR_CLIENT_LOCAL_TIME: Final = "client_local_time"
ATTR_NEXT_GOOD_TIME: Final = "next_good_time"
ATTR_CHANNEL: Final = "channel"
ATTR_NOT_NOW: Final = "not_now"


@dataclass(frozen=True, slots=True)
class ClientTarget:
    """A client of an entry, with what planning needs besides the clock and readiness."""

    client: Client
    country: str | None
    sender_name: str


def entry_clients(entry: ClientEtiquetteConfigEntry) -> list[Client]:
    """Return the clients of an entry's sub-entries, read afresh (the entity platform's set-up).

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
    """Return the country whose holidays count for ``client``.

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


def plan_for(
    target: ClientTarget,
    readiness: Readiness,
    now: datetime,
    days: frozenset[date],
    topic: str | None = None,
) -> CallPlan:
    """Return the pure plan for one client."""
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
    """Return the good-time-to-call sensor's attributes."""
    return {
        ATTR_CLIENT_LOCAL_TIME: plan.client_local_time.isoformat(),
        ATTR_NEXT_GOOD_TIME: _iso(plan.next_good_time),
        ATTR_CHANNEL: str(plan.channel),
        ATTR_NOT_NOW: [str(reason) for reason in plan.not_now],
    }
