"""Send texts through httpSMS (NdoleStudio): its API hands each text to the own phone.

``POST {api}/v1/messages/send`` with the ``x-api-key`` header and
``{"content", "from", "to", "request_id"}``, from the freelancer's own number (the
phone registered in the httpSMS app). The request id is the outbox item's id, so a text
whose fate is unknown is found in ``GET {api}/v1/messages`` (the messages between the
own number and the client, newest first) before it is sent again.
"""

from __future__ import annotations

from datetime import datetime
import logging
from typing import Any, Final

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .errors import CannotConnect, InvalidFromNumber, TemporaryTextError
from .gateway_http import (
    DEFAULT_TIMEOUT,
    async_check,
    async_request,
    lookup_error,
    send_error,
    status_error,
)
from .twilio import same_text

_LOGGER = logging.getLogger(__name__)

NAME: Final = "httpSMS"
HTTPSMS_API_BASE: Final = "https://api.httpsms.com"
API_KEY_HEADER: Final = "x-api-key"
# The API returns at most 20 messages a page.
LOOKUP_LIMIT: Final = 20


class HttpSmsBackend:
    """httpSMS's API; texts go out from the freelancer's own number."""

    source: Final = "httpsms"

    def __init__(
        self,
        hass: HomeAssistant,
        api_key: str,
        from_number: str,
        *,
        api_base: str = HTTPSMS_API_BASE,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Remember the key and the own number; see async_validate_httpsms."""
        self._hass = hass
        self._headers = {API_KEY_HEADER: api_key}
        self._from = from_number
        self._api = f"{api_base.rstrip('/')}/v1"
        self._timeout = timeout

    async def async_send_text(self, to: str, body: str, ref: str) -> str:
        """Send with ``ref`` as the request id; return httpSMS's id of the message."""
        payload = {"content": body, "from": self._from, "to": to, "request_id": ref}
        try:
            answer = await async_request(
                self._hass,
                "POST",
                f"{self._api}/messages/send",
                self._headers,
                payload=payload,
                request_timeout=self._timeout,
            )
        except (TimeoutError, aiohttp.ClientError) as err:
            raise send_error(NAME, err) from err
        if not 200 <= answer.status < 300:
            raise status_error(NAME, answer)
        message_id = _message(answer.json()).get("id")
        if not isinstance(message_id, str) or not message_id:
            # Not httpSMS's documented reply: nothing shows it took the text.
            raise TemporaryTextError(
                f"HTTP {answer.status} without a message in the reply", status=answer.status
            )
        _LOGGER.debug("httpSMS accepted message %s to %s", message_id, to)
        return message_id

    async def async_find_text(self, to: str, body: str, since: datetime, ref: str) -> str | None:
        """Find the text among the newest messages to ``to``: its id, or None."""
        params = {"owner": self._from, "contact": to, "limit": str(LOOKUP_LIMIT)}
        try:
            answer = await async_request(
                self._hass,
                "GET",
                f"{self._api}/messages",
                self._headers,
                params=params,
                request_timeout=self._timeout,
            )
        except (TimeoutError, aiohttp.ClientError) as err:
            raise lookup_error(NAME, err) from err
        if answer.status != 200:
            raise status_error(NAME, answer)
        data = answer.json()
        messages = data.get("data") if isinstance(data, dict) else None
        if not isinstance(messages, list):
            raise TemporaryTextError("httpSMS's message list is not in the reply")
        for message in messages:
            if isinstance(message, dict) and _is_ours(message, body, since, ref):
                found = message.get("id")
                return found if isinstance(found, str) and found else ref
        return None


def _message(data: Any) -> dict[str, Any]:
    """Return the ``data`` message of an httpSMS reply, or {} when there is none."""
    message = data.get("data") if isinstance(data, dict) else None
    return message if isinstance(message, dict) else {}


def _is_ours(message: dict[str, Any], body: str, since: datetime, ref: str) -> bool:
    """Our request id; or (an older server without it) our body, created since ``since``."""
    request_id = message.get("request_id")
    if isinstance(request_id, str) and request_id:
        return request_id == ref
    content, created = message.get("content"), message.get("created_at")
    if not isinstance(content, str) or not isinstance(created, str):
        return False
    moment = dt_util.parse_datetime(created)
    return moment is not None and moment >= since and same_text(content, body)


async def async_validate_httpsms(
    hass: HomeAssistant,
    api_key: str,
    from_number: str,
    *,
    api_base: str = HTTPSMS_API_BASE,
    request_timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Check the API key, and that the own number is a phone of the account.

    Raises InvalidAuth (401, 403), CannotConnect (network, timeout, any other answer,
    a reply that isn't a phone list) or InvalidFromNumber.
    """
    url = f"{api_base.rstrip('/')}/v1/phones"
    headers = {API_KEY_HEADER: api_key}
    data = await async_check(
        hass, NAME, url, headers, params={"limit": "20"}, request_timeout=request_timeout
    )
    phones = data.get("data") if isinstance(data, dict) else None
    if not isinstance(phones, list):
        raise CannotConnect("httpSMS's reply is not a phone list")
    numbers = {phone.get("phone_number") for phone in phones if isinstance(phone, dict)}
    if from_number not in numbers:
        raise InvalidFromNumber("The own number is not a phone of this httpSMS account")
