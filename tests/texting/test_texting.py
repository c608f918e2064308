"""Texting: the Twilio and notify backends, and the durable outbox.

The Twilio backend against a Twilio-like server on 127.0.0.1, the notify backend through
a real service, and the outbox's retries, restarts and idempotency.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
import logging
import random
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
import voluptuous as vol

from custom_components.client_etiquette.texting.errors import (
    CannotConnect,
    InvalidAuth,
    InvalidFromNumber,
    PermanentTextError,
    TemporaryTextError,
    TextError,
    UnsureTextError,
    redact_numbers,
)
from custom_components.client_etiquette.texting.notify import NotifyBackend
from custom_components.client_etiquette.texting.outbox import (
    INTERRUPTED,
    MAY_HAVE_BEEN_SENT,
    SETTLE_DELAY,
    Outbox,
    OutboxItem,
    TextState,
)
from custom_components.client_etiquette.texting.twilio import (
    TwilioBackend,
    async_validate_twilio,
    parse_retry_after,
    same_text,
)

from . import FROM, SHORT_TIMEOUT, SID, TOKEN, FakeTwilio, Reply

TO = "+48601234567"
SERVICE_SID = "MG" + "fedcba9876543210" * 2
ENTRY_ID = "entry1"
STORE_KEY = f"client_etiquette.{ENTRY_ID}.outbox"


def backend(hass: HomeAssistant, fake: FakeTwilio, **kwargs: Any) -> TwilioBackend:
    return TwilioBackend(hass, SID, TOKEN, FROM, api_base=fake.base, **kwargs)


class Changes:
    """An on_change callback that records (id, state, attempts) and the outbox's failing flag."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, TextState, int, bool]] = []
        self.outbox: Outbox | None = None

    def __call__(self, item: OutboxItem) -> None:
        assert self.outbox is not None
        self.calls.append((item.id, item.state, item.attempts, self.outbox.failing))


async def make_outbox(
    hass: HomeAssistant, text_backend: Any, changes: Changes | None = None, **kwargs: Any
) -> Outbox:
    kwargs.setdefault("rng", random.Random(7))
    outbox = Outbox(hass, ENTRY_ID, text_backend, on_change=changes, **kwargs)
    if changes is not None:
        changes.outbox = outbox
    await outbox.async_load()
    return outbox


async def settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await settle(hass)


def stored_items(hass_storage: dict[str, Any]) -> list[dict[str, Any]]:
    return list(hass_storage[STORE_KEY]["data"]["items"])


# --- Twilio backend -----------------------------------------------------------------------


async def test_twilio_send_posts_form_with_basic_auth(
    hass: HomeAssistant, twilio: FakeTwilio
) -> None:
    """Check that the exact form fields and credentials reach Twilio's Messages endpoint."""
    await backend(hass, twilio).async_send(TO, "Sorry, I'm driving. I'll call you at 15:30.")

    assert len(twilio.received) == 1
    got = twilio.received[0]
    assert got.method == "POST"
    assert got.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert got.auth == (SID, TOKEN)
    assert got.form == {
        "To": TO,
        "From": FROM,
        "Body": "Sorry, I'm driving. I'll call you at 15:30.",
    }


