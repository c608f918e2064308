"""Make the JSON requests of the Android SMS gateways and map their answers to text errors."""

from __future__ import annotations

from collections.abc import Mapping
import json
from typing import Any, Final

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .errors import (
    CannotConnect,
    InvalidAuth,
    PermanentTextError,
    TemporaryTextError,
    TextError,
    UnsureTextError,
)
from .twilio import parse_retry_after

DEFAULT_TIMEOUT: Final = 10.0


class Answer:
    """Status, body and ``Retry-After`` of one answer; ``json()`` reads the body."""

    __slots__ = ("retry_after", "status", "text")

    def __init__(self, status: int, text: str, retry_after: str | None) -> None:
        """Keep what was answered."""
        self.status = status
        self.text = text
        self.retry_after = retry_after

    def json(self) -> Any:
        """Return the body as JSON, or None when it isn't JSON."""
        try:
            return json.loads(self.text)
        except (ValueError, RecursionError):
            return None


async def async_request(
    hass: HomeAssistant,
    method: str,
    url: str,
    headers: Mapping[str, str],
    *,
    request_timeout: float = DEFAULT_TIMEOUT,
    payload: Any = None,
    params: Mapping[str, str] | None = None,
) -> Answer:
    """Send one request over Home Assistant's shared session; aiohttp's errors pass."""
    session = async_get_clientsession(hass)
    async with session.request(
        method,
        url,
        headers=dict(headers),
        json=payload,
        params=params,
        timeout=aiohttp.ClientTimeout(total=request_timeout),
    ) as resp:
        return Answer(resp.status, await resp.text(), resp.headers.get("Retry-After"))


def send_error(name: str, err: Exception) -> TextError:
    """Map a send's network error: unsure once the request may have left."""
    if isinstance(err, aiohttp.ClientConnectorError):
        # No connection was made: the request never left.
        return TemporaryTextError(f"Cannot reach {name}: {type(err).__name__}")
    if isinstance(err, TimeoutError):
        return UnsureTextError(f"{name} did not answer in time")
    return UnsureTextError(f"No answer from {name}: {type(err).__name__}")


def lookup_error(name: str, err: Exception) -> TextError:
    """Map a lookup's network error: always worth another try."""
    reason = "timeout" if isinstance(err, TimeoutError) else type(err).__name__
    return TemporaryTextError(f"Cannot look up {name}'s messages: {reason}")


def status_error(name: str, answer: Answer) -> TextError:
    """Map a non-2xx answer: temporary for 429 and 5xx, else permanent."""
    data = answer.json()
    detail = data.get("message") if isinstance(data, dict) else None
    message = f"{name} answered HTTP {answer.status}"
    if isinstance(detail, str) and detail:
        message += f": {detail[:200]}"
    if answer.status == 429 or answer.status >= 500:
        retry_after = parse_retry_after(answer.retry_after, dt_util.utcnow())
        return TemporaryTextError(message, retry_after=retry_after, status=answer.status)
    return PermanentTextError(message, status=answer.status)


async def async_check(
    hass: HomeAssistant,
    name: str,
    url: str,
    headers: Mapping[str, str],
    *,
    params: Mapping[str, str] | None = None,
    request_timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """GET a settings check; raise InvalidAuth (401, 403) or CannotConnect, else its JSON."""
    try:
        answer = await async_request(
            hass, "GET", url, headers, params=params, request_timeout=request_timeout
        )
    except (TimeoutError, aiohttp.ClientError) as err:
        raise CannotConnect(f"Cannot reach {name}: {type(err).__name__}") from err
    if answer.status in (401, 403):
        raise InvalidAuth(f"{name} refused the credentials (HTTP {answer.status})")
    if answer.status != 200:
        raise CannotConnect(f"{name} answered HTTP {answer.status}")
    data = answer.json()
    if data is None:
        raise CannotConnect(f"{name}'s reply is not JSON")
    return data
