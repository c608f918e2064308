"""Missed calls on the own phone: screened as sent to voicemail at the time they rang."""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.client_etiquette.const import EVENT_CALL_SCREENED
from custom_components.client_etiquette.core.models import MissedCall
from custom_components.client_etiquette.telephony.missed import async_missed_call

from .. import DND, DRIVING, setup_entry
from . import ANNA, BOB, entry_with_clients, settle, todo_items

T0 = datetime(2026, 6, 3, 8, 0, tzinfo=dt_util.UTC)  # a Wednesday, 10:00 in Warsaw


def missed(
    number: str = ANNA,
    rang_at: datetime = T0,
    event_id: str | None = "ev1",
    source: str = "httpsms",
    name: str | None = None,
) -> MissedCall:
    """Return a missed call as a phone app reports it."""
    return MissedCall(number=number, rang_at=rang_at, source=source, event_id=event_id, name=name)


async def report(hass: HomeAssistant, entry: MockConfigEntry, call: MissedCall) -> bool:
    """Report a missed call and let its follow-ups (the text, the events) run."""
    screened = await async_missed_call(entry, call)
    await settle(hass)
    return screened


async def loaded(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """Set up the entry with Anna and Bob at T0 with calm sources (ready)."""
    freezer.move_to(T0)
    return await setup_entry(hass, entry_with_clients())


async def test_missed_while_driving_texts_once(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """Missed while driving: a polite text and a callback with the ring time; once only."""
    entry = await loaded(hass, freezer)
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(seconds=40))
    rang_at = dt_util.utcnow() - timedelta(seconds=30)
    assert await report(hass, entry, missed(rang_at=rang_at)) is True
    assert len(texts) == 1
    assert texts[0].data["target"] == [ANNA]
    assert "Jan" in texts[0].data["message"]
    items = entry.runtime_data.callbacks.items
    assert len(items) == 1
    assert items[0].last_call == rang_at
    assert items[0].reasons == ["driving"]
    assert screened[0].data["action"] == "voicemail"
    assert "number" not in screened[0].data
    # The app delivers the webhook again; another route reports the same call.
    assert await report(hass, entry, missed(rang_at=rang_at)) is False
    later = rang_at + timedelta(seconds=20)
    assert await report(hass, entry, missed(rang_at=later, event_id="ev2")) is False
    assert await report(hass, entry, missed(rang_at=later, event_id=None)) is False
    assert len(texts) == 1
    assert "(1 call)" in (await todo_items(hass))[0]["description"]


async def test_verdict_of_the_moment_it_rang(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """A call that rang while driving is screened as such though driving has ended since."""
    entry = await loaded(hass, freezer)
    freezer.tick(timedelta(minutes=1))
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(minutes=2))
    while_driving = dt_util.utcnow()
    freezer.tick(timedelta(minutes=2))
    hass.states.async_set(DRIVING, "still")
    freezer.tick(timedelta(minutes=5))
    assert hass.states.get("binary_sensor.my_phone_client_call_ready").state == "on"
    assert await report(hass, entry, missed(rang_at=while_driving)) is True
    assert len(texts) == 1
    item = entry.runtime_data.callbacks.items[0]
    assert item.reasons == ["driving"]
    assert item.text_status == "sent"


async def test_rang_while_ready_queues_the_callback_without_a_text(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """Ready when it rang (just not picked up): the callback, no text."""
    entry = await loaded(hass, freezer)
    freezer.tick(timedelta(minutes=3))
    hass.states.async_set(DRIVING, "in_vehicle")  # not ready now, but it was when it rang
    assert await report(hass, entry, missed(rang_at=T0 + timedelta(minutes=1))) is True
    assert texts == []
    item = entry.runtime_data.callbacks.items[0]
    assert item.reasons == ["no_answer"]
    assert item.text_status == "not_sent:no_answer"
    description = (await todo_items(hass))[0]["description"]
    assert "- **Reason:** Missed (it rang)" in description


async def test_late_report_queues_the_callback_without_a_text(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """Reported more than 30 minutes after it rang: the verdict is gone; callback, no text."""
    entry = await loaded(hass, freezer)
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(minutes=45))
    assert await report(hass, entry, missed(rang_at=T0 + timedelta(minutes=5))) is True
    assert texts == []
    item = entry.runtime_data.callbacks.items[0]
    assert item.text_status == "not_sent:late"
    description = (await todo_items(hass))[0]["description"]
    assert "- **Text:** Not sent: reported too late for a text" in description


async def test_before_a_restart_is_unknown(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """A ring time before the entry was set up has no known verdict: no text."""
    freezer.move_to(T0)
    hass.states.async_set(DRIVING, "in_vehicle")
    entry = await setup_entry(hass, entry_with_clients())
    assert await report(hass, entry, missed(rang_at=T0 - timedelta(minutes=1))) is True
    assert texts == []
    assert entry.runtime_data.callbacks.items[0].text_status == "not_sent:late"


async def test_same_call_never_texted_twice_across_a_restart(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """The event id and the ring time are kept with the queue: a redelivery after a restart."""
    entry = await loaded(hass, freezer)
    hass.states.async_set(DND, "priority_only")
    freezer.tick(timedelta(seconds=30))
    rang_at = dt_util.utcnow()
    assert await report(hass, entry, missed(rang_at=rang_at)) is True
    assert len(texts) == 1
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert await report(hass, entry, missed(rang_at=rang_at)) is False
    assert await report(hass, entry, missed(rang_at=rang_at, event_id="other")) is False
    assert len(texts) == 1
    assert len(entry.runtime_data.callbacks.items) == 1


async def test_a_later_call_is_a_new_call(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """A second call minutes later counts on the same item; the cooldown keeps it one text."""
    entry = await loaded(hass, freezer)
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(minutes=10))
    assert await report(hass, entry, missed(rang_at=T0 + timedelta(minutes=1))) is True
    assert await report(hass, entry, missed(rang_at=T0 + timedelta(minutes=6), event_id="e2"))
    assert len(texts) == 1
    item = entry.runtime_data.callbacks.items[0]
    assert item.calls == 2
    assert item.text_status == "not_sent:cooldown"  # as for any repeat call


async def test_contact_name_only(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """A notification with only the contact name: a client's name finds their number."""
    entry = await loaded(hass, freezer)
    hass.states.async_set(DRIVING, "in_vehicle")
    freezer.tick(timedelta(seconds=30))
    call = missed(number="", name="anna  KOWALSKA", rang_at=dt_util.utcnow(), source="x")
    assert await report(hass, entry, call) is True
    assert texts[0].data["target"] == [ANNA]
    stranger = missed(number="", name="Mum", event_id="e3", rang_at=dt_util.utcnow())
    assert await report(hass, entry, stranger) is False
    assert len(entry.runtime_data.callbacks.items) == 1


async def test_hidden_number_never_texted_vip_rings(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall], freezer: FrozenDateTimeFactory
) -> None:
    """A hidden number is never texted; a VIP's call that was let ring is not texted either."""
    entry = await loaded(hass, freezer)
    hass.states.async_set("device_tracker.phone", "Jazz Bar")
    freezer.tick(timedelta(seconds=30))
    now = dt_util.utcnow()
    assert await report(hass, entry, missed(number="anonymous", rang_at=now, event_id="a"))
    assert await report(hass, entry, missed(number=BOB, rang_at=now, event_id="b"))
    assert texts == []
    statuses = sorted(item.text_status for item in entry.runtime_data.callbacks.items)
    assert statuses == ["not_sent:anonymous", "not_sent:no_answer"]
