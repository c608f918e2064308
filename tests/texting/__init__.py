"""The texting tests' fake Twilio: a small Messages API that checks auth and answers as scripted."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
import json

from aiohttp import web
from homeassistant.util import dt as dt_util

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "secret-token"
FROM = "+48221234567"
# The request timeout of tests whose server holds a request until it times out. Long
# enough that the requests after it (a lookup, a resend) answer in time on a busy machine.
SHORT_TIMEOUT = 0.5


@dataclass
class Reply:
    """One scripted answer of the fake Twilio Messages endpoint."""

    status: int = 201
    body: str | None = None  # None: a message resource like Twilio's
    headers: dict[str, str] = field(default_factory=dict)
    hold: asyncio.Event | None = None  # answer only once this is set


@dataclass
class Accepted:
    """A message the fake Twilio accepted (it shows in the message list)."""

    to: str
    sender: str
    body: str
    created: datetime


@dataclass
class Received:
    """What the server received."""

    method: str
    path: str
    form: dict[str, str]
    auth: tuple[str, str] | None  # basic auth: (login, password)
    query: dict[str, str]


def decode_basic_auth(header: str) -> tuple[str, str] | None:
    """Login and password of a basic ``Authorization`` header, as Twilio reads it."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    login, _, password = base64.b64decode(encoded).decode().partition(":")
    return login, password


class FakeTwilio:
    """A small Twilio: checks basic auth like Twilio, answers scripted replies."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.received: list[Received] = []
        self.numbers = {FROM}
        self.base = ""
        self.account_status = 200
        self.account_body: str | None = None
        self.accepted: list[Accepted] = []
        self.list_replies: list[Reply] = []
        self._holds: list[asyncio.Event] = []
        self.arrived = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self.messages)
        app.router.add_get("/2010-04-01/Accounts/{sid}/Messages.json", self.message_list)
        app.router.add_get("/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json", self.numbers_)
        app.router.add_get("/2010-04-01/Accounts/{sid}.json", self.account)
        return app

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)
        self._holds.extend(reply.hold for reply in replies if reply.hold is not None)

    def release(self) -> None:
        for hold in self._holds:
            hold.set()

    async def _record(self, request: web.Request) -> bool:
        form = {key: str(value) for key, value in (await request.post()).items()}
        header = request.headers.get("Authorization")
        auth = decode_basic_auth(header) if header else None
        self.received.append(
            Received(request.method, request.path, form, auth, dict(request.query))
        )
        self.arrived.set()
        return auth == (SID, TOKEN) and request.match_info["sid"] == SID

    @staticmethod
    def _unauthorized() -> web.Response:
        body = {"code": 20003, "message": "Authenticate", "status": 401}
        return web.json_response(body, status=401)

    async def messages(self, request: web.Request) -> web.Response:
        if not await self._record(request):
            return self._unauthorized()
        reply = self.replies.pop(0) if self.replies else Reply()
        if 200 <= reply.status < 300 and reply.body is None:
            # Accepted before answering: a late answer still leaves the message sent.
            form = self.received[-1].form
            sender = form.get("From") or form.get("MessagingServiceSid", "")
            self.accepted.append(Accepted(form["To"], sender, form["Body"], dt_util.utcnow()))
        if reply.hold is not None:
            await reply.hold.wait()
        if reply.body is None:
            body = json.dumps({"sid": "SM" + "1" * 32, "status": "queued"})
        else:
            body = reply.body
        return web.Response(
            status=reply.status, text=body, headers=reply.headers, content_type="application/json"
        )

    async def message_list(self, request: web.Request) -> web.Response:
        """Twilio's message list: newest first, filtered by To and From."""
        if not await self._record(request):
            return self._unauthorized()
        if self.list_replies:
            reply = self.list_replies.pop(0)
            return web.Response(status=reply.status, text=reply.body or "")
        query = request.query
        size = int(query.get("PageSize", "50"))
        found = [
            {
                "sid": f"SM{index:032d}",
                "to": message.to,
                "from": message.sender,
                "body": message.body,
                "status": "queued",
                "date_created": format_datetime(message.created),
                "date_sent": None,
            }
            for index, message in reversed(list(enumerate(self.accepted)))
            if message.to == query.get("To")
            and ("From" not in query or message.sender == query["From"])
        ]
        return web.json_response({"messages": found[:size], "page_size": size})

    async def account(self, request: web.Request) -> web.Response:
        if not await self._record(request):
            return self._unauthorized()
        if self.account_body is not None:
            return web.Response(status=self.account_status, text=self.account_body)
        return web.json_response({"sid": SID, "status": "active"}, status=self.account_status)

    async def numbers_(self, request: web.Request) -> web.Response:
        if not await self._record(request):
            return self._unauthorized()
        number = request.query.get("PhoneNumber")
        found = [{"phone_number": number}] if number in self.numbers else []
        return web.json_response({"incoming_phone_numbers": found})

    @property
    def sent(self) -> list[Received]:
        return [
            r for r in self.received if r.method == "POST" and r.path.endswith("/Messages.json")
        ]

    @property
    def lookups(self) -> list[Received]:
        return [r for r in self.received if r.method == "GET" and r.path.endswith("/Messages.json")]


