"""Stored data written before the layout (commit 1920031) loads unchanged.

The files in fixtures/stored_1920031/.storage were written by that version's code
(fixtures/stored_1920031/README.md says how): a callback snapshot with a journal newer
than it, and an outbox holding a sent, a failed, an unsure and a pending text.
expected.json is what that version showed right before the files were taken (the
to-do descriptions' lines since put in today's order: the card shows the first three).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncGenerator, Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
import json
from pathlib import Path
import shutil
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import storage
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.client_etiquette.const import DOMAIN

from . import DRIVING, setup_entry

FIXTURE = Path(__file__).parent / "fixtures" / "stored_1920031"
ENTRY: dict[str, Any] = json.loads((FIXTURE / "entry.json").read_text(encoding="utf-8"))
EXPECTED: dict[str, Any] = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))
OPTIONS: dict[str, Any] = ENTRY["options"]
TODO = "todo.my_phone_callbacks"
# Callback item fields newer than the stored files, and what they load as: a client's
# reply (issue #17), the voice menu, the transcript and the follow-up (issue #18).
NEW_ITEM_FIELDS: dict[str, Any] = {
    "reply": None,
    "reply_at": None,
    "reply_urgent": False,
    "reply_time": None,
    "reply_alert": False,
    "urgent": False,
    "reason_text": None,
    "transcript": None,
    "transcript_failed": False,
    "followed_up": False,
}
BOB = "+48602000111"
UNKNOWN = "+48604777888"

# Home Assistant's own Store I/O: the test harness keeps stores in memory, this test
# reads and writes the real files in the config directory.
_REAL_LOAD = storage.Store._async_load
_REAL_WRITE = storage.Store._async_write_data


@contextlib.contextmanager
def real_storage() -> Iterator[None]:
    """Let every Store read and write its file under the config directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage.Store, "_async_load", _REAL_LOAD)
        patch.setattr(storage.Store, "_async_write_data", _REAL_WRITE)
        yield


@dataclass
class FakeTwilio:
    """Twilio's Messages resource: what it had accepted before the restart, and after."""

    accepted: list[dict[str, str]]
    requests: list[tuple[str, str]] = field(default_factory=list)
    base: str = ""

    def app(self) -> web.Application:
        """Return the two routes the outbox uses: send (POST) and look up (GET)."""
        app = web.Application()
        path = f"/2010-04-01/Accounts/{OPTIONS['twilio_account_sid']}/Messages.json"
        app.router.add_post(path, self.send)
        app.router.add_get(path, self.look_up)
        return app

    @staticmethod
    def _authorized(request: web.Request) -> bool:
        """Whether the request has the stored credentials (HTTP basic authentication)."""
        credentials = f"{OPTIONS['twilio_account_sid']}:{OPTIONS['twilio_auth_token']}"
        expected = "Basic " + base64.b64encode(credentials.encode()).decode("ascii")
        return request.headers.get("Authorization") == expected

    async def send(self, request: web.Request) -> web.Response:
        """Accept a message."""
        form = await request.post()
        self.requests.append(("POST", str(form["To"])))
        if not self._authorized(request):
            return web.json_response({"code": 20003}, status=401)
        self.accepted.append(
            {
                "to": str(form["To"]),
                "from": str(form["From"]),
                "body": str(form["Body"]),
                "created": dt_util.utcnow().isoformat(),
            }
        )
        return web.json_response({"sid": "SM" + "2" * 32, "status": "queued"}, status=201)

    async def look_up(self, request: web.Request) -> web.Response:
        """Return the latest messages to a number, newest first."""
        to = request.query["To"]
        self.requests.append(("GET", to))
        if not self._authorized(request):
            return web.json_response({"code": 20003}, status=401)
        found = [
            {
                "sid": f"SM{index:032d}",
                "to": message["to"],
                "from": message["from"],
                "body": message["body"],
                "date_created": format_datetime(datetime.fromisoformat(message["created"])),
            }
            for index, message in reversed(list(enumerate(self.accepted)))
            if message["to"] == to and request.query.get("From", message["from"]) == message["from"]
        ]
        return web.json_response({"messages": found})


@pytest.fixture
async def twilio(socket_enabled: None) -> AsyncGenerator[FakeTwilio]:
    """Yield the fake Twilio on 127.0.0.1, knowing what the old version's texts left there."""
    fake = FakeTwilio(accepted=[dict(message) for message in EXPECTED["twilio_accepted"]])
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


