"""The telephony webhooks: a Twilio-compatible voice webhook and a JSON one for any PBX.

Voice (Twilio, SignalWire, Telnyx TeXML): ``POST /api/webhook/<voice_webhook_id>``,
form-encoded, signed with ``X-Twilio-Signature`` (or ``X-SignalWire-Signature``) using
the entry's ``twilio_auth_token``, or by Telnyx with ``telnyx-signature-ed25519`` and
``telnyx-timestamp``, checked with the entry's ``telnyx_public_key``. The ``step``
query parameter tells the requests of one call apart: ``call`` (the first request,
also when ``step`` is absent), ``dial`` (the ``<Dial>`` is over), ``recording`` and
``transcription`` (the voicemail is stored), ``done`` (the ``<Record>`` ended),
``urgent`` (a key pressed in the greeting) and ``reason`` (what the caller said the call
is about, ``SpeechResult``). The voice menu's steps are answered once per call: a
retried ``urgent`` or ``reason`` gets the same document and does nothing again. A
``dial`` that was not answered queues a callback for the call
(``CallScreener.missed``). Missing or wrong signature: 403; body over 64 KiB: 413; not
a form: 415; a form that does not parse: 400. Nothing is screened, queued or texted
for any of these. Once the request is authentic, the answer is always valid TwiML:
any failure answers with a voicemail that still records the message. A signed form
with a ``MessageSid`` and no ``CallSid`` is Twilio Messaging's incoming text (the
number's *A message comes in* set to this address): a client's reply
(``callbacks.replies``), answered with an empty ``<Response/>``.

A Twilio signature is checked only against Home Assistant's own addresses of the
webhook (``addresses.trusted_webhook_urls``: the external, cloud and internal URLs),
never one made from the request's ``Host``; the request's own host counts only when it came
through a proxy Home Assistant trusts (``http``: ``use_x_forwarded_for`` and
``trusted_proxies``). The TwiML's URLs are built on the address that was signed for.
Telnyx does not sign the URL: the later steps' URLs carry a tag bound to the step and
the call id (``signature.step_tag``), and a later step without its tag is refused (403).
A call id is screened once (``calls``): a replayed request is answered alike and does
nothing again. Refused requests are counted and logged as a warning at most once an
hour (``refusals.RefusalLog``).

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

from dataclasses import dataclass, field, replace
from functools import partial
from http import HTTPStatus
import logging
import time
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aiohttp import hdrs
from aiohttp.web import Request, Response, json_response
from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.aiohttp import MockRequest

from ..callbacks.replies import async_incoming_text
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
from ..core.messages.times import DEFAULT_WITHIN_MINUTES
from ..core.messages.voice import THANKS, cant_talk
from ..core.models import Action, Breakthrough, Language
from ..core.voice import UrgentAnswer, VoiceMenu, urgent_answer
from . import twiml
from .addresses import TrustedAddresses, configured_webhook_id, forwarded_urls
from .cloudhook import async_relayed, relayed_bases, voice_cloudhook_url
from .messaging import incoming_text, is_message
from .parsing import (
    FORM_CONTENT_TYPE,
    MAX_BODY,
    MAX_CALL_ID,
    MAX_NAME,
    MAX_NUMBER,
    MAX_URL,
    form_field,
    is_missed_report,
    media_type,
    parse_json,
    parse_pbx,
    parse_request_form,
    read_body,
)
from .policy import menu_from_options
from .refusals import RefusalLog, Refused, refusal_response
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
from .steps import (
    STEP,
    STEP_CALL,
    STEP_DIAL,
    STEP_DONE,
    STEP_REASON,
    STEP_RECORDING,
    STEP_TAG,
    STEP_TRANSCRIPTION,
    STEP_URGENT,
    StepUrls,
)

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

_LOGGER = logging.getLogger(__name__)

# Calls remembered per voice webhook, so the later steps know the caller.
RECENT_CALLS: Final = 500
SOURCE_TWILIO: Final = "twilio"
# The longest reason for the call kept (a few sentences).
MAX_REASON: Final = 500
# The voice menu's steps, answered once per call (a retry gets the same document).
MENU_STEPS: Final = frozenset({STEP_URGENT, STEP_REASON})
SOURCE_PBX: Final = "pbx"


@callback
def async_register_webhooks(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry
) -> CALLBACK_TYPE:
    """Register the entry's enabled webhooks; returns what unregisters exactly those.

    The ids are remembered here: on unload after a rotation, ``entry.options`` already
    holds the new ids, and the old ones must still go.
    """
    registered: list[str] = []
    if voice_id := configured_webhook_id(entry, CONF_VOICE_WEBHOOK_ID):
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
    if pbx_id := configured_webhook_id(entry, CONF_PBX_WEBHOOK_ID):
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


def _xml(document: str, status: HTTPStatus = HTTPStatus.OK) -> Response:
    return Response(text=document, content_type=twiml.CONTENT_TYPE, status=status)


@dataclass(slots=True)
class VoiceWebhook:
    """Answers Twilio-compatible voice requests for one entry."""

    entry: ClientEtiquetteConfigEntry
    recent: dict[str, CallOutcome] = field(default_factory=dict)
    # The voice menu's answers by (call id, step): a retried request gets the same one.
    answered: dict[tuple[str, str], str] = field(default_factory=dict)
    last_url: str | None = None
    refusals: RefusalLog = field(
        default_factory=lambda: RefusalLog(
            "voice webhook",
            "without a valid signature",
            "check the auth token (or Telnyx public key), that the provider calls the URL "
            "shown in the options (on Home Assistant's external URL) and the clock",
        )
    )
    _addresses: TrustedAddresses = field(default_factory=TrustedAddresses)

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: Request | MockRequest
    ) -> Response:
        """Check the request, then answer with TwiML (never raises once authentic)."""
        if isinstance(request, MockRequest):  # relayed by Home Assistant Cloud
            if (url := voice_cloudhook_url(self.entry)) is None:
                return refusal_response(Refused(HTTPStatus.FORBIDDEN, "relayed, but no cloudhook"))
            request = await async_relayed(request, url)
        try:
            form, url, telnyx = await self._authentic_form(hass, webhook_id, request)
            fields = dict(form)
            step = request.query.get(STEP, STEP_CALL)
            urls = await self._step_urls(request, url, fields, step) if telnyx else StepUrls(url)
        except Refused as refused:
            if refused.status is HTTPStatus.FORBIDDEN:
                self.refusals.refused(self.entry.title)
            return refusal_response(refused)
        if not telnyx and step == STEP_CALL and is_message(fields):
            return await self._message(fields)
        try:
            document = self._answer(hass, step, fields, urls)
        except Refused as refused:
            return refusal_response(refused)
        except Exception as err:  # the caller must always reach a voicemail
            _LOGGER.error(
                "The voice webhook failed (%s), answering with a plain voicemail",
                type(err).__name__,
            )
            _LOGGER.debug("Voice webhook failure", exc_info=True)
            return _xml(twiml.fallback_voicemail(urls.get(STEP_RECORDING), urls.get(STEP_DONE)))
        await self.entry.runtime_data.screener.async_commit()  # acknowledged means saved
        return _xml(document)

    async def _message(self, form: dict[str, str]) -> Response:
        """Hand a client's text (Twilio Messaging) over; answer an empty ``<Response/>``."""
        try:
            text = incoming_text(form, dt_util.utcnow())
        except Refused as refused:
            return refusal_response(refused)
        try:
            await async_incoming_text(self.entry, text)
        except Exception as err:  # Twilio gets its answer; the reply is lost, said once
            _LOGGER.error("A text from a client could not be handled (%s)", type(err).__name__)
            _LOGGER.debug("Incoming message failure", exc_info=True)
        return _xml(twiml.empty())

    async def _authentic_form(
        self, hass: HomeAssistant, webhook_id: str, request: Request
    ) -> tuple[list[tuple[str, str]], str, bool]:
        """Return the form of a correctly signed request, its trusted URL and signer.

        The trusted URL (without query) is where the later steps go; the flag tells
        whether Telnyx signed it.
        """
        telnyx = request.headers.get(TELNYX_SIGNATURE_HEADER)
        signature = request.headers.get(SIGNATURE_HEADER) or request.headers.get(
            SIGNALWIRE_SIGNATURE_HEADER
        )
        if not signature and not telnyx:
            raise Refused(HTTPStatus.FORBIDDEN, "no signature")
        body = await read_body(request)
        form = parse_request_form(request, body)
        urls = relayed_bases(request)
        if not urls:
            urls = self._addresses.get(hass, webhook_id)
            if hdrs.X_FORWARDED_FOR in request.headers:
                urls = (*urls, *forwarded_urls(hass, request, webhook_id))
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
        raise Refused(HTTPStatus.FORBIDDEN, "wrong signature")

    async def _step_urls(
        self, request: Request, url: str, form: dict[str, str], step: str
    ) -> StepUrls:
        """Return a Telnyx request's later-step URLs, tagged; 403 for a later step untagged.

        Telnyx signs the body, not the URL: only our tag says which step a request is
        for, so a captured request can't be replayed to another step of its call.
        """
        key = await self.entry.runtime_data.callbacks.async_step_key()
        call_id = form_field(form, "CallSid", MAX_CALL_ID)
        if step != STEP_CALL and not is_valid_step_tag(
            key, step, call_id, request.query.get(STEP_TAG)
        ):
            raise Refused(HTTPStatus.FORBIDDEN, "step not signed for this call")
        return StepUrls(url, partial(step_tag, key, call_id=call_id))

    def _answer(self, hass: HomeAssistant, step: str, form: dict[str, str], urls: StepUrls) -> str:
        call_id = form_field(form, "CallSid", MAX_CALL_ID)
        if step in MENU_STEPS:
            return self._menu_step(hass, step, form, call_id, urls)
        if step == STEP_CALL:
            return self._call(hass, form, call_id, urls)
        if step == STEP_DIAL:
            if twiml.dial_answered(form.get("DialCallStatus")):
                return twiml.hangup()
            outcome = self.recent.get(call_id) if call_id else None
            self.entry.runtime_data.screener.missed(call_id)
            return self._voicemail(hass, outcome, urls, missed=True)
        if step == STEP_DONE:
            self.entry.runtime_data.screener.release(call_id)
            return twiml.hangup()
        if step == STEP_RECORDING:
            self.entry.runtime_data.screener.release(call_id)
            if form.get("RecordingStatus", "completed") == "completed":
                self._add_recording(form, call_id, None)
            return twiml.empty()
        if step == STEP_TRANSCRIPTION:
            if form.get("TranscriptionStatus", "completed") == "completed":
                self._add_recording(form, call_id, form_field(form, "TranscriptionText", MAX_BODY))
            return twiml.empty()
        raise Refused(HTTPStatus.BAD_REQUEST, "unknown step")

    def _call(
        self, hass: HomeAssistant, form: dict[str, str], call_id: str | None, urls: StepUrls
    ) -> str:
        number = form_field(form, "From", MAX_NUMBER)
        if number is None:
            raise Refused(HTTPStatus.BAD_REQUEST, "no caller number")
        outcome = self.entry.runtime_data.screener.screen(
            number=number,
            name=form_field(form, "CallerName", MAX_NAME),
            source=SOURCE_TWILIO,
            call_id=call_id,
        )
        if call_id:
            self.recent[call_id] = outcome
            while len(self.recent) > RECENT_CALLS:
                del self.recent[next(iter(self.recent))]
            if outcome.action is Action.VOICEMAIL and self._menu(outcome) != VoiceMenu():
                self.entry.runtime_data.screener.hold_event(call_id)
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
        self, hass: HomeAssistant, outcome: CallOutcome | None, urls: StepUrls, *, missed: bool
    ) -> str:
        """Answer with the greeting, the voice menu and the recording.

        A missed ring-through promises no time and offers no menu. The menu needs the
        call id (its steps find the callback by it).
        """
        language = outcome.language if outcome else Language.EN
        text = self._greeting(hass, outcome, missed=missed)
        menu = VoiceMenu()
        if not missed and outcome is not None and outcome.call_id:
            menu = self._menu(outcome)
        return self._record(
            text,
            language,
            urls,
            urgent_url=urls.get(STEP_URGENT) if menu.urgent else None,
            reason_url=urls.get(STEP_REASON) if menu.ask_reason else None,
        )

    def _greeting(self, hass: HomeAssistant, outcome: CallOutcome | None, *, missed: bool) -> str:
        """Say the polite text (no "leave a message"): sorry, and when the callback comes."""
        options = self.entry.options
        client = outcome.client if outcome else None
        return twiml.intro(
            None if missed or outcome is None or not outcome.reasons else outcome.reasons[0],
            outcome.language if outcome else Language.EN,
            None if missed or outcome is None else outcome.callback_at,
            dt_util.utcnow(),
            client.tz if client else ZoneInfo(hass.config.time_zone),
            sender_name=str(options.get(CONF_SENDER_NAME, "")),
            within_minutes=int(options.get(CONF_WITHIN_MINUTES, DEFAULT_WITHIN_MINUTES)),
        )

    def _menu(self, outcome: CallOutcome) -> VoiceMenu:
        """Return what this caller is offered, by the options of their kind of caller."""
        return menu_from_options(
            self.entry.options,
            outcome.client,
            can_dial=bool(self.entry.options.get(CONF_FORWARD_NUMBER)),
        )

    def _record(
        self,
        intro: str,
        language: Language,
        urls: StepUrls,
        *,
        urgent_url: str | None = None,
        reason_url: str | None = None,
    ) -> str:
        return twiml.menu_voicemail(
            intro,
            language,
            urgent_url=urgent_url,
            reason_url=reason_url,
            recording_status_url=urls.get(STEP_RECORDING),
            action_url=urls.get(STEP_DONE),
            transcribe_url=urls.get(STEP_TRANSCRIPTION) if language is Language.EN else None,
        )

    def _menu_step(
        self,
        hass: HomeAssistant,
        step: str,
        form: dict[str, str],
        call_id: str | None,
        urls: StepUrls,
    ) -> str:
        """Answer a voice-menu step once per call; a retry gets the same answer."""
        if call_id is not None and (document := self.answered.get((call_id, step))):
            return document
        outcome = self.recent.get(call_id) if call_id else None
        if outcome is None:  # unknown call (or no call id): just take a message
            return self._record("", Language.EN, urls)
        if step == STEP_URGENT:
            document = self._urgent(hass, outcome, form.get("Digits"), urls)
        else:
            document = self._reason(outcome, form_field(form, "SpeechResult", MAX_REASON), urls)
        if call_id is not None:
            self.answered[call_id, step] = document
            while len(self.answered) > 2 * RECENT_CALLS:
                del self.answered[next(iter(self.answered))]
        return document

    def _urgent(
        self, hass: HomeAssistant, outcome: CallOutcome, digits: str | None, urls: StepUrls
    ) -> str:
        """Put an urgent caller through, or say why not now and take a message."""
        runtime = self.entry.runtime_data
        menu = self._menu(outcome)
        reasons = {*outcome.reasons, *runtime.monitor.current().reasons}
        answer = urgent_answer(digits, reasons, offered=menu.urgent)
        reason_url = urls.get(STEP_REASON) if menu.ask_reason else None
        call_id = outcome.call_id
        if answer is UrgentAnswer.NONE:
            if reason_url is None:
                runtime.screener.release(call_id)
            return self._record("", outcome.language, urls, reason_url=reason_url)
        runtime.screener.mark_urgent(call_id)
        if answer is UrgentAnswer.RING:
            if call_id:
                self.recent[call_id] = replace(outcome, breakthrough=Breakthrough.URGENT)
            runtime.screener.release(call_id, urgent=True, breakthrough=str(Breakthrough.URGENT))
            options = self.entry.options
            return twiml.ring_urgent(
                str(options.get(CONF_FORWARD_NUMBER)),
                outcome.language,
                timeout=float(options.get(CONF_DIAL_TIMEOUT, DEFAULT_DIAL_TIMEOUT)),
                action_url=urls.get(STEP_DIAL),
            )
        if reason_url is None:
            runtime.screener.release(call_id, urgent=True)
        else:
            runtime.screener.note_held(call_id, urgent=True)
        client = outcome.client
        options = self.entry.options
        sorry = cant_talk(
            outcome.language,
            outcome.callback_at,
            dt_util.utcnow(),
            client.tz if client else ZoneInfo(hass.config.time_zone),
            within_minutes=int(options.get(CONF_WITHIN_MINUTES, DEFAULT_WITHIN_MINUTES)),
        )
        return self._record(sorry, outcome.language, urls, reason_url=reason_url)

    def _reason(self, outcome: CallOutcome, reason_text: str | None, urls: StepUrls) -> str:
        """Keep what the caller said the call is about; then take their message."""
        screener = self.entry.runtime_data.screener
        if reason_text:
            screener.add_reason(outcome.call_id, reason_text)
        screener.release(outcome.call_id, reason_text=reason_text)
        return self._record(THANKS[outcome.language] if reason_text else "", outcome.language, urls)

    def _add_recording(
        self, form: dict[str, str], call_id: str | None, transcription: str | None
    ) -> None:
        url = form_field(form, "RecordingUrl", MAX_URL)
        if url is None or urlsplit(url).scheme not in ("https", "http"):
            return
        outcome = self.recent.get(call_id) if call_id else None
        number = outcome.number if outcome else (form_field(form, "From", MAX_NUMBER) or "")
        attached = self.entry.runtime_data.screener.add_recording(
            call_id=call_id, number=number, url=url, transcription=transcription
        )
        _LOGGER.debug("Voicemail of %s attached: %s", number, attached)


@dataclass(slots=True)
class PbxWebhook:
    """Answers a PBX's JSON request for one entry."""

    entry: ClientEtiquetteConfigEntry
    refusals: RefusalLog = field(
        default_factory=lambda: RefusalLog(
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
                raise Refused(HTTPStatus.UNAUTHORIZED, "missing or wrong bearer secret")
            body = await read_body(request)
            if media_type(request)[0] == FORM_CONTENT_TYPE:
                data: Any = dict(parse_request_form(request, body))
            else:
                data = parse_json(body)
            if is_missed_report(data):
                return await self._missed(data)
            number, name, call_id = parse_pbx(data)
        except Refused as refused:
            return refusal_response(refused)
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
            raise Refused(HTTPStatus.BAD_REQUEST, "call_id missing or invalid")
        item = self.entry.runtime_data.screener.missed(call_id)
        await self.entry.runtime_data.screener.async_commit()
        return json_response({"callback_queued": item is not None})
