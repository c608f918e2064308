"""The callback queue's snapshot + append-only journal: durable commits that cost O(change).

Real files in a per-test config directory (``tmp_path``); the Store is the test
harness's (``hass_storage``). A SIGKILL is what is on disk at one instant: the Store's
data and the journal's bytes, copied to another entry id and loaded from there while the
first queue carries on (``crash_copy``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
import copy
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.client_etiquette.callbacks.models import CallbackItem
from custom_components.client_etiquette.callbacks.persistence import (
    SAVE_DELAY,
    SEEN_KEEP,
    SEEN_MAX,
    SNAPSHOT_DELAY,
    SNAPSHOT_LINES,
)
from custom_components.client_etiquette.callbacks.queue import CallbackQueue
from custom_components.client_etiquette.callbacks.store import (
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
)
from custom_components.client_etiquette.const import DOMAIN

from .. import DRIVING, setup_entry
from ..telephony import ANNA, BOB, entry_with_clients, incoming

BASE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def storage_key(entry_id: str) -> str:
    """Return the Store (snapshot) of an entry's queue."""
    return f"{DOMAIN}.{entry_id}.callbacks"


def journal_path(hass: HomeAssistant, entry_id: str) -> Path:
    """Return the journal of an entry's queue."""
    return Path(hass.config.path(".storage", f"{storage_key(entry_id)}.journal"))


def journal_lines(hass: HomeAssistant, entry_id: str) -> list[dict[str, Any]]:
    """Return the journal's lines, parsed (none when there is no file)."""
    path = journal_path(hass, entry_id)
    if not path.exists():
        return []
    return [json.loads(raw) for raw in path.read_bytes().splitlines()]


def waiting(uid: str, number: str, at: datetime, **extra: Any) -> CallbackItem:
    """Return a callback of an unknown caller."""
    return CallbackItem(
        uid=uid,
        key=number,
        name=f"Caller {uid}",
        number=number,
        client_id=None,
        language="en",
        reasons=["driving"],
        calls=1,
        first_call=at,
        last_call=at,
        promised_at=None,
        **extra,
    )


def state(queue: CallbackQueue) -> tuple[list[dict[str, Any]], Any, Any]:
    """Everything the queue keeps: its items in order and its history."""
    return (
        [item.to_json() for item in queue.items],
        dict(queue.history.calls),
        dict(queue.history.texts),
    )


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Return a config directory of this test's own (the harness's default is shared)."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture
async def queues(
    hass: HomeAssistant, config_dir: Path
) -> AsyncGenerator[Callable[[str], CallbackQueue]]:
    """Queues of this test, flushed at its end (so no timer is left behind)."""
    made: list[CallbackQueue] = []

    def make(entry_id: str) -> CallbackQueue:
        queue = CallbackQueue(hass, entry_id)
        made.append(queue)
        return queue

    yield make
    for queue in made:
        await queue.async_flush()


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition`` holds (a bounded number of turns)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


def stored_status(hass_storage: dict[str, Any], entry_id: str, uid: str) -> str:
    """Return the text status of an item in the entry's snapshot."""
    (status,) = (
        raw["text_status"]
        for raw in hass_storage[storage_key(entry_id)]["data"]["items"]
        if raw["uid"] == uid
    )
    return str(status)


async def crash_copy(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make: Callable[[str], CallbackQueue],
    source: str,
    target: str,
) -> CallbackQueue:
    """Return what a SIGKILL of ``source``'s process leaves on disk, loaded as entry ``target``."""
    if storage_key(source) in hass_storage:
        hass_storage[storage_key(target)] = copy.deepcopy(hass_storage[storage_key(source)])
    if journal_path(hass, source).exists():
        journal_path(hass, target).write_bytes(journal_path(hass, source).read_bytes())
    queue = make(target)
    await queue.async_load()
    return queue


