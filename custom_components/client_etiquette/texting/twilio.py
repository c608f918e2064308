"""Sending texts through Twilio's Messages REST API, looking them up, checking settings.

Requests go over Home Assistant's shared aiohttp session with an ``Authorization``
header; answers are read as Twilio documents them, and anything else is an error of the
right kind (temporary, permanent, or unsure when the request may have arrived).
"""

from __future__ import annotations

import base64
from datetime import datetime
from email.utils import parsedate_to_datetime
import json
import logging
import math
import re
from typing import Any, Final
import unicodedata
from urllib.parse import quote

import aiohttp
from aiohttp.hdrs import AUTHORIZATION
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .errors import (
    CannotConnect,
    InvalidAuth,
    InvalidFromNumber,
    PermanentTextError,
    TemporaryTextError,
    TextError,
    UnsureTextError,
)

_LOGGER = logging.getLogger(__name__)

TWILIO_API_BASE: Final = "https://api.twilio.com"
DEFAULT_TIMEOUT: Final = 10.0
# A Retry-After larger than this is treated as this (a provider asking for a week is broken).
MAX_RETRY_AFTER: Final = 86400.0
LOOKUP_PAGE_SIZE: Final = 50

_MESSAGING_SERVICE_RE: Final = re.compile(r"MG[0-9a-fA-F]{32}")


def http_date(value: str) -> datetime | None:
    """Return an RFC 2822 / HTTP date (UTC when it names no zone), or None when it isn't one."""
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
    """Return the ``Authorization`` header value of HTTP basic authentication (RFC 7617, UTF-8).

    What ``aiohttp.encode_basic_auth`` gives; built here because aiohttp 3.14 (Home
    Assistant 2026.7) deprecates ``aiohttp.BasicAuth`` and ``auth=``, and the aiohttp of
    older Home Assistant releases has no ``encode_basic_auth`` yet.
    """
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode("ascii")


def _account_url(api_base: str, sid: str) -> str:
    return f"{api_base.rstrip('/')}/2010-04-01/Accounts/{quote(sid, safe='')}"


def _twilio_error(status: int, text: str) -> tuple[int | None, str]:
    """Return the Twilio error code and message from an error body (JSON), if it has them."""
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
    """Return the error for a non-2xx answer: temporary for 429 and 5xx, else permanent."""
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
    """Return the ``messages`` of a Twilio list page; a reply that isn't one is temporary."""
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
