"""Promises kept, or renegotiated politely: one follow-up text, the to-do due time follows."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.client_etiquette.const import DOMAIN

from .. import DRIVING, setup_entry
from ..telephony import ANNA, entry_with_clients, incoming, settle, todo_items

EVENT = "event.my_phone_client_call"
MONDAY = "2025-06-02 10:00:00+02:00"
SORRY_PL = "Przepraszam, nadal nie mogę się oderwać."


async def snooze(hass: HomeAssistant, duration: str) -> None:
    """Be busy for ``duration`` from now (a known end: the next free time)."""
    await hass.services.async_call(DOMAIN, "snooze", {"duration": duration}, blocking=True)
    await settle(hass)


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, iso: str) -> None:
    """Move the clock and fire the timers that are due."""
    freezer.move_to(iso)
    async_fire_time_changed(hass)
    await settle(hass)


async def test_new_meeting_moves_the_promise(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """The next free time moves past the promise: one Polish follow-up with it, due follows."""
    freezer.move_to(MONDAY)
    entry = await setup_entry(hass, entry_with_clients())
    await snooze(hass, "00:30:00")
    response = await incoming(hass, ANNA)
    await settle(hass)
    assert response["callback_at"] == "2025-06-02T08:30:00+00:00"
    assert len(texts) == 1
    # Ten minutes later a longer meeting comes up: free at 12:10.
    await advance(hass, freezer, "2025-06-02 10:10:00+02:00")
    await snooze(hass, "02:00:00")
    assert len(texts) == 2
    assert texts[1].data == {
        "message": f"{SORRY_PL} Oddzwonię o 10:10. Jan",  # Anna's zone: UTC
        "target": [ANNA],
    }
    (item,) = await todo_items(hass)
    assert dt_util.parse_datetime(item["due"]) == dt_util.parse_datetime(
        "2025-06-02T12:10:00+02:00"
    )
    # Moved again, after a restart: no second follow-up for the same callback.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    await snooze(hass, "03:00:00")
    await advance(hass, freezer, "2025-06-02 12:30:00+02:00")
    assert len(texts) == 2
    # The to-do keeps the time the client was told.
    assert [entry["due"] for entry in await todo_items(hass)] == [item["due"]]


async def test_still_busy_at_the_promised_time(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """Driving (no known end) when the promised time comes: "as soon as I can", once."""
    freezer.move_to(MONDAY)
    entry = await setup_entry(hass, entry_with_clients())
    await snooze(hass, "00:30:00")
    await incoming(hass, ANNA)
    await settle(hass)
    await advance(hass, freezer, "2025-06-02 10:25:00+02:00")
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    assert len(texts) == 1  # the promise may still be kept
    await advance(hass, freezer, "2025-06-02 10:30:01+02:00")
    assert len(texts) == 2
    assert texts[1].data["message"] == f"{SORRY_PL} Oddzwonię najszybciej, jak się da. Jan"
    (item,) = await todo_items(hass)
    assert "due" not in item  # no time promised any more
    # A restart never sends a second follow-up.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    await advance(hass, freezer, "2025-06-02 11:30:00+02:00")
    assert len(texts) == 2
    assert hass.states.get(EVENT).attributes["event_type"] != "callback_overdue"


async def test_hourly_cap_holds_the_follow_up_back(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """One text an hour: the follow-up waits until the first text leaves the hour."""
    freezer.move_to(MONDAY)
    await setup_entry(hass, entry_with_clients(max_texts_per_hour=1))
    await snooze(hass, "00:30:00")
    await incoming(hass, ANNA)
    await settle(hass)
    await snooze(hass, "03:00:00")
    assert len(texts) == 1
    await advance(hass, freezer, "2025-06-02 10:59:00+02:00")
    assert len(texts) == 1
    await advance(hass, freezer, "2025-06-02 11:00:01+02:00")
    assert len(texts) == 2
    assert (
        texts[1].data["message"] == f"{SORRY_PL} Oddzwonię o 11:00. Jan"
    )  # 13:00 in Warsaw, Anna's UTC


async def test_switched_off(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """With follow-ups off, a broken promise only makes the callback overdue."""
    freezer.move_to(MONDAY)
    await setup_entry(hass, entry_with_clients(follow_up_texts=False))
    await snooze(hass, "00:30:00")
    await incoming(hass, ANNA)
    await snooze(hass, "02:00:00")
    await advance(hass, freezer, "2025-06-02 10:50:00+02:00")
    assert len(texts) == 1


async def test_unload_cancels_the_wait(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """After unload nothing is sent at the promised time (no timer is left behind)."""
    freezer.move_to(MONDAY)
    entry = await setup_entry(hass, entry_with_clients())
    await snooze(hass, "00:30:00")
    await incoming(hass, ANNA)
    await settle(hass)
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await advance(hass, freezer, "2025-06-02 10:31:00+02:00")
    assert len(texts) == 1


async def test_promise_kept_when_the_snooze_ends_on_time(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """Check that a snooze ending at the promised time sends no "still tied up" text."""
    freezer.move_to(MONDAY)
    await setup_entry(hass, entry_with_clients())
    await snooze(hass, "00:30:00")
    response = await incoming(hass, ANNA)
    await settle(hass)
    assert response["callback_at"] == "2025-06-02T08:30:00+00:00"
    # Both the snooze's end and the promise fall on 10:30; whichever timer runs first,
    # the freelancer is ready then and the promise is kept.
    await advance(hass, freezer, "2025-06-02 10:30:00+02:00")
    assert len(texts) == 1
    assert hass.states.get(EVENT).attributes["event_type"] == "callback_due"
