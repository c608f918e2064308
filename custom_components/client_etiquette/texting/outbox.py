"""Sending polite texts: the Twilio and notify backends and a durable outbox.

The outbox is the only way texts leave the integration. ``Outbox.enqueue`` is
synchronous and returns at once, so the call-screening decision never waits for a
provider. Each text is stored with ``helpers.storage.Store`` before it is sent and
retried with exponential backoff and full jitter until it is sent, fails for good,
or runs out of attempts.

No text is sent twice. An attempt is written to disk before the request leaves. When
its outcome is unknown (the provider answered too late, the connection broke after
the request left, or a crash cut the attempt off), the item is marked ``unsure``: a
backend that can look its messages up (Twilio) is asked whether the text was accepted
before it is sent again; with one that can't (a notify action), a crash-interrupted
attempt is reported as failed ("may have been delivered"), never repeated.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
import json
import logging
import math
import random
import re
from typing import Any, Final, Protocol, runtime_checkable
import unicodedata
from urllib.parse import quote

import aiohttp
from aiohttp.hdrs import AUTHORIZATION
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceNotFound, ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now
import voluptuous as vol

from ..const import DOMAIN

_LOGGER = logging.getLogger(__name__)

TWILIO_API_BASE: Final = "https://api.twilio.com"
DEFAULT_TIMEOUT: Final = 10.0
# A notify action may make several requests of its own.
NOTIFY_TIMEOUT: Final = 30.0

STORAGE_VERSION: Final = 1
# 1.2 adds "unsure" to items; older items read it as false.
STORAGE_MINOR_VERSION: Final = 2
RETENTION: Final = timedelta(days=7)
# A Retry-After larger than this is treated as this (a provider asking for a week is broken).
MAX_RETRY_AFTER: Final = 86400.0
# After an attempt with an unknown outcome, wait at least this long before looking the
# message up (a request still on its way must have arrived by then).
SETTLE_DELAY: Final = 30.0
# How far before an item was queued a found message may have been created (clock skew).
LOOKBACK: Final = timedelta(minutes=2)
LOOKUP_PAGE_SIZE: Final = 50

_NUMBER_RE: Final = re.compile(r"\+?\d[\d ()./-]{5,}\d")
_MESSAGING_SERVICE_RE: Final = re.compile(r"MG[0-9a-fA-F]{32}")


def redact_numbers(text: str) -> str:
    """``text`` with anything that looks like a phone number replaced by ``<number>``."""
    return _NUMBER_RE.sub("<number>", text)


# --- errors -----------------------------------------------------------------------------


class TextError(Exception):
    """A text could not be sent. The message never contains a phone number."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        """Keep the HTTP status and the provider's error code, when there are any."""
        super().__init__(redact_numbers(message))
        self.status = status
        self.code = code


class TemporaryTextError(TextError):
    """Worth retrying: timeout, connection error, 5xx, 429, a reply that isn't the API's."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        code: int | None = None,
    ):
        """``retry_after``: seconds the provider asked us to wait, if it said so."""
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class UnsureTextError(TemporaryTextError):
    """The request may have reached the provider: a timeout or a connection broken after
    it left. Sending again could deliver the text twice; look it up first."""


class PermanentTextError(TextError):
    """Retrying the same text will not help: invalid number, unsubscribed recipient, ..."""


class InvalidAuth(HomeAssistantError):
    """The Twilio Account SID or auth token is wrong."""


class CannotConnect(HomeAssistantError):
    """Twilio could not be reached, or did not answer like Twilio."""


class InvalidFromNumber(InvalidAuth):
    """The sender number is not a phone number of the Twilio account.

    A subclass of InvalidAuth, so a caller that only handles InvalidAuth still refuses
    the settings; catch it first to show the precise message.
    """


def http_date(value: str) -> datetime | None:
    """An RFC 2822 / HTTP date (UTC when it names no zone), or None when it isn't one."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt_util.UTC)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        if (when := http_date(value)) is None:
            return None
        seconds = (when - now).total_seconds()
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


# --- backends ---------------------------------------------------------------------------


class TextBackend(Protocol):
    """Something that sends one text, or raises a ``TextError`` subclass."""

    async def async_send(self, to: str, body: str) -> None:
        """Send ``body`` to the E.164 number ``to``."""


