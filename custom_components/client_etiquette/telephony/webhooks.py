"""The telephony webhooks: a Twilio-compatible voice webhook and a JSON one for any PBX.

Voice (Twilio, SignalWire, Telnyx TeXML): ``POST /api/webhook/<voice_webhook_id>``,
form-encoded, signed with ``X-Twilio-Signature`` (or ``X-SignalWire-Signature``) using
the entry's ``twilio_auth_token``, or by Telnyx with ``telnyx-signature-ed25519`` and
``telnyx-timestamp``, checked with the entry's ``telnyx_public_key``. The ``step``
query parameter tells the requests of one call apart: ``call`` (the first request,
also when ``step`` is absent), ``dial`` (the ``<Dial>`` is over), ``recording`` and
``transcription`` (the voicemail is stored), ``done`` (the ``<Record>`` ended). A
``dial`` that was not answered queues a callback for the call
(``CallScreener.missed``). Missing or wrong signature: 403; body over 64 KiB: 413; not
a form: 415; a form that does not parse: 400. Nothing is screened, queued or texted
for any of these. Once the request is authentic, the answer is always valid TwiML:
any failure answers with a voicemail that still records the message.

A Twilio signature is checked only against Home Assistant's own addresses of the
webhook (``trusted_webhook_urls``: the external, cloud and internal URLs), never one
made from the request's ``Host``; the request's own host counts only when it came
through a proxy Home Assistant trusts (``http``: ``use_x_forwarded_for`` and
``trusted_proxies``). The TwiML's URLs are built on the address that was signed for.
Telnyx does not sign the URL: the later steps' URLs carry a tag bound to the step and
the call id (``signature.step_tag``), and a later step without its tag is refused (403).
A call id is screened once (``calls``): a replayed request is answered alike and does
nothing again. Refused requests are counted and logged as a warning at most once an
hour (``_RefusalLog``).

PBX (Asterisk, FreePBX, FreeSWITCH, anything that can POST):
``POST /api/webhook/<pbx_webhook_id>`` with ``Authorization: Bearer <pbx_secret>`` and
``{"number": ..., "name": ..., "call_id": ...}`` (or the same fields form-encoded, which
is what Asterisk's ``CURL()`` sends) answers the ``incoming_call`` action's
response as JSON; with ``?format=text`` just ``ring`` or ``voicemail``.
``{"event": "missed", "call_id": ...}`` reports a rung-through call nobody answered. No or a wrong
bearer: 401; body over 64 KiB: 413; bad JSON or no number: 400. Local network only
unless ``pbx_local_only`` is switched off. With a ``call_id`` a replayed request is
answered alike and does nothing again, as for the voice webhook.

With Home Assistant Cloud, the voice webhook also has a cloudhook (``cloudhook.py``); a
request Cloud relays is checked against the cloudhook's URL only. The PBX webhook has
none: with ``pbx_local_only`` on (the default), Home Assistant 2026.5 and later refuse
relayed requests to it.

Phone numbers are logged at debug level only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from http import HTTPStatus
from ipaddress import ip_address
import json
import logging
import time
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote_to_bytes, urlencode, urlsplit
from zoneinfo import ZoneInfo

from aiohttp import hdrs
from aiohttp.web import Request, Response, json_response
from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url, is_cloud_connection
from homeassistant.util import dt as dt_util
from homeassistant.util.aiohttp import MockRequest

from ..const import (
    CONF_DIAL_TIMEOUT,
    CONF_FORWARD_NUMBER,
    CONF_PBX_LOCAL_ONLY,
    CONF_PBX_SECRET,
    CONF_PBX_WEBHOOK_ID,
    CONF_SENDER_NAME,
    CONF_TELNYX_PUBLIC_KEY,
    CONF_TWILIO_AUTH_TOKEN,
    CONF_VOICE_WEBHOOK_ID,
    CONF_WITHIN_MINUTES,
    DEFAULT_DIAL_TIMEOUT,
    DOMAIN,
)
from ..core.messages import DEFAULT_WITHIN_MINUTES
from ..core.models import Action, Language
from . import twiml
from .cloudhook import async_relayed, relayed_bases, voice_cloudhook_url
from .screener import CallOutcome
from .signature import (
    SIGNALWIRE_SIGNATURE_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    TELNYX_SIGNATURE_HEADER,
    TELNYX_TIMESTAMP_HEADER,
    is_valid_bearer,
    is_valid_ed25519,
    is_valid_signature,
    is_valid_step_tag,
    signature_algorithm,
    step_tag,
)

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

_LOGGER = logging.getLogger(__name__)

MAX_BODY: Final = 64 * 1024
MAX_FIELDS: Final = 200
# Longest caller number, name and call id taken from a request (as the action's schema).
MAX_NUMBER: Final = 64
MAX_NAME: Final = 200
MAX_CALL_ID: Final = 200
MAX_URL: Final = 2048
# Calls remembered per voice webhook, so the later steps know the caller.
RECENT_CALLS: Final = 500
# Home Assistant's own addresses are worked out again at least this often (seconds),
# and whenever its URL settings change (the cloud's address has no setting to watch).
ADDRESSES_TTL: Final = 60.0
# Refused requests are logged as a warning at most this often, with their count.
WARN_EVERY: Final = timedelta(hours=1)

STEP: Final = "step"
STEP_CALL: Final = "call"
STEP_DIAL: Final = "dial"
STEP_RECORDING: Final = "recording"
STEP_TRANSCRIPTION: Final = "transcription"
STEP_DONE: Final = "done"
# The query parameter of a Telnyx call's later steps that binds them to the call.
STEP_TAG: Final = "tag"
SOURCE_TWILIO: Final = "twilio"
SOURCE_PBX: Final = "pbx"
FORM_CONTENT_TYPE: Final = "application/x-www-form-urlencoded"
# The PBX reports a rung-through call nobody answered with {"event": "missed", "call_id"}.
PBX_EVENT_MISSED: Final = "missed"


class _Refused(Exception):
    """A request answered with a 4xx status, before anything was done for it."""

    def __init__(self, status: HTTPStatus, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


@dataclass(slots=True)
class _Addresses:
    """A webhook's trusted addresses, with the settings and time they were worked out."""

    settings: tuple[object, ...] | None = None
    checked_at: float = 0.0
    urls: tuple[str, ...] = ()

    def get(self, hass: HomeAssistant, webhook_id: str) -> tuple[str, ...]:
        """The trusted addresses, worked out again when the settings change or TTL passed."""
        settings = _url_settings(hass)
        now = time.monotonic()
        if settings != self.settings or now - self.checked_at >= ADDRESSES_TTL:
            self.settings, self.checked_at = settings, now
            self.urls = trusted_webhook_urls(hass, webhook_id)
        return self.urls