async def test_twilio_messaging_service_sender(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check that a Messaging Service SID is sent as MessagingServiceSid instead of From."""
    sender = TwilioBackend(hass, SID, TOKEN, SERVICE_SID, api_base=twilio.base)
    await sender.async_send(TO, "Hello")
    assert twilio.received[0].form == {
        "To": TO,
        "Body": "Hello",
        "MessagingServiceSid": SERVICE_SID,
    }


@pytest.mark.parametrize(
    ("reply", "error", "status", "code", "retry_after", "message"),
    [
        (Reply(503, "upstream down"), TemporaryTextError, 503, None, None, "HTTP 503"),
        (
            Reply(500, json.dumps({"code": 20500, "message": "Internal Server Error"})),
            TemporaryTextError,
            500,
            20500,
            None,
            "Twilio error 20500: Internal Server Error",
        ),
        (
            Reply(429, json.dumps({"code": 20429, "message": ""}), {"Retry-After": "42"}),
            TemporaryTextError,
            429,
            20429,
            42.0,
            "Twilio error 20429",
        ),
        (
            Reply(
                400,
                json.dumps(
                    {"code": 21211, "message": f"The 'To' number {TO} is not a valid phone number."}
                ),
            ),
            PermanentTextError,
            400,
            21211,
            None,
            "Twilio error 21211: The 'To' number <number> is not a valid phone number.",
        ),
        (
            Reply(400, json.dumps({"code": 21610, "message": "Attempt to send to unsubscribed"})),
            PermanentTextError,
            400,
            21610,
            None,
            "Twilio error 21610: Attempt to send to unsubscribed",
        ),
        (
            Reply(404, json.dumps(["not", "an", "object"])),
            PermanentTextError,
            404,
            None,
            None,
            "HTTP 404",
        ),
        (
            Reply(201, "<html>Welcome to the hotel Wi-Fi</html>"),
            TemporaryTextError,
            201,
            None,
            None,
            "HTTP 201 without",
        ),
        (
            Reply(200, json.dumps({"status": "queued"})),
            TemporaryTextError,
            200,
            None,
            None,
            "HTTP 200 without",
        ),
    ],
)
async def test_twilio_error_classes(
    hass: HomeAssistant,
    twilio: FakeTwilio,
    reply: Reply,
    error: type[TextError],
    status: int,
    code: int | None,
    retry_after: float | None,
    message: str,
) -> None:
    """5xx, 429 and replies that aren't Twilio's are temporary; other 4xx are permanent."""
    twilio.script(reply)
    with pytest.raises(error) as caught:
        await backend(hass, twilio).async_send(TO, "Hello")
    assert type(caught.value) is error
    assert caught.value.status == status
    assert caught.value.code == code
    assert str(caught.value).startswith(message)
    assert TO not in str(caught.value)
    if isinstance(caught.value, TemporaryTextError):
        assert caught.value.retry_after == retry_after


async def test_twilio_wrong_token_is_permanent(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check that Twilio's own 401 (code 20003) is a permanent error of the text."""
    sender = TwilioBackend(hass, SID, "wrong", FROM, api_base=twilio.base)
    with pytest.raises(PermanentTextError, match="Twilio error 20003: Authenticate") as caught:
        await sender.async_send(TO, "Hello")
    assert caught.value.status == 401


async def test_twilio_timeout_is_temporary(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check that a server that does not answer within the timeout gives a temporary error."""
    twilio.script(Reply(hold=asyncio.Event()))
    with pytest.raises(TemporaryTextError, match="did not answer in time") as caught:
        await backend(hass, twilio, timeout=SHORT_TIMEOUT).async_send(TO, "Hello")
    assert caught.value.retry_after is None
    assert len(twilio.received) == 1


async def test_twilio_connection_refused_is_temporary(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """Nobody listening on the port: a temporary connection error."""
    server = TestServer(web.Application(), host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    await server.close()
    sender = TwilioBackend(hass, SID, TOKEN, FROM, api_base=base)
    with pytest.raises(TemporaryTextError, match="Cannot reach Twilio: Client"):
        await sender.async_send(TO, "Hello")


async def test_twilio_needs_no_basic_auth_helper_of_aiohttp(
    hass: HomeAssistant, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Check that sending and validating work without ``aiohttp.BasicAuth`` and ``auth=``.

    aiohttp 3.14 (Home Assistant 2026.7 and later) deprecates both, aiohttp 4 drops them;
    the credentials go in an ``Authorization`` header that is the same on every version.
    """
    monkeypatch.delattr(aiohttp, "BasicAuth")
    real_request = aiohttp.ClientSession._request

    async def no_auth_argument(
        session: aiohttp.ClientSession, *args: Any, **kwargs: Any
    ) -> aiohttp.ClientResponse:
        assert kwargs.get("auth") is None
        return await real_request(session, *args, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "_request", no_auth_argument)
    await backend(hass, twilio).async_send(TO, "Hello")
    await async_validate_twilio(hass, SID, TOKEN, FROM, api_base=twilio.base)
    assert [received.auth for received in twilio.received] == [(SID, TOKEN)] * 3


# --- validation ---------------------------------------------------------------------------


async def test_validate_twilio_ok(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check that good credentials and an own number pass; both requests carry basic auth."""
    await async_validate_twilio(hass, SID, TOKEN, FROM, api_base=twilio.base)
    assert [(r.method, r.path, r.query, r.auth) for r in twilio.received] == [
        ("GET", f"/2010-04-01/Accounts/{SID}.json", {}, (SID, TOKEN)),
        (
            "GET",
            f"/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json",
            {"PhoneNumber": FROM},
            (SID, TOKEN),
        ),
    ]


async def test_validate_twilio_skips_number_check_for_other_senders(
    hass: HomeAssistant, twilio: FakeTwilio
) -> None:
    """Check that messaging services and alphanumeric sender ids are not incoming numbers."""
    await async_validate_twilio(hass, SID, TOKEN, SERVICE_SID, api_base=twilio.base)
    await async_validate_twilio(hass, SID, TOKEN, "Anna", api_base=twilio.base)
    assert [r.path for r in twilio.received] == [f"/2010-04-01/Accounts/{SID}.json"] * 2


async def test_validate_twilio_invalid_auth(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check that a wrong token (401) or an unknown account (404) is invalid_auth."""
    with pytest.raises(InvalidAuth, match="HTTP 401"):
        await async_validate_twilio(hass, SID, "wrong", FROM, api_base=twilio.base)
    twilio.account_status = 404
    with pytest.raises(InvalidAuth, match="HTTP 404"):
        await async_validate_twilio(hass, SID, TOKEN, FROM, api_base=twilio.base)


async def test_validate_twilio_unknown_sender(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check that an E.164 sender that is not a number of the account is refused."""
    with pytest.raises(InvalidFromNumber) as caught:
        await async_validate_twilio(hass, SID, TOKEN, "+48229999999", api_base=twilio.base)
    assert isinstance(caught.value, InvalidAuth)
    assert twilio.received[-1].query == {"PhoneNumber": "+48229999999"}


@pytest.mark.parametrize(
    ("status", "body", "match"),
    [
        (503, "down", "HTTP 503"),
        (302, "moved", "HTTP 302"),
        (200, "<html>portal</html>", "not JSON"),
        (200, "[1, 2]", "not a JSON object"),
    ],
)
async def test_validate_twilio_cannot_connect(
    hass: HomeAssistant, twilio: FakeTwilio, status: int, body: str, match: str
) -> None:
    """5xx, unexpected replies and bodies that aren't Twilio's JSON are cannot_connect."""
    twilio.account_status = status
    twilio.account_body = body
    with pytest.raises(CannotConnect, match=match):
        await async_validate_twilio(hass, SID, TOKEN, FROM, api_base=twilio.base)


async def test_validate_twilio_network_errors(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check that a timeout and a refused connection are cannot_connect."""
    twilio.account_body = "{}"
    server = TestServer(web.Application(), host="127.0.0.1")
    await server.start_server()
    closed = str(server.make_url("")).rstrip("/")
    await server.close()
    with pytest.raises(CannotConnect, match="Cannot reach Twilio"):
        await async_validate_twilio(hass, SID, TOKEN, FROM, api_base=closed)

    hold = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await hold.wait()
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/2010-04-01/Accounts/{sid}.json", slow)
    slow_server = TestServer(app, host="127.0.0.1")
    await slow_server.start_server()
    try:
        with pytest.raises(CannotConnect, match="TimeoutError"):
            await async_validate_twilio(
                hass,
                SID,
                TOKEN,
                FROM,
                api_base=str(slow_server.make_url("")),
                request_timeout=SHORT_TIMEOUT,
            )
    finally:
        hold.set()
        await slow_server.close()


# --- helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("120", 120.0),
        (" 2.5 ", 2.5),
        ("-5", 0.0),
        ("999999999", 86400.0),
        ("nan", None),
        ("soon", None),
        ("Mon, 23 Nov 2026 10:02:00 GMT", 120.0),
        ("Mon, 23 Nov 2026 10:02:00 -0000", 120.0),
        ("Mon, 23 Nov 2026 09:00:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Retry-After as delta-seconds or HTTP-date (naive -0000 dates are UTC)."""
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert parse_retry_after(header, now) == expected


def test_redact_numbers() -> None:
    """Check that phone numbers in any usual spelling are hidden; short numbers and codes stay."""
    text = "To +48 601 234 567 or (22) 123-45-67, code 21211, attempt 3"
    assert redact_numbers(text) == "To <number> or (<number>, code 21211, attempt 3"


# --- notify backend -----------------------------------------------------------------------


async def test_notify_backend_calls_the_action(hass: HomeAssistant) -> None:
    """Check that the text goes to the notify action with the number as the only target."""
    calls: list[dict[str, Any]] = []

    async def handle(call: ServiceCall) -> None:
        calls.append(dict(call.data))

    hass.services.async_register(
        "notify",
        "twilio_sms",
        handle,
        schema=vol.Schema({vol.Required("message"): str, vol.Optional("target"): [str]}),
    )
    await NotifyBackend(hass, "notify.twilio_sms").async_send(TO, "Hello")
    assert calls == [{"message": "Hello", "target": [TO]}]


async def test_notify_backend_errors(hass: HomeAssistant) -> None:
    """Missing action: temporary; schema refusal: permanent; platform failure: temporary."""
    with pytest.raises(TemporaryTextError, match=r"notify\.sms does not exist"):
        await NotifyBackend(hass, "notify.sms").async_send(TO, "Hello")

    hass.services.async_register(
        "notify", "strict", lambda call: None, schema=vol.Schema({vol.Required("title"): str})
    )
    with pytest.raises(PermanentTextError, match=r"notify\.strict refused the text"):
        await NotifyBackend(hass, "notify.strict").async_send(TO, "Hello")

    def broken(call: ServiceCall) -> None:
        raise HomeAssistantError(f"modem busy while texting {call.data['target'][0]}")

    hass.services.async_register("notify", "modem", broken)
    with pytest.raises(TemporaryTextError) as caught:
        await NotifyBackend(hass, "notify.modem").async_send(TO, "Hello")
    assert str(caught.value) == "The action notify.modem failed: modem busy while texting <number>"


@pytest.mark.parametrize("action", ["notify", "notify.", ".sms", ""])
def test_notify_backend_rejects_bad_action(hass: HomeAssistant, action: str) -> None:
    """Check that only domain.service is accepted."""
    with pytest.raises(ValueError, match="Not a notify action"):
        NotifyBackend(hass, action)


async def test_outbox_through_notify(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """Check that the outbox sends through a notify action and records the item as sent."""
    calls: list[dict[str, Any]] = []
    hass.services.async_register("notify", "sms", lambda call: calls.append(dict(call.data)))
    outbox = await make_outbox(hass, NotifyBackend(hass, "notify.sms"))
    item = outbox.enqueue(TO, "Hello from the outbox", key="call-1")
    await settle(hass)
    assert calls == [{"message": "Hello from the outbox", "target": [TO]}]
    assert item.state is TextState.SENT
    assert item.attempts == 1
    await outbox.async_shutdown()
    assert stored_items(hass_storage)[0]["state"] == "sent"


# --- outbox -------------------------------------------------------------------------------


async def test_enqueue_sends_once_and_persists(
    hass: HomeAssistant, hass_storage: dict[str, Any], twilio: FakeTwilio
) -> None:
    """Enqueue returns at once; the item is stored, sent, and the same key never resends."""
    changes = Changes()
    outbox = await make_outbox(hass, backend(hass, twilio), changes)
    item = outbox.enqueue(TO, "Hello", key="call-1")
    assert item.state is TextState.PENDING
    assert item.attempts == 0
    # Written before enqueue returns, without waiting for anything.
    assert [(s["id"], s["state"], s["attempts"]) for s in stored_items(hass_storage)] == [
        (item.id, "pending", 0)
    ]
    assert outbox.pending == [item]
    assert outbox.enqueue(TO, "Hello again", key="call-1") is item
    await settle(hass)

    assert (len(twilio.sent), item.state, item.sending) == (1, TextState.SENT, False)
    assert changes.calls == [(item.id, TextState.SENT, 1, False)]
    assert outbox.enqueue(TO, "Hello", key="call-1") is item
    await settle(hass)
    assert len(twilio.sent) == 1
    assert outbox.items == [item]
    assert outbox.pending == []
    assert outbox.get(item.id) is item
    assert outbox.by_key("call-1") is item
    assert outbox.get("nope") is None
    (stored,) = stored_items(hass_storage)
    assert stored["state"] == "sent"
    assert stored["key"] == "call-1"
    assert stored["to"] == TO
    assert hass_storage[STORE_KEY]["version"] == 1
    assert hass_storage[STORE_KEY]["minor_version"] == 3
    await outbox.async_shutdown()


async def test_new_item_is_written_before_sending(
    hass: HomeAssistant, hass_storage: dict[str, Any], twilio: FakeTwilio
) -> None:
    """Check that while the request is in flight the item is on disk, marked as being sent."""
    hold = asyncio.Event()
    twilio.script(Reply(hold=hold))
    outbox = await make_outbox(hass, backend(hass, twilio))
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await twilio.arrived.wait()
    (stored,) = stored_items(hass_storage)
    assert (stored["id"], stored["state"], stored["attempts"], stored["sending"]) == (
        item.id,
        "pending",
        1,
        True,
    )
    # Asking to send it again while it is in flight starts nothing new.
    outbox._schedule(item)
    hold.set()
    await settle(hass)
    assert len(twilio.sent) == 1
    assert stored_items(hass_storage)[0]["sending"] is False
    await outbox.async_shutdown()


async def test_retry_after_server_error(
    hass: HomeAssistant, twilio: FakeTwilio, freezer: FrozenDateTimeFactory
) -> None:
    """Check that a 5xx is retried after an exponential, jittered delay; then it is sent once."""
    twilio.script(Reply(503, "down"), Reply(502, "bad gateway"))
    outbox = await make_outbox(hass, backend(hass, twilio), base_delay=10.0)
    start = dt_util.utcnow()
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    assert (item.state, item.attempts, item.last_error) == (TextState.PENDING, 1, "HTTP 503")
    assert item.next_try is not None
    first_delay = (item.next_try - start).total_seconds()
    assert 0 <= first_delay <= 10.0

    await advance(hass, freezer, first_delay + 0.1)
    assert (item.state, item.attempts, item.last_error) == (TextState.PENDING, 2, "HTTP 502")
    assert item.next_try is not None
    second_delay = (item.next_try - dt_util.utcnow()).total_seconds()
    assert 0 <= second_delay <= 20.0

    await advance(hass, freezer, second_delay + 0.1)
    assert (item.state, item.attempts) == (TextState.SENT, 3)
    assert len(twilio.sent) == 3
    await outbox.async_shutdown()


async def test_backoff_is_full_jitter_capped(hass: HomeAssistant) -> None:
    """Check that delays are uniform in [0, min(max_delay, base * 2^(n-1))]."""

    class Down:
        async def async_send(self, to: str, body: str) -> None:
            raise TemporaryTextError("down")

    class Highest(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    outbox = await make_outbox(
        hass, Down(), base_delay=5.0, max_delay=30.0, max_attempts=10, rng=Highest()
    )
    item = outbox.enqueue(TO, "Hello", key="k")
    delays = []
    for _ in range(6):
        await settle(hass)
        assert item.next_try is not None
        delays.append(round((item.next_try - dt_util.utcnow()).total_seconds()))
        async_fire_time_changed(hass, item.next_try + timedelta(seconds=1))
    await settle(hass)
    assert delays == [5, 10, 20, 30, 30, 30]
    await outbox.async_shutdown()


async def test_429_retry_after_is_honoured(
    hass: HomeAssistant, twilio: FakeTwilio, freezer: FrozenDateTimeFactory
) -> None:
    """Check that a 429 waits at least the Retry-After seconds, even when the jitter is shorter."""
    twilio.script(
        Reply(
            429, json.dumps({"code": 20429, "message": "Too Many Requests"}), {"Retry-After": "120"}
        )
    )
    outbox = await make_outbox(hass, backend(hass, twilio))
    start = dt_util.utcnow()
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    assert item.next_try == start + timedelta(seconds=120)
    assert item.last_error == "Twilio error 20429: Too Many Requests"

    await advance(hass, freezer, 119)
    assert (len(twilio.sent), item.state) == (1, TextState.PENDING)
    await advance(hass, freezer, 2)
    assert (len(twilio.sent), item.state) == (2, TextState.SENT)
    await outbox.async_shutdown()


async def test_bad_json_is_retried_and_sent_once(
    hass: HomeAssistant, twilio: FakeTwilio, freezer: FrozenDateTimeFactory
) -> None:
    """A 2xx that is not Twilio's JSON proves nothing: retried, then sent exactly once."""
    twilio.script(Reply(200, "<html>captive portal</html>"))
    outbox = await make_outbox(hass, backend(hass, twilio))
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    assert (item.state, item.last_error) == (
        TextState.PENDING,
        "HTTP 200 without a message resource in the reply",
    )
    await advance(hass, freezer, 10)
    assert (item.state, len(twilio.sent)) == (TextState.SENT, 2)
    await advance(hass, freezer, 3600)
    assert len(twilio.sent) == 2
    await outbox.async_shutdown()


async def test_late_answer_is_looked_up_not_sent_again(
    hass: HomeAssistant, hass_storage: dict[str, Any], twilio: FakeTwilio
) -> None:
    """Check that a text Twilio accepted after the timeout is looked up, not sent again.

    The outcome is unknown, so the next attempt (at least 30 s later) looks it up.
    """
    hold = asyncio.Event()
    twilio.script(Reply(hold=hold))
    outbox = await make_outbox(hass, backend(hass, twilio, timeout=SHORT_TIMEOUT))
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    assert (item.state, item.attempts, item.unsure) == (TextState.PENDING, 1, True)
    assert item.last_error == "Twilio did not answer in time"
    assert item.next_try is not None
    assert item.next_try - dt_util.utcnow() >= timedelta(seconds=SETTLE_DELAY - 1)
    assert stored_items(hass_storage)[0]["unsure"] is True
    hold.set()
    async_fire_time_changed(hass, item.next_try + timedelta(seconds=1))
    await settle(hass)
    assert (item.state, item.attempts) == (TextState.SENT, 2)
    assert (len(twilio.sent), len(twilio.lookups)) == (1, 1)
    assert twilio.lookups[0].query == {"To": TO, "From": FROM, "PageSize": "50"}
    await outbox.async_shutdown()


async def test_unsure_text_not_accepted_is_sent_again(
    hass: HomeAssistant, twilio: FakeTwilio
) -> None:
    """Check that a timed-out request Twilio did not accept is sent again, once.

    Twilio answered 500 late; the text is sent again after the lookup found nothing.
    """
    hold = asyncio.Event()
    twilio.script(Reply(500, "late failure", hold=hold))
    outbox = await make_outbox(hass, backend(hass, twilio, timeout=SHORT_TIMEOUT))
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    hold.set()
    assert item.next_try is not None
    async_fire_time_changed(hass, item.next_try + timedelta(seconds=1))
    await settle(hass)
    assert (item.state, item.attempts) == (TextState.SENT, 2)
    assert (len(twilio.sent), len(twilio.lookups), len(twilio.accepted)) == (2, 1, 1)
    await outbox.async_shutdown()


async def test_unsure_text_lookup_failures_are_retried(
    hass: HomeAssistant, twilio: FakeTwilio
) -> None:
    """Check that while the message list can't be read, nothing is sent; the lookup is retried."""
    hold = asyncio.Event()
    twilio.script(Reply(hold=hold))
    twilio.list_replies = [Reply(503, "down"), Reply(200, "<html>portal</html>")]
    outbox = await make_outbox(hass, backend(hass, twilio, timeout=SHORT_TIMEOUT))
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    hold.set()
    errors = []
    for _ in range(3):
        assert item.next_try is not None
        async_fire_time_changed(hass, item.next_try + timedelta(seconds=1))
        await settle(hass)
        errors.append(item.last_error)
    assert errors == ["HTTP 503", "Twilio's message list is not in the reply", errors[1]]
    assert (item.state, item.attempts, len(twilio.sent)) == (TextState.SENT, 4, 1)
    assert len(twilio.lookups) == 3
    await outbox.async_shutdown()


async def test_lookup_with_messaging_service_and_refusal(
    hass: HomeAssistant, twilio: FakeTwilio
) -> None:
    """Check that a Messaging Service sender is not a From filter; a refused lookup is permanent."""
    sender = TwilioBackend(hass, SID, TOKEN, SERVICE_SID, api_base=twilio.base)
    since = dt_util.utcnow() - timedelta(minutes=1)
    await sender.async_send(TO, "Hello")
    assert await sender.async_was_accepted(TO, "Hello", since) is True
    assert twilio.lookups[0].query == {"To": TO, "PageSize": "50"}
    wrong = TwilioBackend(hass, SID, "wrong", SERVICE_SID, api_base=twilio.base)
    with pytest.raises(PermanentTextError, match="20003"):
        await wrong.async_was_accepted(TO, "Hello", since)


async def test_lookup_matches_body_number_and_time(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check which listed message counts as ours.

    Only a message to the number, with our text, created since the given time counts;
    typographic quotes a provider replaced with plain ones still match.
    """
    sender = backend(hass, twilio)
    before = dt_util.utcnow()
    await sender.async_send(TO, "I\u2019m driving \u2013 I\u2019ll call you back\u2026")
    twilio.accepted[0].body = "I'm driving - I'll call you back..."
    assert await sender.async_was_accepted(
        TO, "I\u2019m driving \u2013 I\u2019ll call you back\u2026", before
    )
    assert not await sender.async_was_accepted(TO, "Another text", before)
    assert not await sender.async_was_accepted("+48601000000", "I'm driving", before)
    later = before + timedelta(seconds=5)
    assert not await sender.async_was_accepted(TO, "I'm driving - I'll call you back...", later)


@pytest.mark.parametrize(
    "message",
    [
        {"body": "Hello"},
        {"body": "Hello", "date_created": "not a date"},
        {"body": None, "date_created": "Mon, 23 Nov 2026 12:00:00 +0000"},
        {"body": "Hello", "date_created": "Mon, 23 Nov 2026 12:00:00"},
    ],
)
async def test_lookup_ignores_unusable_entries(
    hass: HomeAssistant, twilio: FakeTwilio, message: dict[str, Any]
) -> None:
    """Check that list entries without a body or a readable creation date never count as ours.

    A date without a zone is read as UTC.
    """
    twilio.list_replies = [Reply(200, json.dumps({"messages": [message, "junk"]}))]
    since = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    found = await backend(hass, twilio).async_was_accepted(TO, "Hello", since)
    assert found is (message.get("date_created") == "Mon, 23 Nov 2026 12:00:00")


async def test_lookup_network_errors_are_temporary(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check that a lookup that times out is only retried later (reading a list is always safe)."""
    app_hold = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await app_hold.wait()
        return web.json_response({"messages": []})

    app = web.Application()
    app.router.add_get("/2010-04-01/Accounts/{sid}/Messages.json", slow)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    sender = TwilioBackend(
        hass, SID, TOKEN, FROM, api_base=str(server.make_url("")).rstrip("/"), timeout=SHORT_TIMEOUT
    )
    with pytest.raises(TemporaryTextError, match="Cannot look up Twilio messages: timeout"):
        await sender.async_was_accepted(TO, "Hello", dt_util.utcnow())
    app_hold.set()
    await server.close()
    with pytest.raises(TemporaryTextError, match="Cannot look up Twilio messages: Client"):
        await sender.async_was_accepted(TO, "Hello", dt_util.utcnow())


async def test_connection_lost_after_sending_is_unsure(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """A server that reads the request and hangs up: the text may have been accepted."""

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sender = TwilioBackend(hass, SID, TOKEN, FROM, api_base=f"http://127.0.0.1:{port}")
    with pytest.raises(UnsureTextError, match="No answer from Twilio: ServerDisconnectedError"):
        await sender.async_send(TO, "Hello")
    server.close()
    await server.wait_closed()


async def test_unsure_without_lookup_is_not_repeated(hass: HomeAssistant) -> None:
    """Check that a backend that can't look its messages up fails an unknown outcome.

    The text fails ("may have been delivered") instead of risking a second copy.
    """

    class NoLog:
        def __init__(self) -> None:
            self.calls = 0

        async def async_send(self, to: str, body: str) -> None:
            self.calls += 1
            raise UnsureTextError("The gateway did not answer in time")

    changes = Changes()
    no_log = NoLog()
    outbox = await make_outbox(hass, no_log, changes)
    item = outbox.enqueue(TO, "Hello", key="k")
    await settle(hass)
    assert item.state is TextState.FAILED
    assert item.last_error == f"The gateway did not answer in time; {MAY_HAVE_BEEN_SENT}"
    assert changes.calls == [(item.id, TextState.FAILED, 1, False)]
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1))
    await settle(hass)
    assert no_log.calls == 1
    await outbox.async_shutdown()


def test_same_text() -> None:
    """Check that bodies compare with typographic punctuation and spacing made plain."""
    assert same_text("I'm late -- sorry...", "I\u2019m late \u2014- sorry\u2026")
    assert same_text("a  b\n", "a\u00a0b")
    assert same_text("\u201eTak\u201d", '"Tak"')
    assert not same_text("Hello", "Hello!")


async def test_permanent_error_fails_at_once(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    twilio: FakeTwilio,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 400 (invalid number) fails the item immediately, without retries or a number in the log."""
    twilio.script(
        Reply(400, json.dumps({"code": 21211, "message": f"The 'To' number {TO} is not valid."}))
    )
    changes = Changes()
    outbox = await make_outbox(hass, backend(hass, twilio), changes)
    with caplog.at_level(logging.INFO):
        item = outbox.enqueue(TO, "Hello", key="call-1")
        await settle(hass)
    assert item.state is TextState.FAILED
    assert item.last_error == "Twilio error 21211: The 'To' number <number> is not valid."
    assert item.next_try is None
    assert changes.calls == [(item.id, TextState.FAILED, 1, False)]
    assert TO not in caplog.text
    assert "failed for good" in caplog.text
    assert stored_items(hass_storage)[0]["state"] == "failed"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1))
    await settle(hass)
    assert len(twilio.sent) == 1
    await outbox.async_shutdown()


async def test_failure_threshold_and_recovery(
    hass: HomeAssistant, twilio: FakeTwilio, freezer: FrozenDateTimeFactory
) -> None:
    """Check that after 3 failures on_change reports a failing pending item; success clears it."""
    twilio.script(*(Reply(503, "down") for _ in range(4)))
    changes = Changes()
    outbox = await make_outbox(hass, backend(hass, twilio), changes)
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    await advance(hass, freezer, 5.1)
    assert (changes.calls, outbox.failing) == ([], False)
    await advance(hass, freezer, 10.1)
    assert (changes.calls, outbox.failing) == ([(item.id, TextState.PENDING, 3, True)], True)
    await advance(hass, freezer, 20.1)
    assert changes.calls[-1] == (item.id, TextState.PENDING, 4, True)
    await advance(hass, freezer, 40.1)
    assert changes.calls[-1] == (item.id, TextState.SENT, 5, False)
    assert len(changes.calls) == 3
    assert outbox.failing is False
    await outbox.async_shutdown()


async def test_gives_up_after_max_attempts(
    hass: HomeAssistant, twilio: FakeTwilio, freezer: FrozenDateTimeFactory
) -> None:
    """Check that a text that keeps failing temporarily fails for good after max_attempts."""
    twilio.script(*(Reply(503, "down") for _ in range(3)))
    changes = Changes()
    outbox = await make_outbox(hass, backend(hass, twilio), changes, max_attempts=3)
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    await advance(hass, freezer, 5.1)
    await advance(hass, freezer, 10.1)
    assert item.state is TextState.FAILED
    assert item.last_error == "Gave up after 3 attempts: HTTP 503"
    assert changes.calls == [(item.id, TextState.FAILED, 3, False)]
    await advance(hass, freezer, 3600)
    assert len(twilio.sent) == 3
    await outbox.async_shutdown()


async def test_success_resumes_waiting_texts(
    hass: HomeAssistant, twilio: FakeTwilio, freezer: FrozenDateTimeFactory
) -> None:
    """Check that when one text gets through, texts waiting in backoff are tried right away."""
    twilio.script(Reply(503, "down"))
    outbox = await make_outbox(hass, backend(hass, twilio), base_delay=600.0, max_delay=600.0)
    first = outbox.enqueue(TO, "First", key="a")
    await settle(hass)
    assert first.state is TextState.PENDING
    assert first.next_try is not None
    second = outbox.enqueue("+48601000000", "Second", key="b")
    await settle(hass)
    assert (first.state, second.state) == (TextState.SENT, TextState.SENT)
    assert [r.form["Body"] for r in twilio.sent] == ["First", "Second", "First"]
    await outbox.async_shutdown()


async def test_success_leaves_unsure_texts_waiting(hass: HomeAssistant, twilio: FakeTwilio) -> None:
    """Check that a success does not hurry an unsure text.

    Its request may still be on its way, so it keeps its settle time before the lookup.
    """
    hold = asyncio.Event()
    twilio.script(Reply(hold=hold))
    outbox = await make_outbox(hass, backend(hass, twilio, timeout=SHORT_TIMEOUT))
    first = outbox.enqueue(TO, "First", key="a")
    await settle(hass)
    waiting_until = first.next_try
    assert first.unsure
    assert waiting_until is not None
    second = outbox.enqueue("+48601000000", "Second", key="b")
    await settle(hass)
    assert (first.state, second.state) == (TextState.PENDING, TextState.SENT)
    assert (first.next_try, twilio.lookups) == (waiting_until, [])
    hold.set()
    async_fire_time_changed(hass, waiting_until + timedelta(seconds=1))
    await settle(hass)
    assert first.state is TextState.SENT
    assert [r.form["Body"] for r in twilio.sent] == ["First", "Second"]
    await outbox.async_shutdown()


async def test_unexpected_backend_error_is_retried(hass: HomeAssistant) -> None:
    """Check that a backend bug (any exception) is retried, with numbers redacted from the error."""

    class Flaky:
        def __init__(self) -> None:
            self.calls = 0

        async def async_send(self, to: str, body: str) -> None:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError(f"cannot text {to}")

    flaky = Flaky()
    outbox = await make_outbox(hass, flaky)
    item = outbox.enqueue(TO, "Hello", key="k")
    await settle(hass)
    assert item.last_error == "RuntimeError('cannot text <number>')"
    assert item.next_try is not None
    async_fire_time_changed(hass, item.next_try + timedelta(seconds=1))
    await settle(hass)
    assert (item.state, flaky.calls) == (TextState.SENT, 2)
    await outbox.async_shutdown()


async def test_on_change_errors_are_contained(
    hass: HomeAssistant, twilio: FakeTwilio, caplog: pytest.LogCaptureFixture
) -> None:
    """Check that a failing on_change callback is logged and does not break the outbox."""

    def explode(item: OutboxItem) -> None:
        raise RuntimeError("boom")

    outbox = Outbox(hass, ENTRY_ID, backend(hass, twilio), on_change=explode)
    await outbox.async_load()
    item = outbox.enqueue(TO, "Hello", key="k")
    await settle(hass)
    assert item.state is TextState.SENT
    assert "Error in the outbox change callback" in caplog.text
    await outbox.async_shutdown()


# --- restarts -----------------------------------------------------------------------------


async def test_pending_text_survives_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    twilio: FakeTwilio,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A text still pending at shutdown is sent by the next outbox over the same storage."""
    twilio.script(Reply(503, "down"))
    first = await make_outbox(hass, backend(hass, twilio), base_delay=60.0)
    item = first.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    assert item.state is TextState.PENDING
    await first.async_shutdown()
    stored = stored_items(hass_storage)
    assert [(s["state"], s["attempts"], s["sending"]) for s in stored] == [("pending", 1, False)]

    # Nothing fires for the stopped outbox.
    await advance(hass, freezer, 120)
    assert len(twilio.sent) == 1

    second = await make_outbox(hass, backend(hass, twilio))
    await settle(hass)
    (again,) = second.items
    assert (again.id, again.state, again.attempts) == (item.id, TextState.SENT, 2)
    assert second.enqueue(TO, "Hello", key="call-1") is again
    await settle(hass)
    assert len(twilio.sent) == 2
    await second.async_shutdown()


async def test_restart_keeps_backoff_schedule(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    twilio: FakeTwilio,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check that a pending item whose retry time is still ahead waits for it after a restart."""
    now = dt_util.utcnow()
    hass_storage[STORE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORE_KEY,
        "data": {
            "items": [
                {
                    "id": "01A",
                    "to": TO,
                    "body": "Hello",
                    "key": "call-1",
                    "created": now.isoformat(),
                    "attempts": 2,
                    "next_try": (now + timedelta(seconds=30)).isoformat(),
                    "last_error": "HTTP 503",
                    "state": "pending",
                    "sending": False,
                }
            ]
        },
    }
    outbox = await make_outbox(hass, backend(hass, twilio))
    await settle(hass)
    assert twilio.sent == []
    await advance(hass, freezer, 31)
    assert outbox.items[0].state is TextState.SENT
    assert outbox.items[0].attempts == 3
    await outbox.async_shutdown()


async def test_enqueue_after_shutdown_is_kept_for_next_start(
    hass: HomeAssistant, hass_storage: dict[str, Any], twilio: FakeTwilio
) -> None:
    """A text queued while the outbox is stopping is stored and sent after the restart."""
    first = await make_outbox(hass, backend(hass, twilio))
    await first.async_shutdown()
    item = first.enqueue(TO, "Late", key="late")
    await settle(hass)
    assert twilio.sent == []
    assert stored_items(hass_storage)[0]["id"] == item.id

    second = await make_outbox(hass, backend(hass, twilio))
    await settle(hass)
    assert second.items[0].state is TextState.SENT
    assert len(twilio.sent) == 1
    await second.async_shutdown()


async def test_interrupted_send_is_looked_up_before_sending(
    hass: HomeAssistant, hass_storage: dict[str, Any], twilio: FakeTwilio
) -> None:
    """Check that a send cut off by shutdown is looked up after the restart, never sent twice.

    It may have been delivered: after the restart Twilio's message list is read first; the
    accepted text is marked sent.
    """
    hold = asyncio.Event()
    twilio.script(Reply(hold=hold))
    first = await make_outbox(hass, backend(hass, twilio), shutdown_grace=0.05)
    item = first.enqueue(TO, "Hello", key="call-1")
    await twilio.arrived.wait()
    await first.async_shutdown()
    assert stored_items(hass_storage)[0]["sending"] is True
    hold.set()

    changes = Changes()
    second = await make_outbox(hass, backend(hass, twilio), changes)
    await settle(hass)
    (again,) = second.items
    assert (again.id, again.state, again.unsure) == (item.id, TextState.SENT, True)
    assert again.last_error == INTERRUPTED
    assert changes.calls == [(item.id, TextState.SENT, 2, False)]
    assert stored_items(hass_storage)[0]["state"] == "sent"
    assert (len(twilio.sent), len(twilio.lookups)) == (1, 1)
    await second.async_shutdown()


async def test_interrupted_send_not_accepted_is_sent_once(
    hass: HomeAssistant, hass_storage: dict[str, Any], twilio: FakeTwilio
) -> None:
    """Check that an interrupted send that Twilio did not accept is sent after the restart, once."""
    hold = asyncio.Event()
    twilio.script(Reply(503, "down", hold=hold))
    first = await make_outbox(hass, backend(hass, twilio), shutdown_grace=0.05)
    first.enqueue(TO, "Hello", key="call-1")
    await twilio.arrived.wait()
    await first.async_shutdown()
    hold.set()
    second = await make_outbox(hass, backend(hass, twilio))
    await settle(hass)
    assert second.items[0].state is TextState.SENT
    assert (len(twilio.sent), len(twilio.lookups), len(twilio.accepted)) == (2, 1, 1)
    await second.async_shutdown()


class StalledSms:
    """A ``notify.sms`` action that records the message and then waits for ``hold``."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hold = asyncio.Event()
        self.calls: list[str] = []
        hass.services.async_register("notify", "sms", self.handle)

    async def handle(self, call: ServiceCall) -> None:
        self.calls.append(call.data["message"])
        await self.hold.wait()


async def test_notify_timeout_is_not_repeated(hass: HomeAssistant) -> None:
    """Check that a notify action that stalls fails the text after the timeout, never repeated.

    It may have handed the text over: failed ("may have been delivered"), never called again.
    """
    sms = StalledSms(hass)
    outbox = await make_outbox(hass, NotifyBackend(hass, "notify.sms", timeout=SHORT_TIMEOUT))
    item = outbox.enqueue(TO, "Hello", key="call-1")
    await settle(hass)
    assert item.state is TextState.FAILED
    assert item.last_error == (
        f"The action notify.sms did not finish in time; {MAY_HAVE_BEEN_SENT}"
    )
    sms.hold.set()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1))
    await settle(hass)
    assert sms.calls == ["Hello"]
    await outbox.async_shutdown()


async def test_interrupted_notify_send_is_not_repeated(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Check that an interrupted notify send fails and is never repeated.

    A notify action can't be asked what it sent: the send is reported as failed ("may have
    been delivered").
    """
    sms = StalledSms(hass)
    first = await make_outbox(hass, NotifyBackend(hass, "notify.sms"), shutdown_grace=0.05)
    item = first.enqueue(TO, "Hello", key="call-1")
    for _ in range(50):
        if sms.calls:
            break
        await asyncio.sleep(0)
    await first.async_shutdown()
    assert stored_items(hass_storage)[0]["sending"] is True
    sms.hold.set()

    changes = Changes()
    second = await make_outbox(hass, NotifyBackend(hass, "notify.sms"), changes)
    await settle(hass)
    (again,) = second.items
    assert (again.id, again.state, again.last_error) == (item.id, TextState.FAILED, INTERRUPTED)
    assert changes.calls == [(item.id, TextState.FAILED, 1, False)]
    assert stored_items(hass_storage)[0]["state"] == "failed"
    assert sms.calls == ["Hello"]
    await second.async_shutdown()


async def test_shutdown_waits_for_sends_in_flight(
    hass: HomeAssistant, hass_storage: dict[str, Any], twilio: FakeTwilio
) -> None:
    """Check that shutdown lets the send in flight finish; texts still waiting stay pending."""
    hold = asyncio.Event()
    twilio.script(Reply(hold=hold))
    outbox = await make_outbox(hass, backend(hass, twilio), max_concurrent=1)
    first = outbox.enqueue(TO, "First", key="a")
    second = outbox.enqueue(TO, "Second", key="b")
    await twilio.arrived.wait()
    stopping = asyncio.ensure_future(outbox.async_shutdown())
    await asyncio.sleep(0.05)
    assert not stopping.done()
    hold.set()
    await stopping
    assert (first.state, second.state) == (TextState.SENT, TextState.PENDING)
    assert second.attempts == 0
    assert len(twilio.sent) == 1
    assert [(s["state"], s["sending"]) for s in stored_items(hass_storage)] == [
        ("sent", False),
        ("pending", False),
    ]


async def test_old_finished_items_are_pruned(
    hass: HomeAssistant, hass_storage: dict[str, Any], twilio: FakeTwilio
) -> None:
    """Check that sent and failed items older than 7 days are dropped; pending ones never are."""
    now = dt_util.utcnow()

    def raw(key: str, state: str, age: timedelta) -> dict[str, Any]:
        return {
            "id": key,
            "to": TO,
            "body": "Hello",
            "key": key,
            "created": (now - age).isoformat(),
            "attempts": 1,
            "next_try": None,
            "last_error": None,
            "state": state,
        }

    hass_storage[STORE_KEY] = {
        "version": 1,
        "key": STORE_KEY,
        "data": {
            "items": [
                raw("old-sent", "sent", timedelta(days=8)),
                raw("old-failed", "failed", timedelta(days=8)),
                raw("old-pending", "pending", timedelta(days=8)),
                raw("recent-sent", "sent", timedelta(days=6)),
            ]
        },
    }
    outbox = await make_outbox(hass, backend(hass, twilio))
    await settle(hass)
    assert [item.key for item in outbox.items] == ["old-pending", "recent-sent"]
    assert outbox.items[0].state is TextState.SENT
    assert outbox.by_key("old-sent") is None
    # A key that was forgotten may be used again.
    outbox.enqueue(TO, "Hello", key="old-sent")
    await settle(hass)
    assert len(twilio.sent) == 2
    await outbox.async_shutdown()


async def test_storage_migration(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """Older minor versions load through the migration; a newer major version is refused."""
    hass_storage[STORE_KEY] = {
        "version": 1,
        "minor_version": 0,
        "key": STORE_KEY,
        "data": {"items": []},
    }
    outbox = await make_outbox(hass, NotifyBackend(hass, "notify.sms"))
    assert outbox.items == []
    assert hass_storage[STORE_KEY]["minor_version"] == 3
    await outbox.async_shutdown()

    hass_storage[STORE_KEY] = {"version": 2, "minor_version": 1, "key": STORE_KEY, "data": {}}
    with pytest.raises(NotImplementedError):
        await make_outbox(hass, NotifyBackend(hass, "notify.sms"))


async def test_empty_storage(hass: HomeAssistant) -> None:
    """Check that a first start with nothing stored has an empty, healthy outbox."""
    outbox = await make_outbox(hass, NotifyBackend(hass, "notify.sms"))
    assert (outbox.items, outbox.pending, outbox.failing) == ([], [], False)
    await outbox.async_shutdown()
