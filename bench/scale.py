"""How the cost grows: readiness updates with 1-200 sources, calls with 10-10,000 clients.

Part 1, sources: four entries in one real Home Assistant core watch 1, 10, 50 and 200
stand-in sources (spread over the driving, phone-state, do-not-disturb and signal lists).
Each flip sets one source to a blocking value or back (round robin over all sources, so
every flip changes the verdict) and is awaited until every entity has written its state.
Baseline: the same flip of an entity nobody watches. The ratio column is the marginal cost
against the 1-source entry.

Part 2, calls: the ``client_etiquette.incoming_call`` action with a response, from random
known callers (a fresh call id each), timed until the response ("response") and until the
follow-up work has run ("settled"). Baseline: a no-op action with a response registered
in the same core. Two groups, interleaved in one core:
- ring: entries with 10, 1,000 and 10,000 client sub-entries, ready, so calls ring
  through and nothing is queued: every variant gets the same calls, only the directory
  size differs (a dict lookup by normalised number must keep this flat);
- voicemail: snoozed entries, so every call queues a callback (the most work): 10 clients
  and an empty queue, against 10,000 clients plus 10,000 queued callbacks (and their call
  history) loaded from the entry's store, as after a restart (their "call back now"
  reminders already fired).

Run: ``.venv/bin/python -m bench.scale [--quick] [--part sources|calls]``
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from datetime import timedelta
import gc
import json
from pathlib import Path
import random
import time
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.client_etiquette.const import DOMAIN
from custom_components.client_etiquette.core.phone import read_number

from ._harness import Stats, client_number, clients, e164, machine, real_hass, table

SOURCE_COUNTS = (1, 10, 50, 200)
CLIENT_COUNTS = (10, 1_000, 10_000)
QUEUED = 10_000
# Option key -> (calm value, blocking value) of a stand-in source of that kind.
KINDS = {
    "driving_entities": ("still", "in_vehicle"),
    "phone_state_entities": ("idle", "offhook"),
    "dnd_entities": ("off", "priority_only"),
    "signal_entities": ("-85", "-115"),
}


# --- part 1: sources ------------------------------------------------------------------


def source_ids(count: int) -> list[tuple[str, str, tuple[str, str]]]:
    """(entity id, option key, (calm, blocking)) of ``count`` sources, kinds round robin."""
    kinds = list(KINDS.items())
    result = []
    for index in range(count):
        key, values = kinds[index % len(kinds)]
        result.append((f"sensor.s{count}_src{index}", key, values))
    return result


async def add_sources_entry(hass: HomeAssistant, count: int) -> list[tuple[str, tuple[str, str]]]:
    """Return an entry watching ``count`` calm sources; returns the sources to flip."""
    options: dict[str, Any] = {key: [] for key in KINDS}
    options["weak_signal_dbm"] = -110
    sources = source_ids(count)
    for entity_id, key, (calm, _) in sources:
        hass.states.async_set(entity_id, calm)
        options[key].append(entity_id)
    entry = MockConfigEntry(domain=DOMAIN, title=f"{count} sources", options=options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return [(entity_id, values) for entity_id, _, values in sources]


async def flip_round(
    hass: HomeAssistant, sources: list[tuple[str, tuple[str, str]]], n: int
) -> float:
    """Seconds per flip over ``n`` flips, round robin over the sources."""
    gc.collect()
    start = time.perf_counter()
    for i in range(n):
        entity_id, (calm, blocking) = sources[(i // 2) % len(sources)]
        hass.states.async_set(entity_id, calm if i & 1 else blocking)
        await hass.async_block_till_done()
    return (time.perf_counter() - start) / n


async def bench_sources(rounds: int, n: int) -> None:
    """Part 1: marginal cost per flip against the number of configured sources."""
    async with real_hass() as hass:
        variants: dict[str, list[tuple[str, tuple[str, str]]]] = {
            "bare": [("sensor.nobody_watches", ("a", "b"))]
        }
        hass.states.async_set("sensor.nobody_watches", "a")
        for count in SOURCE_COUNTS:
            variants[str(count)] = await add_sources_entry(hass, count)
        times: dict[str, list[float]] = {name: [] for name in variants}
        for sources in variants.values():  # warm-up
            await flip_round(hass, sources, n)
        names = list(variants)
        for index in range(rounds):
            shift = index % len(names)
            for name in names[shift:] + names[:shift]:
                times[name].append(await flip_round(hass, variants[name], n))
    bare = times["bare"]
    marginal = {
        name: [t - b for t, b in zip(times[name], bare, strict=True)]
        for name in variants
        if name != "bare"
    }
    one = marginal[str(SOURCE_COUNTS[0])]
    rows = [["bare bus (no listener)", Stats(bare).fmt(1e6), "", ""]]
    for count in SOURCE_COUNTS:
        ratios = Stats([m / o for m, o in zip(marginal[str(count)], one, strict=True)])
        rows.append(
            [
                f"{count} sources",
                Stats(marginal[str(count)]).fmt(1e6),
                f"{ratios.median:.2f}x",
                f"{ratios.q1:.2f}-{ratios.q3:.2f}",
            ]
        )
    print("Part 1: readiness update cost per source flip (verdict changes on every flip)")
    print(table(["configured sources", "us/flip median [IQR]", "vs 1 source", "ratio IQR"], rows))
    print(
        f"{rounds} rounds x {n} flips per variant, interleaved; rows other than the bare bus "
        "are the marginal cost over it, paired per round."
    )


# --- part 2: calls --------------------------------------------------------------------


def write_queue(hass: HomeAssistant, entry_id: str, count: int, *, due_fired: bool = True) -> None:
    """Store a callback queue of ``count`` waiting clients with their call history.

    ``due_fired``: whether each item's "call back now" reminder already fired before the
    restart (the steady state); with ``False`` every item is due at the first check.
    """
    from custom_components.client_etiquette.callbacks.models import CallbackItem  # noqa: PLC0415
    from custom_components.client_etiquette.callbacks.store import (  # noqa: PLC0415
        STORAGE_MINOR_VERSION,
        STORAGE_VERSION,
    )

    now = dt_util.utcnow()
    items = []
    calls: dict[str, list[str]] = {}
    for index in range(count):
        at = now - timedelta(minutes=count - index)
        item = CallbackItem(
            uid=f"uid{index}",
            key=e164(index),
            name=f"Caller {index}",
            number=e164(index),
            client_id=None,
            language="en",
            reasons=["on_call"],
            calls=1,
            first_call=at,
            last_call=at,
            promised_at=None,
            due_fired=due_fired,
        )
        items.append(item.to_json())
        calls[e164(index)] = [at.isoformat()]
    path = Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.callbacks"))
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "version": STORAGE_VERSION,
                "minor_version": STORAGE_MINOR_VERSION,
                "key": f"{DOMAIN}.{entry_id}.callbacks",
                "data": {"items": items, "history": {"calls": calls, "texts": {}}},
            }
        ),
        encoding="utf-8",
    )


async def add_clients_entry(
    hass: HomeAssistant, count: int, queued: int = 0, *, snoozed: bool = True
) -> str:
    """Return an entry with ``count`` clients and ``queued`` stored callbacks, snoozed or ready."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"{count} clients",
        options={"default_region": "PL"},
        subentries_data=clients(count),
    )
    if queued:
        write_queue(hass, entry.entry_id, queued)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    if snoozed:
        await hass.services.async_call(
            DOMAIN,
            "snooze",
            {"config_entry_id": entry.entry_id, "duration": {"hours": 48}},
            blocking=True,
        )
    await hass.async_block_till_done()
    return entry.entry_id


