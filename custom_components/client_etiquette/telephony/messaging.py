"""Read Twilio's incoming-message request (Programmable Messaging) as a client's reply.

Twilio posts an incoming SMS to the number's *A message comes in* webhook as a form
(``MessageSid``, ``SmsSid``, ``AccountSid``, ``From``, ``To``, ``Body``, ``NumMedia``,
...), signed like a voice request. With the voice webhook's address there, a signed
form with a ``MessageSid`` and no ``CallSid`` is a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from http import HTTPStatus
from typing import Final

from ..core.models import IncomingText
from .parsing import MAX_CALL_ID, MAX_NUMBER, form_field
from .refusals import Refused

SOURCE: Final = "twilio"
# Longest message body taken (Twilio joins segments up to 1,600 characters).
MAX_MESSAGE: Final = 1600


def is_message(form: Mapping[str, str]) -> bool:
    """Return True for Twilio's incoming-message request (not a call's)."""
    return bool(form.get("MessageSid") or form.get("SmsMessageSid")) and not form.get("CallSid")


def incoming_text(form: Mapping[str, str], now: datetime) -> IncomingText:
    """Return the reply a message request carries; 400 without a sender."""
    number = form_field(form, "From", MAX_NUMBER)
    if number is None:
        raise Refused(HTTPStatus.BAD_REQUEST, "no sender")
    message_id = form_field(form, "MessageSid", MAX_CALL_ID) or form_field(
        form, "SmsMessageSid", MAX_CALL_ID
    )
    return IncomingText(
        number=number,
        body=(form.get("Body") or "")[:MAX_MESSAGE],
        received_at=now,
        source=SOURCE,
        event_id=message_id,
    )
