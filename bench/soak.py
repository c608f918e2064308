"""Soak: a real ``hass`` SIGKILLed during bursts of signed voice calls (issue #7).

Each cycle:

1. starts (or restarts) ``hass -c <tmpdir>`` with http on 127.0.0.1, the webhook
   integration, a template sensor that says "driving" (so every call goes to voicemail
   with a text), and a Client Etiquette entry pre-written in ``.storage`` whose texts go
   to a Twilio-like server in this process (which records every message);
2. fires a burst of voice webhook requests signed with the ``twilio`` package's
   RequestValidator while Twilio answers 503 (texts queue up), and SIGKILLs hass in the
   middle of it;
3. restarts hass, brings Twilio back, replays some calls that were acknowledged before
   the kill (a provider retrying), waits for the queued texts, stops hass cleanly and
   reads ``.storage``.

It checks that every call answered with TwiML before the kill has its callback in the
restored queue, that no number got two texts, and that the texts queued before the kill
were sent after the restart; and prints the figures.

    .venv/bin/python -m bench.soak            # about 2-3 minutes
    .venv/bin/python -m bench.soak --short    # about 40 s, one cycle
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
import json
import os
from pathlib import Path
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

REPO = Path(__file__).resolve().parent.parent
HASS = Path(sys.executable).with_name("hass")
ENTRY_ID = "01SOAK0000000000000000000E"
TOKEN = secrets.token_hex(16)
SID = "AC" + secrets.token_hex(16)
VOICE_ID = secrets.token_urlsafe(32)
INTERRUPTED_PREFIX = "Interrupted while sending"


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FakeTwilio:
    """Stand in for Twilio's Messages endpoint; with ``up`` False it answers 503.

    Records accepted messages and lists them (newest first, by ``To``) like Twilio's message list.
    """

    up: bool = False
    sent: list[tuple[str, str]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    refused: int = 0
    lookups: int = 0

    async def messages(self, request: web.Request) -> web.Response:
        """Accept a message like Twilio, or refuse it with 503 while down."""
        form = await request.post()
        if not self.up:
            self.refused += 1
            return web.json_response({"code": 20500, "message": "down"}, status=503)
        self.sent.append((str(form["To"]), str(form["Body"])))
        self.created.append(format_datetime(datetime.now(UTC)))
        sid = f"SM{len(self.sent):032d}"
        return web.json_response({"sid": sid, "status": "queued"}, status=201)

    async def message_list(self, request: web.Request) -> web.Response:
        """List the messages sent to the ``To`` number, as Twilio's message list does."""
        self.lookups += 1
        to = request.query.get("To")
        found = [
            {"to": number, "body": body, "date_created": created}
            for (number, body), created in zip(self.sent, self.created, strict=True)
            if number == to
        ]
        return web.json_response({"messages": found[::-1][:50]})


def write_config(config: Path, http_port: int, twilio_base: str) -> None:
    """configuration.yaml, the integration (symlinked) and the pre-written entry."""
    (config / "custom_components").mkdir(parents=True, exist_ok=True)
    link = config / "custom_components" / "client_etiquette"
    if not link.exists():
        link.symlink_to(REPO / "custom_components" / "client_etiquette")
    (config / "configuration.yaml").write_text(
        f"""homeassistant:
  name: Soak
  time_zone: Europe/Warsaw
  country: PL
  unit_system: metric
  latitude: 52.23
  longitude: 21.01
  elevation: 100
  # The address the load signs for: the webhook trusts Home Assistant's own addresses only.
  internal_url: http://127.0.0.1:{http_port}
http:
  server_host: 127.0.0.1
  server_port: {http_port}
webhook:
template:
  - sensor:
      - name: Soak activity
        state: in_vehicle
logger:
  default: warning
""",
        encoding="utf-8",
    )
    now = datetime.now(UTC).isoformat()
    entry = {
        "created_at": now,
        "modified_at": now,
        "data": {},
        "discovery_keys": {},
        "disabled_by": None,
        "domain": "client_etiquette",
        "entry_id": ENTRY_ID,
        "minor_version": 1,
        "version": 1,
        "options": {
            "driving_entities": ["sensor.soak_activity"],
            "default_region": "PL",
            "sender_name": "Soak",
            "max_texts_per_hour": 100000,
            "texting_backend": "twilio",
            "twilio_account_sid": SID,
            "twilio_auth_token": TOKEN,
            "twilio_from_number": "+48221234567",
            "twilio_api_base": twilio_base,
            "voice_webhook_id": VOICE_ID,
            "forward_number": "+48601000111",
        },
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": [],
        "title": "Soak",
        "unique_id": None,
    }
    storage = config / ".storage"
    storage.mkdir(exist_ok=True)
    (storage / "core.config_entries").write_text(
        json.dumps(
            {
                "version": 1,
                "minor_version": 5,
                "key": "core.config_entries",
                "data": {"entries": [entry]},
            }
        ),
        encoding="utf-8",
    )


