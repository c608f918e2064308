"""The client directory: clients from config sub-entries, found by number in O(1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

from .const import (
    CONF_CHANNEL,
    CONF_CONTACT_DAYS,
    CONF_CONTACT_END,
    CONF_CONTACT_START,
    CONF_EMAIL,
    CONF_LANGUAGE,
    CONF_NOTE,
    CONF_NUMBERS,
    CONF_TIER,
    CONF_TIME_ZONE,
    DEFAULT_WORK_DAYS,
    SUBENTRY_CLIENT,
    WEEKDAYS,
)
from .core.models import Channel, Client, Language, Tier, WorkHours
from .sources.states import parse_time


def client_from_data(client_id: str, name: str, data: Mapping[str, Any]) -> Client:
    """Return a Client from a sub-entry's stored data."""
    time_zone = str(data.get(CONF_TIME_ZONE) or "UTC")
    return Client(
        client_id=client_id,
        name=name,
        numbers=tuple(data.get(CONF_NUMBERS, ())),
        tier=Tier(data.get(CONF_TIER, Tier.REGULAR)),
        language=Language(data.get(CONF_LANGUAGE, Language.EN)),
        time_zone=time_zone,
        contact_hours=contact_hours(data, time_zone),
        channel=Channel(data.get(CONF_CHANNEL, Channel.CALL)),
        email=data.get(CONF_EMAIL) or None,
        note=str(data.get(CONF_NOTE) or ""),
    )


def contact_hours(data: Mapping[str, Any], time_zone: str) -> WorkHours | None:
    """Return the client's agreed contact hours in their own time zone, or None when not agreed."""
    start = parse_time(data.get(CONF_CONTACT_START))
    end = parse_time(data.get(CONF_CONTACT_END))
    if start is None or end is None:
        return None
    try:
        tz = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    days = frozenset(WEEKDAYS.index(day) for day in data.get(CONF_CONTACT_DAYS, DEFAULT_WORK_DAYS))
    return WorkHours(tz=tz, days=days, start=start, end=end)


class ClientDirectory:
    """Clients of one entry, rebuilt only when its sub-entries change."""

    def __init__(self, entry: ConfigEntry) -> None:
        """Index the entry's client sub-entries."""
        self._entry = entry
        self._indexed: MappingProxyType[str, ConfigSubentry] | None = None
        self._indexed_at: datetime | None = None
        self._by_number: dict[str, Client] = {}
        self._by_id: dict[str, Client] = {}

    def _refresh(self) -> None:
        """Index again when a sub-entry was added, removed or edited in place.

        Added or removed means a new mapping; ``async_update_subentry`` edits in place: it keeps
        the mapping but moves ``modified_at``.
        """
        subentries = self._entry.subentries
        if subentries is self._indexed and self._entry.modified_at == self._indexed_at:
            return
        self._by_id = {
            sub_id: client_from_data(sub_id, sub.title, sub.data)
            for sub_id, sub in subentries.items()
            if sub.subentry_type == SUBENTRY_CLIENT
        }
        self._by_number = {
            number: client for client in self._by_id.values() for number in client.numbers
        }
        self._indexed, self._indexed_at = subentries, self._entry.modified_at

    def by_number(self, e164: str) -> Client | None:
        """Return the client with this normalised number, if any."""
        self._refresh()
        return self._by_number.get(e164)

    def by_id(self, client_id: str) -> Client | None:
        """Return the client of a sub-entry id, if any."""
        self._refresh()
        return self._by_id.get(client_id)

    @property
    def clients(self) -> list[Client]:
        """Every client, by name."""
        self._refresh()
        return sorted(self._by_id.values(), key=lambda client: client.name.casefold())
