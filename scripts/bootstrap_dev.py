"""Bootstrap the development Home Assistant that `scripts/develop` starts.

Waits until Home Assistant answers, then does whatever is still missing, so it is safe to
run on every start:

1. onboarding: the owner `dev` / `dev-password`, then the remaining onboarding steps;
2. a long-lived access token in `config/.dev_token` (for curl and browser tests);
3. a local calendar "Work" (config-entry only) with two demo events;
4. a dashboard "Client Etiquette" with the readiness entities and the stand-ins;
5. a Client Etiquette entry "My phone" wired to the demo helpers (unless
   `--no-demo-entry`: scripts/browser-test adds it through the UI instead).

It uses only Home Assistant's public HTTP and WebSocket APIs, as the browser does.
Exit status: 0 all done, 2 Home Assistant runs but the Client Etiquette entry could not
be created, 1 anything else.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, time, timedelta
import itertools
import json
import os
from pathlib import Path
import sys
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "http://127.0.0.1:8123"
USER_NAME = "Developer"
USERNAME = "dev"
PASSWORD = "dev-password"  # documented, local-only development login
LANGUAGE = "en"
CALENDAR_NAME = "Work"
ENTRY_NAME = "My phone"
TOKEN_FILE = ".dev_token"
DASHBOARD_URL = "client-etiquette"
# The entity ids Home Assistant gives an entry named ENTRY_NAME.
READY = "binary_sensor.my_phone_client_call_ready"
POLL_SECONDS = 0.5
ONBOARDING_STEPS = ("user", "core_config", "analytics", "integration")
# Onboarding's core_config step sets these up; they need the internet (met, radio_browser,
# google_translate) or are just noise here, so the bootstrap removes them again.
ONBOARDING_EXTRAS = frozenset({"google_translate", "met", "radio_browser", "shopping_list"})


class BootstrapError(Exception):
    """A step failed; the message says which and why."""


class EntryError(BootstrapError):
    """The Client Etiquette entry could not be created (Home Assistant itself runs)."""


def log(message: str) -> None:
    """Print a progress line, distinguishable from Home Assistant's own log."""
    print(f"[develop] {message}", flush=True)


def client_etiquette_form(calendars: list[str]) -> dict[str, Any]:
    """Return the user step of the Client Etiquette config flow, wired to the demo helpers."""
    return {
        "name": ENTRY_NAME,
        "activity": {
            "driving_entities": ["input_select.phone_activity", "input_boolean.android_auto"],
            # Own-car evidence too: Android Auto off means parked, so the drive ends at once.
            "car_entities": ["input_boolean.android_auto"],
        },
        "phone": {
            "phone_state_entities": ["input_select.phone_state"],
            "dnd_entities": ["input_select.do_not_disturb"],
            "signal_entities": ["input_number.signal_strength"],
            "weak_signal_dbm": -110,
        },
        "calendar": {"calendar_entities": calendars, "meeting_keywords": []},
        "location": {
            "tracker_entity": "device_tracker.demo_phone",
            "dead_zones": ["zone.metro"],
            "noisy_zones": ["zone.bar"],
            "public_zones": ["zone.library"],
        },
        "hours": {"schedule_entity": "schedule.business_hours"},
    }


