"""The queue's kept order and indexes, the cached to-do list, the reminders' wake-ups.

No timings here (see bench/): these tests pin the behaviour the faster structures must
keep, against a plain model of the old one (a dict sorted on every read).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta
import json
import random
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.todo import DATA_COMPONENT, TodoListEntity
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.client_etiquette.callbacks.models import CallbackItem
from custom_components.client_etiquette.callbacks.queue import CallbackQueue
from custom_components.client_etiquette.callbacks.store import (
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
)
from custom_components.client_etiquette.const import DOMAIN

from .. import PHONE_STATE, make_entry, setup_entry

TODO = "todo.my_phone_callbacks"
BASE = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def item(uid: str, key: str, first_call: datetime, **extra: Any) -> CallbackItem:
    """Return a waiting callback of an unknown caller."""
    return CallbackItem(
        uid=uid,
        key=key,
        name=f"Caller {key}",
        number=key,
        client_id=None,
        language="en",
        reasons=["on_call"],
        calls=1,
        first_call=first_call,
        last_call=first_call,
        **{"promised_at": None, **extra},
    )


def stored(uid: str, key: str, first_call: datetime, **extra: Any) -> dict[str, Any]:
    """Return an item as the store holds it."""
    return item(uid, key, first_call, **extra).to_json()


def storage_key(entry_id: str) -> str:
    """Return the store of an entry's queue."""
    return f"{DOMAIN}.{entry_id}.callbacks"


def seed_store(hass_storage: dict[str, Any], entry_id: str, items: list[dict[str, Any]]) -> None:
    """Store a queue, as after a restart."""
    hass_storage[storage_key(entry_id)] = {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_MINOR_VERSION,
        "key": storage_key(entry_id),
        "data": {"items": items, "history": {"calls": {}, "texts": {}}},
    }


