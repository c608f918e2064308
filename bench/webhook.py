"""Signed Twilio-style voice webhook requests through Home Assistant's real HTTP server.

A real Home Assistant core serves HTTP on 127.0.0.1 (a free port). In it: a Client
Etiquette entry with the Twilio-compatible voice webhook enabled (auth token, forward
number, 100 clients, calm stand-in sources, so calls ring through: signature check,
form parsing, screening, ``<Dial>`` TwiML), and two baselines served by the same
instance: a no-op webhook that answers a constant TwiML document without reading the
request, and Home Assistant's own ``twilio`` integration (a config entry of it, set up
as the integration does): its webhook reads the form and fires ``twilio_data_received``
on the bus, which is what a user would otherwise install (with an automation on that
event, not counted here).

The load comes from a separate process (so client and server do not share one event
loop): a fixed number of concurrent keep-alive connections posting form-encoded requests
for a fixed time, each with a fresh ``CallSid``, a random client's number and a valid
``X-Twilio-Signature`` (HMAC-SHA1 of the URL and the sorted fields, signed before the
timed window). Variants alternate round by round.

Target: our throughput >= 0.8 of the no-op's; p50/p99 latency printed, and our
throughput against both baselines (the ratios, per round, median and IQR).

The table also gives the server process's CPU time per request (all its threads,
``time.process_time``): the event loop is CPU-bound under this load, so this is what a
change must lower to raise the throughput, and it is less disturbed than req/s by
other processes on a shared machine.

Run: ``.venv/bin/python -m bench.webhook [--quick] [--profile ours|noop]``
(``--profile`` needs pyinstrument: ``.venv/bin/pip install -r bench/requirements.txt``;
it profiles the serving process only, during one load round of that webhook.)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import random
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession, TCPConnector, web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ._harness import (
    DOMAIN,
    REPO,
    Stats,
    client_number,
    clients,
    free_port,
    machine,
    options,
    percentile,
    real_hass,
    set_calm,
    table,
)

TARGET = 0.8
TOKEN = "0123456789abcdef0123456789abcdef"
VOICE_ID = "bench-voice-webhook-id-0123456789"
NOOP_ID = "bench-noop-webhook-id-0123456789"
TWILIO_ID = "bench-twilio-webhook-id-0123456789"
CLIENTS = 100
NOOP = "no-op webhook"
TWILIO = "HA twilio integration"
OURS = "voice webhook (ours)"
PROFILE_VARIANTS = {"ours": OURS, "noop": NOOP, "twilio": TWILIO}
NOOP_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>'


# --- the load generator (child process) -------------------------------------------------


def sign(url: str, fields: list[tuple[str, str]]) -> str:
    """Twilio's request signature: HMAC-SHA1 over the URL and the sorted name+value pairs."""
    payload = url + "".join(name + value for name, value in sorted(fields))
    digest = hmac.new(TOKEN.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_requests(url: str, count: int, seed: int) -> list[tuple[bytes, str]]:
    """``count`` distinct signed call requests (body, signature)."""
    rng = random.Random(seed)
    requests = []
    for index in range(count):
        fields = [
            ("AccountSid", "AC" + "0" * 32),
            ("CallSid", f"CA{seed:08x}{index:024x}"),
            ("From", client_number(rng.randrange(CLIENTS)).replace(" ", "")),
            ("To", "+48221234567"),
            ("CallStatus", "ringing"),
            ("Direction", "inbound"),
        ]
        requests.append((urlencode(fields).encode(), sign(url, fields)))
    return requests


async def load(url: str, seconds: float, concurrency: int, seed: int) -> dict[str, Any]:
    """Post signed requests for ``seconds``; latencies in seconds and the status counts."""
    pool = signed_requests(url, 200_000 if seconds > 2 else 20_000, seed)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    cursor = 0
    stop_at = 0.0

    async def worker(session: ClientSession) -> None:
        nonlocal cursor
        while time.perf_counter() < stop_at:
            body, signature = pool[cursor % len(pool)]
            cursor += 1
            start = time.perf_counter()
            async with session.post(
                url,
                data=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature,
                },
            ) as response:
                await response.read()
            latencies.append(time.perf_counter() - start)
            statuses[response.status] = statuses.get(response.status, 0) + 1

    async with ClientSession(connector=TCPConnector(limit=concurrency)) as session:
        stop_at = time.perf_counter() + 0.3  # warm the connections
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        warm = len(latencies)
        latencies.clear()
        statuses.clear()
        start = time.perf_counter()
        stop_at = start + seconds
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses, "warm": warm}


# --- the server side ------------------------------------------------------------------


