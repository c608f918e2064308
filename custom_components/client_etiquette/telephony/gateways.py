"""Receive the webhooks of the Android SMS gateways: SMS Gateway for Android and httpSMS.

``POST /api/webhook/<sms_gateway_webhook_id>`` takes SMS Gateway for Android's events,
signed with ``X-Signature`` and ``X-Timestamp`` (the app's signing key);
``POST /api/webhook/<httpsms_webhook_id>`` takes httpSMS's, with a JWT in
``Authorization: Bearer`` (the webhook's signing key). Without a signing key in the
options, or with a wrong or stale signature: 401; body over 64 KiB: 413; not an event
of the app: 400. Nothing is queued, texted or changed for any of these. Both apps retry
a delivery until it is answered with 2xx; the same event id is acted on once.

A status event goes to ``TextSending.async_delivery_report``; a received text and a
missed call go to the callbacks (``callbacks/replies.py``, ``telephony/missed.py``).
Events of other kinds are answered 200 and ignored. Numbers are logged at debug only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
import logging
import time
from typing import TYPE_CHECKING, Final

from aiohttp import hdrs
from aiohttp.web import Request, Response, json_response
from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.aiohttp import MockRequest

from ..callbacks.replies import async_incoming_text
from ..const import (
    CONF_HTTPSMS_FROM_NUMBER,
    CONF_HTTPSMS_SIGNING_KEY,
    CONF_HTTPSMS_WEBHOOK_ID,
    CONF_SMS_GATEWAY_SIGNING_KEY,
    CONF_SMS_GATEWAY_WEBHOOK_ID,
    DOMAIN,
)
from ..core.gateways import (
    BadEvent,
    EventKind,
    GatewayEvent,
    httpsms_signed,
    parse_httpsms,
    parse_sms_gateway,
    sms_gateway_signed,
)
from ..core.models import IncomingText, MissedCall
from .addresses import configured_webhook_id, webhook_url
from .missed import async_missed_call
from .refusals import RefusalLog

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

_LOGGER = logging.getLogger(__name__)

MAX_BODY: Final = 64 * 1024
# Event ids remembered per webhook, so a retried delivery is acted on once.
SEEN_EVENTS: Final = 2000
SOURCE_SMS_GATEWAY: Final = "sms_gateway"
SOURCE_HTTPSMS: Final = "httpsms"
SIGNATURE_HEADER: Final = "X-Signature"
TIMESTAMP_HEADER: Final = "X-Timestamp"

type Handler = Callable[["ClientEtiquetteConfigEntry", GatewayEvent, str], Awaitable[bool]]


class _TooLarge(Exception):
    """The body is over MAX_BODY."""


async def _read_body(request: Request | MockRequest) -> bytes:
    """Read the body, refusing anything over MAX_BODY without reading it all."""
    length = getattr(request, "content_length", None)
    if length is not None and length > MAX_BODY:
        raise _TooLarge
    body = bytearray()
    while chunk := await request.content.read(MAX_BODY + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY:
            raise _TooLarge
    return bytes(body)


@dataclass(slots=True)
class GatewayWebhook:
    """One gateway's webhook for one entry: check, read, act once per event."""

    entry: ClientEtiquetteConfigEntry
    source: str
    seen: OrderedDict[str, None] = field(default_factory=OrderedDict)
    refusals: RefusalLog = field(init=False)

    def __post_init__(self) -> None:
        """Name the webhook in the refusal warning."""
        name = "SMS Gateway" if self.source == SOURCE_SMS_GATEWAY else "httpSMS"
        self.refusals = RefusalLog(
            f"{name} webhook",
            "without a valid signature",
            f"check the signing key in the {name} app and in the texting options",
        )

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: Request | MockRequest
    ) -> Response:
        """Check the signature, read the event, act on it unless it was seen."""
        try:
            body = await _read_body(request)
        except _TooLarge:
            return _error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large")
        if not self._signed(request, body):
            self.refusals.refused(self.entry.title)
            return _error(HTTPStatus.UNAUTHORIZED, "bad_signature")
        try:
            event = self._parse(body)
        except BadEvent as err:
            _LOGGER.debug("%s webhook: not an event (%s)", self.source, err)
            return _error(HTTPStatus.BAD_REQUEST, "bad_event")
        if event.kind is EventKind.IGNORED or not self._ours(event):
            return json_response({"ignored": True})
        if event.event_id in self.seen:
            return json_response({"duplicate": True})
        try:
            done = await HANDLERS[event.kind](self.entry, event, self.source)
        except Exception:  # the app retries a failed delivery
            _LOGGER.exception("The %s webhook failed on a %s event", self.source, event.kind)
            return _error(HTTPStatus.INTERNAL_SERVER_ERROR, "failed")
        self._remember(event.event_id)
        return json_response({"handled": done})

    def _signed(self, request: Request | MockRequest, body: bytes) -> bool:
        options = self.entry.options
        now = time.time()
        if self.source == SOURCE_SMS_GATEWAY:
            return sms_gateway_signed(
                str(options.get(CONF_SMS_GATEWAY_SIGNING_KEY) or ""),
                body,
                request.headers.get(TIMESTAMP_HEADER),
                request.headers.get(SIGNATURE_HEADER),
                now,
            )
        return httpsms_signed(
            str(options.get(CONF_HTTPSMS_SIGNING_KEY) or ""),
            request.headers.get(hdrs.AUTHORIZATION),
            now,
        )

    def _parse(self, body: bytes) -> GatewayEvent:
        if self.source == SOURCE_SMS_GATEWAY:
            return parse_sms_gateway(body)
        return parse_httpsms(body)

    def _ours(self, event: GatewayEvent) -> bool:
        """Whether a text or call reached the own number (httpSMS serves several phones)."""
        own = self.entry.options.get(CONF_HTTPSMS_FROM_NUMBER)
        if event.kind is EventKind.STATUS or not own or event.owner is None:
            return True
        return bool(event.owner == own)

    def _remember(self, event_id: str) -> None:
        self.seen[event_id] = None
        while len(self.seen) > SEEN_EVENTS:
            self.seen.popitem(last=False)


