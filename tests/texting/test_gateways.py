"""The Android SMS gateways as texting backends, against fakes built from their documents.

SMS Gateway for Android: the app's local server (``MessagesRoutes.kt``, ``WebService.kt``)
and the cloud API (``android-sms-gateway/server`` ``swagger.json``), request fields from
docs.sms-gate.app "Sending Messages". httpSMS: ``NdoleStudio/httpsms`` ``api/docs/swagger.yaml``.
The fakes are in ``tests/texting/__init__.py``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import random
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.client_etiquette.texting.errors import (
    CannotConnect,
    InvalidAuth,
    InvalidFromNumber,
    PermanentTextError,
    TemporaryTextError,
    UnsureTextError,
)
from custom_components.client_etiquette.texting.httpsms import (
    HttpSmsBackend,
    async_validate_httpsms,
)
from custom_components.client_etiquette.texting.outbox import Outbox, OutboxItem, TextState
from custom_components.client_etiquette.texting.sms_gateway import (
    MODE_CLOUD,
    SmsGatewayBackend,
    async_validate_sms_gateway,
)

from . import (
    GATEWAY_PASSWORD,
    GATEWAY_USER,
    HTTPSMS_KEY,
    OWN_NUMBER,
    SHORT_TIMEOUT,
    FakeHttpSms,
    FakeSmsGateway,
    Reply,
)

TO = "+48601234567"
ENTRY_ID = "entry1"
STORE_KEY = f"client_etiquette.{ENTRY_ID}.outbox"
TEXT = "Sorry, I'm driving. I'll call you back at 15:30."


def local(hass: HomeAssistant, fake: FakeSmsGateway, **kwargs: Any) -> SmsGatewayBackend:
    return SmsGatewayBackend(hass, fake.base, GATEWAY_USER, GATEWAY_PASSWORD, **kwargs)


def cloud(hass: HomeAssistant, fake: FakeSmsGateway, **kwargs: Any) -> SmsGatewayBackend:
    url = fake.base + "/3rdparty/v1"
    return SmsGatewayBackend(hass, url, GATEWAY_USER, GATEWAY_PASSWORD, mode=MODE_CLOUD, **kwargs)


def http_sms(hass: HomeAssistant, fake: FakeHttpSms, **kwargs: Any) -> HttpSmsBackend:
    return HttpSmsBackend(hass, HTTPSMS_KEY, OWN_NUMBER, api_base=fake.base, **kwargs)


async def make_outbox(hass: HomeAssistant, backend: Any) -> Outbox:
    outbox = Outbox(hass, ENTRY_ID, backend, rng=random.Random(3))
    await outbox.async_load()
    return outbox


async def settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


async def next_try(hass: HomeAssistant, item: OutboxItem) -> None:
    """Fire the item's retry timer."""
    assert item.next_try is not None
    async_fire_time_changed(hass, item.next_try + timedelta(seconds=1))
    await settle(hass)


# --- SMS Gateway for Android ---------------------------------------------------------------


async def test_local_server_send_through_outbox(
    hass: HomeAssistant, sms_gateway: FakeSmsGateway, hass_storage: dict[str, Any]
) -> None:
    """A text goes to the phone's /message with our id; the id is kept and stored."""
    outbox = await make_outbox(hass, local(hass, sms_gateway))
    item = outbox.enqueue(TO, TEXT, key="cb:1")
    await settle(hass)
    assert item.state is TextState.SENT
    [request] = sms_gateway.sent
    assert request.path == "/message"
    assert request.auth == (GATEWAY_USER, GATEWAY_PASSWORD)
    assert sms_gateway.payloads == [
        {
            "id": item.id,
            "textMessage": {"text": TEXT},
            "phoneNumbers": [TO],
            "withDeliveryReport": True,
        }
    ]
    assert item.message_id == item.id
    assert outbox.by_message_id(item.id) is item
    [stored] = hass_storage[STORE_KEY]["data"]["items"]
    assert stored["message_id"] == item.id
    await outbox.async_shutdown()


