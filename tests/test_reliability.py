"""Reliability and security (issue #7), end to end through a real Home Assistant core.

Texts go to a Twilio-like server on 127.0.0.1 that counts messages per recipient and can
be switched to failing modes; calls come in through the ``incoming_call`` action and the
signed voice webhook. Each test states the guarantee it proves; docs/reliability.md maps
the guarantees to these tests.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable
import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
import json
import logging
import math
import time
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from twilio.request_validator import RequestValidator

from custom_components.client_etiquette.const import DOMAIN, EVENT_CALL_SCREENED
from custom_components.client_etiquette.telephony.signature import new_secret, new_webhook_id

from . import BASE_OPTIONS, DRIVING, number_formats, setup_entry

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "0123456789abcdef0123456789abcdef"
FROM = "+48221234567"
EXTERNAL = "https://ha.example.com"
FORWARD = "+48601000111"
ANNA = "+48601234567"  # client, regular, Polish
BOB = "+48602000111"  # client, VIP
STRANGER = "+48603555444"  # unknown caller
ANNA_ID = "01ANNA0000000000000000000A"
BOB_ID = "01BOB00000000000000000000B"

type ClientFactory = Callable[[], Awaitable[TestClient[Any, Any]]]


# --- a Twilio-like server that counts -------------------------------------------------------


@dataclass
class Attempt:
    """One POST to the Messages endpoint."""

    to: str
    at: datetime  # Home Assistant's (frozen) clock when it arrived
    mode: str


@dataclass
class CountingTwilio:
    """Answers like Twilio's Messages API in the current ``mode``.

    ``up``: 201 with a message resource (the message counts as sent); ``503``, ``500``:
    server errors; ``429``: too many requests with ``Retry-After``; ``badjson``: 200 with
    an HTML page (a captive portal); ``invalid``: Twilio's 400 for an invalid number,
    whose message contains the number. ``script`` (if not empty) gives the modes of the
    next attempts, one each, before ``mode`` applies again.
    """

    mode: str = "up"
    retry_after: str = "120"
    script: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)
    created: list[datetime] = field(default_factory=list)
    lookups: int = 0
    base: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self.post_message)
        app.router.add_get("/2010-04-01/Accounts/{sid}/Messages.json", self.message_list)
        return app

    async def message_list(self, request: web.Request) -> web.Response:
        """Return the accepted messages to ``To``, newest first, like Twilio's list."""
        self.lookups += 1
        to = request.query.get("To")
        messages = [
            {"to": number, "body": body, "date_created": format_datetime(created)}
            for (number, body), created in zip(
                reversed(self.sent), reversed(self.created), strict=True
            )
            if number == to
        ]
        return web.json_response({"messages": messages})

    async def post_message(self, request: web.Request) -> web.Response:
        """Look ``messages`` up on each request, so a test can replace it (a slow Twilio)."""
        return await self.messages(request)

    async def messages(self, request: web.Request) -> web.Response:
        form = await request.post()
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        mode = self.script.pop(0) if self.script else self.mode
        self.attempts.append(Attempt(to, dt_util.utcnow(), mode))
        if mode == "up":
            self.sent.append((to, body))
            self.created.append(dt_util.utcnow())
            sid = f"SM{len(self.sent):032d}"
            return web.json_response({"sid": sid, "status": "queued"}, status=201)
        if mode == "429":
            return web.json_response(
                {"code": 20429, "message": "Too Many Requests"},
                status=429,
                headers={"Retry-After": self.retry_after},
            )
        if mode == "badjson":
            return web.Response(text="<html>Welcome to the hotel Wi-Fi</html>", status=200)
        if mode == "invalid":
            message = f"The 'To' number {to} is not a valid phone number."
            return web.json_response({"code": 21211, "message": message}, status=400)
        return web.json_response({"code": 20500, "message": "Internal error"}, status=int(mode))

    def per_recipient(self) -> Counter[str]:
        """Messages accepted per recipient number."""
        return Counter(to for to, _ in self.sent)


@pytest.fixture
async def fake(socket_enabled: None) -> AsyncGenerator[CountingTwilio]:
    """Yield the counting Twilio on 127.0.0.1."""
    twilio = CountingTwilio()
    server = TestServer(twilio.app(), host="127.0.0.1")
    await server.start_server()
    twilio.base = str(server.make_url("")).rstrip("/")
    yield twilio
    await server.close()


# --- helpers --------------------------------------------------------------------------------