async def test_commit_appends_one_line_and_leaves_the_store(
    hass: HomeAssistant, hass_storage: dict[str, Any], queues: Callable[[str], CallbackQueue]
) -> None:
    """Check that each commit appends one line with what changed; the Store is not rewritten."""
    queue = queues("one")
    await queue.async_load()
    for index in range(3):
        queue.async_add_call(waiting(f"u{index}", f"+4860100000{index}", BASE), f"CA{index}")
    queue.note_call("+48601000000", BASE)
    await queue.async_commit()
    (first,) = journal_lines(hass, "one")
    assert first["seq"] == 1
    assert sorted(raw["uid"] for raw in first["items"]) == ["u0", "u1", "u2"]
    assert first["removed"] == []
    assert first["history"] == [["call", "+48601000000", BASE.isoformat()]]
    assert storage_key("one") not in hass_storage

    queue.async_update("u1", text_status="sent")
    queue.async_remove_items(["u2"])
    queue.note_text("+48601000001", BASE)
    await queue.async_commit()
    lines = journal_lines(hass, "one")
    assert len(lines) == 2
    assert lines[0] == first  # appended after, never rewritten
    assert lines[1]["seq"] == 2
    assert [(raw["uid"], raw["text_status"]) for raw in lines[1]["items"]] == [("u1", "sent")]
    assert lines[1]["removed"] == ["u2"]
    assert lines[1]["history"] == [["text", "+48601000001", BASE.isoformat()]]
    assert storage_key("one") not in hass_storage

    # Nothing changed: a commit appends nothing.
    await queue.async_commit()
    assert len(journal_lines(hass, "one")) == 2


async def test_replay_after_kill_restores_everything(
    hass: HomeAssistant, hass_storage: dict[str, Any], queues: Callable[[str], CallbackQueue]
) -> None:
    """Items, merges, updates, removals and history come back exactly from the journal."""
    queue = queues("live")
    await queue.async_load()
    for index in range(6):
        at = BASE + timedelta(minutes=index)
        queue.async_add_call(waiting(f"u{index}", f"+4860200000{index}", at), f"CA{index}")
        queue.note_call(f"+4860200000{index}", at)
        if index % 2:
            queue.note_text(f"+4860200000{index}", at)
        await queue.async_commit()
    merged = queue.async_add_call(
        waiting("ignored", "+48602000003", BASE + timedelta(hours=1)), "CA-repeat"
    )
    assert merged.uid == "u3"
    queue.note_call("+48602000003", BASE + timedelta(hours=1))
    queue.async_update("u4", promised_at=BASE + timedelta(hours=2), text="Back soon")
    queue.async_update_many({"u0": {"due_fired": True}, "u5": {"first_call": BASE}})
    queue.async_remove_items(["u1", "u2"])
    await queue.async_commit()
    assert storage_key("live") not in hass_storage  # all of it is in the journal

    restored = await crash_copy(hass, hass_storage, queues, "live", "restored")
    assert state(restored) == state(queue)
    assert restored.history.texts_in_last_hour(BASE + timedelta(minutes=10)) == 3
    assert restored.find_call("CA-repeat") is restored.get("u3")
    assert restored.get("u1") is None


