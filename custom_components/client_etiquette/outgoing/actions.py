"""The outgoing-call actions (issue #5): answer ``plan_call``, send the ``ask_before_calling`` text.

The actions' schemas, the entry and client lookups and the translated refusals are in
``services.py``; this module does what an accepted call asks.
"""

from __future__ import annotations

from datetime import datetime
import logging
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..const import CONF_SENDER_NAME
from ..core.messages.texts import ask_first_text
from ..core.models import CallPlan, Client
from ..core.phone import is_mobile
from .holidays import async_holidays
from .targets import client_target, plan_attributes, plan_for

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry
    from ..texting.sending import TextSending

_LOGGER = logging.getLogger(__name__)

# The outbox key of an ask-first text: never the uid of a callback item (those are hex).
ASK_KEY_PREFIX: Final = "ask"


def ask_key(client_id: str) -> str:
    """Make the outbox key of a new ask-before-calling text to a client."""
    return f"{ASK_KEY_PREFIX}:{client_id}:{ulid_now()}"


def asked_client_id(key: str) -> str | None:
    """Return the client an outbox key's ask-before-calling text went to; None if another."""
    prefix, _, rest = key.partition(":")
    return rest.partition(":")[0] if prefix == ASK_KEY_PREFIX else None


def mobile_number(client: Client) -> str | None:
    """Return the client's first mobile number (the one texts go to), or None."""
    return next((number for number in client.numbers if is_mobile(number)), None)


def plan_response(client: Client, plan: CallPlan) -> dict[str, Any]:
    """Build the ``plan_call`` action's response."""
    return {
        "client": client.name,
        "ok_to_call": plan.ok_to_call,
        **plan_attributes(plan),
        "suggested_text": plan.suggested_text,
    }


async def async_plan_call(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry, client: Client, topic: str | None
) -> dict[str, Any]:
    """Answer ``plan_call`` for ``client``."""
    target = client_target(hass, entry, client)
    now = dt_util.utcnow()
    days = await async_holidays(hass, target.country, now)
    plan = plan_for(target, entry.runtime_data.monitor.current(), now, days, topic)
    return plan_response(client, plan)


@callback
def async_ask_before_calling(
    entry: ClientEtiquetteConfigEntry,
    sending: TextSending,
    client: Client,
    number: str,
    *,
    topic: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Text ``client`` at ``number`` "is now a good time for a quick call?" (rule E12).

    The caller has checked the same limits as the polite texts of call screening (a
    mobile number, the text cooldown per number, the hourly cap); the text is recorded
    in the same history, so a polite text after a missed call and an ask-first text
    share the cooldown.
    """
    text = ask_first_text(
        client.language, topic=topic, sender_name=str(entry.options.get(CONF_SENDER_NAME, ""))
    )
    sending.outbox.enqueue(number, text, key=ask_key(client.client_id))
    entry.runtime_data.callbacks.note_text(number, now)
    _LOGGER.debug("Asked %s at %s whether now is a good time for a call", client.name, number)
    return {"sent": True, "text": text}
