"""The calendars' look-ahead (``sources/calendars.py``) through a real Home Assistant.

Real calendar entities (``tests.FakeCalendar``, built like Home Assistant's own calendar
tests build theirs) answer ``async_get_events``, the call behind ``calendar.get_events``.
The clock is frozen on Tuesday 2026-03-10 in Warsaw and moved with ``freezer``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.calendar import CalendarEvent
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from .. import DRIVING, READY, REASON, FakeCalendar, add_calendars, make_entry, setup_entry
from ..telephony import incoming, todo_items

CALLER = "+48601234567"
EVENT = "event.my_phone_client_call"
WORK = "calendar.acme_work"
PERSONAL = "calendar.personal"
OPTIONS: dict[str, Any] = {
    "driving_entities": [DRIVING],
    "calendar_entities": [WORK, PERSONAL],
}


def local(clock: str) -> datetime:
    """Return a moment on the test day in Warsaw ("14:00")."""
    return dt_util.parse_datetime(f"2026-03-10T{clock}:00+01:00")  # type: ignore[return-value]


def meeting(start: str, end: str, summary: str) -> CalendarEvent:
    return CalendarEvent(start=local(start), end=local(end), summary=summary)


@pytest.fixture
async def calendars(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> tuple[FakeCalendar, ...]:
    """Two calendars with back-to-back meetings, 14:00-15:00 and 15:00-16:30; 13:00 now."""
    await hass.config.async_set_time_zone("Europe/Warsaw")
    freezer.move_to(local("13:00"))
    assert await async_setup_component(hass, "homeassistant", {})
    hass.states.async_set(DRIVING, "still")
    work = FakeCalendar("Acme work", [meeting("14:00", "15:00", "Acme kick-off")])
    personal = FakeCalendar("Personal", [meeting("15:00", "16:30", "Design review")])
    await add_calendars(hass, work, personal)
    return work, personal


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, clock: str) -> None:
    freezer.move_to(local(clock))
    async_fire_time_changed(hass, local(clock))
    await hass.async_block_till_done(wait_background_tasks=True)


async def loaded(hass: HomeAssistant, **options: Any) -> MockConfigEntry:
    return await setup_entry(hass, make_entry({**OPTIONS, **options}))


def ready_again(hass: HomeAssistant) -> datetime | None:
    value = hass.states.get(READY).attributes["ready_again_at"]
    return dt_util.parse_datetime(value) if value else None


async def test_meeting_soon_and_the_free_time_after_back_to_back_meetings(
    hass: HomeAssistant, calendars: tuple[FakeCalendar, ...], freezer: FrozenDateTimeFactory
) -> None:
    await loaded(hass)
    assert hass.states.get(READY).state == "on"
    await advance(hass, freezer, "13:49")
    assert hass.states.get(READY).state == "on"
    await advance(hass, freezer, "13:50")
    assert hass.states.get(READY).state == "off"
    assert hass.states.get(REASON).state == "meeting_soon"
    assert ready_again(hass) == local("16:30")
    await advance(hass, freezer, "14:00")
    assert hass.states.get(REASON).state == "in_meeting"
    assert ready_again(hass) == local("16:30")
    await advance(hass, freezer, "16:30")
    assert hass.states.get(READY).state == "on"


async def test_meeting_soon_can_be_switched_off(
    hass: HomeAssistant, calendars: tuple[FakeCalendar, ...], freezer: FrozenDateTimeFactory
) -> None:
    await loaded(hass, meeting_soon_minutes=0)
    await advance(hass, freezer, "13:55")
    assert hass.states.get(READY).state == "on"
    await advance(hass, freezer, "14:00")
    assert ready_again(hass) == local("16:30")


async def test_a_calendar_that_fails_keeps_its_events_and_is_listed(
    hass: HomeAssistant,
    calendars: tuple[FakeCalendar, ...],
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    personal = calendars[1]
    await loaded(hass)
    personal.failing = True
    await advance(hass, freezer, "13:15")
    assert personal.asked == 2
    assert PERSONAL in hass.states.get(READY).attributes["unavailable_sources"]
    assert hass.states.get(READY).state == "on"
    assert "calendar.personal did not answer with its events" in caplog.text
    # Its last known events still count: the promise is after its 15:00-16:30 meeting.
    await advance(hass, freezer, "14:00")
    assert ready_again(hass) == local("16:30")
    personal.failing = False
    await advance(hass, freezer, "14:15")
    assert PERSONAL not in hass.states.get(READY).attributes["unavailable_sources"]


async def test_a_failing_calendar_never_blocks_by_itself(
    hass: HomeAssistant, calendars: tuple[FakeCalendar, ...], freezer: FrozenDateTimeFactory
) -> None:
    work, personal = calendars
    work.failing = personal.failing = True
    await loaded(hass)
    attributes = hass.states.get(READY).attributes
    assert attributes["unavailable_sources"] == [WORK, PERSONAL]
    await advance(hass, freezer, "13:55")
    assert hass.states.get(READY).state == "on"


async def test_read_on_calendar_change_and_every_15_minutes_never_on_a_source_change(
    hass: HomeAssistant, calendars: tuple[FakeCalendar, ...], freezer: FrozenDateTimeFactory
) -> None:
    work, personal = calendars
    entry = await loaded(hass)
    assert (work.asked, personal.asked) == (1, 1)
    for state in ("in_vehicle", "still", "in_vehicle", "still"):
        hass.states.async_set(DRIVING, state)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert (work.asked, personal.asked) == (1, 1)
    # A new meeting: the calendar entity changes, only that calendar is read again.
    work.events.append(meeting("13:30", "13:40", "Quick sync"))
    work.async_write_ha_state()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (work.asked, personal.asked) == (2, 1)
    await advance(hass, freezer, "13:14")
    assert (work.asked, personal.asked) == (2, 1)
    await advance(hass, freezer, "13:15")
    assert (work.asked, personal.asked) == (3, 2)
    # The new meeting counts: about to start at 13:20, and 20 minutes free after it.
    await advance(hass, freezer, "13:20")
    assert hass.states.get(REASON).state == "meeting_soon"
    assert ready_again(hass) == local("13:40")
    # Unloaded: no timer, no listener.
    assert await hass.config_entries.async_unload(entry.entry_id)
    work.asked = personal.asked = 0
    await advance(hass, freezer, "13:45")
    work.async_write_ha_state()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (work.asked, personal.asked) == (0, 0)


async def test_all_day_events_and_keywords(
    hass: HomeAssistant, calendars: tuple[FakeCalendar, ...], freezer: FrozenDateTimeFactory
) -> None:
    personal = calendars[1]
    day = local("00:00").date()
    personal.events.append(
        CalendarEvent(start=day, end=day + timedelta(days=1), summary="Conference")
    )
    await loaded(hass, meeting_keywords=["acme"])
    await advance(hass, freezer, "13:55")
    assert hass.states.get(REASON).state == "meeting_soon"
    # The personal meeting has no keyword and the all-day event never counts: free at 15:00.
    assert ready_again(hass) == local("15:00")


async def test_promise_todo_due_and_reminder_skip_a_short_gap(
    hass: HomeAssistant,
    calendars: tuple[FakeCalendar, ...],
    freezer: FrozenDateTimeFactory,
    reminders: list[ServiceCall],
) -> None:
    """Meetings 14:00-14:50 and 15:00-16:30: the 10-minute gap is no time for a callback."""
    work = calendars[0]
    work.events[0] = meeting("14:00", "14:50", "Acme kick-off")
    await loaded(
        hass,
        meeting_soon_minutes=0,
        texting_backend="none",
        reminder_notify="notify.mobile_app_jan",
    )
    await advance(hass, freezer, "14:10")
    response = await incoming(hass, CALLER)
    assert response["action"] == "voicemail"
    assert dt_util.parse_datetime(response["callback_at"]) == local("16:30")
    items = await todo_items(hass)
    assert [dt_util.parse_datetime(item["due"]) for item in items] == [local("16:30")]
    # Ready in the gap (nothing about to start counts with 0 minutes), but no reminder yet.
    await advance(hass, freezer, "14:50")
    assert hass.states.get(READY).state == "on"
    assert reminders == []
    await advance(hass, freezer, "15:00")
    assert hass.states.get(READY).state == "off"
    await advance(hass, freezer, "16:30")
    assert hass.states.get(READY).state == "on"
    assert len(reminders) == 1
    assert hass.states.get(EVENT).attributes["event_type"] == "callback_due"


def rename(calendar: FakeCalendar, summary: str) -> None:
    """Rename the calendar's first event: its entity's state changes."""
    first = calendar.events[0]
    calendar.events[0] = CalendarEvent(start=first.start, end=first.end, summary=summary)
    calendar.async_write_ha_state()


async def test_a_slow_calendar_is_read_once_at_a_time_and_cancelled_on_unload(
    hass: HomeAssistant, calendars: tuple[FakeCalendar, ...], freezer: FrozenDateTimeFactory
) -> None:
    work, personal = calendars
    work.gate = asyncio.Event()
    entry = await loaded(hass)
    assert (work.asked, personal.asked) == (1, 0)
    # Changes while a read is under way are read after it, once.
    rename(work, "Acme kick-off (moved)")
    rename(personal, "Design review (moved)")
    await hass.async_block_till_done()
    assert (work.asked, personal.asked) == (1, 0)
    work.gate.set()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (work.asked, personal.asked) == (2, 2)
    await advance(hass, freezer, "13:50")
    assert hass.states.get(REASON).state == "meeting_soon"
    assert (work.asked, personal.asked) == (3, 3)  # the 13:15 refresh
    # A read still waiting when the entry unloads is cancelled; nothing comes of it.
    work.gate = asyncio.Event()
    rename(work, "Acme kick-off (moved again)")
    await hass.async_block_till_done()
    assert work.asked == 4
    assert await hass.config_entries.async_unload(entry.entry_id)
    work.gate.set()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (work.asked, personal.asked) == (4, 3)