@runtime_checkable
class CheckableBackend(TextBackend, Protocol):
    """A backend that can tell whether it accepted a text (its message log)."""

    async def async_was_accepted(self, to: str, body: str, since: datetime) -> bool:
        """Whether a text with this body to ``to`` was accepted at or after ``since``.

        Raises a ``TextError`` subclass when the log can't be read now.
        """


# Typographic characters a provider may replace with plain ones (Twilio's smart encoding).
_PLAIN: Final = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2026": "...",
    }
)


def same_text(sent: str, ours: str) -> bool:
    """Whether a provider's copy of a message body is our text (encodings aside)."""

    def plain(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).translate(_PLAIN).split())

    return plain(sent) == plain(ours)


def basic_auth(login: str, password: str) -> str:
    """The ``Authorization`` header value of HTTP basic authentication (RFC 7617, UTF-8).

    What ``aiohttp.encode_basic_auth`` gives; built here because aiohttp 3.14 (Home
    Assistant 2026.7) deprecates ``aiohttp.BasicAuth`` and ``auth=``, and the aiohttp of
    older Home Assistant releases has no ``encode_basic_auth`` yet.
    """
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode("ascii")


def _account_url(api_base: str, sid: str) -> str:
    return f"{api_base.rstrip('/')}/2010-04-01/Accounts/{quote(sid, safe='')}"


def _twilio_error(status: int, text: str) -> tuple[int | None, str]:
    """The Twilio error code and message from an error body (JSON), if it has them."""
    try:
        data = json.loads(text)
    except ValueError:
        return None, f"HTTP {status}"
    if not isinstance(data, dict):
        return None, f"HTTP {status}"
    code = data.get("code")
    message = data.get("message")
    code = code if isinstance(code, int) else None
    detail = f": {message}" if isinstance(message, str) and message else ""
    prefix = f"Twilio error {code}" if code is not None else f"HTTP {status}"
    return code, f"{prefix}{detail}"


class TwilioBackend:
    """Twilio Messages REST API over Home Assistant's shared aiohttp session.

    ``from_number`` is an E.164 number (or alphanumeric sender id) of the account; a
    Messaging Service SID (``MG`` + 32 hex digits) is sent as ``MessagingServiceSid``.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        api_base: str = TWILIO_API_BASE,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Remember the credentials; nothing is checked here (see async_validate_twilio)."""
        self._hass = hass
        self._headers = {AUTHORIZATION: basic_auth(account_sid, auth_token)}
        self._from = from_number
        self._url = f"{_account_url(api_base, account_sid)}/Messages.json"
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def _request(self, method: str, **kwargs: Any) -> tuple[int, str, str | None]:
        """Status, body and Retry-After of one request to the Messages resource."""
        session = async_get_clientsession(self._hass)
        async with session.request(
            method, self._url, headers=self._headers, timeout=self._timeout, **kwargs
        ) as resp:
            return resp.status, await resp.text(), resp.headers.get("Retry-After")

    async def async_send(self, to: str, body: str) -> None:
        """POST one message; 201 with the message's JSON is success."""
        form = {"To": to, "Body": body}
        if _MESSAGING_SERVICE_RE.fullmatch(self._from):
            form["MessagingServiceSid"] = self._from
        else:
            form["From"] = self._from
        try:
            status, text, retry_header = await self._request("POST", data=form)
        except TimeoutError as err:
            raise UnsureTextError("Twilio did not answer in time") from err
        except aiohttp.ClientConnectorError as err:
            # No connection was made: the request never left.
            raise TemporaryTextError(f"Cannot reach Twilio: {type(err).__name__}") from err
        except aiohttp.ClientError as err:
            # The connection broke once the request may have been sent.
            raise UnsureTextError(f"No answer from Twilio: {type(err).__name__}") from err

        if 200 <= status < 300:
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
                # Not Twilio's documented reply (a proxy or captive portal answered):
                # nothing shows the text was accepted, so it is retried.
                raise TemporaryTextError(
                    f"HTTP {status} without a message resource in the reply", status=status
                )
            _LOGGER.debug("Twilio accepted message %s to %s", data["sid"], to)
            return

        raise _status_error(status, text, retry_header)

    async def async_was_accepted(self, to: str, body: str, since: datetime) -> bool:
        """Look for the text among the account's latest messages to ``to``.

        Twilio lists them newest first; a message is ours when its body is our text
        and it was created at or after ``since`` (queued messages have no send date
        yet, so their creation date is what counts).
        """
        params = {"To": to, "PageSize": str(LOOKUP_PAGE_SIZE)}
        if not _MESSAGING_SERVICE_RE.fullmatch(self._from):
            params["From"] = self._from
        try:
            status, text, retry_header = await self._request("GET", params=params)
        except (TimeoutError, aiohttp.ClientError) as err:
            name = "timeout" if isinstance(err, TimeoutError) else type(err).__name__
            raise TemporaryTextError(f"Cannot look up Twilio messages: {name}") from err
        if status != 200:
            raise _status_error(status, text, retry_header)
        messages = _message_list(text)
        return any(_is_our_message(message, body, since) for message in messages)