class Api:
    """A thin client for Home Assistant's REST and WebSocket APIs."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Talk to the Home Assistant at `url`."""
        self.session = session
        self.url = url.rstrip("/")
        self.client_id = f"{self.url}/"
        self.token: str | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        form: dict[str, str] | None = None,
        token: str | None = None,
    ) -> tuple[int, Any]:
        """Send one request; return the status and the decoded body."""
        bearer = token or self.token
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        async with self.session.request(
            method, self.url + path, json=body, data=form, headers=headers
        ) as response:
            text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request that must succeed; return the decoded body."""
        status, result = await self.request(method, path, **kwargs)
        if status not in (200, 201):
            raise BootstrapError(f"{method} {path} answered HTTP {status}: {result}")
        return result

    async def ws(self, message: dict[str, Any]) -> Any:
        """Send one WebSocket command with the current token; return its result."""
        ws_url = self.url.replace("http", "ws", 1) + "/api/websocket"
        async with self.session.ws_connect(ws_url) as socket:
            await socket.receive_json()  # auth_required
            await socket.send_json({"type": "auth", "access_token": self.token})
            if (answer := await socket.receive_json())["type"] != "auth_ok":
                raise BootstrapError(f"WebSocket authentication failed: {answer}")
            await socket.send_json({"id": 1, **message})
            answer = await socket.receive_json()
        if not answer.get("success"):
            raise BootstrapError(f"WebSocket {message['type']} failed: {answer.get('error')}")
        return answer["result"]


async def wait_until_answering(
    api: Api, config_dir: Path, deadline: float, pid: int | None
) -> list[Any]:
    """Wait until the HTTP server answers; return the onboarding steps.

    Once onboarding is complete Home Assistant no longer serves /api/onboarding (404), so
    the steps are read from its store then, and the REST API answering is enough.
    """
    loop = asyncio.get_running_loop()
    onboarded = onboarding_done(config_dir)
    for attempt in itertools.count():
        try:
            if onboarded:
                status, _ = await api.request("GET", "/api/")
                if status in (200, 401):
                    return [{"step": step, "done": True} for step in ONBOARDING_STEPS]
            else:
                status, steps = await api.request("GET", "/api/onboarding")
                if status == 200 and isinstance(steps, list):
                    return steps
        except aiohttp.ClientError:
            pass
        if attempt == 0:
            log(f"waiting for Home Assistant at {api.url} (a first start takes longer)")
        if pid is not None and not process_alive(pid):
            raise BootstrapError("Home Assistant exited; see config/home-assistant.log")
        if loop.time() > deadline:
            raise BootstrapError(f"Home Assistant did not answer at {api.url} in time")
        await asyncio.sleep(POLL_SECONDS)
    raise AssertionError  # unreachable: itertools.count() never ends


def onboarding_done(config_dir: Path) -> bool:
    """Return True when Home Assistant's onboarding store lists every step as done."""
    try:
        store = json.loads((config_dir / ".storage" / "onboarding").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    done = store.get("data", {}).get("done", []) if isinstance(store, dict) else []
    return set(ONBOARDING_STEPS) <= set(done)


def process_alive(pid: int) -> bool:
    """Return True while the process exists (and is not a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


async def exchange_code(api: Api, code: str) -> str:
    """Exchange an authorization code for an access token."""
    tokens = await api.call(
        "POST",
        "/auth/token",
        form={"grant_type": "authorization_code", "code": code, "client_id": api.client_id},
    )
    return str(tokens["access_token"])


async def create_owner(api: Api) -> str:
    """Onboarding's first step: create the owner; return an access token."""
    log(f"onboarding: creating the owner {USERNAME!r} (password {PASSWORD!r})")
    answer = await api.call(
        "POST",
        "/api/onboarding/users",
        body={
            "client_id": api.client_id,
            "name": USER_NAME,
            "username": USERNAME,
            "password": PASSWORD,
            "language": LANGUAGE,
        },
    )
    return await exchange_code(api, answer["auth_code"])


async def log_in(api: Api) -> str:
    """Log in with the development password through the login flow; return a token."""
    flow = await api.call(
        "POST",
        "/auth/login_flow",
        body={
            "client_id": api.client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{api.client_id}?auth_callback=1",
        },
    )
    answer = await api.call(
        "POST",
        f"/auth/login_flow/{flow['flow_id']}",
        body={"client_id": api.client_id, "username": USERNAME, "password": PASSWORD},
    )
    if answer.get("type") != "create_entry":
        raise BootstrapError(
            f"cannot log in as {USERNAME!r} with the development password ({answer}); "
            f"put a long-lived access token into config/{TOKEN_FILE}"
        )
    return await exchange_code(api, answer["result"])


async def token_works(api: Api, token: str) -> bool:
    """Return True when the token is accepted by the REST API."""
    status, _ = await api.request("GET", "/api/", token=token)
    return status == 200


def read_token(token_file: Path) -> str:
    """Return the stored long-lived token, or "" when there is none."""
    try:
        return token_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def write_token(token_file: Path, token: str) -> None:
    """Store a long-lived token, readable only by its owner."""
    descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(f"{token}\n")


async def authenticate(api: Api, token_file: Path, session_token: str | None) -> None:
    """Use the stored long-lived token, or make and store a new one after logging in."""
    stored = read_token(token_file)
    if stored and await token_works(api, stored):
        api.token = stored
        return
    api.token = session_token or await log_in(api)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    api.token = await api.ws(
        {
            "type": "auth/long_lived_access_token",
            "client_name": f"scripts/develop {stamp}",
            "lifespan": 3650,
        }
    )
    write_token(token_file, api.token)
    log(f"stored a long-lived access token in {token_file}")


async def finish_onboarding(api: Api, done: dict[str, bool]) -> None:
    """Complete the onboarding steps after the user one, as the browser would."""
    bodies: dict[str, dict[str, Any]] = {
        "core_config": {},
        "analytics": {},
        "integration": {
            "client_id": api.client_id,
            "redirect_uri": f"{api.client_id}?auth_callback=1",
        },
    }
    for step, finished in done.items():
        if finished or step == "user":
            continue
        if step not in bodies:
            log(f"onboarding: unknown step {step!r} left for the browser")
            continue
        log(f"onboarding: {step}")
        await api.call("POST", f"/api/onboarding/{step}", body=bodies[step])


async def wait_until_running(api: Api, deadline: float) -> dict[str, Any]:
    """Wait until Home Assistant has finished starting; return its configuration."""
    loop = asyncio.get_running_loop()
    while True:
        config: dict[str, Any] = await api.call("GET", "/api/config")
        if config.get("state") == "RUNNING":
            return config
        if loop.time() > deadline:
            raise BootstrapError(f"Home Assistant is still {config.get('state')}")
        await asyncio.sleep(POLL_SECONDS)


async def entries_of(api: Api, domain: str) -> list[dict[str, Any]]:
    """Return the config entries of one integration."""
    entries = await api.call("GET", f"/api/config/config_entries/entry?domain={domain}")
    return [entry for entry in entries if entry.get("domain") == domain]


async def remove_onboarding_extras(api: Api, just_onboarded: bool) -> None:
    """Remove the integrations onboarding sets up on its own (see ONBOARDING_EXTRAS)."""
    seen: set[str] = set()
    for _ in range(10 if just_onboarded else 1):
        entries = await api.call("GET", "/api/config/config_entries/entry")
        for entry in entries:
            if entry.get("source") == "onboarding" and entry["domain"] in ONBOARDING_EXTRAS:
                await api.call("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")
                log(f"removed {entry['domain']!r}, which onboarding set up")
                seen.add(entry["domain"])
        # Their flows start in the background: give them a moment after onboarding.
        if seen >= ONBOARDING_EXTRAS - {"google_translate"}:
            break
        if just_onboarded:
            await asyncio.sleep(1)


async def entity_ids_of(api: Api, entry_id: str) -> list[str]:
    """Return the entities that belong to one config entry."""
    registry = await api.ws({"type": "config/entity_registry/list"})
    return sorted(e["entity_id"] for e in registry if e.get("config_entry_id") == entry_id)


async def wait_for_entities(api: Api, entry_id: str, tries: int = 15) -> list[str]:
    """Return the entities of a new config entry, once they have been registered."""
    for _ in range(tries):
        if entity_ids := await entity_ids_of(api, entry_id):
            return entity_ids
        await asyncio.sleep(1)
    return []


async def ensure_calendar(api: Api, config: dict[str, Any]) -> list[str]:
    """Ensure a local calendar with demo events; return its calendar entities."""
    for entry in await entries_of(api, "local_calendar"):
        if entity_ids := await entity_ids_of(api, entry["entry_id"]):
            return entity_ids
    log(f"creating the local calendar {CALENDAR_NAME!r}")
    flow = await api.call(
        "POST", "/api/config/config_entries/flow", body={"handler": "local_calendar"}
    )
    fields = {field["name"] for field in flow.get("data_schema", [])}
    answer = {"calendar_name": CALENDAR_NAME}
    if "import" in fields:
        answer["import"] = "create_empty"
    result = await api.call(
        "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", body=answer
    )
    if result.get("type") != "create_entry":
        raise BootstrapError(f"local calendar flow did not create an entry: {result}")
    entity_ids = await wait_for_entities(api, result["result"]["entry_id"])
    if entity_ids:
        await add_demo_events(api, entity_ids[0], ZoneInfo(config["time_zone"]))
    return entity_ids


async def add_demo_events(api: Api, calendar: str, tz: ZoneInfo) -> None:
    """Two meetings in the coming working days, to see `in_meeting` and ready-again."""
    day = datetime.now(tz).date() + timedelta(days=1)
    events = []
    for summary, start, hours in (
        ("Design review with Acme (demo)", time(10), 1),
        ("Workshop with Globex (demo)", time(14), 2),
    ):
        while day.weekday() >= 5:
            day += timedelta(days=1)
        begin = datetime.combine(day, start, tz)
        events.append((summary, begin, begin + timedelta(hours=hours)))
        day += timedelta(days=1)
    for summary, begin, end in events:
        await api.call(
            "POST",
            "/api/services/calendar/create_event",
            body={
                "entity_id": calendar,
                "summary": summary,
                "start_date_time": begin.isoformat(),
                "end_date_time": end.isoformat(),
            },
        )
        log(f"calendar event {summary!r} on {begin:%a %d %b %H:%M}")


def fit_to_schema(answer: dict[str, Any], schema: list[dict[str, Any]]) -> dict[str, Any]:
    """Keep only the fields the form asks for (sections included); warn about the rest."""
    fields = {field["name"]: field for field in schema}
    fitted: dict[str, Any] = {}
    for key, value in answer.items():
        field = fields.get(key)
        if field is None:
            log(f"warning: the Client Etiquette form has no field {key!r}; left out")
        elif field.get("type") == "expandable" and isinstance(value, dict):
            fitted[key] = fit_to_schema(value, field.get("schema", []))
        else:
            fitted[key] = value
    return fitted


async def ensure_client_etiquette(api: Api, calendars: list[str]) -> None:
    """Ensure a Client Etiquette entry wired to the demo helpers."""
    if entries := await entries_of(api, "client_etiquette"):
        for entry in entries:
            log(f"Client Etiquette entry {entry['title']!r} already set up ({entry['state']})")
        return
    log(f"creating the Client Etiquette entry {ENTRY_NAME!r}")
    status, flow = await api.request(
        "POST", "/api/config/config_entries/flow", body={"handler": "client_etiquette"}
    )
    if status != 200 or flow.get("type") != "form":
        raise EntryError(f"cannot start the Client Etiquette config flow: HTTP {status}: {flow}")
    answer = fit_to_schema(client_etiquette_form(calendars), flow.get("data_schema", []))
    status, result = await api.request(
        "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", body=answer
    )
    if status != 200 or result.get("type") != "create_entry":
        if isinstance(result, dict) and result.get("errors"):
            result = {k: result.get(k) for k in ("errors", "description_placeholders")}
        raise EntryError(f"the Client Etiquette config flow answered HTTP {status}: {result}")
    entity_ids = await wait_for_entities(api, result["result"]["entry_id"])
    log(f"Client Etiquette entry {ENTRY_NAME!r}: {', '.join(entity_ids) or 'no entities'}")


def dashboard_config(calendars: list[str]) -> dict[str, Any]:
    """Return the demo dashboard: readiness of the entry "My phone" beside its stand-ins."""
    return {
        "title": "Client Etiquette",
        "views": [
            {
                "title": "Demo",
                "path": "demo",
                "cards": [
                    {
                        "type": "entities",
                        "title": "Client call readiness",
                        "entities": [
                            {"entity": READY, "name": "Ready for a client call"},
                            {
                                "type": "attribute",
                                "entity": READY,
                                "attribute": "reasons",
                                "name": "All reasons",
                            },
                            {"entity": "sensor.my_phone_reason", "name": "Reason"},
                            {"entity": "sensor.my_phone_ready_again", "name": "Ready again"},
                            {"entity": "select.my_phone_mode", "name": "Mode"},
                        ],
                    },
                    {
                        "type": "entities",
                        "title": "Calls",
                        "entities": [
                            {"entity": "event.my_phone_client_call", "name": "Last client call"},
                            {"entity": "todo.my_phone_callbacks", "name": "Callbacks to make"},
                        ],
                    },
                    {
                        "type": "entities",
                        "title": "Phone (stand-ins)",
                        "entities": [
                            "input_select.phone_activity",
                            "input_boolean.android_auto",
                            "input_select.phone_state",
                            "input_select.do_not_disturb",
                            "input_number.signal_strength",
                        ],
                    },
                    {
                        "type": "entities",
                        "title": "Where and when",
                        "entities": [
                            "input_select.location",
                            "device_tracker.demo_phone",
                            "schedule.business_hours",
                            *calendars,
                        ],
                    },
                ],
            }
        ],
    }


async def ensure_dashboard(api: Api, calendars: list[str]) -> None:
    """Ensure a storage-mode dashboard in the sidebar, made once."""
    dashboards = await api.ws({"type": "lovelace/dashboards/list"})
    if any(board.get("url_path") == DASHBOARD_URL for board in dashboards):
        return
    log(f"creating the dashboard /{DASHBOARD_URL}")
    await api.ws(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD_URL,
            "title": "Client Etiquette",
            "icon": "mdi:phone-clock",
            "show_in_sidebar": True,
            "require_admin": False,
            "mode": "storage",
        }
    )
    await api.ws(
        {
            "type": "lovelace/config/save",
            "url_path": DASHBOARD_URL,
            "config": dashboard_config(calendars),
        }
    )


