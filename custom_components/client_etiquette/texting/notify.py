"""Sending texts through a Home Assistant notify action that takes a ``target`` number."""

from __future__ import annotations

import asyncio
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceNotFound, ServiceValidationError
import voluptuous as vol

from .errors import PermanentTextError, TemporaryTextError, UnsureTextError

# A notify action may make several requests of its own.
NOTIFY_TIMEOUT: Final = 30.0


class NotifyBackend:
    """Any notify action that accepts a ``target`` number, e.g. ``notify.twilio_sms``."""

    def __init__(
        self, hass: HomeAssistant, action: str, *, timeout: float = NOTIFY_TIMEOUT
    ) -> None:
        """Use the notify ``action``, written ``domain.service``."""
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