async def test_cloud_send_uses_the_cloud_paths(
    hass: HomeAssistant, sms_gateway: FakeSmsGateway
) -> None:
    """Cloud mode posts to /3rdparty/v1/messages and looks up /3rdparty/v1/messages/{id}."""
    backend = cloud(hass, sms_gateway)
    since = dt_util.utcnow()
    assert await backend.async_send_text(TO, TEXT, "ref-1") == "ref-1"
    assert await backend.async_find_text(TO, TEXT, since, "ref-1") == "ref-1"
    assert await backend.async_find_text(TO, TEXT, since, "ref-2") is None
    assert [r.path for r in sms_gateway.received] == [
        "/3rdparty/v1/messages",
        "/3rdparty/v1/messages/ref-1",
        "/3rdparty/v1/messages/ref-2",
    ]


async def test_sms_gateway_errors(hass: HomeAssistant, sms_gateway: FakeSmsGateway) -> None:
    """Check the errors: 401, 400 permanent; 429, 5xx, a 2xx without its JSON temporary.

    A 409 (our id exists) means an earlier attempt got through.
    """
    backend = local(hass, sms_gateway)
    sms_gateway.script(
        Reply(status=503, headers={"Retry-After": "7"}),
        Reply(status=202, body="<html>portal</html>"),
        Reply(status=400, body='{"message": "phoneNumbers is empty"}'),
    )
    with pytest.raises(TemporaryTextError) as temporary:
        await backend.async_send_text(TO, TEXT, "a")
    assert temporary.value.retry_after == 7.0
    with pytest.raises(TemporaryTextError):
        await backend.async_send_text(TO, TEXT, "b")
    with pytest.raises(PermanentTextError, match="phoneNumbers is empty"):
        await backend.async_send_text(TO, TEXT, "c")
    assert await backend.async_send_text(TO, TEXT, "d") == "d"
    assert await backend.async_send_text(TO, TEXT, "d") == "d"  # 409
    wrong = SmsGatewayBackend(hass, sms_gateway.base, GATEWAY_USER, "wrong")
    with pytest.raises(PermanentTextError) as refused:
        await wrong.async_send_text(TO, TEXT, "e")
    assert refused.value.status == 401
    with pytest.raises(PermanentTextError):
        await wrong.async_find_text(TO, TEXT, dt_util.utcnow(), "d")
    sms_gateway.lookup_replies.append(Reply(status=200, body="[]"))
    with pytest.raises(TemporaryTextError):
        await backend.async_find_text(TO, TEXT, dt_util.utcnow(), "d")


