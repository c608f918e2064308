"""Peak memory of a Home Assistant process with the integration, against one without.

Each run is a fresh Python process (variants alternate) that builds and starts a real
Home Assistant core; the "with" variant also sets up a Client Etiquette entry with
10,000 client sub-entries and 10,000 queued callbacks (with their call history) loaded
from its store, as after a restart. The process then reads its own peak resident set
size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, KiB on Linux).

Run: ``.venv/bin/python -m bench.memory [--quick]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys

# Imported by both variants: the entry class is test scaffolding, not the integration.
import pytest_homeassistant_custom_component.common  # noqa: F401

from ._harness import REPO, Stats, machine, real_hass, table

CLIENTS = 10_000
CALLBACKS = 10_000


async def child(with_integration: bool, clients: int, callbacks: int) -> dict[str, int]:
    """Start a core (with the entry), and report the peak RSS in KiB."""
    async with real_hass() as hass:
        if with_integration:
            from . import scale  # noqa: PLC0415

            entry_id = await scale.add_clients_entry(hass, clients, callbacks)
            entry = hass.config_entries.async_get_entry(entry_id)
            assert entry is not None
            assert len(entry.runtime_data.callbacks.items) == callbacks
            assert len(entry.runtime_data.directory.clients) == clients
        await hass.async_block_till_done()
        return {"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def one_run(variant: str, clients: int, callbacks: int) -> int:
    """Peak RSS (KiB) of one fresh process of ``variant``."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.memory",
            "--child",
            variant,
            "--clients",
            str(clients),
            "--callbacks",
            str(callbacks),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    kib: int = json.loads(out.stdout.strip().splitlines()[-1])["maxrss_kib"]
    return kib


def main(args: argparse.Namespace) -> None:
    """Alternate the variants in fresh processes; print peak RSS and the difference."""
    if args.child:
        result = asyncio.run(child(args.child == "with", args.clients, args.callbacks))
        print(json.dumps(result))
        return
    runs, clients, callbacks = (1, 1_000, 1_000) if args.quick else (4, CLIENTS, CALLBACKS)
    print(machine())
    without: list[float] = []
    with_it: list[float] = []
    for _ in range(runs):
        without.append(one_run("without", clients, callbacks) / 1024)
        with_it.append(one_run("with", clients, callbacks) / 1024)
    added = Stats([w - o for w, o in zip(with_it, without, strict=True)])
    print(
        table(
            ["variant", "runs", "peak RSS MiB median [IQR]", "min-max"],
            [
                [
                    "Home Assistant core, no integration",
                    str(runs),
                    Stats(without).fmt(),
                    f"{min(without):.1f}-{max(without):.1f}",
                ],
                [
                    f"+ Client Etiquette, {clients} clients, {callbacks} callbacks",
                    str(runs),
                    Stats(with_it).fmt(),
                    f"{min(with_it):.1f}-{max(with_it):.1f}",
                ],
                [
                    "added by the integration",
                    str(runs),
                    added.fmt(),
                    f"{added.min:.1f}-{added.max:.1f}",
                ],
            ],
        )
    )
    print(
        f"ratio with/without: {Stats(with_it).median / Stats(without).median:.2f}x; "
        "each run a fresh process, variants alternating."
    )


def run() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few-seconds smoke run")
    parser.add_argument("--child", choices=("with", "without"), help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--callbacks", type=int, default=CALLBACKS, help=argparse.SUPPRESS)
    main(parser.parse_args())


if __name__ == "__main__":
    run()