@dataclass(slots=True)
class _RefusalLog:
    """Counts refused requests; a warning (with the count) at most once per WARN_EVERY.

    The warning names the entry and the webhook, never a number, secret or address.
    """

    what: str
    why: str
    advice: str
    count: int = 0
    warned_at: datetime | None = None

    def refused(self, title: str) -> None:
        """One more refused request; warn when the last warning is an hour old."""
        self.count += 1
        now = dt_util.utcnow()
        if self.warned_at is not None and timedelta(0) <= now - self.warned_at < WARN_EVERY:
            return
        _LOGGER.warning(
            "The %s of %s refused %d request(s) %s since %s; %s. (This warning comes at "
            "most once an hour; many refusals may mean someone is trying the webhook.)",
            self.what,
            title,
            self.count,
            self.why,
            "the last warning" if self.warned_at else "it was set up",
            self.advice,
        )
        self.count, self.warned_at = 0, now


def _webhook_id(entry: ClientEtiquetteConfigEntry, key: str) -> str | None:
    value = entry.options.get(key)
    return value if isinstance(value, str) and value else None


def webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """The full address of a webhook: the external URL preferred; else just the path."""
    path = webhook.async_generate_path(webhook_id)
    try:
        return get_url(hass, prefer_external=True) + path
    except NoURLAvailableError:
        return path