async def test_sms_gateway_network_errors(hass: HomeAssistant, socket_enabled: None) -> None:
    """No connection: temporary; a request that left and got no answer: unsure."""
    server = TestServer(web.Application(), host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    await server.close()
    backend = SmsGatewayBackend(hass, base, GATEWAY_USER, GATEWAY_PASSWORD)
    with pytest.raises(TemporaryTextError) as err:
        await backend.async_send_text(TO, TEXT, "a")
    assert not isinstance(err.value, UnsureTextError)
    with pytest.raises(TemporaryTextError, match="Cannot look up"):
        await backend.async_find_text(TO, TEXT, dt_util.utcnow(), "a")
    with pytest.raises(CannotConnect):
        await async_validate_sms_gateway(hass, base, GATEWAY_USER, GATEWAY_PASSWORD)


async def test_unsure_text_is_looked_up_by_id_and_sent_once(
    hass: HomeAssistant, sms_gateway: FakeSmsGateway
) -> None:
    """The phone took the text but answered too late: the lookup finds it, no resend."""
    hold = asyncio.Event()
    sms_gateway.script(Reply(status=202, hold=hold))
    outbox = await make_outbox(hass, local(hass, sms_gateway, timeout=SHORT_TIMEOUT))
    item = outbox.enqueue(TO, TEXT, key="cb:1")
    await settle(hass)
    assert item.unsure
    assert item.state is TextState.PENDING
    hold.set()
    await next_try(hass, item)
    assert item.state is TextState.SENT
    assert len(sms_gateway.sent) == 1
    assert [r.path for r in sms_gateway.lookups] == [f"/message/{item.id}"]
    assert item.message_id == item.id
    await outbox.async_shutdown()


async def test_unsure_text_not_found_is_sent_again(
    hass: HomeAssistant, sms_gateway: FakeSmsGateway
) -> None:
    """The request never reached the phone: the lookup says 404, so it is sent, once."""
    hold = asyncio.Event()
    sms_gateway.script(Reply(status=500, hold=hold))
    outbox = await make_outbox(hass, local(hass, sms_gateway, timeout=SHORT_TIMEOUT))
    item = outbox.enqueue(TO, TEXT, key="cb:1")
    await settle(hass)
    assert item.unsure
    hold.set()
    await next_try(hass, item)
    assert item.state is TextState.SENT
    assert len(sms_gateway.sent) == 2
    assert len(sms_gateway.lookups) == 1
    await outbox.async_shutdown()


async def test_crash_in_flight_is_looked_up_after_restart(
    hass: HomeAssistant, sms_gateway: FakeSmsGateway, hass_storage: dict[str, Any]
) -> None:
    """A 1.2 item stored as sending (a crash cut it off) is looked up by id, not failed."""
    created = dt_util.utcnow()
    message = await local(hass, sms_gateway).async_send_text(TO, TEXT, "01CRASHED")
    hass_storage[STORE_KEY] = {
        "version": 1,
        "minor_version": 2,
        "key": STORE_KEY,
        "data": {
            "items": [
                {
                    "id": "01CRASHED",
                    "to": TO,
                    "body": TEXT,
                    "key": "cb:1",
                    "created": created.isoformat(),
                    "attempts": 1,
                    "next_try": None,
                    "last_error": None,
                    "state": "pending",
                    "sending": True,
                    "unsure": False,
                }
            ]
        },
    }
    outbox = await make_outbox(hass, local(hass, sms_gateway))
    await settle(hass)
    item = outbox.get("01CRASHED")
    assert item is not None
    assert message == "01CRASHED"
    # Found at the phone: sent, not sent again, and the id read back from the gateway.
    assert (item.state, item.unsure, item.message_id) == (TextState.SENT, True, "01CRASHED")
    assert len(sms_gateway.sent) == 1
    assert [r.path for r in sms_gateway.lookups] == ["/message/01CRASHED"]
    await outbox.async_shutdown()


async def test_validate_sms_gateway(hass: HomeAssistant, sms_gateway: FakeSmsGateway) -> None:
    """The device list answers the settings check, in both modes."""
    await async_validate_sms_gateway(hass, sms_gateway.base, GATEWAY_USER, GATEWAY_PASSWORD)
    await async_validate_sms_gateway(
        hass, sms_gateway.base + "/3rdparty/v1", GATEWAY_USER, GATEWAY_PASSWORD, mode=MODE_CLOUD
    )
    assert [r.path for r in sms_gateway.received] == ["/device", "/3rdparty/v1/devices"]
    with pytest.raises(InvalidAuth):
        await async_validate_sms_gateway(hass, sms_gateway.base, GATEWAY_USER, "wrong")
    with pytest.raises(CannotConnect):  # 404: not the app's API at this address
        await async_validate_sms_gateway(
            hass, sms_gateway.base + "/nothing", GATEWAY_USER, GATEWAY_PASSWORD
        )


async def test_validate_sms_gateway_wants_a_device_list(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """A 200 that isn't JSON, or isn't a list, is not the app."""
    app = web.Application()
    bodies = iter(["<html>router</html>", '{"status": "ok"}'])

    async def device(request: web.Request) -> web.Response:
        return web.Response(text=next(bodies))

    app.router.add_get("/device", device)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    for _ in range(2):
        with pytest.raises(CannotConnect):
            await async_validate_sms_gateway(hass, base, GATEWAY_USER, GATEWAY_PASSWORD)
    await server.close()


# --- httpSMS -------------------------------------------------------------------------------


async def test_httpsms_send_through_outbox(
    hass: HomeAssistant, httpsms: FakeHttpSms, hass_storage: dict[str, Any]
) -> None:
    """A text goes from the own number with our id as request_id; httpSMS's id is kept."""
    outbox = await make_outbox(hass, http_sms(hass, httpsms))
    item = outbox.enqueue(TO, TEXT, key="cb:1")
    await settle(hass)
    assert item.state is TextState.SENT
    assert httpsms.payloads == [
        {"content": TEXT, "from": OWN_NUMBER, "to": TO, "request_id": item.id}
    ]
    [message] = httpsms.messages
    assert item.message_id == message.id
    assert outbox.by_message_id(message.id) is item
    [stored] = hass_storage[STORE_KEY]["data"]["items"]
    assert stored["message_id"] == message.id
    await outbox.async_shutdown()


async def test_httpsms_unsure_text_found_by_request_id(
    hass: HomeAssistant, httpsms: FakeHttpSms
) -> None:
    """Find a text httpSMS queued but answered too late for in its list; don't resend."""
    hold = asyncio.Event()
    httpsms.script(Reply(status=200, hold=hold))
    outbox = await make_outbox(hass, http_sms(hass, httpsms, timeout=SHORT_TIMEOUT))
    item = outbox.enqueue(TO, TEXT, key="cb:1")
    await settle(hass)
    assert item.unsure
    hold.set()
    await next_try(hass, item)
    assert item.state is TextState.SENT
    assert len(httpsms.sent) == 1
    [lookup] = httpsms.lookups
    assert lookup.query == {"owner": OWN_NUMBER, "contact": TO, "limit": "20"}
    assert item.message_id == httpsms.messages[0].id
    await outbox.async_shutdown()


async def test_httpsms_lookup(hass: HomeAssistant, httpsms: FakeHttpSms) -> None:
    """Our request id decides; without one (an older server), the body and the time."""
    backend = http_sms(hass, httpsms)
    before = dt_util.utcnow() - timedelta(seconds=1)
    first = await backend.async_send_text(TO, TEXT, "ref-1")
    assert await backend.async_find_text(TO, TEXT, before, "ref-1") == first
    assert await backend.async_find_text(TO, TEXT, before, "ref-2") is None
    httpsms.messages[0].request_id = None
    assert await backend.async_find_text(TO, TEXT.replace("'", "\u2019"), before, "x") == first
    assert await backend.async_find_text(TO, "Another text", before, "x") is None
    later = dt_util.utcnow() + timedelta(minutes=1)
    assert await backend.async_find_text(TO, TEXT, later, "x") is None
    httpsms.lookup_replies.append(Reply(status=200, body='{"data": "nope"}'))
    with pytest.raises(TemporaryTextError):
        await backend.async_find_text(TO, TEXT, before, "ref-1")
    httpsms.lookup_replies.append(Reply(status=500))
    with pytest.raises(TemporaryTextError):
        await backend.async_find_text(TO, TEXT, before, "ref-1")


async def test_httpsms_errors(hass: HomeAssistant, httpsms: FakeHttpSms) -> None:
    """A wrong key or a number not in the account is permanent; 5xx and bad JSON are not."""
    wrong = HttpSmsBackend(hass, "wrong", OWN_NUMBER, api_base=httpsms.base)
    with pytest.raises(PermanentTextError) as refused:
        await wrong.async_send_text(TO, TEXT, "a")
    assert refused.value.status == 401
    stranger = HttpSmsBackend(hass, HTTPSMS_KEY, "+48229999999", api_base=httpsms.base)
    with pytest.raises(PermanentTextError, match="validation errors"):
        await stranger.async_send_text(TO, TEXT, "b")
    backend = http_sms(hass, httpsms)
    httpsms.script(Reply(status=502), Reply(status=200, body="not json"))
    with pytest.raises(TemporaryTextError):
        await backend.async_send_text(TO, TEXT, "c")
    with pytest.raises(TemporaryTextError, match="without a message"):
        await backend.async_send_text(TO, TEXT, "d")


async def test_validate_httpsms(hass: HomeAssistant, httpsms: FakeHttpSms) -> None:
    """The phone list checks the key and that the own number is one of its phones."""
    await async_validate_httpsms(hass, HTTPSMS_KEY, OWN_NUMBER, api_base=httpsms.base)
    with pytest.raises(InvalidFromNumber):
        await async_validate_httpsms(hass, HTTPSMS_KEY, "+48229999999", api_base=httpsms.base)
    with pytest.raises(InvalidAuth):
        await async_validate_httpsms(hass, "wrong", OWN_NUMBER, api_base=httpsms.base)
    httpsms.phones_reply = Reply(status=200, body='{"data": {}}')
    with pytest.raises(CannotConnect):
        await async_validate_httpsms(hass, HTTPSMS_KEY, OWN_NUMBER, api_base=httpsms.base)
    httpsms.phones_reply = Reply(status=500, body="")
    with pytest.raises(CannotConnect):
        await async_validate_httpsms(hass, HTTPSMS_KEY, OWN_NUMBER, api_base=httpsms.base)


async def test_connection_broken_after_sending_is_unsure(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """The gateway drops the connection once the request is in: the text may be there."""
    app = web.Application()

    async def drop(request: web.Request) -> web.Response:
        await request.read()
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    app.router.add_post("/message", drop)
    app.router.add_post("/v1/messages/send", drop)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    with pytest.raises(UnsureTextError, match="No answer from SMS Gateway"):
        await SmsGatewayBackend(hass, base, GATEWAY_USER, GATEWAY_PASSWORD).async_send_text(
            TO, TEXT, "a"
        )
    with pytest.raises(UnsureTextError, match="No answer from httpSMS"):
        await HttpSmsBackend(hass, HTTPSMS_KEY, OWN_NUMBER, api_base=base).async_send_text(
            TO, TEXT, "a"
        )
    await server.close()


async def test_httpsms_network_errors(hass: HomeAssistant, socket_enabled: None) -> None:
    """No connection: a temporary error for sending and looking up; the check says so."""
    server = TestServer(web.Application(), host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    await server.close()
    backend = HttpSmsBackend(hass, HTTPSMS_KEY, OWN_NUMBER, api_base=base)
    with pytest.raises(TemporaryTextError) as err:
        await backend.async_send_text(TO, TEXT, "a")
    assert not isinstance(err.value, UnsureTextError)
    with pytest.raises(TemporaryTextError, match="Cannot look up httpSMS"):
        await backend.async_find_text(TO, TEXT, dt_util.utcnow(), "a")
    with pytest.raises(CannotConnect):
        await async_validate_httpsms(hass, HTTPSMS_KEY, OWN_NUMBER, api_base=base)


async def test_httpsms_lookup_skips_what_it_cant_read(
    hass: HomeAssistant, httpsms: FakeHttpSms
) -> None:
    """Entries without our request id, a body or a creation time are not our text."""
    backend = http_sms(hass, httpsms)
    httpsms.lookup_replies.append(
        Reply(status=200, body='{"data": [{"request_id": null, "content": 5}, "x"]}')
    )
    assert await backend.async_find_text(TO, TEXT, dt_util.utcnow(), "ref") is None
