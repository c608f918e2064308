"""incoming_call end to end: decision, text, callback queue, events, reminders, restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.client_etiquette.callbacks.models import HISTORY_KEEP
from custom_components.client_etiquette.const import DOMAIN, EVENT_CALL_SCREENED
from custom_components.client_etiquette.logbook import describe_decision

from .. import DND, DRIVING, setup_entry
from ..texting import FROM, SID, TOKEN, FakeTwilio
from . import ANNA, BOB, TODO, entry_with_clients, incoming, settle, todo_items

EVENT = "event.my_phone_client_call"
READY = "binary_sensor.my_phone_client_call_ready"


async def test_ready_rings(hass: HomeAssistant, sources: None, texts: list[ServiceCall]) -> None:
    """Ready: the call rings, nothing is queued or texted, the event says so."""
    await setup_entry(hass, entry_with_clients())
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    response = await incoming(hass, ANNA)
    assert response["action"] == "ring"
    assert response["reasons"] == []
    assert response["client"] == {"name": "Anna Kowalska", "tier": "regular"}
    assert response["breakthrough"] is None
    assert texts == []
    assert await todo_items(hass) == []
    assert hass.states.get(EVENT).attributes["event_type"] == "rang_through"
    assert "number" not in screened[0].data
    assert describe_decision(dict(screened[0].data)) == "let a call from Anna Kowalska ring"


async def test_driving_sends_to_voicemail_with_polish_text(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall]
) -> None:
    """Driving: voicemail, a polite Polish text to the number, a callback on the list."""
    await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    response = await incoming(hass, "+48 601 234 567", name="Anna", source="fritzbox")
    await settle(hass)
    assert response["action"] == "voicemail"
    assert response["reasons"] == ["driving"]
    assert response["text_sent"] is True
    assert response["no_text_reason"] is None
    assert "Jan" in response["text"]
    assert "jadę" not in response["text"].lower()  # never says where or what
    assert len(texts) == 1
    assert texts[0].data["target"] == [ANNA]
    assert texts[0].data["message"] == response["text"]
    items = await todo_items(hass)
    assert len(items) == 1
    assert items[0]["summary"] == "Call back Anna Kowalska"
    assert "- **Reason:** Driving\n" in items[0]["description"]
    state = hass.states.get(EVENT)
    assert state.attributes["event_type"] == "sent_to_voicemail"
    assert state.attributes["client_name"] == "Anna Kowalska"


async def test_repeat_call_rings_through_and_merges(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall]
) -> None:
    """Check that a second call within the repeat window rings through (not while driving)."""
    await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DND, "priority_only")
    first = await incoming(hass, ANNA)
    assert first["action"] == "voicemail"
    second = await incoming(hass, ANNA)
    assert second["action"] == "ring"
    assert second["breakthrough"] == "repeat_call"
    hass.states.async_set(DRIVING, "in_vehicle")
    third = await incoming(hass, ANNA)
    assert third["action"] == "voicemail"
    assert third["no_text_reason"] == "cooldown"
    items = await todo_items(hass)
    assert len(items) == 1
    assert "2 calls" in items[0]["description"]
    assert len(texts) == 1


async def test_vip_rings_in_a_meeting_but_not_while_driving(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall]
) -> None:
    """Check that VIPs are screened only for driving, dead zone, on a call and DND by default."""
    await setup_entry(hass, entry_with_clients())
    hass.states.async_set("device_tracker.phone", "Jazz Bar")
    response = await incoming(hass, BOB)
    assert response["reasons"] == ["noisy_place"]
    assert response["action"] == "ring"
    assert response["breakthrough"] == "tier"


async def test_same_call_id_answered_alike(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall]
) -> None:
    """Check that a retried request with the same call id is answered alike and queued once."""
    await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    first = await incoming(hass, ANNA, call_id="CA1")
    again = await incoming(hass, ANNA, call_id="CA1")
    assert again == first
    assert len(texts) == 1
    items = await todo_items(hass)
    assert "1 call)" in items[0]["description"]


async def test_unknown_and_hidden_callers(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall]
) -> None:
    """Check that unknown callers are screened as new; hidden numbers are never texted."""
    await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    hidden = await incoming(hass, "anonymous")
    assert hidden["action"] == "voicemail"
    assert hidden["client"] is None
    assert hidden["no_text_reason"] == "anonymous"
    landline = await incoming(hass, "+48 22 123 45 67")
    assert landline["no_text_reason"] == "not_mobile"
    assert texts == []
    stranger = await incoming(hass, "+48 603 555 444", name="Stranger")
    assert stranger["text_sent"] is True
    summaries = [item["summary"] for item in await todo_items(hass)]
    assert "Call back Stranger" in summaries


async def test_unknown_callers_left_alone(hass: HomeAssistant, sources: None) -> None:
    """Check that with leave_alone, unknown numbers ring whatever the reasons."""
    await setup_entry(hass, entry_with_clients(unknown_callers="leave_alone"))
    hass.states.async_set(DRIVING, "in_vehicle")
    response = await incoming(hass, "+48 603 555 444")
    assert response["action"] == "ring"
    assert response["breakthrough"] == "unknown_caller"


async def test_no_backend_no_text(hass: HomeAssistant, sources: None) -> None:
    """Check that without a texting backend the response says why nothing was sent."""
    await setup_entry(hass, entry_with_clients(texting_backend="none"))
    hass.states.async_set(DRIVING, "in_vehicle")
    response = await incoming(hass, ANNA)
    assert response["text"]
    assert response["text_sent"] is False
    assert response["no_text_reason"] == "no_texting_backend"


async def test_template_text(hass: HomeAssistant, sources: None, texts: list[ServiceCall]) -> None:
    """Check that a user template replaces the built-in wording; a failing one falls back."""
    await setup_entry(
        hass,
        entry_with_clients(
            template_pl="{{ client_name }}: {{ reason_text }}, oddzwonię {{ callback_time }}.",
            template_en="{{ 1 / 0 }}",
        ),
    )
    hass.states.async_set(DRIVING, "in_vehicle")
    response = await incoming(hass, ANNA)
    assert response["text"].startswith("Anna Kowalska: ")
    response = await incoming(hass, "+48 603 555 444")
    assert response["text"]
    assert "{{" not in response["text"]


async def test_completing_and_deleting_items(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall]
) -> None:
    """Check that completing or deleting a to-do item clears the callback."""
    await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    await incoming(hass, ANNA)
    await incoming(hass, BOB)
    items = await todo_items(hass)
    assert hass.states.get(TODO).state == "2"
    await hass.services.async_call(
        "todo",
        "update_item",
        {"entity_id": TODO, "item": items[0]["uid"], "status": "completed"},
        blocking=True,
    )
    await hass.services.async_call(
        "todo",
        "update_item",
        {"entity_id": TODO, "item": items[1]["uid"], "rename": "x"},
        blocking=True,
    )
    assert len(await todo_items(hass)) == 1
    await hass.services.async_call(
        "todo", "remove_item", {"entity_id": TODO, "item": [items[1]["uid"]]}, blocking=True
    )
    assert await todo_items(hass) == []


async def test_reminder_when_ready_again(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    reminders: list[ServiceCall],
) -> None:
    """Readiness returning fires callback_due once and reminds with a tel: link."""
    await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    await incoming(hass, ANNA)
    assert reminders == []
    hass.states.async_set(DRIVING, "still")
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "callback_due"
    assert len(reminders) == 1
    assert reminders[0].data["data"]["url"] == f"tel:{ANNA}"
    assert "Anna Kowalska" in reminders[0].data["title"]
    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(DRIVING, "still")
    await hass.async_block_till_done()
    assert len(reminders) == 1


async def test_reminder_waits_for_contact_hours_and_overdue(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ready outside the client's hours waits for their opening; a broken promise fires."""
    freezer.move_to("2025-06-02 20:00:00+02:00")  # a Monday evening in Warsaw
    entry = entry_with_clients(
        work_start="09:00:00", work_end="17:00:00", work_days=["mon", "tue", "wed", "thu", "fri"]
    )
    await setup_entry(hass, entry)
    sub_id = next(s for s, sub in entry.subentries.items() if sub.title == "Anna Kowalska")
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[sub_id],
        data={
            "numbers": [ANNA],
            "tier": "regular",
            "language": "pl",
            "time_zone": "Europe/Warsaw",
            "contact_start": "10:00:00",
            "contact_end": "12:00:00",
            "contact_days": ["tue"],
        },
    )
    response = await incoming(hass, ANNA)
    assert response["reasons"] == ["after_hours"]
    # Business hours open on Tuesday 9:00; Anna's own hours at 10:00.
    assert response["callback_at"] == "2025-06-03T08:00:00+00:00"
    # Tuesday 9:00: ready again, but Anna's hours are closed: no reminder yet.
    freezer.move_to("2025-06-03 09:00:30+02:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert hass.states.get(READY).state == "on"
    assert hass.states.get(EVENT).attributes.get("event_type") == "sent_to_voicemail"
    # Tuesday 10:00: Anna's hours open and the freelancer is ready: the callback is due.
    freezer.move_to("2025-06-03 10:00:30+02:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert hass.states.get(EVENT).attributes.get("event_type") == "callback_due"


async def test_overdue_promise(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A snooze promise that passes with the callback still waiting fires callback_overdue."""
    freezer.move_to("2025-06-02 10:00:00+02:00")
    entry = await setup_entry(hass, entry_with_clients())
    await hass.services.async_call(DOMAIN, "snooze", {"duration": "00:30:00"}, blocking=True)
    response = await incoming(hass, ANNA)
    promised = dt_util.parse_datetime(response["callback_at"])
    assert promised is not None
    freezer.move_to(promised + timedelta(minutes=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "callback_due"
    freezer.move_to(promised + timedelta(minutes=16))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "callback_overdue"
    item = entry.runtime_data.callbacks.items[0]
    assert item.overdue_fired


async def test_a_call_as_the_snooze_ends_gets_the_new_verdict(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A call at the snooze's end, before the monitor's timer ran, rings: no stale verdict."""
    freezer.move_to("2025-06-02 10:00:00+02:00")
    await setup_entry(hass, entry_with_clients())
    await hass.services.async_call(DOMAIN, "snooze", {"duration": "00:30:00"}, blocking=True)
    assert hass.states.get(READY).state == "off"
    freezer.move_to("2025-06-02 10:30:00+02:00")  # the clock moved; no timer has run yet
    response = await incoming(hass, ANNA)
    assert response["action"] == "ring"
    assert response["reasons"] == []
    assert texts == []
    await hass.async_block_till_done()
    assert hass.states.get(READY).state == "on"


async def test_queue_and_cooldown_survive_restart(
    hass: HomeAssistant, sources: None, texts: list[ServiceCall]
) -> None:
    """Check that callbacks and the text cooldown are stored; a reload keeps them."""
    entry = await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    await incoming(hass, ANNA)
    assert entry.runtime_data.screener.add_recording(
        call_id=None, number=ANNA, url="https://example.com/r.mp3", transcription="Hi"
    )
    assert not entry.runtime_data.screener.add_recording(
        call_id="CA-none", number="+48603555444", url="https://example.com/x.mp3"
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    items = await todo_items(hass)
    assert len(items) == 1
    assert "[Listen](https://example.com/r.mp3)" in items[0]["description"]
    assert "- **Transcription:** Hi" in items[0]["description"]
    hass.states.async_set(DRIVING, "in_vehicle")
    response = await incoming(hass, ANNA)
    assert response["no_text_reason"] in ("cooldown", None)
    assert response["text_sent"] is False or len(texts) == 1


async def test_twilio_text_marks_item_sent(
    hass: HomeAssistant,
    sources: None,
    twilio: FakeTwilio,
) -> None:
    """Through Twilio: the text goes to the API and the item shows it was sent."""
    entry = await setup_entry(
        hass,
        entry_with_clients(
            texting_backend="twilio",
            twilio_account_sid=SID,
            twilio_auth_token=TOKEN,
            twilio_from_number=FROM,
            twilio_api_base=twilio.base,
        ),
    )
    hass.states.async_set(DRIVING, "in_vehicle")
    await incoming(hass, ANNA)
    await hass.async_block_till_done()
    for _ in range(50):
        if entry.runtime_data.callbacks.items[0].text_status == "sent":
            break
        await hass.async_block_till_done()
    assert twilio.sent[0].form["To"] == ANNA
    assert entry.runtime_data.callbacks.items[0].text_status == "sent"


async def test_failing_texts_raise_a_repair_issue(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that a texting backend that keeps failing is reported; the text is kept."""
    attempts: list[ServiceCall] = []

    async def broken(call: ServiceCall) -> None:
        attempts.append(call)
        raise ConnectionError("gateway down")

    hass.services.async_register("notify", "sms", broken)
    entry = await setup_entry(hass, entry_with_clients())
    failed: list[Event] = []
    hass.states.async_set(DRIVING, "in_vehicle")
    await incoming(hass, ANNA)
    for _ in range(6):
        freezer.tick(timedelta(minutes=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert len(attempts) >= 3
    registry = ir.async_get(hass)
    assert registry.async_get_issue(DOMAIN, f"texts_failing_{entry.entry_id}") is not None
    assert entry.runtime_data.callbacks.items[0].text_status in ("retrying", "failed")
    del failed


async def test_service_needs_an_entry(hass: HomeAssistant) -> None:
    """Check that without a loaded entry the action fails with a translated error."""
    assert await async_setup_component(hass, DOMAIN, {})
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "incoming_call", {"number": ANNA}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "no_entries"


def test_logbook_wording() -> None:
    """Check that each decision reads as a sentence, without the number."""
    assert (
        describe_decision(
            {
                "action": "voicemail",
                "client_name": None,
                "reasons": ["driving", "after_hours"],
                "text_sent": False,
                "no_text_reason": "anonymous",
            }
        )
        == "sent a call from an unknown caller to voicemail (driving, after hours); "
        "no text (anonymous)"
    )
    assert (
        describe_decision(
            {
                "action": "ring",
                "client_name": "Bob",
                "reasons": ["noisy_place"],
                "breakthrough": "tier",
            }
        )
        == "let a call from Bob ring (noisy place), rang through: tier"
    )
    assert describe_decision({"action": "voicemail", "client_name": "Ann", "text_sent": True}) == (
        "sent a call from Ann to voicemail; a text was sent"
    )


async def test_history_is_pruned_at_most_hourly(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that calls older than the history window are forgotten, on the first call each hour."""
    entry = await setup_entry(hass, entry_with_clients())
    queue = entry.runtime_data.callbacks
    await incoming(hass, ANNA)
    assert set(queue.history.calls) == {ANNA}
    freezer.tick(HISTORY_KEEP + timedelta(minutes=1))
    await incoming(hass, BOB)  # Anna's call is now too old: pruned before deciding
    assert set(queue.history.calls) == {BOB}
    freezer.tick(HISTORY_KEEP - timedelta(minutes=1))
    await incoming(hass, ANNA)
    freezer.tick(timedelta(minutes=2))  # Bob's call is old, but pruned an hour ago or less
    await incoming(hass, ANNA)
    assert set(queue.history.calls) == {ANNA, BOB}
    freezer.tick(timedelta(hours=1))
    await incoming(hass, ANNA)
    assert set(queue.history.calls) == {ANNA}
    assert len(queue.history.calls[ANNA]) == 3


async def test_a_failed_save_still_answers(
    hass: HomeAssistant, sources: None, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Check that a disk that refuses the write is logged and the caller is answered.

    The disk: a directory where the journal goes.
    """
    hass.config.config_dir = str(tmp_path)
    entry = await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    journal = tmp_path / ".storage" / f"{DOMAIN}.{entry.entry_id}.callbacks.journal"
    journal.mkdir(parents=True)
    response = await incoming(hass, ANNA)
    assert response["action"] == "voicemail"
    assert "Could not save the callback queue (IsADirectoryError)" in caplog.text
    assert len(entry.runtime_data.callbacks.items) == 1
    journal.rmdir()  # the disk is back: the callback is written at unload
    assert await hass.config_entries.async_unload(entry.entry_id)