def client_subentries(
    extra: list[tuple[str, list[str], str]] | None = None,
) -> list[ConfigSubentryDataWithId]:
    """Anna and Bob (fixed sub-entry ids, so a second entry knows the same clients)."""
    clients = [
        (ANNA_ID, "Anna Kowalska", {"numbers": [ANNA], "tier": "regular", "language": "pl"}),
        (BOB_ID, "Bob Smith", {"numbers": [BOB], "tier": "vip", "language": "en"}),
    ]
    for sub_id, numbers, tier in extra or []:
        clients.append((sub_id, f"Client {sub_id}", {"numbers": numbers, "tier": tier}))
    return [
        ConfigSubentryDataWithId(
            data=data, subentry_type="client", title=title, unique_id=None, subentry_id=sub_id
        )
        for sub_id, title, data in clients
    ]


def twilio_options(fake: CountingTwilio, **extra: Any) -> dict[str, Any]:
    """Options texting through the counting Twilio, with both webhooks on."""
    return {
        **BASE_OPTIONS,
        "sender_name": "Jan",
        "default_region": "PL",
        "texting_backend": "twilio",
        "twilio_account_sid": SID,
        "twilio_auth_token": TOKEN,
        "twilio_from_number": FROM,
        "twilio_api_base": fake.base,
        "voice_webhook_id": new_webhook_id(),
        "forward_number": FORWARD,
        "pbx_webhook_id": new_webhook_id(),
        "pbx_secret": new_secret(),
        "pbx_local_only": True,
        "reminder_notify": "notify.mobile_app_jan",
        **extra,
    }


def make_entry(
    options: dict[str, Any],
    *,
    entry_id: str | None = None,
    extra_clients: list[tuple[str, list[str], str]] | None = None,
) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="My phone",
        entry_id=entry_id,
        options=options,
        subentries_data=client_subentries(extra_clients),
        version=1,
        minor_version=1,
    )