def _status_error(status: int, text: str, retry_header: str | None) -> TextError:
    """The error for a non-2xx answer: temporary for 429 and 5xx, else permanent."""
    code, message = _twilio_error(status, text)
    if status == 429 or status >= 500:
        return TemporaryTextError(
            message,
            retry_after=parse_retry_after(retry_header, dt_util.utcnow()),
            status=status,
            code=code,
        )
    return PermanentTextError(message, status=status, code=code)


def _message_list(text: str) -> list[dict[str, Any]]:
    """The ``messages`` of a Twilio list page; a reply that isn't one is temporary."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, list):
        raise TemporaryTextError("Twilio's message list is not in the reply")
    return [message for message in messages if isinstance(message, dict)]


def _is_our_message(message: dict[str, Any], body: str, since: datetime) -> bool:
    sent_body = message.get("body")
    created = message.get("date_created")
    if not isinstance(sent_body, str) or not isinstance(created, str):
        return False
    if (when := http_date(created)) is None:
        return False
    # Twilio's dates have whole seconds.
    return when >= since.replace(microsecond=0) and same_text(sent_body, body)


class NotifyBackend:
    """Any notify action that accepts a ``target`` number, e.g. ``notify.twilio_sms``."""

    def __init__(
        self, hass: HomeAssistant, action: str, *, timeout: float = NOTIFY_TIMEOUT
    ) -> None:
        """``action`` is ``domain.service``."""
        domain, sep, service = action.partition(".")
        if not sep or not domain or not service:
            raise ValueError(f"Not a notify action: {action!r}")
        self._hass = hass
        self._domain = domain
        self._service = service
        self._timeout = timeout

    async def async_send(self, to: str, body: str) -> None:
        """Call the action and wait for it to finish (at most ``timeout`` seconds)."""
        action = f"{self._domain}.{self._service}"
        try:
            async with asyncio.timeout(self._timeout):
                await self._hass.services.async_call(
                    self._domain,
                    self._service,
                    {"message": body, "target": [to]},
                    blocking=True,
                )
        except TimeoutError as err:
            # It may have handed the text to its provider before it stalled.
            raise UnsureTextError(f"The action {action} did not finish in time") from err
        except ServiceNotFound as err:
            # Its integration may still be starting, or be reloading: try again later.
            raise TemporaryTextError(f"The action {action} does not exist") from err
        except (vol.Invalid, ServiceValidationError) as err:
            raise PermanentTextError(f"The action {action} refused the text: {err}") from err
        except Exception as err:  # any platform error is worth a retry
            raise TemporaryTextError(f"The action {action} failed: {err}") from err


async def async_validate_twilio(
    hass: HomeAssistant,
    sid: str,
    token: str,
    from_number: str,
    *,
    api_base: str = TWILIO_API_BASE,
    request_timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Check the credentials, and that an E.164 sender is a number of the account.

    Raises InvalidAuth (401/403/404), CannotConnect (network, timeout, 5xx, other
    replies, a body that isn't Twilio's JSON) or InvalidFromNumber.
    """
    session = async_get_clientsession(hass)
    headers = {AUTHORIZATION: basic_auth(sid, token)}
    client_timeout = aiohttp.ClientTimeout(total=request_timeout)
    account = _account_url(api_base, sid)

    async def get_json(url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        try:
            async with session.get(
                url, params=params, headers=headers, timeout=client_timeout
            ) as resp:
                status = resp.status
                text = await resp.text()
        except (TimeoutError, aiohttp.ClientError) as err:
            raise CannotConnect(f"Cannot reach Twilio: {type(err).__name__}") from err
        if status in (401, 403, 404):
            raise InvalidAuth(f"Twilio refused the credentials (HTTP {status})")
        if status != 200:
            raise CannotConnect(f"Twilio answered HTTP {status}")
        try:
            data = json.loads(text)
        except ValueError as err:
            raise CannotConnect("Twilio's reply is not JSON") from err
        if not isinstance(data, dict):
            raise CannotConnect("Twilio's reply is not a JSON object")
        return data

    await get_json(f"{account}.json")
    if from_number.startswith("+"):
        data = await get_json(f"{account}/IncomingPhoneNumbers.json", {"PhoneNumber": from_number})
        if not data.get("incoming_phone_numbers"):
            raise InvalidFromNumber("The sender number is not a number of this account")


# --- outbox -----------------------------------------------------------------------------


class TextState(StrEnum):
    """Where a queued text is."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


INTERRUPTED: Final = "Interrupted while sending (restart or crash); it may have been delivered"
MAY_HAVE_BEEN_SENT: Final = "it may have been delivered, so it is not sent again"


@dataclass(slots=True)
class OutboxItem:
    """One text in the outbox. ``to`` is never logged above debug level.

    ``sending`` is True while a request is in flight; it is written to disk before the
    request leaves, so an item found with it after a restart may have been delivered.
    ``unsure`` is True once an attempt ended without knowing whether the text was
    accepted; every later attempt looks it up before sending (it stays True after).
    """

    id: str
    to: str
    body: str
    key: str
    created: datetime
    attempts: int = 0
    next_try: datetime | None = None
    last_error: str | None = None
    state: TextState = TextState.PENDING
    sending: bool = False
    unsure: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "id": self.id,
            "to": self.to,
            "body": self.body,
            "key": self.key,
            "created": self.created.isoformat(),
            "attempts": self.attempts,
            "next_try": self.next_try.isoformat() if self.next_try else None,
            "last_error": self.last_error,
            "state": self.state.value,
            "sending": self.sending,
            "unsure": self.unsure,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutboxItem:
        """Read the stored form."""
        next_try = data.get("next_try")
        return cls(
            id=data["id"],
            to=data["to"],
            body=data["body"],
            key=data["key"],
            created=datetime.fromisoformat(data["created"]),
            attempts=int(data.get("attempts", 0)),
            next_try=datetime.fromisoformat(next_try) if next_try else None,
            last_error=data.get("last_error"),
            state=TextState(data.get("state", TextState.PENDING)),
            sending=bool(data.get("sending", False)),
            unsure=bool(data.get("unsure", False)),
        )


class OutboxStore(Store[dict[str, Any]]):
    """The outbox's Store; migrations from older layouts go here."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        """Bring stored data to the current version.

        1.2 only adds the optional ``unsure`` to items (read as false when missing), so
        1.0 and 1.1 data is already valid. Future layouts: "if old_major_version < 2: ..."
        transforms old_data here.
        """
        if old_major_version > STORAGE_VERSION:
            raise NotImplementedError
        return old_data


async def async_remove_outbox(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed entry's stored outbox (recent texts and their numbers)."""
    await OutboxStore(
        hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.outbox", private=True
    ).async_remove()


class Outbox:
    """A durable queue of texts for one config entry.

    ``on_change(item)`` is called when an item is sent, fails for good, and after each
    failed attempt once the item has failed ``failure_threshold`` times in a row (its
    state is still pending). ``failing`` says whether any pending item is in that
    condition; a repair issue can follow it.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        backend: TextBackend,
        *,
        on_change: Callable[[OutboxItem], None] | None = None,
        max_attempts: int = 8,
        base_delay: float = 5.0,
        max_delay: float = 900.0,
        failure_threshold: int = 3,
        max_concurrent: int = 4,
        shutdown_grace: float = DEFAULT_TIMEOUT,
        rng: random.Random | None = None,
    ) -> None:
        """Nothing is read or sent until ``async_load``."""
        self._hass = hass
        self._backend = backend
        self._on_change = on_change
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._failure_threshold = failure_threshold
        self._shutdown_grace = shutdown_grace
        self._rng = rng or random.Random()
        self._store = OutboxStore(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry_id}.outbox",
            private=True,
            atomic_writes=True,
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._items: dict[str, OutboxItem] = {}
        self._by_key: dict[str, OutboxItem] = {}
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._semaphore = asyncio.Semaphore(max_concurrent)
        self._closing = False

    # -- reading -------------------------------------------------------------------------

    @property
    def items(self) -> list[OutboxItem]:
        """Every kept item, oldest first."""
        return list(self._items.values())

    @property
    def pending(self) -> list[OutboxItem]:
        """Items not sent yet and not given up on, oldest first."""
        return [item for item in self._items.values() if item.state is TextState.PENDING]

    @property
    def failing(self) -> bool:
        """Whether some pending text has failed ``failure_threshold`` times in a row."""
        return any(self._is_failing(item) for item in self.pending)

    def get(self, item_id: str) -> OutboxItem | None:
        """The item with this id, if it is kept."""
        return self._items.get(item_id)

    def by_key(self, key: str) -> OutboxItem | None:
        """The item queued under this idempotency key, if it is kept."""
        return self._by_key.get(key)

    @staticmethod
    def _finished(item: OutboxItem) -> bool:
        return item.state is not TextState.PENDING

    def _is_failing(self, item: OutboxItem) -> bool:
        return item.state is TextState.PENDING and item.attempts >= self._failure_threshold

    # -- life cycle ----------------------------------------------------------------------

    async def async_load(self) -> None:
        """Read the stored items and schedule the pending ones."""
        data = await self._store.async_load() or {}
        now = dt_util.utcnow()
        interrupted: list[OutboxItem] = []
        for raw in data.get("items", []):
            item = OutboxItem.from_dict(raw)
            if item.state is TextState.PENDING and item.sending:
                self._interrupted(item)
                interrupted.append(item)
            self._add(item)
        self._prune(now)
        for item in interrupted:
            if item.state is TextState.FAILED:
                _LOGGER.warning("Text %s was interrupted while sending; not sent again", item.id)
                self._notify(item)
            else:
                _LOGGER.info("Text %s was interrupted while sending; checking first", item.id)
        for item in self.pending:
            self._schedule(item)
        if interrupted:
            await self._async_save()

    def _interrupted(self, item: OutboxItem) -> None:
        """A crash cut an attempt off: look it up before sending again, if we can."""
        item.sending = False
        item.next_try = None
        item.last_error = INTERRUPTED
        if self._can_check:
            item.unsure = True
        else:
            item.state = TextState.FAILED

    @property
    def _can_check(self) -> bool:
        return isinstance(self._backend, CheckableBackend)

    async def async_shutdown(self) -> None:
        """Stop timers, let in-flight sends finish (up to ``shutdown_grace``), save."""
        self._closing = True
        for unsub in self._timers.values():
            unsub()
        self._timers.clear()
        tasks = list(self._tasks.values())
        if tasks:
            _, still_running = await asyncio.wait(tasks, timeout=self._shutdown_grace)
            for task in still_running:
                task.cancel()
            await asyncio.gather(*still_running, return_exceptions=True)
        await self._async_save()

    # -- queueing ------------------------------------------------------------------------

    @callback
    def enqueue(self, to: str, body: str, *, key: str) -> OutboxItem:
        """Queue a text and return its item; the same ``key`` always gives the same item.

        The new item is written to disk at once (in the background) and sent as soon
        as possible; this method never waits.
        """
        if (existing := self._by_key.get(key)) is not None:
            _LOGGER.debug("Text for key %s already queued as %s", key, existing.id)
            return existing
        now = dt_util.utcnow()
        self._prune(now)
        item = OutboxItem(id=ulid_now(), to=to, body=body, key=key, created=now)
        self._add(item)
        _LOGGER.debug("Queued text %s to %s", item.id, to)
        # Serialised and handed to the writer before this returns (crash safety).
        self._hass.async_create_task(
            self._async_save(), f"{DOMAIN} outbox save {item.id}", eager_start=True
        )
        self._schedule(item)
        return item

    def _add(self, item: OutboxItem) -> None:
        self._items[item.id] = item
        self._by_key[item.key] = item

    def _prune(self, now: datetime) -> None:
        """Forget finished items older than the retention period."""
        cutoff = now - RETENTION
        for item in list(self._items.values()):
            if item.state is not TextState.PENDING and item.created < cutoff:
                del self._items[item.id]
                del self._by_key[item.key]

    def _data(self) -> dict[str, Any]:
        return {"items": [item.as_dict() for item in self._items.values()]}

    async def _async_save(self) -> None:
        await self._store.async_save(self._data())

    # -- sending -------------------------------------------------------------------------

    @callback
    def _schedule(self, item: OutboxItem) -> None:
        """Start the item's next attempt now, or set a timer for its ``next_try``."""
        if self._closing or item.id in self._tasks:
            return
        if (unsub := self._timers.pop(item.id, None)) is not None:
            unsub()
        delay = 0.0
        if item.next_try is not None:
            delay = (item.next_try - dt_util.utcnow()).total_seconds()
        if delay > 0:
            self._timers[item.id] = async_call_later(
                self._hass, delay, HassJob(self._timer_fired(item), cancel_on_shutdown=True)
            )
            return
        self._tasks[item.id] = self._hass.async_create_background_task(
            self._async_attempt(item), f"{DOMAIN} outbox {item.id}", eager_start=False
        )

    def _timer_fired(self, item: OutboxItem) -> Callable[[datetime], None]:
        @callback
        def fire(_now: datetime) -> None:
            self._timers.pop(item.id, None)
            item.next_try = None
            self._schedule(item)

        return fire

    async def _async_attempt(self, item: OutboxItem) -> None:
        """One attempt to send ``item``; only one runs per item at a time."""
        try:
            async with self._semaphore:
                if self._closing or self._finished(item):
                    return
                item.attempts += 1
                item.sending = True
                # Written before the request leaves: a crash during it must not resend.
                await self._async_save()
                try:
                    await self._async_send_once(item)
                except PermanentTextError as err:
                    self._give_up(item, str(err))
                except UnsureTextError as err:
                    self._unsure(item, err)
                except Exception as err:  # temporary, or a backend bug
                    self._retry_later(item, err)
                else:
                    self._sent(item)
                item.sending = False
                await self._async_save()
        finally:
            self._tasks.pop(item.id, None)
        if item.state is TextState.PENDING:
            self._schedule(item)
        elif item.state is TextState.SENT:
            self._resume_waiting()
        if item.state is not TextState.PENDING or self._is_failing(item):
            self._notify(item)

    async def _async_send_once(self, item: OutboxItem) -> None:
        """Send, unless an earlier attempt whose outcome was unknown got through."""
        backend = self._backend
        if item.unsure and isinstance(backend, CheckableBackend):
            since = item.created - LOOKBACK
            if await backend.async_was_accepted(item.to, item.body, since):
                _LOGGER.info("Text %s had been accepted after all; not sent again", item.id)
                return
        await backend.async_send(item.to, item.body)

    def _unsure(self, item: OutboxItem, err: UnsureTextError) -> None:
        """The text may have been accepted: check before the next try, or stop."""
        if not self._can_check:
            self._give_up(item, f"{err}; {MAY_HAVE_BEEN_SENT}")
            return
        item.unsure = True
        self._retry_later(item, err, at_least=SETTLE_DELAY)

    def _sent(self, item: OutboxItem) -> None:
        item.state = TextState.SENT
        item.next_try = None
        _LOGGER.debug("Sent text %s to %s after %d attempt(s)", item.id, item.to, item.attempts)

    def _give_up(self, item: OutboxItem, error: str) -> None:
        item.state = TextState.FAILED
        item.next_try = None
        item.last_error = error
        _LOGGER.warning("Text %s failed for good: %s", item.id, error)

    def _retry_later(self, item: OutboxItem, err: Exception, *, at_least: float = 0.0) -> None:
        error = str(err) if isinstance(err, TextError) else redact_numbers(repr(err))
        if item.attempts >= self._max_attempts:
            self._give_up(item, f"Gave up after {item.attempts} attempts: {error}")
            return
        retry_after = err.retry_after if isinstance(err, TemporaryTextError) else None
        ceiling = min(self._max_delay, self._base_delay * 2 ** (item.attempts - 1))
        delay = self._rng.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, retry_after)
        delay = max(delay, at_least)
        item.next_try = dt_util.utcnow() + timedelta(seconds=delay)
        item.last_error = error
        log = _LOGGER.warning if self._is_failing(item) else _LOGGER.info
        log(
            "Text %s not sent (attempt %d), retrying in %.0f s: %s",
            item.id,
            item.attempts,
            delay,
            error,
        )

    def _resume_waiting(self) -> None:
        """After a success the provider is back: retry texts waiting in backoff now.

        Unsure texts keep their timer: their request may still be on its way, and a
        lookup before it arrives would miss it.
        """
        for item in self.pending:
            if item.id in self._timers and not item.unsure:
                item.next_try = None
                self._schedule(item)

    def _notify(self, item: OutboxItem) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(item)
        except Exception:
            _LOGGER.exception("Error in the outbox change callback for text %s", item.id)