def start_hass(config: Path) -> subprocess.Popen[bytes]:
    """Start Home Assistant on ``config``, logging to ``soak-hass.log``."""
    log = (config / "soak-hass.log").open("ab")
    return subprocess.Popen(
        [str(HASS), "-c", str(config), "--skip-pip"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stored(config: Path, name: str) -> list[dict[str, Any]]:
    """Return the items of one of the entry's stores, or none when it is not written yet."""
    path = config / ".storage" / f"client_etiquette.{ENTRY_ID}.{name}"
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["data"]["items"])


def stored_callbacks(config: Path) -> tuple[list[dict[str, Any]], int]:
    """Return the callbacks on disk: the snapshot plus the journal lines newer than it.

    hass is stopped cleanly before this is read, so the journal is normally empty (its
    lines are folded into the snapshot at stop); replaying it here keeps the count true
    if that final write did not happen. Also returns how many lines were replayed.
    """
    path = config / ".storage" / f"client_etiquette.{ENTRY_ID}.callbacks"
    snapshot = json.loads(path.read_text(encoding="utf-8"))["data"] if path.exists() else {}
    items = {item["uid"]: item for item in snapshot.get("items", [])}
    after = snapshot.get("journal_seq", 0)
    replayed = 0
    journal = path.with_name(path.name + ".journal")
    lines = journal.read_bytes().split(b"\n") if journal.exists() else []
    for raw in lines:
        try:
            line = json.loads(raw)
        except ValueError:
            break  # a torn last write: its commit never answered anyone
        if line["seq"] <= after:
            continue
        replayed += 1
        items.update((item["uid"], item) for item in line["items"])
        for uid in line["removed"]:
            items.pop(uid, None)
    return list(items.values()), replayed


class Caller:
    """Signs and posts voice webhook requests the way Twilio does."""

    def __init__(self, session: aiohttp.ClientSession, port: int) -> None:
        """Aim at the voice webhook of the Home Assistant on ``port``."""
        self.session = session
        self.url = f"http://127.0.0.1:{port}/api/webhook/{VOICE_ID}"
        self.validator = RequestValidator(TOKEN)

    async def call(self, number: str, call_sid: str) -> bool:
        """Return True when hass answered with TwiML (the call was acknowledged)."""
        form = {"CallSid": call_sid, "From": number, "To": "+48221234567", "AccountSid": SID}
        headers = {
            "X-Twilio-Signature": self.validator.compute_signature(self.url, form),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            async with self.session.post(
                self.url, data=urlencode(form), headers=headers, timeout=aiohttp.ClientTimeout(5)
            ) as response:
                text = await response.text()
        except (aiohttp.ClientError, TimeoutError):
            return False
        return response.status == 200 and "<Response>" in text

    async def wait_live(self, deadline: float) -> float:
        """Seconds until the webhook answers with TwiML (a throw-away call per try)."""
        started = time.monotonic()
        while time.monotonic() < deadline:
            if await self.call("+48600000000", f"CAprobe{secrets.token_hex(8)}"):
                return time.monotonic() - started
            await asyncio.sleep(0.2)
        raise TimeoutError("hass did not come up")


def duplicates(twilio: FakeTwilio) -> int:
    """Texts beyond the first to any number, over the whole run."""
    per_number = Counter(to for to, _ in twilio.sent)
    return sum(count - 1 for count in per_number.values() if count > 1)


def interrupted(config: Path) -> int:
    """Count outbox items cut off in flight by a kill.

    They are looked up in Twilio's list, not resent when it had them.
    """
    return sum(
        1
        for item in stored(config, "outbox")
        if str(item.get("last_error") or "").startswith(INTERRUPTED_PREFIX)
    )


@dataclass
class CycleResult:
    """What one soak cycle counted."""

    calls: int = 0
    acknowledged: int = 0
    callbacks_found: int = 0
    lost: int = 0
    duplicates: int = 0
    queued_at_kill: int = 0
    sent_after_restart: int = 0
    interrupted: int = 0
    replayed: int = 0
    recover_s: float = 0.0
    texts_total: int = 0
    # Callback journal lines newer than the snapshot: on disk at the kill (the restart
    # replays them), and left after the clean stop (normally 0: folded into the snapshot).
    journal_at_kill: int = 0
    journal_lines: int = 0


async def cycle(  # noqa: PLR0915, PLR0917 (one cycle reads best as one sequence)
    number: int,
    config: Path,
    twilio: FakeTwilio,
    session: aiohttp.ClientSession,
    port: int,
    rng: random.Random,
    burst_s: float,
) -> CycleResult:
    """Run one cycle: a burst of calls, a kill, a restart, and a count of what survived."""
    result = CycleResult()
    caller = Caller(session, port)
    # Duplicates and interruptions are counted over the whole run; a cycle adds its share.
    duplicates_before = duplicates(twilio)
    interrupted_before = interrupted(config)
    twilio.up = False
    proc = start_hass(config)
    try:
        await caller.wait_live(time.monotonic() + 120)
        acknowledged: list[tuple[str, str]] = []
        kill_at = time.monotonic() + burst_s * rng.uniform(0.4, 0.8)
        killed = asyncio.Event()
        pool = [f"+4860{number:02d}{i:05d}" for i in range(400)]
        counter = 0

        async def worker(worker_id: int) -> None:
            nonlocal counter
            while not killed.is_set():
                counter += 1
                call_sid = f"CA{number:02d}{worker_id:02d}{counter:08d}"
                caller_number = pool[counter % len(pool)]
                result.calls += 1
                if await caller.call(caller_number, call_sid) and not killed.is_set():
                    acknowledged.append((caller_number, call_sid))

        async def killer() -> None:
            await asyncio.sleep(max(0.0, kill_at - time.monotonic()))
            os.killpg(proc.pid, signal.SIGKILL)
            killed.set()

        await asyncio.gather(killer(), *(worker(n) for n in range(16)))
        proc.wait()
        # Acknowledgements that raced the kill signal are still acknowledgements.
        result.acknowledged = len(acknowledged)
        result.journal_at_kill = stored_callbacks(config)[1]
        at_kill = [item for item in stored(config, "outbox") if item["state"] == "pending"]
        # In flight at the kill: reported as "may have been sent", never resent (by design).
        pending_at_kill = [item for item in at_kill if not item.get("sending")]
        result.queued_at_kill = len(pending_at_kill)
        sent_before = len(twilio.sent)

        # Restart; Twilio is back.
        restarted = time.monotonic()
        twilio.up = True
        proc = start_hass(config)
        await caller.wait_live(time.monotonic() + 120)
        replay = acknowledged[-20:]
        for caller_number, call_sid in replay:
            await caller.call(caller_number, call_sid)
        result.replayed = len(replay)
        wanted = {item["id"] for item in pending_at_kill}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            outbox = {
                item["id"]: item for item in await asyncio.to_thread(stored, config, "outbox")
            }
            if all(outbox.get(i, {}).get("state") != "pending" for i in wanted):
                break
            await asyncio.sleep(0.5)
        result.recover_s = time.monotonic() - restarted
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 60)

        outbox = {item["id"]: item for item in stored(config, "outbox")}
        result.sent_after_restart = sum(
            1 for i in wanted if outbox.get(i, {}).get("state") == "sent"
        )
        result.interrupted = interrupted(config) - interrupted_before
        result.texts_total = len(twilio.sent) - sent_before
        items, result.journal_lines = stored_callbacks(config)
        call_ids = {call_id for item in items for call_id in item.get("call_ids", [])}
        found = sum(1 for _, call_sid in acknowledged if call_sid in call_ids)
        result.callbacks_found = found
        result.lost = result.acknowledged - found
        result.duplicates = duplicates(twilio) - duplicates_before
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return result


async def main(args: argparse.Namespace) -> int:
    """Run the soak with the fake Twilio and report; return the exit code."""
    rng = random.Random(args.seed)
    twilio = FakeTwilio()
    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", twilio.messages)
    app.router.add_get("/2010-04-01/Accounts/{sid}/Messages.json", twilio.message_list)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    twilio_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", twilio_port).start()
    port = free_port()
    results: list[CycleResult] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        config = Path(tmp)
        write_config(config, port, f"http://127.0.0.1:{twilio_port}")
        async with aiohttp.ClientSession() as session:
            for number in range(args.cycles):
                if number and time.monotonic() - started > args.budget:
                    break
                try:
                    result = await cycle(number, config, twilio, session, port, rng, args.burst)
                except TimeoutError:
                    log = (config / "soak-hass.log").read_text(encoding="utf-8", errors="replace")
                    print(f"hass did not come up; the end of its log:\n{log[-4000:]}")
                    raise
                results.append(result)
                print(f"cycle {number + 1}: {result}", flush=True)
        if args.keep_log:
            print((config / "soak-hass.log").read_text(encoding="utf-8")[-4000:])
    await runner.cleanup()

    def total(name: str) -> int:
        return sum(int(getattr(result, name)) for result in results)

    recover = [result.recover_s for result in results]
    print()
    print(f"cycles                       {len(results)}  ({time.monotonic() - started:.0f} s)")
    print(f"calls sent                   {total('calls')}")
    print(f"acknowledged (TwiML) by kill {total('acknowledged')}")
    print(f"callbacks found after kill   {total('callbacks_found')}")
    print(f"  journal lines at kill      {total('journal_at_kill')}  (replayed at restart)")
    print(f"  journal lines after stop   {total('journal_lines')}")
    print(f"acknowledged but lost        {total('lost')}")
    print(f"texts queued at kill         {total('queued_at_kill')}")
    print(f"  sent after restart         {total('sent_after_restart')}")
    print(
        f"interrupted in flight        {total('interrupted')}  "
        f"(looked up before any resend: {twilio.lookups} lookups)"
    )
    print(f"replayed acknowledged calls  {total('replayed')}")
    print(f"duplicate texts (per number) {total('duplicates')}")
    print(
        f"time to recover (s)          median {statistics.median(recover):.1f}, "
        f"min {min(recover):.1f}, max {max(recover):.1f}"
    )
    failed = total("lost") or total("duplicates")
    failed = failed or total("sent_after_restart") != total("queued_at_kill")
    print("RESULT", "FAIL" if failed else "PASS")
    return 1 if failed else 0


def parse() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="one cycle, about 40 s")
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--budget", type=float, default=150.0, help="seconds; no new cycle after")
    parser.add_argument("--burst", type=float, default=8.0, help="seconds of burst per cycle")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-log", action="store_true", help="print the end of hass's log")
    args = parser.parse_args()
    if args.short:
        args.cycles, args.budget = 1, 40.0
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
