"""Screening a call in Home Assistant: the pure decision plus its follow-ups.

``CallScreener.screen`` is synchronous and fast: it decides from the cached readiness,
records the call, and leaves the slow parts (saving, sending the text, events) to run
after the caller (a service or a webhook handler) has its answer.

A call id is decided once: what was answered is kept with the queue (``seen_calls``,
7 days), so a retried or replayed request with the same call id, even after its
callback was done or Home Assistant restarted, gets the same kind of answer and
counts, queues, texts and fires nothing again; a missed call is queued once per id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
import logging
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import TemplateError
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from ..callbacks.models import HISTORY_KEEP, CallbackItem, new_uid
from ..callbacks.queue import CallbackQueue
from ..const import (
    CONF_DEFAULT_LANGUAGE,
    CONF_DEFAULT_REGION,
    CONF_REPLY_EMAIL,
    CONF_SENDER_NAME,
    CONF_TEMPLATE_PREFIX,
    CONF_WITHIN_MINUTES,
    DOMAIN,
    EVENT_RANG_THROUGH,
    EVENT_SENT_TO_VOICEMAIL,
)
from ..core.messages.templates import text_fault
from ..core.messages.texts import build_text, template_variables
from ..core.messages.times import DEFAULT_WITHIN_MINUTES
from ..core.models import (
    Action,
    Breakthrough,
    Call,
    Client,
    Decision,
    Language,
    NoText,
    Readiness,
    Reason,
)
from ..core.phone import normalize_number, read_number
from ..core.screening import History, decide, prune
from ..directory import ClientDirectory
from ..events import CallEvents
from ..sources.monitor import ReadinessMonitor
from ..texting.templates import renderer, report_broken
from .policy import policy_from_options

_LOGGER = logging.getLogger(__name__)
# Outcomes remembered per call id, so a retried webhook or service call is answered alike.
SEEN_CALLS = 500
# How often the call/text history is pruned of entries too old to matter.
PRUNE_EVERY = timedelta(hours=1)
NO_BACKEND = "no_texting_backend"
# The reason on the callback of a call that rang through and was not answered.
NO_ANSWER = "no_answer"
# In a call id's record: its missed-call callback was queued (once is enough).
MISSED = "missed"
# How long a voice-menu call's sent_to_voicemail event waits for what the caller
# chooses (press 1, say the reason) when no later step comes (the caller hung up).
HOLD_EVENT = timedelta(seconds=90)
# Voice-menu calls whose event is held, at most.
HELD_CALLS = 100

type TextSender = Callable[[CallbackItem, str], bool]


@dataclass(slots=True)
class _Held:
    """A voice-menu call's sent_to_voicemail event, held until the caller has chosen."""

    cancel: CALLBACK_TYPE
    data: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    released: bool = False


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """What was decided for one call, and what was done about it."""

    action: Action
    reasons: tuple[Reason, ...]
    client: Client | None
    language: Language
    number: str
    text: str | None
    text_sent: bool
    no_text_reason: str | None
    callback_at: datetime | None
    breakthrough: Breakthrough | None
    call_id: str | None

    def as_response(self) -> dict[str, Any]:
        """Build the incoming_call action's response."""
        client = {"name": self.client.name, "tier": str(self.client.tier)} if self.client else None
        return {
            "action": str(self.action),
            "reasons": [str(reason) for reason in self.reasons],
            "client": client,
            "text": self.text,
            "text_sent": self.text_sent,
            "no_text_reason": self.no_text_reason,
            "callback_at": self.callback_at.isoformat() if self.callback_at else None,
            "breakthrough": str(self.breakthrough) if self.breakthrough else None,
            "language": str(self.language),
        }