async def test_uncommitted_changes_are_journaled_soon(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    queues: Callable[[str], CallbackQueue],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that a change no caller commits (a reminder fired) is on disk SAVE_DELAY later."""
    queue = queues("quiet")
    await queue.async_load()
    queue.async_add_call(waiting("u0", "+48603000000", BASE), None)
    await queue.async_commit()
    queue.async_update("u0", due_fired=True)
    assert len(journal_lines(hass, "quiet")) == 1
    freezer.tick(timedelta(seconds=SAVE_DELAY))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    lines = journal_lines(hass, "quiet")
    assert len(lines) == 2
    assert lines[1]["items"][0]["due_fired"] is True


async def test_snapshot_and_journal_seq(
    hass: HomeAssistant, hass_storage: dict[str, Any], queues: Callable[[str], CallbackQueue]
) -> None:
    """Lines at or below a snapshot's journal_seq are older than it; the rest are replayed.

    Changes before, after and during a snapshot, and a line whose append is held back
    while a snapshot is built and written, all come back exactly, with no line applied
    over a newer snapshot.
    """
    queue = queues("snap")
    await queue.async_load()
    queue.async_add_call(waiting("u0", "+48604000000", BASE), "CA0")
    await queue.async_commit()  # line 1
    queue.async_add_call(waiting("u1", "+48604000001", BASE), "CA1")
    await queue.async_snapshot()  # before: line 1 and the uncommitted u1
    saved = hass_storage[storage_key("snap")]
    assert saved["data"]["journal_seq"] == 1
    assert [raw["uid"] for raw in saved["data"]["items"]] == ["u0", "u1"]
    assert journal_lines(hass, "snap") == []  # compacted: line 1 is in the snapshot
    await queue.async_commit()  # line 2: u1 again (harmless: newer or equal state)
    assert [line["seq"] for line in journal_lines(hass, "snap")] == [2]
    queue.async_update("u0", text_status="sent")  # after the snapshot
    await queue.async_commit()  # line 3
    restored = await crash_copy(hass, hass_storage, queues, "snap", "after")
    assert state(restored) == state(queue)

    # A line in flight while a snapshot is built: its append is held back (the test
    # holds the journal's lock) until the snapshot is on disk.
    lock = queue._journal_lock  # the only way to hold an append back
    await lock.acquire()
    queue.async_update("u0", text_status="v1")
    in_flight = hass.async_create_task(queue.async_commit())
    for _ in range(10):  # line 4 (v1) is built; its append waits for the lock
        await asyncio.sleep(0)
    queue.async_update("u0", text_status="v2")
    snapshot = hass.async_create_task(queue.async_snapshot())
    await until(lambda: hass_storage[storage_key("snap")]["data"]["journal_seq"] == 4)
    assert stored_status(hass_storage, "snap", "u0") == "v2"
    # Killed now: the snapshot (v2) is on disk, line 4 (v1) is not.
    restored = await crash_copy(hass, hass_storage, queues, "snap", "during")
    assert state(restored) == state(queue)
    lock.release()
    await in_flight
    await snapshot
    assert journal_lines(hass, "snap") == []  # line 4 came, then was compacted away

    # A line in the file, older than a snapshot on disk whose compaction is held back.
    queue.async_update("u0", text_status="v3")
    await queue.async_commit()  # line 5 (v3)
    queue.async_update("u0", text_status="v4")
    await lock.acquire()
    snapshot = hass.async_create_task(queue.async_snapshot())
    await until(lambda: hass_storage[storage_key("snap")]["data"]["journal_seq"] == 5)
    assert [line["seq"] for line in journal_lines(hass, "snap")] == [5]
    # Killed now: line 5 is at the snapshot's journal_seq: not applied over v4.
    restored = await crash_copy(hass, hass_storage, queues, "snap", "between")
    assert restored.get("u0").text_status == "v4"  # type: ignore[union-attr]
    assert state(restored) == state(queue)
    lock.release()
    await snapshot
    assert journal_lines(hass, "snap") == []
    queue.async_update("u1", text_status="v5")  # and a change after all that
    await queue.async_commit()
    restored = await crash_copy(hass, hass_storage, queues, "snap", "end")
    assert state(restored) == state(queue)


async def test_snapshot_is_due_during_a_steady_burst(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    queues: Callable[[str], CallbackQueue],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that a change every 5 s does not postpone the snapshot.

    It is written SNAPSHOT_DELAY after the first change not in one (not a debounce), and the
    journal is compacted.
    """
    queue = queues("steady")
    await queue.async_load()
    elapsed = 0.0
    snapshot_at: float | None = None
    for step in range(12):
        queue.async_add_call(waiting(f"u{step}", f"+4860500{step:04d}", BASE), f"CA{step}")
        await queue.async_commit()
        freezer.tick(timedelta(seconds=5))
        elapsed += 5
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        if snapshot_at is None and storage_key("steady") in hass_storage:
            snapshot_at = elapsed
            first_seq = hass_storage[storage_key("steady")]["data"]["journal_seq"]
    assert snapshot_at == SNAPSHOT_DELAY
    assert first_seq == SNAPSHOT_DELAY / 5  # the commits before it
    saved = hass_storage[storage_key("steady")]["data"]
    assert first_seq < saved["journal_seq"] <= 12  # and one more 30 s later
    assert all(line["seq"] > saved["journal_seq"] for line in journal_lines(hass, "steady"))
    restored = await crash_copy(hass, hass_storage, queues, "steady", "steady-kill")
    assert state(restored) == state(queue)


async def test_a_burst_keeps_the_journal_bounded(
    hass: HomeAssistant, hass_storage: dict[str, Any], queues: Callable[[str], CallbackQueue]
) -> None:
    """Check that more than SNAPSHOT_LINES lines since the last snapshot start one.

    The journal is compacted after it, so it stays near SNAPSHOT_LINES lines however long
    the burst.
    """
    queue = queues("burst")
    await queue.async_load()
    total = SNAPSHOT_LINES * 2 + 300
    longest = 0
    for step in range(total):
        number = f"+4860600{step % 400:04d}"
        queue.async_add_call(waiting(f"u{step}", number, BASE), f"CA{step}")
        queue.note_call(number, BASE + timedelta(seconds=step))
        if step % 7 == 0 and len(queue) > 1:
            queue.async_remove_items([queue.items[0].uid])
        await queue.async_commit()
        if step % 50 == 0:
            longest = max(longest, len(journal_lines(hass, "burst")))
    await hass.async_block_till_done()
    saved = hass_storage[storage_key("burst")]["data"]
    assert saved["journal_seq"] > SNAPSHOT_LINES  # two snapshots at least
    assert SNAPSHOT_LINES / 2 < longest <= SNAPSHOT_LINES + 50
    assert len(journal_lines(hass, "burst")) <= SNAPSHOT_LINES + 1
    restored = await crash_copy(hass, hass_storage, queues, "burst", "burst-kill")
    assert state(restored) == state(queue)


async def test_torn_last_line_is_dropped_and_later_appends_survive(
    hass: HomeAssistant, hass_storage: dict[str, Any], queues: Callable[[str], CallbackQueue]
) -> None:
    """Check that a write cut off by the kill is ignored and cut from the file.

    It is cut before anything is appended; so what is committed after the restart survives
    the next restart.
    """
    queue = queues("torn")
    await queue.async_load()
    queue.async_add_call(waiting("u0", "+48607000000", BASE), "CA0")
    await queue.async_commit()
    before = state(queue)
    # The kill came in the middle of the next append (that commit never returned).
    queue.async_add_call(waiting("u1", "+48607000001", BASE), "CA1")
    await queue.async_commit()
    whole = journal_path(hass, "torn").read_bytes()
    last = whole.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    journal_path(hass, "torn").write_bytes(whole[: len(whole) - len(last) // 2 - 1])

    restarted = await crash_copy(hass, hass_storage, queues, "torn", "torn-2")
    assert state(restarted) == before
    assert len(journal_lines(hass, "torn-2")) == 1  # the torn tail is gone already
    restarted.async_add_call(waiting("u2", "+48607000002", BASE), "CA2")
    restarted.note_text("+48607000002", BASE)
    await restarted.async_commit()
    after = state(restarted)
    again = await crash_copy(hass, hass_storage, queues, "torn-2", "torn-3")
    assert state(again) == after
    assert [item.uid for item in again.items] == ["u0", "u2"]

    # A whole line whose newline never made it is a write that did not finish either.
    whole = journal_path(hass, "torn-3").read_bytes()
    journal_path(hass, "torn-3").write_bytes(whole.rstrip(b"\n"))
    unfinished = await crash_copy(hass, hass_storage, queues, "torn-3", "torn-5")
    assert [item.uid for item in unfinished.items] == ["u0"]
    journal_path(hass, "torn-3").write_bytes(whole)

    # Garbage in the middle (no write of ours leaves that): replay stops there too.
    journal_path(hass, "torn-3").write_bytes(
        journal_path(hass, "torn-3").read_bytes().replace(b'"seq":2', b'"seq":2,,', 1)
    )
    cut = await crash_copy(hass, hass_storage, queues, "torn-3", "torn-4")
    assert state(cut) == before


async def test_history_additions_count_once(
    hass: HomeAssistant, hass_storage: dict[str, Any], queues: Callable[[str], CallbackQueue]
) -> None:
    """A text in a snapshot and again in a newer line counts once toward the hourly cap."""
    queue = queues("texts")
    await queue.async_load()
    queue.note_call("+48608000000", BASE)
    queue.note_text("+48608000000", BASE)
    await queue.async_snapshot()  # holds the text; its line is not built yet
    await queue.async_commit()  # the line, newer than the snapshot, holds it too
    (line,) = journal_lines(hass, "texts")
    assert line["seq"] > hass_storage[storage_key("texts")]["data"]["journal_seq"]
    assert ["text", "+48608000000", BASE.isoformat()] in line["history"]
    restored = await crash_copy(hass, hass_storage, queues, "texts", "texts-kill")
    assert restored.history.texts == {"+48608000000": (BASE,)}
    assert restored.history.calls == {"+48608000000": (BASE,)}
    assert restored.history.texts_in_last_hour(BASE + timedelta(minutes=1)) == 1
    # A second text at another time is another text.
    restored.note_text("+48608000000", BASE + timedelta(minutes=2))
    assert restored.history.texts_in_last_hour(BASE + timedelta(minutes=3)) == 2


async def test_old_store_version_is_migrated_and_the_journal_replayed(
    hass: HomeAssistant, hass_storage: dict[str, Any], queues: Callable[[str], CallbackQueue]
) -> None:
    """A 1.1 store has no journal_seq: every journal line is newer than it."""
    old = waiting("u0", "+48609000000", BASE).to_json()
    hass_storage[storage_key("old")] = {
        "version": 1,
        "minor_version": 1,
        "key": storage_key("old"),
        "data": {"items": [old], "history": {"calls": {}, "texts": {}}},
    }
    newer = {**old, "text_status": "sent"}
    added = waiting("u1", "+48609000001", BASE).to_json()
    journal_path(hass, "old").parent.mkdir(parents=True, exist_ok=True)
    journal_path(hass, "old").write_text(
        json.dumps({"seq": 1, "items": [newer], "removed": [], "history": []})
        + "\n"
        + json.dumps(
            {
                "seq": 2,
                "items": [added],
                "removed": [],
                "history": [["call", "+48609000001", BASE.isoformat()]],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    queue = queues("old")
    await queue.async_load()
    assert [item.to_json() for item in queue.items] == [newer, added]
    assert queue.history.calls == {"+48609000001": (BASE,)}
    await queue.async_flush()
    saved = hass_storage[storage_key("old")]
    assert (saved["version"], saved["minor_version"]) == (STORAGE_VERSION, STORAGE_MINOR_VERSION)
    assert STORAGE_MINOR_VERSION == 3
    assert saved["data"]["journal_seq"] == 2
    assert saved["data"]["seen_calls"] == {}
    assert not journal_path(hass, "old").exists()
    # Numbering goes on after the replayed lines.
    queue.async_update("u1", calls=2)
    await queue.async_commit()
    assert [line["seq"] for line in journal_lines(hass, "old")] == [3]


async def test_a_failed_append_keeps_its_changes_for_the_next(
    hass: HomeAssistant, hass_storage: dict[str, Any], queues: Callable[[str], CallbackQueue]
) -> None:
    """Check that a commit to a disk that refuses the append raises and leaves nothing torn.

    The disk: a directory where the journal goes. The next commit carries the changes.
    """
    queue = queues("fail")
    await queue.async_load()
    path = journal_path(hass, "fail")
    path.mkdir(parents=True)
    queue.async_add_call(waiting("u0", "+48600100000", BASE), "CA0")
    queue.note_text("+48600100000", BASE)
    with pytest.raises(IsADirectoryError):
        await queue.async_commit()
    path.rmdir()
    queue.async_add_call(waiting("u1", "+48600100001", BASE), "CA1")
    await queue.async_commit()
    (line,) = journal_lines(hass, "fail")
    assert sorted(raw["uid"] for raw in line["items"]) == ["u0", "u1"]
    assert line["history"] == [["text", "+48600100000", BASE.isoformat()]]
    restored = await crash_copy(hass, hass_storage, queues, "fail", "fail-kill")
    assert state(restored) == state(queue)


async def test_removing_the_storage_deletes_the_journal(
    hass: HomeAssistant, hass_storage: dict[str, Any], queues: Callable[[str], CallbackQueue]
) -> None:
    """Check that removing the entry's storage removes the snapshot and the journal."""
    queue = queues("gone")
    await queue.async_load()
    queue.async_add_call(waiting("u0", "+48600200000", BASE), "CA0")
    await queue.async_snapshot()
    queue.async_add_call(waiting("u1", "+48600200001", BASE), "CA1")
    await queue.async_commit()
    assert journal_path(hass, "gone").exists()
    assert storage_key("gone") in hass_storage
    await queue.async_remove_storage()
    assert not journal_path(hass, "gone").exists()
    assert storage_key("gone") not in hass_storage
    # As at the entry's removal: a queue that was never loaded removes them too.
    queue.async_add_call(waiting("u2", "+48600200002", BASE), "CA2")
    await queue.async_commit()
    assert journal_path(hass, "gone").exists()
    await CallbackQueue(hass, "gone").async_remove_storage()
    assert not journal_path(hass, "gone").exists()


async def test_incoming_call_is_journaled_and_unload_compacts(
    hass: HomeAssistant, sources: None, hass_storage: dict[str, Any], config_dir: Path
) -> None:
    """Check end to end that an answered call's callback and history reach the journal.

    They are there when the action returns (found after a kill); unloading leaves a snapshot
    and no journal.
    """
    entry = await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    response = await incoming(hass, ANNA, call_id="CA-anna")
    assert response["action"] == "voicemail"
    await incoming(hass, BOB)
    queue = entry.runtime_data.callbacks
    lines = journal_lines(hass, entry.entry_id)
    assert lines
    journaled = {raw["uid"] for line in lines for raw in line["items"]}
    assert journaled == {item.uid for item in queue.items}
    history = [tuple(added) for line in lines for added in line["history"]]
    assert ("call", ANNA, queue.history.calls[ANNA][0].isoformat()) in history
    assert ("text", ANNA, queue.history.texts[ANNA][0].isoformat()) in history

    # Killed now: a new queue reads the same files.
    killed = CallbackQueue(hass, "killed")
    hass_storage.pop(storage_key("killed"), None)
    journal_path(hass, "killed").write_bytes(journal_path(hass, entry.entry_id).read_bytes())
    if storage_key(entry.entry_id) in hass_storage:
        hass_storage[storage_key("killed")] = copy.deepcopy(
            hass_storage[storage_key(entry.entry_id)]
        )
    await killed.async_load()
    assert state(killed) == state(queue)
    assert killed.find_call("CA-anna") is not None
    await killed.async_flush()

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert not journal_path(hass, entry.entry_id).exists()
    saved = hass_storage[storage_key(entry.entry_id)]["data"]
    assert saved["journal_seq"] == lines[-1]["seq"]
    assert sorted(raw["uid"] for raw in saved["items"]) == sorted(journaled)


async def test_background_failures_are_logged_and_retried(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    queues: Callable[[str], CallbackQueue],
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Check a change no caller commits while the disk refuses, and a failed compaction.

    The change is logged (no number), kept, and written once the disk is back; a compaction
    that fails is logged and retried.
    """
    queue = queues("retry")
    await queue.async_load()
    path = journal_path(hass, "retry")
    path.mkdir(parents=True)
    queue.async_add_call(waiting("u0", "+48600300000", BASE), None)
    freezer.tick(timedelta(seconds=SAVE_DELAY))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert "Could not save the callback queue (IsADirectoryError)" in caplog.text
    assert "+48600300000" not in caplog.text
    # The snapshot is written; compacting the journal after it fails too.
    caplog.clear()
    freezer.tick(timedelta(seconds=SNAPSHOT_DELAY))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert "Could not save the callback queue (IsADirectoryError)" in caplog.text
    assert [raw["uid"] for raw in hass_storage[storage_key("retry")]["data"]["items"]] == ["u0"]
    path.rmdir()
    queue.async_update("u0", text_status="sent")
    freezer.tick(timedelta(seconds=SAVE_DELAY))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    restored = await crash_copy(hass, hass_storage, queues, "retry", "retry-kill")
    assert state(restored) == state(queue)


def seen(at: datetime, **extra: Any) -> dict[str, Any]:
    """Return a call id's record, as the screener makes it."""
    return {"at": at.timestamp(), "action": "voicemail", "reasons": ["driving"], **extra}


async def test_seen_call_ids_are_bounded_and_survive_a_kill(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    queues: Callable[[str], CallbackQueue],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check how the answered call ids are kept.

    At most SEEN_MAX (the oldest go), journaled with the next commit (found after a kill), in
    the snapshot, and forgotten after SEEN_KEEP.
    """
    freezer.move_to(BASE)
    queue = queues("seen")
    await queue.async_load()
    for index in range(SEEN_MAX + 3):
        queue.note_seen_call(f"CA{index}", seen(BASE + timedelta(seconds=index)))
    assert queue.seen_calls == SEEN_MAX
    assert queue.seen_call("CA2") is None
    assert queue.seen_call("CA3") == seen(BASE + timedelta(seconds=3))
    await queue.async_commit()
    restored = await crash_copy(hass, hass_storage, queues, "seen", "seen-kill")
    assert restored.seen_calls == SEEN_MAX
    assert restored.seen_call(f"CA{SEEN_MAX + 2}") == queue.seen_call(f"CA{SEEN_MAX + 2}")
    # A change keeps the id's place; a snapshot holds them in order.
    queue.note_seen_call("CA3", {**seen(BASE + timedelta(seconds=3)), "missed": True})
    await queue.async_snapshot()
    stored = hass_storage[storage_key("seen")]["data"]["seen_calls"]
    assert list(stored)[:2] == ["CA3", "CA4"]
    assert stored["CA3"]["missed"] is True
    # Past SEEN_KEEP: a new record pushes the old out, and a load drops them too.
    freezer.move_to(BASE + SEEN_KEEP + timedelta(seconds=10))
    later = await crash_copy(hass, hass_storage, queues, "seen", "seen-later")
    assert later.seen_calls == SEEN_MAX - 7  # CA3 to CA9 were answered before BASE + 10 s
    assert later.seen_call("CA9") is None
    assert later.seen_call("CA10") is not None
    queue.note_seen_call("CA-new", seen(BASE + SEEN_KEEP + timedelta(seconds=10)))
    assert queue.seen_calls == SEEN_MAX - 6
    assert queue.seen_call("CA-new") is not None


async def test_todays_stored_format_loads(
    hass: HomeAssistant,
    sources: None,
    hass_storage: dict[str, Any],
    config_dir: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that a 1.2 store and a journal line of today's format load unchanged.

    The 1.2 store keeps no call ids. A call retried with an id of a waiting callback is
    answered alike and, once the callback is done, still is; the store is then 1.3 with the
    old items as they were.
    """
    freezer.move_to(BASE)
    entry = entry_with_clients()
    key = storage_key(entry.entry_id)
    old = waiting("u0", "+48609000000", BASE, call_ids=["CA-old"], text_status="sent").to_json()
    old["text"] = "Sorry, I'm driving."
    other = waiting("u1", "+48609000001", BASE).to_json()
    hass_storage[key] = {
        "version": 1,
        "minor_version": 2,
        "key": key,
        "data": {
            "items": [old],
            "history": {"calls": {"+48609000000": [BASE.isoformat()]}, "texts": {}},
            "journal_seq": 4,
        },
    }
    journal_path(hass, entry.entry_id).parent.mkdir(parents=True, exist_ok=True)
    journal_path(hass, entry.entry_id).write_text(
        json.dumps({"seq": 5, "items": [other], "removed": [], "history": []}) + "\n",
        encoding="utf-8",
    )
    await setup_entry(hass, entry)
    queue = entry.runtime_data.callbacks
    # (The reminders may have marked the items due since: not a stored-format matter.)
    assert [unfired(item.to_json()) for item in queue.items] == [unfired(old), unfired(other)]
    hass.states.async_set(DRIVING, "in_vehicle")
    retried = await incoming(hass, "+48609000000", call_id="CA-old")
    assert (retried["action"], retried["reasons"], retried["text"]) == (
        "voicemail",
        ["driving"],
        "Sorry, I'm driving.",
    )
    assert [item.calls for item in queue.items] == [1, 1]
    queue.async_remove_items(["u0"])  # the callback was made
    again = await incoming(hass, "+48609000000", call_id="CA-old")
    assert (again["action"], again["reasons"]) == ("voicemail", ["driving"])
    assert [item.uid for item in queue.items] == ["u1"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    saved = hass_storage[key]
    assert (saved["version"], saved["minor_version"]) == (1, 3)
    assert [unfired(raw) for raw in saved["data"]["items"]] == [unfired(other)]
    assert list(saved["data"]["seen_calls"]) == ["CA-old"]


def unfired(raw: dict[str, Any]) -> dict[str, Any]:
    """Return a stored item without the reminders' flags."""
    return {key: value for key, value in raw.items() if not key.endswith("_fired")}


async def test_malformed_call_records_are_left_out(
    hass: HomeAssistant,
    sources: None,
    hass_storage: dict[str, Any],
    config_dir: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that stored call records or a step key that can't be read are left out.

    The entry loads, and a call whose record can't be read is screened as a new call.
    """
    freezer.move_to(BASE)
    entry = entry_with_clients()
    key = storage_key(entry.entry_id)
    hass_storage[key] = {
        "version": 1,
        "minor_version": 3,
        "key": key,
        "data": {
            "items": [],
            "history": {},
            "journal_seq": 0,
            "seen_calls": {
                "CA-good": seen(BASE, language="en"),
                "CA-list": ["voicemail"],
                "CA-no-time": {"action": "voicemail"},
                "CA-bad-action": seen(BASE, action="hang up", language="en"),
            },
            "step_key": "not base64!",
        },
    }
    journal_path(hass, entry.entry_id).parent.mkdir(parents=True, exist_ok=True)
    journal_path(hass, entry.entry_id).write_text(
        json.dumps(
            {
                "seq": 1,
                "items": [],
                "removed": [],
                "history": [],
                "seen": [["CA-short"], ["CA-journal", seen(BASE, language="en")]],
                "step_key": "c2hvcnQ=",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    await setup_entry(hass, entry)
    queue = entry.runtime_data.callbacks
    assert queue.seen_calls == 3  # CA-good, CA-bad-action, CA-journal
    hass.states.async_set(DRIVING, "in_vehicle")
    good = await incoming(hass, "+48609000000", call_id="CA-good")
    assert (good["action"], good["reasons"]) == ("voicemail", ["driving"])
    assert queue.items == []  # answered from its record: nothing queued
    fresh = await incoming(hass, "+48609000000", call_id="CA-bad-action")
    assert fresh["action"] == "voicemail"
    assert [item.call_ids for item in queue.items] == [["CA-bad-action"]]