async def set_up(hass: HomeAssistant, port: int) -> str:
    """Our entry with the voice webhook, and the no-op webhook; a note on the wiring."""
    await hass.config.async_update(internal_url=f"http://127.0.0.1:{port}")
    assert await async_setup_component(hass, "webhook", {})
    set_calm(hass, "a")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="My phone",
        options={
            **options("a"),
            "default_region": "PL",
            "voice_webhook_id": VOICE_ID,
            "twilio_auth_token": TOKEN,
            "forward_number": "+48601000000",
            "dial_timeout": 20,
        },
        subentries_data=clients(CLIENTS),
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    note = "registered by the integration's set-up"

    async def noop(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
        return web.Response(text=NOOP_TWIML, content_type="text/xml")

    webhook.async_register(hass, "bench", "no-op", NOOP_ID, noop, local_only=False)
    twilio = MockConfigEntry(domain="twilio", data={"webhook_id": TWILIO_ID})
    twilio.add_to_hass(hass)
    assert await hass.config_entries.async_setup(twilio.entry_id)
    return note


async def check(session: ClientSession, url: str) -> str:
    """One signed request; the TwiML answered (and the status must be 200)."""
    body, signature = signed_requests(url, 1, 999)[0]
    async with session.post(
        url,
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    ) as response:
        text = await response.text()
        assert response.status == 200, (response.status, text)
        return text


async def run_load(url: str, seconds: float, concurrency: int, seed: int) -> dict[str, Any]:
    """Run the load generator in its own process, while this loop serves; return its result."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.webhook",
        "--load",
        url,
        "--seconds",
        str(seconds),
        "--concurrency",
        str(concurrency),
        "--seed",
        str(seed),
        cwd=REPO,
        stdout=subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def profile(url: str, seconds: float, concurrency: int) -> None:
    """One load round on ``url`` with pyinstrument sampling this (the serving) process."""
    from pyinstrument import Profiler  # noqa: PLC0415 - optional, for --profile only

    profiler = Profiler(interval=0.0002, async_mode="disabled")
    profiler.start()
    result = await run_load(url, seconds, concurrency, seed=3)
    profiler.stop()
    print(f"{len(result['latencies'])} requests in {result['elapsed']:.1f} s")
    print(profiler.output_text(unicode=False, color=False, show_all=False))


async def main(args: argparse.Namespace) -> None:
    """Serve, alternate the load on both webhooks, print the table."""
    rounds, seconds = (1, 1.0) if args.quick else (5, 4.0)
    concurrency = args.concurrency
    print(machine())
    port = free_port()
    async with real_hass(http_port=port) as hass:
        note = await set_up(hass, port)
        urls = {
            NOOP: f"http://127.0.0.1:{port}/api/webhook/{NOOP_ID}",
            TWILIO: f"http://127.0.0.1:{port}/api/webhook/{TWILIO_ID}",
            OURS: f"http://127.0.0.1:{port}/api/webhook/{VOICE_ID}",
        }
        async with ClientSession() as session:
            answer = await check(session, urls[OURS])
            await check(session, urls[TWILIO])
        assert "<Dial" in answer, answer
        print(f"voice webhook: {note}; a signed call answers <Dial> TwiML")
        if args.profile:
            await profile(urls[PROFILE_VARIANTS[args.profile]], seconds, concurrency)
            return
        rates: dict[str, list[float]] = {name: [] for name in urls}
        cpu: dict[str, list[float]] = {name: [] for name in urls}
        latencies: dict[str, list[float]] = {name: [] for name in urls}
        statuses: dict[str, dict[str, int]] = {name: {} for name in urls}
        names = list(urls)
        for index in range(rounds):
            shift = index % len(names)
            for name in names[shift:] + names[:shift]:
                cpu_before = time.process_time()
                result = await run_load(urls[name], seconds, concurrency, seed=index * 2 + 7)
                served = len(result["latencies"])
                # Over the warm-up requests too, and the idle wait while the load process
                # starts (a slight overestimate, the same for both variants).
                cpu[name].append(
                    (time.process_time() - cpu_before) / max(served + result["warm"], 1)
                )
                rates[name].append(served / result["elapsed"])
                latencies[name].extend(result["latencies"])
                for status, count in result["statuses"].items():
                    statuses[name][status] = statuses[name].get(status, 0) + count
    rows = []
    for name in names:
        rows.append(
            [
                name,
                Stats(rates[name]).fmt(digits=0),
                _ratio(rates[name], rates[NOOP]),
                _ratio(rates[name], rates[TWILIO]),
                Stats(cpu[name]).fmt(scale=1e6, digits=0),
                f"{percentile(latencies[name], 50) * 1e3:.2f}",
                f"{percentile(latencies[name], 99) * 1e3:.2f}",
                str(len(latencies[name])),
                ",".join(f"{k}:{v}" for k, v in sorted(statuses[name].items())),
            ]
        )
    print(
        table(
            [
                "webhook",
                "req/s median [IQR]",
                "vs no-op",
                "vs HA twilio",
                "server CPU us/req",
                "p50 ms",
                "p99 ms",
                "requests",
                "HTTP status",
            ],
            rows,
        )
    )
    ours = Stats([r / n for r, n in zip(rates[OURS], rates[NOOP], strict=True)]).median
    print(
        f"{rounds} rounds x {seconds:.0f} s per webhook, {concurrency} keep-alive connections "
        "from a separate process, rotating the order; p50/p99 over every request of the "
        "variant; ratios per round."
    )
    print(
        f"ours against the no-op {ours:.2f}, against Home Assistant's twilio integration "
        f"{_ratio(rates[OURS], rates[TWILIO])}"
    )
    print(
        f"target (>= {TARGET} of the no-op's throughput): {'met' if ours >= TARGET else 'MISSED'}"
    )


def _ratio(rates: list[float], baseline: list[float]) -> str:
    """Say the per-round throughput ratio: median [IQR]."""
    ratio = Stats([r / b for r, b in zip(rates, baseline, strict=True)])
    return f"{ratio.median:.2f} [{ratio.q1:.2f}-{ratio.q3:.2f}]"


def run() -> None:
    """Command-line entry point (``--load`` is the load generator's child mode)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few-seconds smoke run")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (default 8)")
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILE_VARIANTS),
        help="profile the serving process during one round of this webhook (pyinstrument)",
    )
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=4.0, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        print(json.dumps(asyncio.run(load(args.load, args.seconds, args.concurrency, args.seed))))
        return
    asyncio.run(main(args))


if __name__ == "__main__":
    run()