async def call_round(
    hass: HomeAssistant,
    entry_id: str | None,
    count: int,
    n: int,
    rng: random.Random,
    *,
    actions: Counter[str] | None = None,
    cold: bool = False,
) -> tuple[list[float], list[float]]:
    """Per-call seconds until the response and until settled, for ``n`` calls.

    ``actions`` counts the answers ("ring", "voicemail"): a voicemail variant whose
    callers called again within the repeat window rings them through. ``cold``: the
    parsed-number cache is emptied (untimed) before each call, so every variant parses
    every number, whatever the number of callers.
    """
    responses: list[float] = []
    settled: list[float] = []
    gc.collect()
    for _ in range(n):
        index = rng.randrange(count)
        if entry_id is None:
            domain, service = "bench", "noop"
            data: dict[str, Any] = {"number": client_number(index)}
        else:
            domain, service = DOMAIN, "incoming_call"
            data = {
                "config_entry_id": entry_id,
                "number": client_number(index),
                "call_id": f"c{rng.getrandbits(64):x}",
            }
        if cold:
            read_number.cache_clear()
        start = time.perf_counter()
        response = await hass.services.async_call(
            domain, service, data, blocking=True, return_response=True
        )
        responded = time.perf_counter()
        await hass.async_block_till_done()
        done = time.perf_counter()
        assert response is not None
        if actions is not None:
            actions[str(response["action"])] += 1
        responses.append(responded - start)
        settled.append(done - start)
    return responses, settled