class CallScreener:
    """Decides calls for one entry and queues the callbacks and texts."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        options: Mapping[str, Any],
        *,
        monitor: ReadinessMonitor,
        directory: ClientDirectory,
        queue: CallbackQueue,
        events: CallEvents,
        send_text: TextSender | None,
    ) -> None:
        """Keep what a decision needs; nothing here does I/O."""
        self._hass = hass
        self._entry_id = entry_id
        self._options = options
        self._monitor = monitor
        self._directory = directory
        self._queue = queue
        self._events = events
        self._send_text = send_text
        self._policy = policy_from_options(options)
        self._keep = max(HISTORY_KEEP, self._policy.text_cooldown, self._policy.repeat_window)
        self._pruned_at: datetime | None = None
        self._seen: dict[str, CallOutcome] = {}
        self._unsaved = False
        # Languages whose template failed since set-up (told once each).
        self._broken_templates: set[Language] = set()
        self._held: dict[str, _Held] = {}

    @property
    def region(self) -> str | None:
        """The country used for numbers written without a country code."""
        return self._options.get(CONF_DEFAULT_REGION) or self._hass.config.country

    @callback
    def screen(
        self,
        *,
        number: str,
        name: str | None = None,
        source: str | None = None,
        call_id: str | None = None,
    ) -> CallOutcome:
        """Decide a call now; follow-ups run right after."""
        if call_id and (seen := self._seen.get(call_id) or self._stored_outcome(call_id, number)):
            return seen
        now = dt_util.utcnow()
        caller = read_number(number, self.region)
        e164 = caller.e164 or number.strip()
        client = self._directory.by_number(e164)
        history = self._pruned_history(now)
        decision = decide(
            Call(number=e164, name=name, source=source, call_id=call_id, at=now),
            client=client,
            readiness=self._monitor.current(),
            policy=self._policy,
            history=history,
            now=now,
            mobile=caller.mobile,
            agenda=self._monitor.agenda,
        )
        self._queue.note_call(e164, now)
        outcome = self._outcome(decision, e164, call_id, now)
        if outcome.text_sent:
            self._queue.note_text(e164, now)
        self._remember(outcome)
        if call_id:
            self._queue.note_seen_call(call_id, _record(outcome, now))
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug("Call from %s: %s", e164, outcome.as_response())
        if outcome.action is Action.VOICEMAIL:
            item = self._queue_callback(outcome, name, now)
            self._hass.async_create_task(
                self._async_follow_up(outcome, item, name),
                f"{DOMAIN} call follow-up",
                eager_start=False,
            )
        else:
            # A call that rang through commits nothing: nothing to await, so a plain
            # callback right after the answer instead of a task per call.
            self._hass.loop.call_soon(self._follow_up, outcome, None, name)
        return outcome

    @callback
    def screen_missed(
        self,
        *,
        number: str,
        name: str | None,
        source: str,
        rang_at: datetime,
        readiness: Readiness | None,
        client: Client | None = None,
    ) -> tuple[CallOutcome, CallbackItem]:
        """Screen a call that rang on the own phone and was missed; queue its callback.

        ``readiness`` is the verdict when it rang (None: not known any more). Not
        ready then: decided as a call sent to voicemail at ``rang_at`` (tiers,
        repeat calls, cooldown and caps as for any call), the text worded now, a
        promise already past dropped. Ready then, or rung through: the callback only,
        no text. Unknown: the callback only, no text (too late to say "I can't talk").
        """
        now = dt_util.utcnow()
        caller = read_number(number, self.region)
        e164 = caller.e164 or number.strip()
        client = client or self._directory.by_number(e164)
        history = self._pruned_history(now)
        if readiness is None:
            decision = Decision(action=Action.VOICEMAIL, client=client, no_text_reason=NoText.LATE)
        else:
            decision = decide(
                Call(number=e164, name=name, source=source, at=rang_at),
                client=client,
                readiness=readiness,
                policy=self._policy,
                history=history,
                now=rang_at,
                mobile=caller.mobile,
            )
        if decision.callback_at is not None and decision.callback_at <= now:
            decision = replace(decision, callback_at=None)
        self._queue.note_call(e164, rang_at)
        outcome = self._outcome(decision, e164, None, now)
        reasons: list[str] | None = None
        if outcome.action is Action.RING or readiness is None:
            why = NO_ANSWER if outcome.action is Action.RING else outcome.no_text_reason
            outcome = replace(outcome, text=None, text_sent=False, no_text_reason=why)
            reasons = [NO_ANSWER]
        if outcome.text_sent:
            self._queue.note_text(e164, now)
        item = self._queue_callback(outcome, name, rang_at, reasons=reasons)
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug("Missed call from %s (%s): %s", e164, source, outcome.as_response())
        self._hass.async_create_task(
            self._async_follow_up_missed(outcome, item, name),
            f"{DOMAIN} missed call follow-up",
            eager_start=False,
        )
        return outcome, item

    async def _async_follow_up_missed(
        self, outcome: CallOutcome, item: CallbackItem, name: str | None
    ) -> None:
        """Save the callback, then text (sent to voicemail) or only tell (it rang)."""
        await self.async_commit()
        self._follow_up(outcome, item if outcome.action is Action.VOICEMAIL else None, name)

    def _stored_outcome(self, call_id: str, number: str) -> CallOutcome | None:
        """Return the answer given to a call id before (a restart), from what the queue kept.

        A provider that got no answer (Home Assistant restarted meanwhile) retries with
        the same call id, and a stranger may replay a captured request: neither may
        count, queue or text as a second call. The call id's record says what was
        answered; a waiting callback adds its text. A call from before the records
        were kept is found by its waiting callback, and recorded from then on.
        """
        item = self._queue.find_call(call_id)
        record = self._queue.seen_call(call_id)
        if record is not None:
            outcome = self._recorded_outcome(call_id, number, record, item)
            if outcome is not None:
                self._remember(outcome)
                return outcome
        if item is None:
            return None
        sent = not item.text_status.startswith("not_sent")
        outcome = CallOutcome(
            action=Action.VOICEMAIL,
            reasons=tuple(Reason(r) for r in item.reasons if r in Reason.__members__.values()),
            client=self._directory.by_id(item.client_id) if item.client_id else None,
            language=Language(item.language),
            number=item.number,
            text=item.text,
            text_sent=sent,
            no_text_reason=None if sent else item.text_status.partition(":")[2] or None,
            callback_at=item.promised_at,
            breakthrough=None,
            call_id=call_id,
        )
        self._remember(outcome)
        # Kept from now on, so the call id outlives its callback.
        self._queue.note_seen_call(call_id, _record(outcome, dt_util.utcnow()))
        return outcome

    def _recorded_outcome(
        self,
        call_id: str,
        number: str,
        record: Mapping[str, Any],
        item: CallbackItem | None,
    ) -> CallOutcome | None:
        """Read the outcome a call id's record describes; None when it can't be read."""
        try:
            callback_at = record.get("callback_at")
            client_id = record.get("client_id")
            breakthrough = record.get("breakthrough")
            return CallOutcome(
                action=Action(record["action"]),
                reasons=tuple(Reason(reason) for reason in record.get("reasons", ())),
                client=self._directory.by_id(client_id) if client_id else None,
                language=Language(record["language"]),
                number=read_number(number, self.region).e164 or number.strip(),
                text=item.text if item is not None else None,
                text_sent=bool(record.get("text_sent")),
                no_text_reason=record.get("no_text_reason"),
                callback_at=dt_util.parse_datetime(callback_at) if callback_at else None,
                breakthrough=Breakthrough(breakthrough) if breakthrough else None,
                call_id=call_id,
            )
        except (KeyError, TypeError, ValueError):
            return None

    def _pruned_history(self, now: datetime) -> History:
        """Return the history, with entries too old to matter dropped at most once an hour.

        Old entries do no harm to a decision (every check looks at a window before
        ``now``); pruning on every call made each call cost O(history).
        """
        history = self._queue.history
        if self._pruned_at is not None and timedelta(0) <= now - self._pruned_at < PRUNE_EVERY:
            return history
        self._pruned_at = now
        pruned = prune(history, now, self._keep)
        self._queue.async_set_history(pruned)
        return pruned

    def _remember(self, outcome: CallOutcome) -> None:
        if outcome.call_id is None:
            return
        self._seen[outcome.call_id] = outcome
        while len(self._seen) > SEEN_CALLS:
            del self._seen[next(iter(self._seen))]

    def _language(self, client: Client | None) -> Language:
        if client is not None:
            return client.language
        return Language(self._options.get(CONF_DEFAULT_LANGUAGE, Language.EN))

    def _tz(self, client: Client | None) -> ZoneInfo:
        return client.tz if client is not None else ZoneInfo(self._hass.config.time_zone)

    def _outcome(
        self, decision: Decision, number: str, call_id: str | None, now: datetime
    ) -> CallOutcome:
        language = self._language(decision.client)
        text = self._text(decision, language, now) if decision.action is Action.VOICEMAIL else None
        no_text = str(decision.no_text_reason) if decision.no_text_reason else None
        sending = decision.send_text and text is not None
        if sending and self._send_text is None:
            no_text, sending = NO_BACKEND, False
        return CallOutcome(
            action=decision.action,
            reasons=decision.reasons,
            client=decision.client,
            language=language,
            number=number,
            text=text,
            text_sent=sending,
            no_text_reason=no_text,
            callback_at=decision.callback_at,
            breakthrough=decision.breakthrough,
            call_id=call_id,
        )

    def _text(self, decision: Decision, language: Language, now: datetime) -> str:
        reason = decision.primary or Reason.MANUAL
        client = decision.client
        within = int(self._options.get(CONF_WITHIN_MINUTES, DEFAULT_WITHIN_MINUTES))
        sender = str(self._options.get(CONF_SENDER_NAME, ""))
        template = self._options.get(CONF_TEMPLATE_PREFIX + language)
        if template:
            variables = template_variables(
                reason,
                language,
                decision.callback_at,
                now,
                self._tz(client),
                client_name=client.name if client else "",
                sender_name=sender,
                within_minutes=within,
            )
            text = self._from_template(template, language, variables)
            if text is not None:
                return text
        return build_text(
            reason,
            language,
            decision.callback_at,
            now,
            self._tz(client),
            tier=decision.tier,
            sender_name=sender,
            within_minutes=within,
            outside_hours=decision.outside_hours,
            reply_email=self._options.get(CONF_REPLY_EMAIL),
        )

    def _from_template(
        self, template: str, language: Language, variables: Mapping[str, str]
    ) -> str | None:
        """Render the user's template; None (reported once) when it fails or reads badly."""
        try:
            text = renderer(self._hass, template)(variables)
        except TemplateError as err:
            shown = str(err)
        else:
            if text_fault(text) is None:
                return text
            shown = text
        if language not in self._broken_templates:
            self._broken_templates.add(language)
            report_broken(self._hass, self._entry_id, language, shown)
        return None

    async def _async_follow_up(
        self, outcome: CallOutcome, item: CallbackItem, name: str | None
    ) -> None:
        """Once the callback is on disk: send the text, tell automations and the logbook.

        The text goes only after the queue and the history that records it are saved,
        so a crash in between can't make a retried call text the caller again.
        """
        await self.async_commit()
        self._follow_up(outcome, item, name)

    @callback
    def _follow_up(self, outcome: CallOutcome, item: CallbackItem | None, name: str | None) -> None:
        """Send the text of a queued callback; tell the event entity and the logbook."""
        client = outcome.client
        callback_at = outcome.callback_at
        breakthrough = outcome.breakthrough
        data = {
            "action": str(outcome.action),
            "reasons": [str(reason) for reason in outcome.reasons],
            "client_name": client.name if client else name,
            "tier": str(client.tier) if client else None,
            "number": outcome.number,
            "callback_at": callback_at.isoformat() if callback_at else None,
            "breakthrough": str(breakthrough) if breakthrough else None,
            "text_sent": outcome.text_sent,
            "no_text_reason": outcome.no_text_reason,
        }
        # The logbook's: the same without the number (it stays off the logbook).
        logbook = dict(data)
        del logbook["number"]
        if item is not None:
            if outcome.text_sent and outcome.text is not None and self._send_text is not None:
                self._send_text(item, outcome.text)
            voicemail = {**data, "urgent": item.urgent, "reason_text": item.reason_text}
            held = self._held.get(outcome.call_id or "")
            if held is None:
                self._events.fire(EVENT_SENT_TO_VOICEMAIL, voicemail)
            else:
                held.data = voicemail
                if held.released:
                    self._fire_held(outcome.call_id or "")
        else:
            self._events.fire(EVENT_RANG_THROUGH, data)
        self._events.fire_call_screened(logbook)

    async def async_commit(self) -> None:
        """Save the callbacks and history now; a failed write is logged, never raised.

        Callers (the webhooks, the incoming_call action) await this before answering,
        so every callback acknowledged to a caller is on disk. Calls that only rang
        through queue nothing and are not waited for: losing them in a crash loses only
        their place in the repeat-call window.
        """
        if not self._unsaved:  # only rung-through calls since the last write
            return
        self._unsaved = False
        try:
            await self._queue.async_commit()
        except Exception as err:  # the caller must still get an answer
            _LOGGER.error("Could not save the callback queue (%s)", type(err).__name__)
            _LOGGER.debug("Callback queue save failure", exc_info=True)

    def _queue_callback(
        self,
        outcome: CallOutcome,
        name: str | None,
        now: datetime,
        *,
        reasons: list[str] | None = None,
    ) -> CallbackItem:
        client = outcome.client
        status = "queued" if outcome.text_sent else f"not_sent:{outcome.no_text_reason}"
        item = CallbackItem(
            uid=new_uid(),
            key=client.client_id if client else outcome.number,
            name=client.name if client else (name or outcome.number),
            number=outcome.number,
            client_id=client.client_id if client else None,
            language=str(outcome.language),
            reasons=reasons or [str(reason) for reason in outcome.reasons],
            calls=1,
            first_call=now,
            last_call=now,
            promised_at=outcome.callback_at,
            text=outcome.text,
            text_status=status,
        )
        self._unsaved = True
        return self._queue.async_add_call(item, outcome.call_id)

    @callback
    def missed(self, call_id: str | None) -> CallbackItem | None:
        """Queue the callback of a call that rang through unanswered, once per call.

        No text is sent: the caller was not told anything was wrong and is now leaving
        a voicemail; the reminder then says when to call back. None when the call is
        unknown (no id, not screened here) or was not rung through.
        """
        outcome = self._seen.get(call_id) if call_id else None
        if call_id is None or outcome is None or outcome.action is not Action.RING:
            return None
        if self._queue.find_call(call_id) is not None:  # already queued for this call
            return None
        record = self._queue.seen_call(call_id)
        if record is not None and record.get(MISSED):  # queued once, maybe done since
            return None
        now = dt_util.utcnow()
        missed = replace(outcome, reasons=(), text_sent=False, no_text_reason=NO_ANSWER)
        item = self._queue_callback(missed, None, now, reasons=[NO_ANSWER])
        self._queue.note_seen_call(call_id, {**(record or _record(outcome, now)), MISSED: True})
        _LOGGER.debug("Call %s from %s was not answered; callback queued", call_id, item.number)
        return item

    @callback
    def hold_event(self, call_id: str) -> None:
        """Hold the call's sent_to_voicemail event until ``release`` (at most ``HOLD_EVENT``).

        The voice menu asks the caller first ("press 1", "what is it about"); the event
        then says what they chose. Called right after ``screen``, before its follow-up.
        """
        if call_id in self._held:
            return
        self._held[call_id] = _Held(
            async_call_later(self._hass, HOLD_EVENT, partial(self._expire, call_id))
        )
        while len(self._held) > HELD_CALLS:
            self._release_now(next(iter(self._held)))

    @callback
    def release(self, call_id: str | None, **extra: Any) -> None:
        """Fire a held event now, with ``extra`` (``urgent``, ``reason_text``, ``breakthrough``)."""
        held = self._held.get(call_id) if call_id else None
        if held is None or call_id is None:
            return
        held.extra.update(extra)
        held.released = True
        if held.data is not None:
            self._fire_held(call_id)

    @callback
    def note_held(self, call_id: str | None, **extra: Any) -> None:
        """Add ``extra`` to a held event, still held (the caller has more to choose)."""
        if call_id and (held := self._held.get(call_id)) is not None:
            held.extra.update(extra)

    @callback
    def _expire(self, call_id: str, _now: datetime) -> None:
        """Fire a held event once nothing more came from the caller."""
        self._release_now(call_id)

    @callback
    def _release_now(self, call_id: str) -> None:
        """Fire a held event as it is (the caller hung up, or too many are held)."""
        held = self._held.get(call_id)
        if held is not None and held.data is not None:
            self._fire_held(call_id)
        else:
            self._drop_held(call_id)

    def _fire_held(self, call_id: str) -> None:
        held = self._drop_held(call_id)
        if held is not None and held.data is not None:
            self._events.fire(EVENT_SENT_TO_VOICEMAIL, {**held.data, **held.extra})

    def _drop_held(self, call_id: str) -> _Held | None:
        held = self._held.pop(call_id, None)
        if held is not None:
            held.cancel()
        return held

    @callback
    def async_stop(self) -> None:
        """Fire the held events as they are, and cancel their timers (on unload)."""
        for call_id in list(self._held):
            self._release_now(call_id)

    @callback
    def mark_urgent(self, call_id: str | None) -> CallbackItem | None:
        """Mark the call's waiting callback urgent: the caller pressed 1."""
        item = self._queue.find_call(call_id) if call_id else None
        if item is None:
            return None
        if not item.urgent:
            self._unsaved = True
            return self._queue.async_update(item.uid, urgent=True)
        return item

    @callback
    def add_reason(self, call_id: str | None, reason_text: str) -> CallbackItem | None:
        """Put what the caller said the call is about on their waiting callback."""
        item = self._queue.find_call(call_id) if call_id else None
        if item is None:
            return None
        if item.reason_text != reason_text:
            self._unsaved = True
            return self._queue.async_update(item.uid, reason_text=reason_text)
        return item

    @callback
    def add_recording(
        self, *, call_id: str | None, number: str, url: str, transcription: str | None = None
    ) -> bool:
        """Attach a voicemail recording to the caller's waiting callback."""
        e164 = normalize_number(number, self.region) or number.strip()
        item = self._queue.find_call(call_id) if call_id else None
        if item is None:
            client = self._directory.by_number(e164)
            item = self._queue.find(client.client_id if client else e164)
        if item is None:
            return False
        changes: dict[str, Any] = {"recording_url": url}
        if transcription:
            changes["transcription"] = transcription
        self._queue.async_update(item.uid, **changes)
        return True


def _record(outcome: CallOutcome, now: datetime) -> dict[str, Any]:
    """Keep enough of a call id's answer to answer a replay alike, without the number."""
    callback_at = outcome.callback_at
    return {
        "at": now.timestamp(),
        "action": str(outcome.action),
        "reasons": [str(reason) for reason in outcome.reasons],
        "client_id": outcome.client.client_id if outcome.client else None,
        "language": str(outcome.language),
        "callback_at": callback_at.isoformat() if callback_at else None,
        "text_sent": outcome.text_sent,
        "no_text_reason": outcome.no_text_reason,
        "breakthrough": str(outcome.breakthrough) if outcome.breakthrough else None,
    }