async def settle(hass: HomeAssistant) -> None:
    """Let follow-ups, saves and sends finish."""
    for _ in range(3):
        await hass.async_block_till_done(wait_background_tasks=True)


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move the clock on in steps of at most 10 s, firing timers as they come due."""
    while seconds > 0:
        step = min(seconds, 10.0)
        seconds -= step
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        await settle(hass)


async def snooze(hass: HomeAssistant, minutes: int, reason: str = "driving") -> None:
    """Busy (for ``reason``) for the next ``minutes``: calls go to voicemail with a promise."""
    await hass.services.async_call(
        DOMAIN, "snooze", {"duration": {"minutes": minutes}, "reason": reason}, blocking=True
    )


async def incoming(hass: HomeAssistant, number: str, **fields: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "incoming_call", {"number": number, **fields}, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


def call_form(number: str, call_sid: str) -> dict[str, str]:
    """Return the form Twilio posts for an incoming call."""
    return {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": call_sid,
        "From": number,
        "To": FROM,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }


async def post_voice(
    client: TestClient[Any, Any],
    webhook_id: str,
    form: dict[str, str],
    *,
    token: str = TOKEN,
) -> web.Response | Any:
    """POST a form to the voice webhook, signed as Twilio signs it (with ``token``)."""
    path = f"/api/webhook/{webhook_id}"
    signature = RequestValidator(token).compute_signature(EXTERNAL + path, form)
    return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


async def post_pbx(
    client: TestClient[Any, Any],
    webhook_id: str,
    secret: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> Any:
    return await client.post(
        f"/api/webhook/{webhook_id}",
        json=body,
        headers={"Authorization": f"Bearer {secret}", **(headers or {})},
    )


async def start(hass: HomeAssistant) -> None:
    """Set up the core parts the integration needs, reachable at EXTERNAL."""
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "webhook", {})


def queue_snapshot(entry: MockConfigEntry) -> dict[str, tuple[Any, ...]]:
    """Return what matters of each waiting callback, by key."""
    return {
        item.key: (item.number, item.calls, item.promised_at, item.text, item.call_ids)
        for item in entry.runtime_data.callbacks.items
    }


def outbox_snapshot(entry: MockConfigEntry) -> dict[str, tuple[Any, ...]]:
    sending = entry.runtime_data.sending
    assert sending is not None
    return {item.id: (item.to, item.key, item.state) for item in sending.outbox.pending}


# --- restarts ---------------------------------------------------------------------------------


async def test_everything_survives_reload_and_restart(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    hass_client_no_auth: ClientFactory,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that stored state survives a reload and a restart; then each caller gets one text.

    Callbacks, cooldown history, promised times and unsent texts survive from storage; once
    Twilio is back each caller gets exactly one text.
    """
    await start(hass)
    fake.mode = "503"
    options = twilio_options(fake)
    entry = await setup_entry(hass, make_entry(options))
    client = await hass_client_no_auth()
    await snooze(hass, 30)
    promised = dt_util.utcnow() + timedelta(minutes=30)

    answer = await incoming(hass, ANNA, call_id="svc-1")
    assert answer["action"] == "voicemail"
    assert answer["text_sent"] is True
    response = await post_voice(client, options["voice_webhook_id"], call_form(STRANGER, "CA1"))
    assert response.status == 200
    await settle(hass)
    await advance(hass, freezer, 20)
    assert {attempt.to for attempt in fake.attempts} == {ANNA, STRANGER}
    assert fake.sent == []

    queued = queue_snapshot(entry)
    assert set(queued) == {ANNA_ID, STRANGER}
    assert all(value[2] == promised for value in queued.values())
    history = entry.runtime_data.callbacks.history
    assert set(history.texts) == {ANNA, STRANGER}
    pending = outbox_snapshot(entry)
    assert len(pending) == 2

    # 1. Reload: new runtime objects, the same state.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert queue_snapshot(entry) == queued
    assert entry.runtime_data.callbacks.history == history
    assert outbox_snapshot(entry) == pending

    # 2. Restart: flush everything to storage, then a second entry starts from what was saved.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    saved = json.loads(json.dumps(hass_storage, default=str))
    callbacks_key = f"{DOMAIN}.{entry.entry_id}.callbacks"
    outbox_key = f"{DOMAIN}.{entry.entry_id}.outbox"
    stored_items = saved[callbacks_key]["data"]["items"]
    assert {item["key"] for item in stored_items} == {ANNA_ID, STRANGER}
    assert {item["promised_at"] for item in stored_items} == {promised.isoformat()}
    assert set(saved[callbacks_key]["data"]["history"]["texts"]) == {ANNA, STRANGER}
    assert [item["state"] for item in saved[outbox_key]["data"]["items"]] == ["pending"] * 2

    second = make_entry(dict(entry.options), entry_id="second0000000000000000000")
    for old, new in ((callbacks_key, "callbacks"), (outbox_key, "outbox")):
        hass_storage[f"{DOMAIN}.{second.entry_id}.{new}"] = copy.deepcopy(saved[old])
    await setup_entry(hass, second)
    assert queue_snapshot(second) == queued
    assert second.runtime_data.callbacks.history == history
    assert outbox_snapshot(second) == pending

    # The cooldown holds across the restart: another call from Anna gets no second text.
    # (The snooze lives in the mode select's restored state, which belongs to the first
    # entry's entities; driving keeps the second entry not ready.)
    hass.states.async_set(DRIVING, "in_vehicle")
    again = await incoming(hass, ANNA, call_id="svc-2")
    assert again["action"] == "voicemail"
    assert again["no_text_reason"] == "cooldown"

    # Twilio comes back: the two unsent texts go out, once each, and never again.
    fake.mode = "up"
    await advance(hass, freezer, 15 * 60)
    assert fake.per_recipient() == {ANNA: 1, STRANGER: 1}
    assert {item.key: item.text_status for item in second.runtime_data.callbacks.items} == {
        ANNA_ID: "sent",
        STRANGER: "sent",
    }
    assert second.runtime_data.sending is not None
    assert second.runtime_data.sending.outbox.pending == []
    assert await hass.config_entries.async_reload(second.entry_id)
    await advance(hass, freezer, 60)
    assert fake.per_recipient() == {ANNA: 1, STRANGER: 1}


async def test_retried_call_after_restart_is_answered_alike(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    hass_client_no_auth: ClientFactory,
) -> None:
    """Check that a webhook Twilio retries after a restart gets the same decision.

    Twilio retries a webhook it got no answer to (same CallSid); the retry must not count as
    a second call.
    """
    await start(hass)
    options = twilio_options(fake)
    entry = await setup_entry(hass, make_entry(options))
    client = await hass_client_no_auth()
    await snooze(hass, 30, reason="in_meeting")
    form = call_form(STRANGER, "CA-retried")
    first = await post_voice(client, options["voice_webhook_id"], form)
    assert "<Record" in await first.text()
    await settle(hass)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert not entry.runtime_data.monitor.readiness.ready  # the snooze was restored
    retry = await post_voice(client, options["voice_webhook_id"], form)
    await settle(hass)
    assert fake.per_recipient() == {STRANGER: 1}
    assert [item.calls for item in entry.runtime_data.callbacks.items] == [1]
    assert "<Record" in await retry.text()