# --- The Android SMS gateways -------------------------------------------------------------
#
# SMS Gateway for Android (capcom6): the app's local server (app/.../localserver/WebService.kt
# and routes/MessagesRoutes.kt: POST /message, GET /message/{id}, GET /device, basic auth) and
# its cloud API (android-sms-gateway/server pkg/swagger/docs/swagger.json:
# POST /3rdparty/v1/messages -> 202 MessageState, 409 "Message with such ID already exists";
# GET /3rdparty/v1/messages/{id}; GET /3rdparty/v1/devices), with the request fields of
# docs.sms-gate.app "Sending Messages" (id, textMessage.text, phoneNumbers, withDeliveryReport).
#
# httpSMS (NdoleStudio/httpsms api/docs/swagger.yaml): x-api-key; POST /v1/messages/send
# {content, from, to, request_id} -> 200 {"data": Message, "message", "status"};
# GET /v1/messages?owner&contact&limit(1..20) newest first; GET /v1/phones.

GATEWAY_USER = "sms"
GATEWAY_PASSWORD = "gw-pass-0123456789"
HTTPSMS_KEY = "uk_test_0123456789abcdef"
OWN_NUMBER = "+48221234599"


@dataclass
class GatewayMessage:
    """A text a fake gateway accepted."""

    id: str
    to: str
    body: str
    request_id: str | None
    created: datetime
    payload: dict[str, object]