def stored_entry(api_base: str) -> MockConfigEntry:
    """Return the entry the files belong to, with its clients (their ids are in the files)."""
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=ENTRY["entry_id"],
        title=ENTRY["title"],
        version=ENTRY["version"],
        minor_version=ENTRY["minor_version"],
        options={**OPTIONS, "twilio_api_base": api_base},
        subentries_data=[ConfigSubentryData(**sub) for sub in ENTRY["subentries"]],  # type: ignore[typeddict-item]
    )


def copy_storage(hass: HomeAssistant) -> list[str]:
    """Copy the old version's files into the config directory's .storage."""
    target = Path(hass.config.path(storage.STORAGE_DIR))
    target.mkdir(parents=True, exist_ok=True)
    names = sorted(path.name for path in (FIXTURE / ".storage").iterdir())
    for name in names:
        shutil.copyfile(FIXTURE / ".storage" / name, target / name)
    return names


async def diagnostics(
    hass: HomeAssistant, user: MockUser, client_factory: ClientSessionGenerator
) -> dict[str, Any]:
    """Return the entry's diagnostics download (a token made at the frozen time)."""
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    token = hass.auth.async_create_access_token(refresh)
    client = await client_factory()
    resp = await client.get(
        f"/api/diagnostics/config_entry/{ENTRY['entry_id']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status == 200
    return dict((await resp.json())["data"])


def without_new_fields(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check the item fields added since the files were written hold their defaults; drop them."""
    for item in items:
        for key, default in NEW_ITEM_FIELDS.items():
            assert item.pop(key) == default, key
    return items


async def todo_items(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Return the callbacks to-do list's items."""
    result = await hass.services.async_call(
        "todo", "get_items", {"entity_id": TODO}, blocking=True, return_response=True
    )
    return list(result[TODO]["items"])  # type: ignore[index,call-overload]


async def advance_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, iso: str) -> None:
    """Move the clock, fire what is due and let the sends finish."""
    freezer.move_to(iso)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_old_files_load_unchanged(
    hass: HomeAssistant,
    sources: None,
    twilio: FakeTwilio,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: MockUser,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Callbacks, history, call ids, journal and outbox come back as the old version left them.

    The text whose outcome was unknown is looked up first, found accepted and not sent
    again; the pending text is sent exactly once; the failed one is left alone.
    """
    freezer.move_to(EXPECTED["now"])
    hass.states.async_set(DRIVING, "in_vehicle")  # as when the files were taken
    assert copy_storage(hass) == [
        f"{DOMAIN}.{ENTRY['entry_id']}.{suffix}"
        for suffix in ("callbacks", "callbacks.journal", "outbox")
    ]
    assert await async_setup_component(hass, "diagnostics", {})
    with real_storage():
        entry = await setup_entry(hass, stored_entry(twilio.base))

        assert await todo_items(hass) == EXPECTED["todo_items"]
        shown = await diagnostics(hass, hass_admin_user, hass_client_no_auth)
        shown["callbacks"] = without_new_fields(shown["callbacks"])
        for part in ("callbacks", "calls", "texting"):
            assert shown[part] == EXPECTED[part], part
        assert twilio.requests == []  # nothing is due yet

        # A provider retrying an answered call id gets the same answer; nothing is added.
        for number, call_id, name in ((UNKNOWN, "CA0004", "unknown"), (BOB, "CA0003", "bob")):
            response = await hass.services.async_call(
                DOMAIN,
                "incoming_call",
                {"number": number, "call_id": call_id},
                blocking=True,
                return_response=True,
            )
            assert response == EXPECTED["responses"][name]
        shown = await diagnostics(hass, hass_admin_user, hass_client_no_auth)
        assert without_new_fields(shown["callbacks"]) == EXPECTED["callbacks"]

        # Bob's text (outcome unknown) is due first: looked up, found, not sent again;
        # that success sends the text waiting in backoff at once, and only once.
        await advance_to(hass, freezer, "2026-12-03T08:03:10+00:00")
        assert twilio.requests == [("GET", BOB), ("POST", UNKNOWN)]
        await advance_to(hass, freezer, "2026-12-03T09:12:40+00:00")
        assert twilio.requests == [("GET", BOB), ("POST", UNKNOWN)]

        shown = await diagnostics(hass, hass_admin_user, hass_client_no_auth)
        assert shown["texting"] == {"pending": 0, "failing": False}
        # Bob's and the unknown caller's items were "queued"; the others keep theirs.
        assert [item["text_status"] for item in shown["callbacks"]] == [
            "sent" if item["text_status"] == "queued" else item["text_status"]
            for item in EXPECTED["callbacks"]
        ]
        assert await hass.config_entries.async_unload(entry.entry_id)