def _error(status: HTTPStatus, code: str) -> Response:
    return json_response({"error": code}, status=status)


async def _async_status(
    entry: ClientEtiquetteConfigEntry, event: GatewayEvent, source: str
) -> bool:
    """Show a delivery report on the text's callback item."""
    sending = entry.runtime_data.sending
    if sending is None or event.message_id is None or event.status is None:
        return False
    return await sending.async_delivery_report(
        source, event.message_id, event.status, event.error, ref=event.ref
    )


async def _async_received(
    entry: ClientEtiquetteConfigEntry, event: GatewayEvent, source: str
) -> bool:
    """Put a client's text on their callback item; False for a duplicate."""
    _LOGGER.debug("%s: text from %s", source, event.number)
    text = IncomingText(
        number=event.number or "",
        body=event.body or "",
        received_at=event.at or dt_util.utcnow(),
        source=source,
        event_id=event.event_id,
    )
    return await async_incoming_text(entry, text)


async def _async_missed(
    entry: ClientEtiquetteConfigEntry, event: GatewayEvent, source: str
) -> bool:
    """Screen a missed call as sent to voicemail when it rang; False for a duplicate."""
    _LOGGER.debug("%s: missed call from %s", source, event.number)
    call = MissedCall(
        number=event.number or "",
        rang_at=event.at or dt_util.utcnow(),
        source=source,
        event_id=event.event_id,
    )
    return await async_missed_call(entry, call)


HANDLERS: dict[EventKind, Handler] = {
    EventKind.STATUS: _async_status,
    EventKind.RECEIVED: _async_received,
    EventKind.MISSED_CALL: _async_missed,
}

_WEBHOOKS: Final = (
    (CONF_SMS_GATEWAY_WEBHOOK_ID, SOURCE_SMS_GATEWAY, "SMS Gateway"),
    (CONF_HTTPSMS_WEBHOOK_ID, SOURCE_HTTPSMS, "httpSMS"),
)


@callback
def gateway_webhook_url(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry, key: str
) -> str | None:
    """Return the address to paste into the app; None when that webhook is off."""
    webhook_id = configured_webhook_id(entry, key)
    return webhook_url(hass, webhook_id) if webhook_id else None


@callback
def async_register_gateway_webhooks(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry
) -> CALLBACK_TYPE:
    """Register the entry's gateway webhooks; return what unregisters exactly those."""
    registered: list[str] = []
    for key, source, name in _WEBHOOKS:
        if webhook_id := configured_webhook_id(entry, key):
            webhook.async_register(
                hass,
                DOMAIN,
                f"{entry.title} {name}",
                webhook_id,
                GatewayWebhook(entry, source).async_handle,
                local_only=False,
                allowed_methods=[hdrs.METH_POST],
            )
            registered.append(webhook_id)

    @callback
    def unregister() -> None:
        for webhook_id in registered:
            webhook.async_unregister(hass, webhook_id)

    return unregister
