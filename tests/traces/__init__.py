"""Replay of recorded days (``tests/traces/*.yaml``) through a real Home Assistant.

A trace holds the entry's options, the sources' first states, then state changes, the
verdicts expected at chosen moments and the texts a caller would get (the format is in
``tests/traces/README.md``). The replay sets the entry up with those options, freezes the
clock, and walks the moments in time order: the clock moves there and due timers fire,
then the state is applied, the verdict checked, or a call screened through the
``incoming_call`` action and the text read from the notify action that sent it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.calendar import CalendarEvent
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_fire_time_changed
import yaml

from .. import READY, REASON, FakeCalendar, add_calendars, make_entry, setup_entry
from ..telephony import incoming, settle

TRACES = Path(__file__).parent
# What every trace's entry adds to its options: texts go out through notify.sms.
TEXTING = {"texting_backend": "notify", "notify_action": "notify.sms", "sender_name": "Jan"}
# At one moment: the state changes first, then the verdict, then the call.
ORDER = {"step": 0, "expect": 1, "text": 2}


@dataclass(frozen=True)
class Trace:
    """One recorded day, read from its YAML file."""

    name: str
    origin: str
    tz: ZoneInfo
    day: date
    options: dict[str, Any]
    entities: dict[str, dict[str, Any]]
    steps: list[dict[str, Any]]
    expect: list[dict[str, Any]]
    texts: list[dict[str, Any]] = field(default_factory=list)
    calendars: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def at(self, clock: str) -> datetime:
        """Return a wall-clock time of the trace's day as an aware datetime."""
        return datetime.combine(self.day, time.fromisoformat(clock), self.tz)

    def timeline(self) -> list[tuple[datetime, str, dict[str, Any]]]:
        """List every step, expectation and call, in time order."""
        moments = [
            (self.at(item["at"]), kind, item)
            for kind, items in (("step", self.steps), ("expect", self.expect), ("text", self.texts))
            for item in items
        ]
        return sorted(moments, key=lambda moment: (moment[0], ORDER[moment[1]]))

    def calendar_event(self, item: dict[str, Any]) -> CalendarEvent:
        """Return one event of a calendar as Home Assistant's calendar returns it."""
        if item.get("all_day"):
            return CalendarEvent(
                start=self.day, end=self.day + timedelta(days=1), summary=item["summary"]
            )
        return CalendarEvent(
            start=self.at(item["start"]), end=self.at(item["end"]), summary=item["summary"]
        )

    def calendar_entities(self) -> list[FakeCalendar]:
        """Return the trace's calendars as calendar entities (``calendar.work`` is "Work")."""
        return [
            FakeCalendar(
                entity_id.removeprefix("calendar.").replace("_", " ").title(),
                [self.calendar_event(item) for item in events],
            )
            for entity_id, events in self.calendars.items()
        ]


def load(path: Path) -> Trace:
    """Read a trace file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Trace(
        name=path.stem,
        origin=data["origin"],
        tz=ZoneInfo(data["timezone"]),
        day=data["date"],
        options=data.get("options") or {},
        entities=data.get("entities") or {},
        steps=data.get("steps") or [],
        expect=data.get("expect") or [],
        texts=data.get("texts") or [],
        calendars=data.get("calendars") or {},
    )


def trace_files() -> list[Path]:
    """List every trace in tests/traces/."""
    return sorted(TRACES.glob("*.yaml"))


async def replay(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, trace: Trace, sent: list[ServiceCall]
) -> list[str]:
    """Replay ``trace``; the differences from what it expects, one line each."""
    await hass.config.async_set_time_zone(str(trace.tz))
    timeline = trace.timeline()
    freezer.move_to(timeline[0][0] - timedelta(minutes=1))
    for entity_id, state in trace.entities.items():
        hass.states.async_set(entity_id, state["state"], state.get("attributes") or {})
    assert await async_setup_component(hass, "homeassistant", {})
    if trace.calendars:
        await add_calendars(hass, *trace.calendar_entities())
    await setup_entry(hass, make_entry({**TEXTING, **trace.options}))
    problems: list[str] = []
    for moment, kind, item in timeline:
        freezer.move_to(moment)
        async_fire_time_changed(hass, moment)
        await hass.async_block_till_done(wait_background_tasks=True)
        if kind == "step":
            hass.states.async_set(item["entity"], item["state"], item.get("attributes") or {})
            await hass.async_block_till_done(wait_background_tasks=True)
        elif kind == "expect":
            problems += _check_verdict(hass, trace, item)
        else:
            problems += await _check_text(hass, item, sent)
    return problems


def _check_verdict(hass: HomeAssistant, trace: Trace, item: dict[str, Any]) -> list[str]:
    ready = hass.states.get(READY)
    reason = hass.states.get(REASON)
    assert ready is not None
    assert reason is not None
    again = item.get("ready_again_at")
    expected = {
        "ready": item["ready"],
        "reasons": item.get("reasons", []),
        "ready_again_at": trace.at(again).isoformat() if again else None,
    }
    shown_again = ready.attributes["ready_again_at"]
    shown = {
        "ready": ready.state == "on",
        "reasons": list(ready.attributes["reasons"]),
        "ready_again_at": (
            datetime.fromisoformat(shown_again).astimezone(trace.tz).isoformat()
            if shown_again
            else None
        ),
    }
    first = expected["reasons"][0] if expected["reasons"] else "ready"
    if shown != expected or reason.state != first:
        return [f"{item['at']}: expected {expected}, shown {shown} (reason {reason.state})"]
    return []


async def _check_text(
    hass: HomeAssistant, item: dict[str, Any], sent: list[ServiceCall]
) -> list[str]:
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