@callback
def voice_webhook_url(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> str | None:
    """The URL to give the voice provider; None when the voice webhook is off.

    The external URL is preferred; with no URL configured in Home Assistant, just the
    path (``/api/webhook/<id>``).
    """
    webhook_id = _webhook_id(entry, CONF_VOICE_WEBHOOK_ID)
    return webhook_url(hass, webhook_id) if webhook_id else None


@callback
def pbx_webhook_url(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> str | None:
    """The URL to give the PBX; None when the PBX webhook is off."""
    webhook_id = _webhook_id(entry, CONF_PBX_WEBHOOK_ID)
    return webhook_url(hass, webhook_id) if webhook_id else None


@callback
def trusted_webhook_urls(hass: HomeAssistant, webhook_id: str) -> tuple[str, ...]:
    """The addresses of a webhook a provider may sign for: Home Assistant's own.

    The external URL, the Home Assistant Cloud URL and the internal URL (else the
    local IP address), each with the webhook's path; nothing from a request. This is
    the one list of trusted addresses: add any other address of ours here.
    """
    path = webhook.async_generate_path(webhook_id)
    return tuple(dict.fromkeys(base + path for base in _configured_bases(hass)))


@callback
def async_register_webhooks(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry
) -> CALLBACK_TYPE:
    """Register the entry's enabled webhooks; returns what unregisters exactly those.

    The ids are remembered here: on unload after a rotation, ``entry.options`` already
    holds the new ids, and the old ones must still go.
    """
    registered: list[str] = []
    if voice_id := _webhook_id(entry, CONF_VOICE_WEBHOOK_ID):
        webhook.async_register(
            hass,
            DOMAIN,
            f"{entry.title} voice",
            voice_id,
            VoiceWebhook(entry).async_handle,
            local_only=False,
            allowed_methods=[hdrs.METH_POST],
        )
        registered.append(voice_id)
    if pbx_id := _webhook_id(entry, CONF_PBX_WEBHOOK_ID):
        webhook.async_register(
            hass,
            DOMAIN,
            f"{entry.title} PBX",
            pbx_id,
            PbxWebhook(entry).async_handle,
            local_only=bool(entry.options.get(CONF_PBX_LOCAL_ONLY, True)),
            allowed_methods=[hdrs.METH_POST],
        )
        registered.append(pbx_id)

    @callback
    def unregister() -> None:
        for webhook_id in registered:
            webhook.async_unregister(hass, webhook_id)

    return unregister


async def _read_body(request: Request) -> bytes:
    """The request body, refusing (413) anything over ``MAX_BODY`` without reading it all."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise _Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    content = request.content
    chunk = await content.read(MAX_BODY + 1)
    if len(chunk) > MAX_BODY:
        raise _Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    if not chunk or content.at_eof():  # the usual small form: all there in one read
        return chunk
    body = bytearray(chunk)
    while chunk := await content.read(MAX_BODY + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY:
            raise _Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    return bytes(body)


def _media_type(request: Request) -> tuple[str, str | None]:
    """The request's content type and charset; 415 when the header can't be read.

    aiohttp reads the header with the standard library's e-mail parser, which raises
    on some malformed parameters (``Content-Type: ;0*`` gives an IndexError).
    """
    try:
        return request.content_type, request.charset
    except Exception as err:  # whatever the parser raises, the header is unusable
        raise _Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unreadable content type") from err


def _parse_form(request: Request, body: bytes) -> list[tuple[str, str]]:
    """The fields of a form-encoded body; 415 for another type, 400 if it does not parse."""
    content_type, charset = _media_type(request)
    if content_type != FORM_CONTENT_TYPE:
        raise _Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "not a form")
    if charset is not None and charset.lower() not in ("utf-8", "utf8"):
        raise _Refused(HTTPStatus.BAD_REQUEST, "form is not UTF-8")
    try:
        return parse_form(body)
    except (UnicodeDecodeError, ValueError) as err:
        raise _Refused(HTTPStatus.BAD_REQUEST, "malformed form") from err


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """The fields of a UTF-8 form-encoded body, in order.

    The same as ``parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True,
    errors="strict", max_num_fields=MAX_FIELDS)`` (an empty body has no fields), without
    its per-field function calls: it works on the bytes, and only a name or value with
    ``%`` or ``+`` is unquoted. Raises ``ValueError`` (``UnicodeDecodeError`` for bad
    UTF-8) when it does not parse.
    """
    if not body:
        return []
    body.decode("utf-8")  # the whole body must be UTF-8, as parse_qsl would decode it
    if body.count(b"&") >= MAX_FIELDS:
        msg = "Max number of fields exceeded"
        raise ValueError(msg)
    fields: list[tuple[str, str]] = []
    for part in body.split(b"&"):
        name, has_eq, value = part.partition(b"=")
        if not has_eq:
            msg = f"bad form field: {part!r}"
            raise ValueError(msg)
        if b"%" in name or b"+" in name:
            name = unquote_to_bytes(name.replace(b"+", b" "))
        if b"%" in value or b"+" in value:
            value = unquote_to_bytes(value.replace(b"+", b" "))
        fields.append((name.decode("utf-8"), value.decode("utf-8")))
    return fields


def _field(form: Mapping[str, str], name: str, limit: int) -> str | None:
    value = form.get(name, "").strip()
    return value[:limit] if value else None


def _xml(document: str, status: HTTPStatus = HTTPStatus.OK) -> Response:
    return Response(text=document, content_type=twiml.CONTENT_TYPE, status=status)


def _refusal(refused: _Refused) -> Response:
    _LOGGER.debug("Refused a webhook request (%s): %s", refused.why, int(refused.status))
    headers = {}
    if refused.status is HTTPStatus.UNAUTHORIZED:
        headers[hdrs.WWW_AUTHENTICATE] = "Bearer"
    return Response(status=refused.status, text=refused.why, headers=headers)


@dataclass(slots=True)
class VoiceWebhook:
    """Answers Twilio-compatible voice requests for one entry."""

    entry: ClientEtiquetteConfigEntry
    recent: dict[str, CallOutcome] = field(default_factory=dict)
    last_url: str | None = None
    refusals: _RefusalLog = field(
        default_factory=lambda: _RefusalLog(
            "voice webhook",
            "without a valid signature",
            "check the auth token (or Telnyx public key), that the provider calls the URL "
            "shown in the options (on Home Assistant's external URL) and the clock",
        )
    )
    _addresses: _Addresses = field(default_factory=_Addresses)

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: Request | MockRequest
    ) -> Response:
        """Check the request, then answer with TwiML (never raises once authentic)."""
        if isinstance(request, MockRequest):  # relayed by Home Assistant Cloud
            if (url := voice_cloudhook_url(self.entry)) is None:
                return _refusal(_Refused(HTTPStatus.FORBIDDEN, "relayed, but no cloudhook"))
            request = await async_relayed(request, url)
        try:
            form, url, telnyx = await self._authentic_form(hass, webhook_id, request)
            fields = dict(form)
            step = request.query.get(STEP, STEP_CALL)
            urls = await self._step_urls(request, url, fields, step) if telnyx else _StepUrls(url)
        except _Refused as refused:
            if refused.status is HTTPStatus.FORBIDDEN:
                self.refusals.refused(self.entry.title)
            return _refusal(refused)
        try:
            document = self._answer(hass, step, fields, urls)
        except _Refused as refused:
            return _refusal(refused)
        except Exception as err:  # the caller must always reach a voicemail
            _LOGGER.error(
                "The voice webhook failed (%s), answering with a plain voicemail",
                type(err).__name__,
            )
            _LOGGER.debug("Voice webhook failure", exc_info=True)
            return _xml(twiml.fallback_voicemail(urls.get(STEP_RECORDING), urls.get(STEP_DONE)))
        await self.entry.runtime_data.screener.async_commit()  # acknowledged means saved
        return _xml(document)

    async def _authentic_form(
        self, hass: HomeAssistant, webhook_id: str, request: Request
    ) -> tuple[list[tuple[str, str]], str, bool]:
        """The form of a correctly signed request, the trusted URL (without query) its
        later steps go to, and whether Telnyx signed it."""
        telnyx = request.headers.get(TELNYX_SIGNATURE_HEADER)
        signature = request.headers.get(SIGNATURE_HEADER) or request.headers.get(
            SIGNALWIRE_SIGNATURE_HEADER
        )
        if not signature and not telnyx:
            raise _Refused(HTTPStatus.FORBIDDEN, "no signature")
        body = await _read_body(request)
        form = _parse_form(request, body)
        urls = relayed_bases(request)
        if not urls:
            urls = self._addresses.get(hass, webhook_id)
            if hdrs.X_FORWARDED_FOR in request.headers:
                urls = (*urls, *_forwarded_urls(hass, request, webhook_id))
        if signature:
            token = self.entry.options.get(CONF_TWILIO_AUTH_TOKEN)
            algorithm = signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
            last = self.last_url
            if last is not None and urls and last != urls[0] and last in urls:
                # The URL the provider signed last time first: usually the only one tried.
                urls = (last, *(url for url in urls if url != last))
            query = request.raw_path.partition("?")[1:]
            for url in urls:
                if is_valid_signature(
                    token, [url + "".join(query)], form, signature, algorithm=algorithm
                ):
                    self.last_url = url
                    return form, url, False
        elif is_valid_ed25519(
            self.entry.options.get(CONF_TELNYX_PUBLIC_KEY),
            timestamp=request.headers.get(TELNYX_TIMESTAMP_HEADER),
            body=body,
            signature=telnyx,
            now=time.time(),
        ):
            # The URL is not signed: the first trusted address, else a relative one.
            return form, urls[0] if urls else request.path, True
        raise _Refused(HTTPStatus.FORBIDDEN, "wrong signature")

    async def _step_urls(
        self, request: Request, url: str, form: dict[str, str], step: str
    ) -> _StepUrls:
        """A Telnyx request's later-step URLs, tagged; 403 for a later step without its tag.

        Telnyx signs the body, not the URL: only our tag says which step a request is
        for, so a captured request can't be replayed to another step of its call.
        """
        key = await self.entry.runtime_data.callbacks.async_step_key()
        call_id = _field(form, "CallSid", MAX_CALL_ID)
        if step != STEP_CALL and not is_valid_step_tag(
            key, step, call_id, request.query.get(STEP_TAG)
        ):
            raise _Refused(HTTPStatus.FORBIDDEN, "step not signed for this call")
        return _StepUrls(url, partial(step_tag, key, call_id=call_id))

    def _answer(self, hass: HomeAssistant, step: str, form: dict[str, str], urls: _StepUrls) -> str:
        call_id = _field(form, "CallSid", MAX_CALL_ID)
        if step == STEP_CALL:
            return self._call(hass, form, call_id, urls)
        if step == STEP_DIAL:
            if twiml.dial_answered(form.get("DialCallStatus")):
                return twiml.hangup()
            outcome = self.recent.get(call_id) if call_id else None
            self.entry.runtime_data.screener.missed(call_id)
            return self._voicemail(hass, outcome, urls, missed=True)
        if step == STEP_DONE:
            return twiml.hangup()
        if step == STEP_RECORDING:
            if form.get("RecordingStatus", "completed") == "completed":
                self._add_recording(form, call_id, None)
            return twiml.empty()
        if step == STEP_TRANSCRIPTION:
            if form.get("TranscriptionStatus", "completed") == "completed":
                self._add_recording(form, call_id, _field(form, "TranscriptionText", MAX_BODY))
            return twiml.empty()
        raise _Refused(HTTPStatus.BAD_REQUEST, "unknown step")

    def _call(
        self, hass: HomeAssistant, form: dict[str, str], call_id: str | None, urls: _StepUrls
    ) -> str:
        number = _field(form, "From", MAX_NUMBER)
        if number is None:
            raise _Refused(HTTPStatus.BAD_REQUEST, "no caller number")
        outcome = self.entry.runtime_data.screener.screen(
            number=number,
            name=_field(form, "CallerName", MAX_NAME),
            source=SOURCE_TWILIO,
            call_id=call_id,
        )
        if call_id:
            self.recent[call_id] = outcome
            while len(self.recent) > RECENT_CALLS:
                del self.recent[next(iter(self.recent))]
        options = self.entry.options
        forward = options.get(CONF_FORWARD_NUMBER)
        if outcome.action is Action.RING and forward:
            return twiml.dial(
                str(forward),
                timeout=float(options.get(CONF_DIAL_TIMEOUT, DEFAULT_DIAL_TIMEOUT)),
                action_url=urls.get(STEP_DIAL),
            )
        if outcome.action is Action.RING:
            _LOGGER.warning(
                "%s: a call could ring through, but no forward number is set; taking a message",
                self.entry.title,
            )
            self.entry.runtime_data.screener.missed(call_id)
        return self._voicemail(hass, outcome, urls, missed=outcome.action is Action.RING)

    def _voicemail(
        self, hass: HomeAssistant, outcome: CallOutcome | None, urls: _StepUrls, *, missed: bool
    ) -> str:
        """The greeting and recording; a missed ring-through promises no particular time."""
        options = self.entry.options
        language = outcome.language if outcome else Language.EN
        client = outcome.client if outcome else None
        text = twiml.greeting(
            None if missed or outcome is None or not outcome.reasons else outcome.reasons[0],
            language,
            None if missed or outcome is None else outcome.callback_at,
            dt_util.utcnow(),
            client.tz if client else ZoneInfo(hass.config.time_zone),
            sender_name=str(options.get(CONF_SENDER_NAME, "")),
            within_minutes=int(options.get(CONF_WITHIN_MINUTES, DEFAULT_WITHIN_MINUTES)),
        )
        return twiml.voicemail(
            text,
            language,
            recording_status_url=urls.get(STEP_RECORDING),
            action_url=urls.get(STEP_DONE),
            transcribe_url=urls.get(STEP_TRANSCRIPTION) if language is Language.EN else None,
        )

    def _add_recording(
        self, form: dict[str, str], call_id: str | None, transcription: str | None
    ) -> None:
        url = _field(form, "RecordingUrl", MAX_URL)
        if url is None or urlsplit(url).scheme not in ("https", "http"):
            return
        outcome = self.recent.get(call_id) if call_id else None
        number = outcome.number if outcome else (_field(form, "From", MAX_NUMBER) or "")
        attached = self.entry.runtime_data.screener.add_recording(
            call_id=call_id, number=number, url=url, transcription=transcription
        )
        _LOGGER.debug("Voicemail of %s attached: %s", number, attached)


class _StepUrls:
    """The URLs of the later steps, on the trusted address the request was signed for.

    ``tag`` (Telnyx): makes the tag of a step, added to its URL.
    """

    def __init__(self, url: str, tag: Callable[[str], str] | None = None) -> None:
        self._url = url
        self._tag = tag

    def get(self, step: str) -> str:
        """The URL of ``step``."""
        query = _STEP_QUERIES.get(step) or urlencode({STEP: step})
        if self._tag is not None:
            query += "&" + urlencode({STEP_TAG: self._tag(step)})
        return f"{self._url}?{query}"


_STEP_QUERIES: Final = {
    step: urlencode({STEP: step})
    for step in (STEP_CALL, STEP_DIAL, STEP_RECORDING, STEP_TRANSCRIPTION, STEP_DONE)
}


def _configured_bases(hass: HomeAssistant) -> list[str]:
    """Home Assistant's own URLs: external, cloud, internal; without a trailing slash."""
    bases: list[str] = []
    for options in (
        {"prefer_external": True},
        {"allow_internal": False, "allow_cloud": False},
        {"allow_internal": False, "prefer_cloud": True},
        {"allow_external": False},
    ):
        try:
            bases.append(get_url(hass, **options).rstrip("/"))
        except NoURLAvailableError:
            continue
    return bases


def _url_settings(hass: HomeAssistant) -> tuple[object, ...]:
    """What Home Assistant's URLs are made of; they are worked out again when it changes."""
    api = hass.config.api
    return (
        hass.config.external_url,
        hass.config.internal_url,
        api.local_ip if api else None,
        api.port if api else None,
        api.use_ssl if api else None,
    )


def _via_trusted_proxy(hass: HomeAssistant, request: Request) -> bool:
    """Whether the request came through a reverse proxy Home Assistant trusts.

    Home Assistant's ``http`` refuses ``X-Forwarded-For`` from anyone else (and
    without ``use_x_forwarded_for``); this checks the connected peer again. A Home
    Assistant Cloud request skips that check, so its forwarded headers are never
    trusted (its own address is one of the trusted ones anyway).
    """
    transport = request.transport
    peer = transport.get_extra_info("peername") if transport is not None else None
    if (
        hdrs.X_FORWARDED_FOR not in request.headers
        or not isinstance(peer, tuple)
        or is_cloud_connection(hass)
    ):
        return False
    try:
        address = ip_address(peer[0])
    except ValueError:  # not an IP socket
        return False
    return any(address in network for network in hass.http.trusted_proxies)


def _forwarded_urls(hass: HomeAssistant, request: Request, webhook_id: str) -> tuple[str, ...]:
    """The webhook at the host a trusted proxy passed on (as sent, and with https)."""
    if not _via_trusted_proxy(hass, request):
        return ()
    path = webhook.async_generate_path(webhook_id)
    host = request.host
    return tuple(dict.fromkeys((f"{request.scheme}://{host}{path}", f"https://{host}{path}")))


@dataclass(slots=True)
class PbxWebhook:
    """Answers a PBX's JSON request for one entry."""

    entry: ClientEtiquetteConfigEntry
    refusals: _RefusalLog = field(
        default_factory=lambda: _RefusalLog(
            "PBX webhook",
            "without the right bearer secret",
            "check the secret in the PBX's Authorization header",
        )
    )

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: Request | MockRequest
    ) -> Response:
        """Check the bearer secret and the body, screen the call, answer JSON."""
        if isinstance(request, MockRequest):  # sent with webhook/handle: no cloudhook here
            request = await async_relayed(request, None)
        try:
            if not is_valid_bearer(
                request.headers.get(hdrs.AUTHORIZATION), self.entry.options.get(CONF_PBX_SECRET)
            ):
                self.refusals.refused(self.entry.title)
                raise _Refused(HTTPStatus.UNAUTHORIZED, "missing or wrong bearer secret")
            body = await _read_body(request)
            if _media_type(request)[0] == FORM_CONTENT_TYPE:
                data: Any = dict(_parse_form(request, body))
            else:
                data = _parse_json(body)
            if _is_missed_report(data):
                return await self._missed(data)
            number, name, call_id = _parse_pbx(data)
        except _Refused as refused:
            return _refusal(refused)
        try:
            outcome = self.entry.runtime_data.screener.screen(
                number=number, name=name, source=SOURCE_PBX, call_id=call_id
            )
        except Exception as err:  # the PBX gets a clear error
            _LOGGER.error("The PBX webhook failed (%s)", type(err).__name__)
            _LOGGER.debug("PBX webhook failure", exc_info=True)
            return json_response(
                {"error": "screening_failed"}, status=HTTPStatus.INTERNAL_SERVER_ERROR
            )
        await self.entry.runtime_data.screener.async_commit()  # acknowledged means saved
        if request.query.get("format") == "text":
            return Response(text=str(outcome.action), content_type="text/plain")
        return json_response(outcome.as_response())

    async def _missed(self, data: dict[str, Any]) -> Response:
        """``{"event": "missed", "call_id": ...}``: a rung-through call was not answered."""
        call_id = data.get("call_id")
        if not isinstance(call_id, str) or not call_id or len(call_id) > MAX_CALL_ID:
            raise _Refused(HTTPStatus.BAD_REQUEST, "call_id missing or invalid")
        item = self.entry.runtime_data.screener.missed(call_id)
        await self.entry.runtime_data.screener.async_commit()
        return json_response({"callback_queued": item is not None})


def _is_missed_report(data: Any) -> bool:
    return isinstance(data, dict) and data.get("event") == PBX_EVENT_MISSED


def _parse_json(body: bytes) -> Any:
    """The JSON document of a body; 400 when it is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as err:
        raise _Refused(HTTPStatus.BAD_REQUEST, "body is not JSON") from err


def _parse_pbx(data: Any) -> tuple[str, str | None, str | None]:
    """Number, name and call id from the PBX's JSON object or form; 400 when not there."""
    if not isinstance(data, dict):
        raise _Refused(HTTPStatus.BAD_REQUEST, "body is not a JSON object")
    number, name, call_id = data.get("number"), data.get("name"), data.get("call_id")
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if not isinstance(number, str) or not number.strip() or len(number) > MAX_NUMBER:
        raise _Refused(HTTPStatus.BAD_REQUEST, "number missing or invalid")
    for value, limit in ((name, MAX_NAME), (call_id, MAX_CALL_ID)):
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise _Refused(HTTPStatus.BAD_REQUEST, "name or call_id invalid")
    return number.strip(), name or None, call_id or None
