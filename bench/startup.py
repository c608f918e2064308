"""Time the integration adds to Home Assistant's start.

Cold: every run is a fresh Python process that builds a Home Assistant core (registries,
core config, http), then runs Home Assistant's real start; the "with" variant first adds
a Client Etiquette entry (stand-in sources, 10 clients) so it is set up, which includes
importing the integration and its requirements (phonenumbers). Variants alternate run by
run. Warm: the same in one process, modules already imported, a fresh core per round.

Reported: the set-up-to-started time of each variant and the difference (what the
integration adds), median and spread over the runs.

Queue: the entry's set-up time (in process, a fresh started core per run) with a stored
callback queue, as after a restart: empty; ``--queued`` items whose "call back now"
reminder already fired (the steady state); the same number whose reminder is due at the
first check (readiness returned while Home Assistant was down). The ratio is against the
empty queue of the same round.

Run: ``.venv/bin/python -m bench.startup [--quick] [--part queue [--queued N] [--profile]]``
(``--profile`` needs pyinstrument: ``.venv/bin/pip install -r bench/requirements.txt``)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time

from homeassistant.core import HomeAssistant

# Imported by both variants: the entry class is test scaffolding, not part of a real start.
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ._harness import DOMAIN, REPO, Stats, clients, machine, options, real_hass, set_calm, table

CLIENTS = 10


async def add_entry(hass: HomeAssistant) -> None:
    """Add a Client Etiquette entry on calm stand-in sources with a few clients."""
    set_calm(hass, "a")
    entry = MockConfigEntry(
        domain=DOMAIN, title="My phone", options=options("a"), subentries_data=clients(CLIENTS)
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)


async def one_start(with_integration: bool) -> float:
    """Seconds from an empty core to "started", with or without our entry."""
    async with real_hass(start=False) as hass:
        start = time.perf_counter()
        if with_integration:
            await add_entry(hass)
        await hass.async_start()
        await hass.async_block_till_done()
        took = time.perf_counter() - start
        if with_integration:
            assert hass.config_entries.async_entries(DOMAIN)[0].state.recoverable
        return took


async def queue_setup(count: int, *, due: bool) -> float:
    """Seconds to set up an entry whose store holds ``count`` callbacks, until settled."""
    # Imported here: the cold runs must import the integration inside the timed window.
    from .scale import write_queue  # noqa: PLC0415

    async with real_hass() as hass:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Queue",
            options={"default_region": "PL"},
            subentries_data=clients(CLIENTS),
        )
        if count:
            write_queue(hass, entry.entry_id, count, due_fired=not due)
        entry.add_to_hass(hass)
        start = time.perf_counter()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        took = time.perf_counter() - start
        if due and count:
            queue = entry.runtime_data.callbacks
            assert all(item.due_fired for item in queue.items), "every reminder fired"
        return took


async def queue_rounds(rounds: int, count: int) -> dict[str, list[float]]:
    """Time the set-up per variant, alternating, after one warm-up set-up."""
    await queue_setup(0, due=False)
    variants = {
        "empty queue": (0, False),
        f"{count} queued, reminders fired": (count, False),
        f"{count} queued, reminders due": (count, True),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, (queued, due) in variants.items():
            times[name].append(await queue_setup(queued, due=due))
    return times


def queue_table(times: dict[str, list[float]]) -> str:
    """Tabulate set-up time per variant and its ratio to the empty queue, paired per round."""
    names = list(times)
    empty = times[names[0]]
    rows = []
    for name in names:
        ratios = Stats([t / e for t, e in zip(times[name], empty, strict=True)])
        stats = Stats(times[name])
        rows.append(
            [
                name,
                str(stats.n),
                stats.fmt(1e3),
                f"{stats.min * 1e3:.1f}-{stats.max * 1e3:.1f}",
                f"{ratios.median:.2f}x",
            ]
        )
    return table(["entry set-up", "runs", "ms median [IQR]", "min-max", "vs empty"], rows)


async def profile_queue(count: int) -> None:
    """Where a set-up with ``count`` due reminders spends its time (pyinstrument)."""
    from pyinstrument import Profiler  # noqa: PLC0415

    profiler = Profiler(async_mode="disabled", interval=0.0005)
    profiler.start()
    await queue_setup(count, due=True)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


def cold_run(with_integration: bool) -> float:
    """One cold start in a fresh interpreter."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.startup",
            "--child",
            "with" if with_integration else "without",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    took: float = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
    return took


def row(label: str, without: list[float], with_it: list[float]) -> list[str]:
    """One table row: both variants and the paired difference, in milliseconds."""
    added = Stats([w - o for w, o in zip(with_it, without, strict=True)])
    return [
        label,
        str(len(without)),
        Stats(without).fmt(1e3),
        Stats(with_it).fmt(1e3),
        added.fmt(1e3),
        f"{added.min * 1e3:.1f}-{added.max * 1e3:.1f}",
    ]


async def warm(rounds: int) -> tuple[list[float], list[float]]:
    """In-process starts, alternating, after one of each to import everything."""
    await one_start(True)
    await one_start(False)
    without: list[float] = []
    with_it: list[float] = []
    for _ in range(rounds):
        without.append(await one_start(False))
        with_it.append(await one_start(True))
    return without, with_it


def main(args: argparse.Namespace) -> None:
    """Cold runs in subprocesses, then warm runs in this process; print the table."""
    if args.child:
        took = asyncio.run(one_start(args.child == "with"))
        print(json.dumps({"seconds": took}))
        return
    cold_runs, warm_rounds = (2, 3) if args.quick else (6, 15)
    print(machine())
    if args.part == "queue":
        queued = args.queued or (200 if args.quick else 1_000)
        times = asyncio.run(queue_rounds(2 if args.quick else 5, queued))
        print(queue_table(times))
        if args.profile:
            asyncio.run(profile_queue(queued))
        print(
            "in process, a fresh started core per run, variants alternating; time from "
            "async_setup of the entry until every follow-up has run; ratio paired per round."
        )
        return
    cold_without: list[float] = []
    cold_with: list[float] = []
    for _ in range(cold_runs):
        cold_without.append(cold_run(False))
        cold_with.append(cold_run(True))
    warm_without, warm_with = asyncio.run(warm(warm_rounds))
    print(
        table(
            [
                "start",
                "runs",
                "without ms [IQR]",
                "with ms [IQR]",
                "added ms [IQR]",
                "added min-max",
            ],
            [
                row("cold (new process)", cold_without, cold_with),
                row("warm (imported)", warm_without, warm_with),
            ],
        )
    )
    print(
        f"'with' = one entry, {CLIENTS} clients, 11 stand-in sources, every platform; time "
        "from an empty core to 'started'; 'added' is paired run by run."
    )


def run() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few-seconds smoke run")
    parser.add_argument("--child", choices=("with", "without"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--part", choices=("start", "queue"), default="start", help="start (default) or queue"
    )
    parser.add_argument("--queued", type=int, default=0, help="callbacks for --part queue")
    parser.add_argument("--profile", action="store_true", help="pyinstrument, for --part queue")
    main(parser.parse_args())


if __name__ == "__main__":
    run()