class FakeSmsGateway:
    """SMS Gateway for Android: the local server and the cloud API, as documented."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.lookup_replies: list[Reply] = []
        self.received: list[Received] = []
        self.payloads: list[dict[str, object]] = []
        self.messages: dict[str, GatewayMessage] = {}
        self.base = ""
        self._holds: list[asyncio.Event] = []
        self._serial = 0

    def app(self) -> web.Application:
        app = web.Application()
        for prefix, messages, devices in (
            ("", "message", "device"),
            ("/3rdparty/v1", "messages", "devices"),
        ):
            app.router.add_post(f"{prefix}/{messages}", self.post)
            app.router.add_get(f"{prefix}/{messages}/{{id}}", self.get)
            app.router.add_get(f"{prefix}/{devices}", self.devices)
        return app

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)
        self._holds.extend(reply.hold for reply in replies if reply.hold is not None)

    def release(self) -> None:
        for hold in self._holds:
            hold.set()

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization")
        auth = decode_basic_auth(header) if header else None
        self.received.append(Received(request.method, request.path, {}, auth, dict(request.query)))
        return auth == (GATEWAY_USER, GATEWAY_PASSWORD)

    @staticmethod
    def _error(status: int, message: str) -> web.Response:
        return web.json_response({"message": message}, status=status)

    @staticmethod
    def _state(message: GatewayMessage, state: str = "Pending") -> dict[str, object]:
        return {
            "id": message.id,
            "state": state,
            "recipients": [{"phoneNumber": message.to, "state": state, "error": None}],
            "isEncrypted": False,
            "states": {state: message.created.isoformat()},
        }

    async def post(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "Unauthorized")
        payload = await request.json()
        self.payloads.append(payload)
        reply = self.replies.pop(0) if self.replies else Reply(status=202)
        text = (payload.get("textMessage") or {}).get("text") or payload.get("message")
        numbers = payload.get("phoneNumbers") or []
        if not text or not numbers:
            return self._error(
                400, "Must specify exactly one of: textMessage, dataMessage, or message"
            )
        message_id = payload.get("id")
        if message_id is None:
            self._serial += 1
            message_id = f"gw{self._serial:019d}"
        if message_id in self.messages:
            return self._error(409, "Message with such ID already exists")
        if 200 <= reply.status < 300 and reply.body is None:
            message = GatewayMessage(message_id, numbers[0], text, None, dt_util.utcnow(), payload)
            self.messages[message_id] = message
        if reply.hold is not None:
            await reply.hold.wait()
        if reply.body is not None or not 200 <= reply.status < 300:
            return web.Response(status=reply.status, text=reply.body or "", headers=reply.headers)
        return web.json_response(self._state(self.messages[message_id]), status=reply.status)

    async def get(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "Unauthorized")
        if self.lookup_replies:
            reply = self.lookup_replies.pop(0)
            return web.Response(status=reply.status, text=reply.body or "")
        message = self.messages.get(request.match_info["id"])
        if message is None:
            return web.Response(status=404)
        return web.json_response(self._state(message, "Sent"))

    async def devices(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "Unauthorized")
        return web.json_response([{"id": "dev1", "name": "Google/Pixel"}])

    @property
    def sent(self) -> list[Received]:
        return [r for r in self.received if r.method == "POST"]

    @property
    def lookups(self) -> list[Received]:
        return [r for r in self.received if r.method == "GET" and "/device" not in r.path]


class FakeHttpSms:
    """httpSMS's API as its swagger documents it."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.lookup_replies: list[Reply] = []
        self.phones_reply: Reply | None = None
        self.received: list[Received] = []
        self.payloads: list[dict[str, object]] = []
        self.messages: list[GatewayMessage] = []
        self.phones = [OWN_NUMBER]
        self.base = ""
        self._holds: list[asyncio.Event] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/messages/send", self.send)
        app.router.add_get("/v1/messages", self.list_messages)
        app.router.add_get("/v1/phones", self.list_phones)
        return app

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)
        self._holds.extend(reply.hold for reply in replies if reply.hold is not None)

    def release(self) -> None:
        for hold in self._holds:
            hold.set()

    def _authorized(self, request: web.Request) -> bool:
        self.received.append(Received(request.method, request.path, {}, None, dict(request.query)))
        return request.headers.get("x-api-key") == HTTPSMS_KEY

    @staticmethod
    def _error(status: int, message: str) -> web.Response:
        return web.json_response({"message": message, "status": "error"}, status=status)

    @staticmethod
    def _message(message: GatewayMessage) -> dict[str, object]:
        return {
            "id": message.id,
            "owner": OWN_NUMBER,
            "contact": message.to,
            "content": message.body,
            "request_id": message.request_id,
            "created_at": message.created.isoformat(),
            "status": "pending",
            "type": "mobile-terminated",
            "sim": "SIM1",
        }

    async def send(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "You are not authorized to carry out this request.")
        payload = await request.json()
        self.payloads.append(payload)
        reply = self.replies.pop(0) if self.replies else Reply(status=200)
        if payload.get("from") not in self.phones:
            return self._error(422, "validation errors while sending message")
        message = GatewayMessage(
            f"{len(self.messages) + 1:08d}-0000-4000-8000-000000000000",
            str(payload["to"]),
            str(payload["content"]),
            payload.get("request_id"),  # type: ignore[arg-type]
            dt_util.utcnow(),
            payload,
        )
        if 200 <= reply.status < 300 and reply.body is None:
            self.messages.append(message)
        if reply.hold is not None:
            await reply.hold.wait()
        if reply.body is not None or not 200 <= reply.status < 300:
            return web.Response(status=reply.status, text=reply.body or "", headers=reply.headers)
        body = {
            "data": self._message(message),
            "message": "message added to queue",
            "status": "success",
        }
        return web.json_response(body)

    async def list_messages(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "You are not authorized to carry out this request.")
        if self.lookup_replies:
            reply = self.lookup_replies.pop(0)
            return web.Response(status=reply.status, text=reply.body or "")
        query = request.query
        limit = int(query.get("limit", "20"))
        if not 1 <= limit <= 20 or query.get("owner") not in self.phones:
            return self._error(422, "validation errors while fetching messages")
        found = [
            self._message(message)
            for message in reversed(self.messages)
            if message.to == query.get("contact")
        ]
        return web.json_response({"data": found[:limit], "message": "fetched", "status": "success"})

    async def list_phones(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "You are not authorized to carry out this request.")
        if self.phones_reply is not None:
            return web.Response(status=self.phones_reply.status, text=self.phones_reply.body or "")
        phones = [
            {"id": f"p{index}", "phone_number": number, "sim": "SIM1"}
            for index, number in enumerate(self.phones)
        ]
        return web.json_response({"data": phones, "message": "fetched", "status": "success"})

    @property
    def sent(self) -> list[Received]:
        return [r for r in self.received if r.method == "POST"]

    @property
    def lookups(self) -> list[Received]:
        return [r for r in self.received if r.path == "/v1/messages"]
