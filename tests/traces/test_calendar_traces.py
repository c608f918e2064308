"""Replay the traces that hold calendars (``calendars:``) through a real Home Assistant.

Follows the shared trace format (issue #16, point 5): the entry is set up with the
trace's options, the clock is frozen and moved to each moment in time order, due timers
fire, and the verdict or the text a caller gets is checked. A trace's ``calendars:`` are
real calendar entities (``tests.FakeCalendar``) that answer ``async_get_events``; an
event is ``{start, end, summary}`` in local wall-clock time, or ``{all_day: true,
summary}`` for the trace's whole day. Small on purpose, to fold into the shared replay.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.calendar import CalendarEvent
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
import yaml

from .. import READY, REASON, FakeCalendar, add_calendars, make_entry, setup_entry
from ..telephony import incoming, settle

TRACES = Path(__file__).parent
TEXTING = {"texting_backend": "notify", "notify_action": "notify.sms", "sender_name": "Jan"}
# At one moment: the state changes first, then the verdict, then the call.
ORDER = {"step": 0, "expect": 1, "text": 2}


def calendar_traces() -> list[Any]:
    """Read the traces with calendars once, when the tests are collected."""
    traces = [
        (path.stem, yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(TRACES.glob("*.yaml"))
    ]
    return [pytest.param(data, id=name) for name, data in traces if "calendars" in data]


def at(data: dict[str, Any], clock: str) -> datetime:
    """Return a wall-clock time of the trace's day as an aware datetime."""
    day: date = data["date"]
    return datetime.combine(day, time.fromisoformat(clock), ZoneInfo(data["timezone"]))


def calendar_event(data: dict[str, Any], item: dict[str, Any]) -> CalendarEvent:
    """One event of a trace's calendar as Home Assistant's calendar returns it."""
    if item.get("all_day"):
        day: date = data["date"]
        return CalendarEvent(start=day, end=day + timedelta(days=1), summary=item["summary"])
    return CalendarEvent(
        start=at(data, item["start"]), end=at(data, item["end"]), summary=item["summary"]
    )


def timeline(data: dict[str, Any]) -> list[tuple[datetime, str, dict[str, Any]]]:
    """Every step, expectation and call, in time order."""
    moments = [
        (at(data, item["at"]), kind, item)
        for kind, key in (("step", "steps"), ("expect", "expect"), ("text", "texts"))
        for item in data.get(key) or []
    ]
    return sorted(moments, key=lambda moment: (moment[0], ORDER[moment[1]]))


def check_verdict(hass: HomeAssistant, data: dict[str, Any], item: dict[str, Any]) -> list[str]:
    """Compare the shown verdict with the expected one; a line per difference."""
    ready, reason = hass.states.get(READY), hass.states.get(REASON)
    assert ready is not None
    assert reason is not None
    again = item.get("ready_again_at")
    expected = {
        "ready": item["ready"],
        "reasons": item.get("reasons", []),
        "ready_again_at": at(data, again).isoformat() if again else None,
    }
    shown_again = ready.attributes["ready_again_at"]
    zone = ZoneInfo(data["timezone"])
    shown = {
        "ready": ready.state == "on",
        "reasons": list(ready.attributes["reasons"]),
        "ready_again_at": (
            datetime.fromisoformat(shown_again).astimezone(zone).isoformat()
            if shown_again
            else None
        ),
    }
    first = expected["reasons"][0] if expected["reasons"] else "ready"
    if shown != expected or reason.state != first:
        return [f"{item['at']}: expected {expected}, shown {shown} (reason {reason.state})"]
    return []


async def check_text(
    hass: HomeAssistant, item: dict[str, Any], sent: list[ServiceCall]
) -> list[str]:
    """Screen a call and compare the text that went out."""
    before = len(sent)
    await incoming(hass, item["caller"])
    await settle(hass)
    texts = [
        call.data["message"] for call in sent[before:] if call.data["target"] == [item["caller"]]
    ]
    got = texts[-1] if texts else None
    if got != item["text"]:
        return [f"{item['at']}: call from {item['caller']}: expected {item['text']!r}, got {got!r}"]
    return []


async def replay(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    data: dict[str, Any],
    sent: list[ServiceCall],
) -> list[str]:
    """Replay a trace with calendars; the differences from what it expects, one line each."""
    await hass.config.async_set_time_zone(data["timezone"])
    moments = timeline(data)
    freezer.move_to(moments[0][0] - timedelta(minutes=1))
    for entity_id, state in (data.get("entities") or {}).items():
        hass.states.async_set(entity_id, state["state"], state.get("attributes") or {})
    assert await async_setup_component(hass, "homeassistant", {})
    await add_calendars(
        hass,
        *(
            FakeCalendar(
                entity_id.removeprefix("calendar.").replace("_", " ").title(),
                [calendar_event(data, item) for item in events],
            )
            for entity_id, events in data["calendars"].items()
        ),
    )
    await setup_entry(hass, make_entry({**TEXTING, **(data.get("options") or {})}))
    problems: list[str] = []
    for moment, kind, item in moments:
        freezer.move_to(moment)
        async_fire_time_changed(hass, moment)
        await hass.async_block_till_done(wait_background_tasks=True)
        if kind == "step":
            hass.states.async_set(item["entity"], item["state"], item.get("attributes") or {})
            await hass.async_block_till_done(wait_background_tasks=True)
        elif kind == "expect":
            problems += check_verdict(hass, data, item)
        else:
            problems += await check_text(hass, item, sent)
    return problems


@pytest.mark.parametrize("data", calendar_traces())
async def test_calendar_trace(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    texts: list[ServiceCall],
    data: dict[str, Any],
) -> None:
    """The verdict timeline and the texts of a recorded day with calendars."""
    assert data["origin"].strip()
    problems = await replay(hass, freezer, data, texts)
    assert not problems, "\n".join(problems)
