"""The errors of sending a text, and of checking Twilio settings; none shows a number."""

from __future__ import annotations

import re
from typing import Final

from homeassistant.exceptions import HomeAssistantError

_NUMBER_RE: Final = re.compile(r"\+?\d[\d ()./-]{5,}\d")


def redact_numbers(text: str) -> str:
    """``text`` with anything that looks like a phone number replaced by ``<number>``."""
    return _NUMBER_RE.sub("<number>", text)


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
    """The request may have reached the provider.

    A timeout or a connection broken after it left. Sending again could deliver the text
    twice; look it up first.
    """


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
