"""Time the integration adds to Home Assistant's start.

Cold: every run is a fresh Python process that builds a Home Assistant core (registries,
core config, http), then runs Home Assistant's real start; the "with" variant first adds
a Client Etiquette entry (stand-in sources, 10 clients) so it is set up, which includes
importing the integration and its requirements (phonenumbers). Variants alternate run by
run. Warm: the same in one process, modules already imported, a fresh core per round.

Reported: the set-up-to-started time of each variant and the difference (what the
integration adds), median and spread over the runs.

Run: ``.venv/bin/python -m bench.startup [--quick]``
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
    """A Client Etiquette entry on calm stand-in sources with a few clients."""
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
    main(parser.parse_args())


if __name__ == "__main__":
    run()