# --- replays ---------------------------------------------------------------------------------

TODO = "todo.my_phone_callbacks"


async def complete_callbacks(hass: HomeAssistant) -> int:
    """Check off every waiting callback in the to-do list (the calls were made)."""
    result = await hass.services.async_call(
        "todo", "get_items", {"entity_id": TODO}, blocking=True, return_response=True
    )
    assert result is not None
    items = list(result[TODO]["items"])  # type: ignore[call-overload]
    for item in items:
        await hass.services.async_call(
            "todo",
            "update_item",
            {"entity_id": TODO, "item": item["uid"], "status": "completed"},
            blocking=True,
        )
    await settle(hass)
    return len(items)


async def test_replayed_call_after_its_callback_is_done_does_nothing(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    hass_client_no_auth: ClientFactory,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that replayed call requests change nothing.

    A captured signed call request (voice webhook) and PBX request, replayed after the
    callback was checked off and the text cooldown has passed, then again after a reload:
    the same kind of answer, no new callback, no second text, no event.
    """
    await start(hass)
    options = twilio_options(fake)
    entry = await setup_entry(hass, make_entry(options))
    client = await hass_client_no_auth()
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    voice_id, pbx_id, secret = (
        options["voice_webhook_id"],
        options["pbx_webhook_id"],
        options["pbx_secret"],
    )
    hass.states.async_set(DRIVING, "in_vehicle")
    captured = call_form(STRANGER, "CA-captured")
    pbx_call = {"number": BOB, "call_id": "pbx-captured"}
    assert "<Record" in await (await post_voice(client, voice_id, captured)).text()
    first_pbx = await (await post_pbx(client, pbx_id, secret, pbx_call)).json()
    assert first_pbx["action"] == "voicemail"
    await settle(hass)
    assert fake.per_recipient() == {STRANGER: 1, BOB: 1}
    assert await complete_callbacks(hass) == 2
    await advance(hass, freezer, 13 * 3600)  # past the 12-hour text cooldown
    hass.states.async_set(DRIVING, "in_vehicle")  # still (again) not ready
    calls_before = len(screened)

    for _ in ("replayed", "replayed after a reload"):
        replay = await post_voice(client, voice_id, captured)
        assert replay.status == 200
        assert "<Record" in await replay.text()
        again = await (await post_pbx(client, pbx_id, secret, pbx_call)).json()
        assert (again["action"], again["reasons"]) == ("voicemail", first_pbx["reasons"])
        await advance(hass, freezer, 60)
        assert entry.runtime_data.callbacks.items == []
        assert fake.per_recipient() == {STRANGER: 1, BOB: 1}
        assert len(screened) == calls_before
        assert await hass.config_entries.async_reload(entry.entry_id)
        await settle(hass)
        hass.states.async_set(DRIVING, "in_vehicle")

    # A new call from the same stranger is a new call: screened, queued and texted.
    assert (
        "<Record"
        in await (await post_voice(client, voice_id, call_form(STRANGER, "CA-new"))).text()
    )
    await settle(hass)
    assert [item.number for item in entry.runtime_data.callbacks.items] == [STRANGER]
    assert fake.per_recipient() == {STRANGER: 2, BOB: 1}


async def test_replayed_missed_call_reports_queue_nothing_again(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    hass_client_no_auth: ClientFactory,
) -> None:
    """Check that a missed rung-through call is queued once, and replays queue nothing.

    Replaying its dial status (voice webhook) or its missed-call report (PBX) after the
    callback was done, also after a reload, queues nothing.
    """
    await start(hass)
    options = twilio_options(fake)
    entry = await setup_entry(hass, make_entry(options))
    client = await hass_client_no_auth()
    voice_id, pbx_id, secret = (
        options["voice_webhook_id"],
        options["pbx_webhook_id"],
        options["pbx_secret"],
    )
    assert "<Dial" in await (await post_voice(client, voice_id, call_form(STRANGER, "CA-m"))).text()
    ring = await (
        await post_pbx(client, pbx_id, secret, {"number": BOB, "call_id": "pbx-m"})
    ).json()
    assert ring["action"] == "ring"
    dial_path = f"/api/webhook/{voice_id}?step=dial"
    dial_form = {**call_form(STRANGER, "CA-m"), "DialCallStatus": "no-answer"}
    signature = RequestValidator(TOKEN).compute_signature(EXTERNAL + dial_path, dial_form)

    async def dial_status() -> str:
        response = await client.post(
            dial_path, data=dial_form, headers={"X-Twilio-Signature": signature}
        )
        assert response.status == 200
        return await response.text()

    async def missed_report() -> Any:
        body = {"event": "missed", "call_id": "pbx-m"}
        return await (await post_pbx(client, pbx_id, secret, body)).json()

    assert "<Record" in await dial_status()
    assert await missed_report() == {"callback_queued": True}
    await settle(hass)
    assert sorted(item.number for item in entry.runtime_data.callbacks.items) == [BOB, STRANGER]
    assert await complete_callbacks(hass) == 2
    for _ in ("replayed", "replayed after a reload"):
        assert "<Record" in await dial_status()  # the caller still gets a voicemail
        assert await missed_report() == {"callback_queued": False}
        await settle(hass)
        assert entry.runtime_data.callbacks.items == []
        assert await hass.config_entries.async_reload(entry.entry_id)
        await settle(hass)
    assert fake.sent == []  # a missed call is never texted


# --- provider failures ------------------------------------------------------------------------


async def test_provider_failures_retry_report_and_recover(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that failed Twilio sends are retried and the caller gets exactly one text.

    5xx, 429 with Retry-After and a non-JSON 200 are retried with capped jittered backoff;
    the text stays queued; a repair issue appears after the third failure and goes when
    Twilio recovers.

    (Timeouts and refused connections are the same TemporaryTextError path, proven
    against the backend in test_texting.py: test_timeouts_are_retried,
    test_twilio_connection_refused_is_temporary.)
    """
    await start(hass)
    fake.script = ["503", "429", "badjson", "500"]
    fake.retry_after = "120"
    entry = await setup_entry(hass, make_entry(twilio_options(fake)))
    issues = ir.async_get(hass)
    issue = f"texts_failing_{entry.entry_id}"
    await snooze(hass, 60)
    await incoming(hass, ANNA)
    await settle(hass)
    assert [attempt.mode for attempt in fake.attempts] == ["503"]

    seen: list[str] = []
    issue_at: int | None = None
    for _ in range(400):  # at most 400 x 5 s of simulated time
        await advance(hass, freezer, 5)
        modes = [attempt.mode for attempt in fake.attempts]
        if issue_at is None and issues.async_get_issue(DOMAIN, issue) is not None:
            issue_at = len(modes)
            item = entry.runtime_data.callbacks.items[0]
            assert item.text_status == "retrying"
            sending = entry.runtime_data.sending
            assert sending is not None
            assert len(sending.outbox.pending) == 1  # kept while failing
        if modes and modes[-1] == "up":
            break
        seen = modes
    modes = [attempt.mode for attempt in fake.attempts]
    assert modes == ["503", "429", "badjson", "500", "up"], seen
    assert issue_at == 3  # raised after the third failed attempt, not before
    assert issues.async_get_issue(DOMAIN, issue) is None  # gone after the recovery
    assert fake.per_recipient() == {ANNA: 1}
    assert entry.runtime_data.callbacks.items[0].text_status == "sent"

    gaps = [
        (later.at - earlier.at).total_seconds()
        for earlier, later in zip(fake.attempts, fake.attempts[1:], strict=False)
    ]
    # After the 429 the next try waits at least the 120 s Twilio asked for.
    assert gaps[1] >= 120
    # Other gaps stay under the full-jitter ceiling 5 s x 2^(n-1) (+ one 5 s step).
    for attempt_number, gap in enumerate(gaps, start=1):
        if attempt_number != 2:
            assert gap <= 5 * 2 ** (attempt_number - 1) + 5

    # Nothing is sent again later.
    await advance(hass, freezer, 3600)
    assert fake.per_recipient() == {ANNA: 1}


async def test_late_answer_is_not_sent_twice(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that a text Twilio accepted after the timeout is not sent twice.

    Twilio answers after the client's 10 s timeout (a slow network, an overloaded region).
    Retrying blindly sends the text twice; the outbox must find out whether the first
    attempt was accepted before sending again.
    """
    await start(hass)
    release = asyncio.Event()
    original = fake.messages

    async def slow(request: web.Request) -> web.Response:
        response = await original(request)
        if len(fake.sent) == 1 and not release.is_set():
            await release.wait()  # accepted and counted, but the answer comes late
        return response

    fake.messages = slow  # type: ignore[method-assign]
    entry = await setup_entry(hass, make_entry(twilio_options(fake)))
    await snooze(hass, 60)
    await incoming(hass, ANNA)
    await hass.async_block_till_done()
    for _ in range(500):  # real time passes; the loop's clock is frozen
        if fake.sent:
            break
        await asyncio.sleep(0)
    assert fake.sent
    freezer.tick(timedelta(seconds=11))  # the client's 10 s timeout runs out
    async_fire_time_changed(hass)
    for _ in range(100):
        await asyncio.sleep(0)
    release.set()
    await settle(hass)
    await advance(hass, freezer, 15 * 60)
    sending = entry.runtime_data.sending
    assert sending is not None
    assert sending.outbox.pending == []
    assert fake.per_recipient() == {ANNA: 1}
    assert fake.lookups == 1
    (item,) = entry.runtime_data.callbacks.items
    assert item.text_status == "sent"


# --- bursts -------------------------------------------------------------------------------------


async def test_burst_of_1000_calls_from_200_numbers(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that 1,000 calls in one simulated minute keep the caps, the queue and the loop.

    From 200 numbers (40 clients with two numbers each, 120 unknown callers): the hourly cap
    and the per-number cooldown hold exactly, the queue holds one item per client or unknown
    number, and the loop keeps running.
    """
    await start(hass)
    client_numbers = [[f"+486010{i:05d}", f"+486020{i:05d}"] for i in range(40)]
    unknown = [f"+486030{i:05d}" for i in range(120)]
    numbers = [number for pair in client_numbers for number in pair] + unknown
    extra = [(f"client{i:02d}", pair, "regular") for i, pair in enumerate(client_numbers)]
    cap = 25
    entry = await setup_entry(
        hass,
        make_entry(twilio_options(fake, max_texts_per_hour=cap), extra_clients=extra),
    )
    hass.states.async_set(DRIVING, "in_vehicle")  # no repeat call rings through while driving
    await settle(hass)

    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        # The loop's clock is frozen, so the probe yields (sleep(0)) rather than sleeping:
        # each lag is the real time until the loop gave it its next turn.
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0)
            lags.append(time.perf_counter() - before)

    # A plain asyncio task: Home Assistant's block_till_done must not wait for it.
    task = asyncio.get_running_loop().create_task(ticker())

    async def minute(calls: int, tag: str) -> list[dict[str, Any]]:
        answers: list[dict[str, Any]] = []
        batch = 25  # calls arriving together in each 1.5 s slice of the minute
        for start_at in range(0, calls, batch):
            answers += await asyncio.gather(
                *(
                    incoming(hass, numbers[n % len(numbers)], call_id=f"{tag}-{n}")
                    for n in range(start_at, min(calls, start_at + batch))
                )
            )
            # Sends take milliseconds of real time: they are done before the next slice.
            await settle(hass)
            freezer.tick(timedelta(seconds=60 * batch / calls))
        return answers

    answers = await minute(1000, "first")
    assert len(answers) == 1000
    assert {answer["action"] for answer in answers} == {"voicemail"}
    texted = [answer for answer in answers if answer["text_sent"]]
    assert len(texted) == cap
    reasons = Counter(answer["no_text_reason"] for answer in answers if not answer["text_sent"])
    # Texted numbers' later calls hit the cooldown; every other refusal is the cap.
    assert reasons == {"cooldown": 4 * cap, "hourly_cap": 1000 - 5 * cap}
    await advance(hass, freezer, 30)
    per_number = fake.per_recipient()
    assert sum(per_number.values()) == cap  # the hourly cap, exactly
    assert max(per_number.values()) == 1  # the cooldown, exactly
    items = entry.runtime_data.callbacks.items
    assert len(items) == 40 + 120  # one per client, one per unknown number
    assert len({item.key for item in items}) == len(items)
    assert sum(item.calls for item in items) == 1000
    assert {item.calls for item in items if item.client_id is None} == {5}
    assert {item.calls for item in items if item.client_id is not None} == {10}

    # An hour later the cap opens again for numbers not texted yet, exactly ``cap`` of them.
    await advance(hass, freezer, 3600)
    answers = await minute(200, "second")
    assert sum(answer["text_sent"] for answer in answers) == cap
    await advance(hass, freezer, 30)
    second_hour = fake.per_recipient()
    assert sum(second_hour.values()) == 2 * cap
    assert max(second_hour.values()) == 1

    stop.set()
    await task
    assert lags  # the probe kept getting turns during the burst
    logging.getLogger(__name__).debug(
        "latency probe: %d turns, max lag %.1f ms", len(lags), 1000 * max(lags)
    )


# --- privacy ------------------------------------------------------------------------------------


async def test_numbers_never_logged_above_debug(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    hass_client_no_auth: ClientFactory,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Check that numbers are logged at debug level only.

    Set-up, actions, webhooks (good and bad signatures and secrets), texting failures (one
    whose error message contains the number) and reminders.
    """
    caplog.set_level(logging.DEBUG)
    reminders: list[ServiceCall] = []

    async def remind(call: ServiceCall) -> None:
        reminders.append(call)

    hass.services.async_register("notify", "mobile_app_jan", remind)
    await start(hass)
    fake.script = ["503", "invalid"]
    options = twilio_options(fake)
    await setup_entry(hass, make_entry(options))
    client = await hass_client_no_auth()
    await snooze(hass, 10)

    await incoming(hass, "601 234 567")  # Anna, national format
    await post_voice(client, options["voice_webhook_id"], call_form(BOB, "CA-bob"))
    await post_voice(client, options["voice_webhook_id"], call_form(BOB, "CA-x"), token="wrong")
    await post_pbx(client, options["pbx_webhook_id"], options["pbx_secret"], {"number": STRANGER})
    await post_pbx(client, options["pbx_webhook_id"], "wrong", {"number": STRANGER})
    await settle(hass)
    await advance(hass, freezer, 120)  # the texts fail: 503, then a permanent 400
    await advance(hass, freezer, 10 * 60)  # ready again: reminders
    await settle(hass)
    assert reminders  # the reminder path ran
    assert any(attempt.mode == "invalid" for attempt in fake.attempts)

    numbers = [ANNA, BOB, STRANGER]
    formats = [fmt for number in numbers for fmt in number_formats(number)]
    debug = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)
    assert all(number in debug for number in numbers)  # the capture does see them
    loud = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert any(record.levelno >= logging.WARNING for record in loud)  # failures were logged
    for record in loud:
        text = record.getMessage() + (record.exc_text or "")
        leaked = [fmt for fmt in formats if fmt in text]
        assert not leaked, (record.name, record.levelname, text)


# --- security -----------------------------------------------------------------------------------


async def configure_telephony(
    hass: HomeAssistant, entry_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Submit the options flow's telephony step (and its confirmation, if it shows one)."""
    result = await hass.config_entries.options.async_init(entry_id)
    flow_id = result["flow_id"]
    result = await hass.config_entries.options.async_configure(
        flow_id, {"next_step_id": "telephony"}
    )
    result = await hass.config_entries.options.async_configure(flow_id, data)
    if result["type"] is FlowResultType.FORM and result["step_id"] == "webhooks":
        result = await hass.config_entries.options.async_configure(flow_id, {})
    await hass.async_block_till_done()
    return dict(result)


async def test_webhook_ids_are_long_and_random(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    hass_client_no_auth: ClientFactory,
) -> None:
    """Check that ids and secrets made by the options flow are random and differ between entries.

    They are 32 random bytes (43 URL-safe characters).
    """
    await start(hass)
    base = {k: v for k, v in twilio_options(fake).items() if "webhook" not in k}
    base.pop("pbx_secret")
    entries = [
        await setup_entry(hass, make_entry(dict(base), entry_id=f"entry{n}000000000000000000000"))
        for n in range(2)
    ]
    form = {"voice_webhook": True, "forward_number": FORWARD, "pbx_webhook": True}
    for entry in entries:
        result = await configure_telephony(hass, entry.entry_id, form)
        assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()
    ids = [
        entry.options[key]
        for entry in entries
        for key in ("voice_webhook_id", "pbx_webhook_id", "pbx_secret")
    ]
    assert len(set(ids)) == len(ids)  # all different, also between the two entries
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    for value in ids:
        assert len(value) == 43  # token_urlsafe(32): 32 bytes = 256 bits
        assert set(value) <= alphabet
    # 6 values x 43 characters of base64: close to 6 bits of entropy per character.
    counts = Counter("".join(ids))
    total = sum(counts.values())
    entropy = -sum(c / total * math.log2(c / total) for c in counts.values())
    assert entropy > 5.5


async def test_rotation_retires_the_old_urls(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    hass_client_no_auth: ClientFactory,
) -> None:
    """Check that rotating the secrets in the options flow retires the old ones.

    New ids are registered, the old ones unregistered, and the old URLs and the old PBX
    secret no longer screen anything.
    """
    await start(hass)
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    entry = await setup_entry(hass, make_entry(twilio_options(fake)))
    form = {"voice_webhook": True, "forward_number": FORWARD, "pbx_webhook": True}
    old_voice, old_pbx = entry.options["voice_webhook_id"], entry.options["pbx_webhook_id"]
    old_secret = entry.options["pbx_secret"]
    registered = hass.data["webhook"]
    assert old_voice in registered
    assert old_pbx in registered
    result = await configure_telephony(hass, entry.entry_id, {**form, "rotate_secrets": True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    new_voice, new_pbx = entry.options["voice_webhook_id"], entry.options["pbx_webhook_id"]
    assert {new_voice, new_pbx}.isdisjoint({old_voice, old_pbx})
    assert old_voice not in registered
    assert old_pbx not in registered
    assert new_voice in registered
    assert new_pbx in registered

    client = await hass_client_no_auth()
    old = await post_voice(client, old_voice, call_form(STRANGER, "CA-old"))
    old_pbx_answer = await post_pbx(client, old_pbx, old_secret, {"number": STRANGER})
    # Home Assistant answers 200 to unknown webhook ids (so ids can't be probed) and does
    # nothing for them.
    assert old.status == 200
    assert await old.text() == ""
    assert old_pbx_answer.status == 200
    assert await old_pbx_answer.text() == ""
    stale_secret = await post_pbx(client, new_pbx, old_secret, {"number": STRANGER})
    assert stale_secret.status == 401
    await hass.async_block_till_done()
    assert screened == []
    fresh = await post_pbx(client, new_pbx, entry.options["pbx_secret"], {"number": STRANGER})
    assert fresh.status == 200
    await hass.async_block_till_done()
    assert len(screened) == 1


@pytest.mark.parametrize(("local_only", "screened_calls"), [(True, 0), (False, 1)])
async def test_pbx_local_only_refuses_remote_addresses(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    hass_client_no_auth: ClientFactory,
    local_only: bool,
    screened_calls: int,
) -> None:
    """Check that a request forwarded for a public address is remote to the local-only webhook.

    Behind a trusted reverse proxy on 127.0.0.1 (http: use_x_forwarded_for), such a request
    is a remote request to Home Assistant: the local-only PBX webhook ignores it; with
    local-only off it is served. (No mock: the address comes from Home Assistant's own
    forwarded-for handling, as in a real proxy set-up.)
    """
    assert await async_setup_component(
        hass,
        "http",
        {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1/32"]}},
    )
    await start(hass)
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    options = twilio_options(fake, pbx_local_only=local_only)
    await setup_entry(hass, make_entry(options))
    client = await hass_client_no_auth()
    pbx_id, secret = options["pbx_webhook_id"], options["pbx_secret"]

    remote = await post_pbx(
        client, pbx_id, secret, {"number": STRANGER}, {"X-Forwarded-For": "203.0.113.7"}
    )
    await hass.async_block_till_done()
    assert remote.status == 200
    assert len(screened) == screened_calls
    if local_only:
        assert await remote.text() == ""  # the handler never ran

    lan = await post_pbx(
        client, pbx_id, secret, {"number": BOB}, {"X-Forwarded-For": "192.168.1.20"}
    )
    await hass.async_block_till_done()
    assert lan.status == 200
    assert json.loads(await lan.text())["action"] in ("ring", "voicemail")
    assert len(screened) == screened_calls + 1


async def test_secrets_never_in_entity_attributes(
    hass: HomeAssistant,
    sources: None,
    fake: CountingTwilio,
    hass_client_no_auth: ClientFactory,
) -> None:
    """Check that no entity state or attribute holds a secret after calls, texts and webhooks.

    The secrets: the auth token, the PBX secret, a webhook id.
    """
    await start(hass)
    options = twilio_options(fake)
    await setup_entry(hass, make_entry(options))
    client = await hass_client_no_auth()
    await snooze(hass, 30)
    await incoming(hass, ANNA)
    await post_voice(client, options["voice_webhook_id"], call_form(STRANGER, "CA-s"))
    await post_pbx(client, options["pbx_webhook_id"], options["pbx_secret"], {"number": BOB})
    await settle(hass)
    secrets = [options[key] for key in SECRET_KEYS]
    states = hass.states.async_all()
    ours = [state for state in states if state.entity_id.startswith(("todo.", "event.my_"))]
    assert ours  # the integration's entities are there
    for state in states:
        dumped = json.dumps(state.as_dict(), default=str)
        for secret in secrets:
            assert secret not in dumped, state.entity_id


SECRET_KEYS = ("twilio_auth_token", "pbx_secret", "voice_webhook_id", "pbx_webhook_id")