async def test_queue_matches_a_sorted_dict(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Random adds, merges, moves, batch updates and removals keep order and indexes exact."""
    queue = CallbackQueue(hass, "model")
    told: list[list[str]] = []
    queue.async_add_listener(lambda uids: told.append(sorted(uids)))
    rng = random.Random(6)
    # The old structure: a dict in insertion order, sorted by first call on each read.
    model: dict[str, CallbackItem] = {}
    ops = {"add": 0, "update": 0, "many": 0, "remove": 0}
    for step in range(600):
        # Few distinct minutes, so many items share a first call (ties keep arrival order).
        at = BASE + timedelta(minutes=rng.randrange(20))
        op = rng.choice(["add", "add", "update", "many", "remove"]) if model else "add"
        ops[op] += 1
        if op == "add":
            key = f"+4860000{rng.randrange(80):04d}"
            got = queue.async_add_call(item(f"u{step}", key, at), f"CA{step}")
            assert told[-1] == [got.uid]
            model[got.uid] = got
        elif op == "update":
            uid = rng.choice(list(model))
            changes: dict[str, Any] = {"text_status": f"s{step}"}
            if rng.random() < 0.5:
                changes["first_call"] = at
            got_item = queue.async_update(uid, **changes)
            assert got_item is not None
            assert told[-1] == [uid]
            model[uid] = got_item
        elif op == "many":
            uids = rng.sample(list(model), min(len(model), rng.randrange(1, 6)))
            updated = queue.async_update_many({uid: {"due_fired": True} for uid in uids})
            assert told[-1] == sorted(uids)
            for new in updated:
                model[new.uid] = new
        else:
            uids = rng.sample(list(model), min(len(model), rng.randrange(1, 4)))
            queue.async_remove_items([*uids, "no-such-uid"])
            assert told[-1] == sorted(uids)
            for uid in uids:
                del model[uid]
        expected = sorted(model.values(), key=lambda entry: entry.first_call)
        assert queue.items == expected
        assert len(queue) == len(model)
        for entry in model.values():
            assert queue.find(entry.key) is entry
            assert queue.get(entry.uid) is entry
            for call_id in entry.call_ids:
                assert queue.find_call(call_id) is entry
    assert min(ops.values()) > 50
    assert queue.find("+48600009999") is None
    assert queue.find_call("CA-unknown") is None
    # Some keys came back after a removal, some merged repeat calls.
    assert any(entry.calls > 1 for entry in model.values())

    # The stored items are as before: insertion order, every field (version 1.2 adds only
    # the snapshot's journal_seq).
    await queue.async_flush()
    saved = hass_storage[f"{DOMAIN}.model.callbacks"]
    assert (saved["version"], saved["minor_version"]) == (STORAGE_VERSION, STORAGE_MINOR_VERSION)
    assert saved["data"]["journal_seq"] == 0  # nothing was committed: no journal line
    assert [raw["uid"] for raw in saved["data"]["items"]] == list(model)
    assert {frozenset(raw) for raw in saved["data"]["items"]} == {
        frozenset(f.name for f in fields(CallbackItem))
    }
    reloaded = CallbackQueue(hass, "model")
    await reloaded.async_load()
    assert reloaded.items == queue.items
    for entry in model.values():
        assert reloaded.find(entry.key) == entry
        for call_id in entry.call_ids:
            assert reloaded.find_call(call_id) == entry


async def test_repeat_call_keeps_only_the_last_twenty_call_ids(hass: HomeAssistant) -> None:
    """Check that call ids that fall out of an item no longer find it."""
    queue = CallbackQueue(hass, "ids")
    for index in range(25):
        queue.async_add_call(item(f"u{index}", "+48601234567", BASE), f"CA{index}")
    (only,) = queue.items
    assert only.calls == 25
    assert only.call_ids == [f"CA{index}" for index in range(5, 25)]
    assert queue.find_call("CA4") is None
    assert queue.find_call("CA5") is only


def todo_entity(hass: HomeAssistant) -> TodoListEntity:
    """Return the callbacks to-do entity object."""
    entity = hass.data[DATA_COMPONENT].get_entity(TODO)
    assert entity is not None
    return entity


async def test_todo_list_is_cached_until_the_queue_changes(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Check that reads reuse the list; a change rebuilds only the changed item's TodoItem."""
    queue = loaded_entry.runtime_data.callbacks
    for index, name in enumerate(["Anna", "Bob", "Celina"]):
        new = item(f"u{index}", f"+4860100000{index}", BASE + timedelta(minutes=index))
        new.name = name
        queue.async_add_call(new, None)
    await hass.async_block_till_done()
    entity = todo_entity(hass)
    first = entity.todo_items
    assert [todo.summary for todo in first] == [
        "Call back Anna",
        "Call back Bob",
        "Call back Celina",
    ]
    again = entity.todo_items
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert hass.states.get(TODO).state == "3"

    queue.async_update("u1", text_status="sent", recording_url="https://example.com/r.mp3")
    await hass.async_block_till_done()
    after = entity.todo_items
    assert after[0] is first[0]
    assert after[2] is first[2]
    assert after[1] is not first[1]
    assert after[1].description is not None
    assert "- **Text:** Sent" in after[1].description
    assert "- **Voicemail:** [Listen](https://example.com/r.mp3)" in after[1].description

    queue.async_remove_items(["u0"])
    await hass.async_block_till_done()
    assert [todo.uid for todo in entity.todo_items] == ["u1", "u2"]
    assert hass.states.get(TODO).state == "2"

    # A new language rewords every item.
    hass.config.language = "pl"
    assert [todo.summary for todo in entity.todo_items] == ["Oddzwoń: Bob", "Oddzwoń: Celina"]
    assert "- **Wiadomość:** Wysłano" in (entity.todo_items[0].description or "")


async def test_todo_items_copy_as_themselves_and_subscribers_follow(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Check that Home Assistant's copy of an item is the item (2026.10+ copies all on each write).

    So an item must never change: a change gives a new item, the old one keeps what it
    said; a to-do card subscribed to the list gets the new items.
    """
    queue = loaded_entry.runtime_data.callbacks
    for index, name in enumerate(["Anna", "Bob"]):
        new = item(f"u{index}", f"+4860100000{index}", BASE + timedelta(minutes=index))
        new.name = name
        queue.async_add_call(new, None)
    await hass.async_block_till_done()
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "todo/item/subscribe", "entity_id": TODO})
    assert (await client.receive_json())["success"]
    first = (await client.receive_json())["event"]["items"]
    assert [entry["summary"] for entry in first] == ["Call back Anna", "Call back Bob"]

    before = todo_entity(hass).todo_items
    assert all(copy.copy(todo) is todo for todo in before)
    queue.async_update("u1", text_status="sent")
    await hass.async_block_till_done()
    after = todo_entity(hass).todo_items
    assert after[0] is before[0]
    assert after[1] is not before[1]
    assert "**Text:** Sent" not in (before[1].description or "")
    assert "**Text:** Sent" in (after[1].description or "")
    pushed = (await client.receive_json())["event"]["items"]
    assert "**Text:** Sent" in pushed[1]["description"]
    assert "Text: sent" not in first[1]["description"]


async def test_due_reminders_at_start_are_one_change(
    hass: HomeAssistant, sources: None, hass_storage: dict[str, Any]
) -> None:
    """Check that many reminders due at start-up fire once each and mark the queue in one change."""
    entry = make_entry()
    count = 300
    seed_store(
        hass_storage,
        entry.entry_id,
        [stored(f"u{i}", f"+486010{i:05d}", BASE + timedelta(seconds=i)) for i in range(count)],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    queue = entry.runtime_data.callbacks
    assert all(entry_item.due_fired for entry_item in queue.items)
    assert len(queue) == count

    assert await hass.config_entries.async_unload(entry.entry_id)
    saved = hass_storage[storage_key(entry.entry_id)]["data"]["items"]
    assert [raw["uid"] for raw in saved] == [f"u{i}" for i in range(count)]
    assert all(raw["due_fired"] for raw in saved)


async def test_queue_change_checks_the_named_items_and_marks_them_at_once(
    hass: HomeAssistant, sources: None, hass_storage: dict[str, Any]
) -> None:
    """Items whose reminder is cleared while ready fire once each, marked in one change."""
    entry = make_entry()
    count = 90
    seed_store(
        hass_storage,
        entry.entry_id,
        [
            stored(f"u{i}", f"+486010{i:05d}", BASE + timedelta(seconds=i), due_fired=True)
            for i in range(count)
        ],
    )
    await setup_entry(hass, entry)
    queue = entry.runtime_data.callbacks
    fired: list[str] = []
    told: list[list[str]] = []
    entry.runtime_data.events.async_add_listener(
        lambda event_type, data: fired.append(f"{event_type}:{data['uid']}")
    )
    queue.async_add_listener(lambda uids: told.append(sorted(uids)))
    waiting = sorted(f"u{i}" for i in range(0, count, 3))
    queue.async_update_many({uid: {"due_fired": False} for uid in waiting})
    await hass.async_block_till_done()
    assert told == [waiting, waiting]
    assert sorted(fired) == sorted(f"callback_due:{uid}" for uid in waiting)
    assert all(entry_item.due_fired for entry_item in queue.items)


async def test_reminders_fire_when_ready_again_as_one_change(
    hass: HomeAssistant, sources: None, hass_storage: dict[str, Any]
) -> None:
    """Readiness returning fires every waiting reminder once; the queue hears one change."""
    entry = make_entry()
    count = 120
    seed_store(
        hass_storage,
        entry.entry_id,
        [
            stored(f"u{i}", f"+486010{i:05d}", BASE + timedelta(seconds=i), due_fired=True)
            for i in range(count)
        ],
    )
    hass.states.async_set(PHONE_STATE, "offhook")
    await setup_entry(hass, entry)
    queue = entry.runtime_data.callbacks
    fired: list[str] = []
    told: list[int] = []
    entry.runtime_data.events.async_add_listener(
        lambda event_type, data: fired.append(f"{event_type}:{data['uid']}")
    )
    queue.async_add_listener(lambda uids: told.append(len(uids)))
    # Not ready: clearing the flags fires nothing.
    waiting = [f"u{i}" for i in range(0, count, 2)]
    queue.async_update_many({uid: {"due_fired": False} for uid in waiting})
    await hass.async_block_till_done()
    assert (told, fired) == ([len(waiting)], [])
    hass.states.async_set(PHONE_STATE, "idle")
    await hass.async_block_till_done()
    assert told == [len(waiting), len(waiting)]
    assert sorted(fired) == sorted(f"callback_due:{uid}" for uid in waiting)
    assert all(entry_item.due_fired for entry_item in queue.items)
    # Ready to busy and back: nothing waits, nothing fires again.
    hass.states.async_set(PHONE_STATE, "offhook")
    await hass.async_block_till_done()
    hass.states.async_set(PHONE_STATE, "idle")
    await hass.async_block_till_done()
    assert len(fired) == len(waiting)
    assert len(told) == 2


async def test_overdue_promises_fire_in_order_of_their_deadlines(
    hass: HomeAssistant,
    sources: None,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """One timer walks the deadlines: each promise fires when (and only when) it passes."""
    freezer.move_to(BASE)
    entry = make_entry()
    # Promised in 50, 10, 30, 20 and 40 minutes; a removed item never fires.
    minutes = {"u0": 50, "u1": 10, "u2": 30, "u3": 20, "u4": 40}
    seed_store(
        hass_storage,
        entry.entry_id,
        [
            stored(
                uid,
                f"+4860100000{index}",
                BASE - timedelta(minutes=1),
                due_fired=True,
                promised_at=BASE + timedelta(minutes=minutes[uid]),
            )
            for index, uid in enumerate(minutes)
        ],
    )
    await setup_entry(hass, entry)
    queue = entry.runtime_data.callbacks
    fired: list[str] = []
    entry.runtime_data.events.async_add_listener(
        lambda event_type, data: fired.append(f"{event_type}:{data['uid']}")
    )
    queue.async_remove_items(["u2"])
    # A promise changed to later moves its wake-up.
    queue.async_update("u3", promised_at=BASE + timedelta(minutes=45))
    # A promise moved many times (stale wake-ups pile up, then are compacted) ends where
    # it was: it fires once, at its last deadline.
    for step in range(150):
        queue.async_update("u4", promised_at=BASE + timedelta(minutes=41, seconds=step))
    queue.async_update("u4", promised_at=BASE + timedelta(minutes=40))
    expected: list[str] = []
    for minute in range(5, 70, 5):
        freezer.move_to(BASE + timedelta(minutes=minute))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        newly = sorted(
            uid
            for uid, promised in {**minutes, "u3": 45}.items()
            if uid != "u2" and minute - 5 < promised + 15 <= minute
        )
        expected.extend(f"callback_overdue:{uid}" for uid in newly)
        assert fired == expected, minute
    assert len(fired) == 4
    assert all(entry_item.overdue_fired for entry_item in queue.items)


def test_stored_item_is_what_asdict_gives() -> None:
    """Check that the faster ``to_json`` writes the same JSON as ``dataclasses.asdict`` did."""
    full = item(
        "u1",
        "client-1",
        BASE,
        promised_at=BASE + timedelta(hours=2),
        text="Oddzwonię o 12:00.",
        text_status="sent",
        recording_url="https://example.com/r.mp3",
        transcription="Hi",
        due_fired=True,
        call_ids=["CA1", "CA2"],
    )
    for candidate in (full, item("u2", "+48601234567", BASE)):
        expected = asdict(candidate)
        for key in ("first_call", "last_call", "promised_at"):
            value = expected[key]
            expected[key] = value.isoformat() if value is not None else None
        data = candidate.to_json()
        assert data == expected
        assert json.loads(json.dumps(data)) == data
        assert CallbackItem.from_json(data) == candidate
        # The stored lists are copies: changing them leaves the item alone.
        data["reasons"].append("x")
        data["call_ids"].append("x")
        assert candidate.reasons == ["on_call"]
        assert "x" not in candidate.call_ids
