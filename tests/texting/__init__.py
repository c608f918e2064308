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
