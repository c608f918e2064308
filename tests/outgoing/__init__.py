"""Tests of outgoing calls: the good-time-to-call sensors and their actions; their clients."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.client_etiquette.const import DOMAIN

from .. import BASE_OPTIONS

ANNA = "+48601234567"  # a Polish mobile
BOB = "+442071838750"  # a London landline: no texts
CARLA = "+48603000222"
WORK_WEEK = ["mon", "tue", "wed", "thu", "fri"]


def client(title: str, **data: Any) -> ConfigSubentryData:
    """Return a client sub-entry with this title and data."""
    return ConfigSubentryData(data=data, subentry_type="client", title=title, unique_id=None)


ANNA_DATA: dict[str, Any] = {
    "numbers": [ANNA],
    "tier": "regular",
    "language": "pl",
    "time_zone": "Europe/Warsaw",
    "contact_start": "09:00:00",
    "contact_end": "17:00:00",
    "contact_days": WORK_WEEK,
}
BOB_DATA: dict[str, Any] = {
    "numbers": [BOB],
    "language": "en",
    "time_zone": "Europe/London",
    "email": "bob@example.com",
}
CARLA_DATA: dict[str, Any] = {
    "numbers": [CARLA],
    "language": "en",
    "time_zone": "Europe/Warsaw",
    "channel": "text",
}


def make_entry(clients: list[ConfigSubentryData] | None = None, **options: Any) -> MockConfigEntry:
    """Return an entry with Anna, Bob and Carla, unless other clients are given.

    Anna: Polish, office hours; Bob: London landline, any time; Carla: texts only.
    """
    return MockConfigEntry(
        domain=DOMAIN,
        title="My phone",
        options={**BASE_OPTIONS, "sender_name": "Jan", **options},
        subentries_data=clients
        if clients is not None
        else [
            client("Anna Kowalska", **ANNA_DATA),
            client("Bob Smith", **BOB_DATA),
            client("Carla (texts only)", **CARLA_DATA),
        ],
    )


async def settle(hass: HomeAssistant) -> None:
    """Wait until every task, background ones included, is done."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def jump(hass: HomeAssistant, freezer: FrozenDateTimeFactory, to: str) -> None:
    """Move the clock to ``to``, fire the timers that came due and settle."""
    freezer.move_to(to)
    async_fire_time_changed(hass)
    await settle(hass)
