"""Send texts through SMS Gateway for Android (capcom6), on the phone or through its cloud.

Local server mode talks to the app's own HTTP server on the LAN
(``http://<phone>:8080/message``); cloud mode to its public API
(``https://api.sms-gate.app/3rdparty/v1/messages``). Both use HTTP basic auth with the
credentials the app shows. Each text is sent with our own id (the outbox item's), so a
text whose fate is unknown is looked up by that id before it is sent again.
"""

from __future__ import annotations

from datetime import datetime
import logging
from typing import Final
from urllib.parse import quote

import aiohttp
from homeassistant.core import HomeAssistant

from .errors import CannotConnect, TemporaryTextError
from .gateway_http import (
    DEFAULT_TIMEOUT,
    async_check,
    async_request,
    lookup_error,
    send_error,
    status_error,
)
from .twilio import basic_auth

_LOGGER = logging.getLogger(__name__)

NAME: Final = "SMS Gateway"
SMS_GATEWAY_CLOUD_URL: Final = "https://api.sms-gate.app/3rdparty/v1"
MODE_LOCAL: Final = "local"
MODE_CLOUD: Final = "cloud"


def _paths(url: str, mode: str) -> tuple[str, str]:
    """Return the messages and the device list of the API at ``url`` in ``mode``.

    The app's local server has ``/message`` and ``/device`` (newer versions also the
    plural); the cloud has ``/messages`` and ``/devices``.
    """
    base = url.rstrip("/")
    if mode == MODE_CLOUD:
        return f"{base}/messages", f"{base}/devices"
    return f"{base}/message", f"{base}/device"


class SmsGatewayBackend:
    """SMS Gateway for Android's API; texts go out from the phone's own number."""

    source: Final = "sms_gateway"

    def __init__(
        self,
        hass: HomeAssistant,
        url: str,
        username: str,
        password: str,
        *,
        mode: str = MODE_LOCAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Remember the address and credentials; see async_validate_sms_gateway."""
        self._hass = hass
        self._messages, _ = _paths(url, mode)
        self._headers = {"Authorization": basic_auth(username, password)}
        self._timeout = timeout

    async def async_send_text(self, to: str, body: str, ref: str) -> str:
        """Send with ``ref`` as the message's id; return the gateway's id of the text."""
        payload = {
            "id": ref,
            "textMessage": {"text": body},
            "phoneNumbers": [to],
            "withDeliveryReport": True,
        }
        try:
            answer = await async_request(
                self._hass,
                "POST",
                self._messages,
                self._headers,
                payload=payload,
                request_timeout=self._timeout,
            )
        except (TimeoutError, aiohttp.ClientError) as err:
            raise send_error(NAME, err) from err
        if answer.status == 409:
            # "Message with such ID already exists": an earlier attempt got through.
            _LOGGER.debug("SMS Gateway already has message %s", ref)
            return ref
        if not 200 <= answer.status < 300:
            raise status_error(NAME, answer)
        data = answer.json()
        message_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(message_id, str) or not message_id:
            # Not the gateway's documented reply (a proxy answered): nothing shows
            # the text was accepted, so it is tried again.
            raise TemporaryTextError(
                f"HTTP {answer.status} without a message state in the reply",
                status=answer.status,
            )
        _LOGGER.debug("SMS Gateway accepted message %s to %s", message_id, to)
        return message_id

    async def async_find_text(self, to: str, body: str, since: datetime, ref: str) -> str | None:
        """Look the text up by our id: its id when the gateway has it, else None."""
        url = f"{self._messages}/{quote(ref, safe='')}"
        try:
            answer = await async_request(
                self._hass, "GET", url, self._headers, request_timeout=self._timeout
            )
        except (TimeoutError, aiohttp.ClientError) as err:
            raise lookup_error(NAME, err) from err
        if answer.status == 404:
            return None
        if answer.status != 200:
            raise status_error(NAME, answer)
        data = answer.json()
        if not isinstance(data, dict) or not isinstance(data.get("state"), str):
            raise TemporaryTextError("SMS Gateway's message state is not in the reply")
        found = data.get("id")
        return found if isinstance(found, str) and found else ref


async def async_validate_sms_gateway(
    hass: HomeAssistant,
    url: str,
    username: str,
    password: str,
    *,
    mode: str = MODE_LOCAL,
    request_timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Check the address and credentials by listing the devices.

    Raises InvalidAuth (401, 403) or CannotConnect (network, timeout, any other answer,
    a reply that is not a device list).
    """
    _, devices = _paths(url, mode)
    headers = {"Authorization": basic_auth(username, password)}
    data = await async_check(hass, NAME, devices, headers, request_timeout=request_timeout)
    if not isinstance(data, list):
        raise CannotConnect("SMS Gateway's reply is not a device list")