async def bench_calls(
    rounds: int, n: int, client_counts: tuple[int, ...], queued: int, *, cold: bool = False
) -> None:
    """Part 2: incoming_call decision time against clients and queued callbacks."""
    rng = random.Random(6)
    async with real_hass() as hass:

        async def noop(call: ServiceCall) -> ServiceResponse:
            return {"action": "ring"}

        hass.services.async_register("bench", "noop", noop, supports_response=SupportsResponse.ONLY)
        variants: dict[str, tuple[str | None, int]] = {"no-op action": (None, 10)}
        for count in client_counts:
            start = time.perf_counter()
            entry_id = await add_clients_entry(hass, count, snoozed=False)
            print(f"  set-up with {count} clients: {time.perf_counter() - start:.2f} s")
            variants[f"ring: {count} clients"] = (entry_id, count)
        smallest, biggest = client_counts[0], client_counts[-1]
        variants[f"voicemail: {smallest} clients, empty queue"] = (
            await add_clients_entry(hass, smallest),
            smallest,
        )
        # The same callers and commits as the queued variant below, with nothing queued
        # before: the like-for-like base for "flat in the queue's size" (2c).
        variants[f"voicemail: {biggest} clients, empty queue"] = (
            await add_clients_entry(hass, biggest),
            biggest,
        )
        start = time.perf_counter()
        entry_id = await add_clients_entry(hass, biggest, queued)
        print(
            f"  set-up with {biggest} clients + {queued} callbacks: "
            f"{time.perf_counter() - start:.2f} s"
        )
        variants[f"voicemail: {biggest} clients, {queued} queued"] = (entry_id, biggest)
        # A call from a client with no waiting callback merges nothing: warm every path.
        for entry_id, count in variants.values():
            await call_round(hass, entry_id, count, 5, rng)
        response: dict[str, list[float]] = {name: [] for name in variants}
        settled: dict[str, list[float]] = {name: [] for name in variants}
        actions: dict[str, Counter[str]] = {name: Counter() for name in variants}
        names = list(variants)
        for index in range(rounds):
            shift = index % len(names)
            for name in names[shift:] + names[:shift]:
                entry_id, count = variants[name]
                got, done = await call_round(
                    hass, entry_id, count, n, rng, actions=actions[name], cold=cold
                )
                response[name].extend(got)
                settled[name].extend(done)
    rows = []
    for name in names:
        group = "voicemail" if name.startswith("voicemail") else "ring"
        base = next(other for other in names if other.startswith(group))
        got_stats, done_stats = Stats(response[name]), Stats(settled[name])
        base_got, base_done = Stats(response[base]).median, Stats(settled[base]).median
        rows.append(
            [
                name,
                got_stats.fmt(1e6),
                f"{got_stats.median / base_got:.2f}x",
                done_stats.fmt(1e6),
                f"{done_stats.median / base_done:.2f}x",
                f"{done_stats.max * 1e3:.1f}",
                " ".join(f"{action} {seen}" for action, seen in sorted(actions[name].items())),
            ]
        )
    print("Part 2: incoming_call decision time, random known callers")
    print(
        table(
            [
                "variant",
                "response us [IQR]",
                "vs group's 1st",
                "settled us [IQR]",
                "vs group's 1st",
                "max ms",
                "answers",
            ],
            rows,
        )
    )
    print(
        f"{rounds} rounds x {n} calls per variant, interleaved; each call timed on its own; "
        "'answers': what the timed calls were answered (a repeat call within the repeat "
        "window rings through, also in a voicemail variant)"
        + ("; the parsed-number cache emptied before each call." if cold else ".")
    )


async def main(args: argparse.Namespace) -> None:
    """Run the parts asked for."""
    print(machine())
    if args.part in ("sources", "all"):
        rounds, n = (4, 100) if args.quick else (20, 400)
        await bench_sources(rounds, n)
    if args.part in ("calls", "all"):
        if args.quick:
            await bench_calls(3, 20, (10, 100, 1_000), 1_000, cold=args.cold_numbers)
        else:
            await bench_calls(6, 30, CLIENT_COUNTS, QUEUED, cold=args.cold_numbers)


def run() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few-seconds smoke run")
    parser.add_argument("--part", choices=("sources", "calls", "all"), default="all")
    parser.add_argument(
        "--cold-numbers",
        action="store_true",
        help="empty the parsed-number cache before each call (every variant parses)",
    )
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    run()