async def bootstrap(args: argparse.Namespace) -> int:
    """Run every step; return the exit status."""
    token_file = args.config / TOKEN_FILE
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        api = Api(session, args.url)
        deadline = asyncio.get_running_loop().time() + args.timeout
        steps = await wait_until_answering(api, args.config, deadline, args.pid)
        done = {step["step"]: bool(step["done"]) for step in steps}
        session_token = None if done.get("user", True) else await create_owner(api)
        if not all(done.values()):
            # The integration step needs a token from a login, not a long-lived one.
            api.token = session_token = session_token or await log_in(api)
            await finish_onboarding(api, done)
        await authenticate(api, token_file, session_token)
        config = await wait_until_running(api, deadline)
        await remove_onboarding_extras(api, not done.get("core_config", True))
        calendars = await ensure_calendar(api, config)
        await ensure_dashboard(api, calendars)
        status = 0
        if args.demo_entry:
            try:
                await ensure_client_etiquette(api, calendars)
            except EntryError as err:
                log(f"WARNING: {err}")
                status = 2
    log(f"Home Assistant is ready at {args.url} - log in as {USERNAME!r} / {PASSWORD!r}")
    log(f"demo dashboard: {args.url}/{DASHBOARD_URL}/demo")
    log(f'API token: {token_file} (curl -H "Authorization: Bearer $(cat {token_file})")')
    return status


def main() -> int:
    """Parse the command line and bootstrap."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default=os.environ.get("HASS_URL", DEFAULT_URL))
    parser.add_argument("--config", type=Path, default=REPO / "config")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for HA")
    parser.add_argument("--pid", type=int, help="give up when this process (hass) exits")
    parser.add_argument(
        "--no-demo-entry",
        dest="demo_entry",
        action="store_false",
        help="leave the Client Etiquette entry to the UI (scripts/browser-test)",
    )
    args = parser.parse_args()
    try:
        return asyncio.run(bootstrap(args))
    except (BootstrapError, aiohttp.ClientError, TimeoutError) as err:
        log(f"ERROR: {err}")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
