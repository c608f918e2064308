"""Replies: a client's text on their callback item, client_replied, urgent alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.client_etiquette.callbacks.replies import async_incoming_text
from custom_components.client_etiquette.const import EVENT_REPLY_RECEIVED
from custom_components.client_etiquette.core.models import IncomingText, MissedCall
from custom_components.client_etiquette.logbook import describe_reply
from custom_components.client_etiquette.telephony.missed import async_missed_call

from .. import DRIVING, setup_entry
from ..telephony import ANNA, BOB, entry_with_clients, settle, todo_items

T0 = datetime(2026, 6, 3, 8, 0, tzinfo=dt_util.UTC)
EVENT = "event.my_phone_client_call"


def reply(body: str, number: str = ANNA, event_id: str | None = "m1") -> IncomingText:
    """Return a text as a gateway reports it, received now."""
    return IncomingText(
        number=number,
        body=body,
        received_at=dt_util.utcnow(),
        source="httpsms",
        event_id=event_id,
    )


async def receive(hass: HomeAssistant, entry: MockConfigEntry, text: IncomingText) -> bool:
    """Hand a text over and let the alert (if any) go out."""
    handled = await async_incoming_text(entry, text)
    await settle(hass)
    return handled


async def with_anna_waiting(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """Set up the entry with Anna's missed call (while driving) waiting; driving has ended."""
    freezer.move_to(T0)
    entry = await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(seconds=30))
    call = MissedCall(number=ANNA, rang_at=dt_util.utcnow(), source="httpsms", event_id="c1")
    assert await async_missed_call(entry, call)
    hass.states.async_set(DRIVING, "still")
    freezer.tick(timedelta(minutes=2))
    await settle(hass)
    return entry


async def test_reply_lands_on_the_item(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    reminders: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The reply and the time it names are on the item; client_replied carries the text."""
    entry = await with_anna_waiting(hass, freezer)
    logged = async_capture_events(hass, EVENT_REPLY_RECEIVED)
    reminders.clear()
    assert await receive(hass, entry, reply("Dobrze, proszę jutro o 10.")) is True
    item = entry.runtime_data.callbacks.items[0]
    assert item.reply == "Dobrze, proszę jutro o 10."
    assert item.reply_time == "jutro o 10"
    assert item.reply_urgent is False
    description = (await todo_items(hass))[0]["description"]
    assert "- **Reply:** Dobrze, proszę jutro o 10. (3 June, 10:02)" in description
    assert "- **Time mentioned:** jutro o 10" in description
    state = hass.states.get(EVENT)
    assert state.attributes["event_type"] == "client_replied"
    assert state.attributes["text"] == "Dobrze, proszę jutro o 10."
    assert state.attributes["client_name"] == "Anna Kowalska"
    assert logged[0].data == {
        "entry_id": entry.entry_id,
        "client_name": "Anna Kowalska",
        "urgent": False,
    }
    assert describe_reply(dict(logged[0].data)) == "Anna Kowalska replied by text"
    assert reminders == []  # not urgent: nobody is disturbed


async def test_duplicate_delivery_does_nothing(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """The same message again (same id, or same number, time and words) is a duplicate."""
    entry = await with_anna_waiting(hass, freezer)
    events = async_capture_events(hass, EVENT_REPLY_RECEIVED)
    text = reply("ok")
    assert await receive(hass, entry, text) is True
    assert await receive(hass, entry, text) is False
    resent = IncomingText(ANNA, "ok", text.received_at, "other_app", None)
    assert await receive(hass, entry, resent) is False
    assert len(events) == 1
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert await receive(hass, entry, text) is False


async def test_urgent_reply_alerts_at_once(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    reminders: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """An urgent reply reaches the freelancer's phone at once through the reminder action."""
    entry = await with_anna_waiting(hass, freezer)
    logged = async_capture_events(hass, EVENT_REPLY_RECEIVED)
    reminders.clear()
    assert await receive(hass, entry, reply("PILNE!!! proszę oddzwonić")) is True
    assert describe_reply(dict(logged[0].data)) == "Anna Kowalska replied by text (urgent)"
    assert len(reminders) == 1
    assert reminders[0].data["title"] == "Urgent reply from Anna Kowalska"
    assert reminders[0].data["message"] == "PILNE!!! proszę oddzwonić"
    assert reminders[0].data["data"]["url"] == f"tel:{ANNA}"
    description = (await todo_items(hass))[0]["description"]
    assert "- **Reply:** **Urgent:** PILNE!!! proszę oddzwonić" in description


async def test_urgent_reply_waits_until_driving_ends(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    reminders: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """While driving the alert waits; it goes out when driving ends, once."""
    entry = await with_anna_waiting(hass, freezer)
    reminders.clear()
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    assert await receive(hass, entry, reply("срочно перезвоните")) is True
    assert reminders == []
    hass.states.async_set("sensor.phone_do_not_disturb_sensor", "priority_only")
    await settle(hass)
    assert reminders == []  # still driving
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    urgent = [call for call in reminders if call.data["title"].startswith("Urgent")]
    assert len(urgent) == 1
    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    assert len([call for call in reminders if call.data["title"].startswith("Urgent")]) == 1


async def test_urgent_from_a_client_without_a_waiting_callback(
    hass: HomeAssistant,
    sources: None,
    reminders: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A client's urgent text alerts even with nothing waiting; no item is made."""
    freezer.move_to(T0)
    entry = await setup_entry(hass, entry_with_clients())
    assert await receive(hass, entry, reply("Urgent: please call", number=BOB)) is True
    assert [call.data["title"] for call in reminders] == ["Urgent reply from Bob Smith"]
    assert entry.runtime_data.callbacks.items == []


async def test_strangers_are_left_alone(
    hass: HomeAssistant,
    sources: None,
    reminders: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A stranger's "URGENT" text wakes nobody and fires nothing."""
    freezer.move_to(T0)
    entry = await setup_entry(hass, entry_with_clients())
    events = async_capture_events(hass, EVENT_REPLY_RECEIVED)
    assert await receive(hass, entry, reply("URGENT parcel fee", number="+48500100200")) is True
    assert reminders == []
    assert events == []


@pytest.mark.parametrize("failure", [True, False], ids=["failing", "missing"])
async def test_failing_alert_is_logged_without_the_text(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    failure: bool,
) -> None:
    """A notify action that fails: a warning naming the action, never the text or number."""
    freezer.move_to(T0)

    async def broken(call: ServiceCall) -> None:
        raise RuntimeError(f"boom {call.data}")

    if failure:
        hass.services.async_register("notify", "mobile_app_jan", broken)
    entry = await setup_entry(hass, entry_with_clients())
    assert await receive(hass, entry, reply("asap please", number=BOB)) is True
    warning = [r for r in caplog.records if r.levelname == "WARNING" and "urgent" in r.message]
    assert len(warning) == 1
    assert "asap" not in warning[0].message
    assert BOB not in warning[0].message
    assert "notify.mobile_app_jan" in warning[0].message
