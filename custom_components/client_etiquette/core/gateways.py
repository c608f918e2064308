"""Read the Android SMS gateways' webhook events and check that they are signed.

Two apps turn the freelancer's own Android phone into a gateway: SMS Gateway for
Android (capcom6, docs.sms-gate.app) and httpSMS (NdoleStudio, docs.httpsms.com).
Their webhooks report texts received, the fate of texts sent, and (httpSMS) missed
calls. What each field means, and how each app signs a request, is in
docs/texting.md; this module only reads and checks, it decides nothing.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import hashlib
import hmac
import json
from typing import Any, Final

# SMS Gateway for Android: accept a timestamp at most this far from our clock (its docs
# suggest five minutes); a retried delivery is signed again with a new timestamp.
SIGNATURE_WINDOW: Final = 300.0
# httpSMS: clock skew allowed around a token's "exp" and "nbf".
TOKEN_LEEWAY: Final = 60.0
# Longest field we read (a number, an id, a text); longer means bad input.
MAX_FIELD: Final = 2000


class DeliveryStatus(StrEnum):
    """What a gateway says became of a text it accepted."""

    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


class EventKind(StrEnum):
    """What a webhook event is about."""

    RECEIVED = "received"
    STATUS = "status"
    MISSED_CALL = "missed_call"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class GatewayEvent:
    """One webhook event, read.

    ``event_id`` identifies the delivery (an app retries with the same id);
    ``message_id`` is the gateway's id of a text we sent (status events), ``ref`` the
    id we sent it with when the event carries it (httpSMS's ``request_id``).
    """

    kind: EventKind
    event_id: str
    number: str | None = None
    at: datetime | None = None
    body: str | None = None
    message_id: str | None = None
    status: DeliveryStatus | None = None
    error: str | None = None
    owner: str | None = None
    ref: str | None = None


class BadEvent(ValueError):
    """The request's body is not an event of the app."""


# -- SMS Gateway for Android ------------------------------------------------------------

_SMS_GATEWAY_STATUS: Final = {
    "sms:sent": (DeliveryStatus.SENT, "sentAt"),
    "sms:delivered": (DeliveryStatus.DELIVERED, "deliveredAt"),
    "sms:failed": (DeliveryStatus.FAILED, "failedAt"),
}


def parse_sms_gateway(body: bytes) -> GatewayEvent:
    """Read an SMS Gateway for Android webhook body; raise BadEvent when it isn't one."""
    data = _json_object(body)
    event = _required(data, "event")
    event_id = _required(data, "id")
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise BadEvent("payload missing")
    if event == "sms:received":
        return GatewayEvent(
            EventKind.RECEIVED,
            event_id,
            number=_required(payload, "phoneNumber"),
            body=_required(payload, "message", blank=True),
            at=_moment(payload, "receivedAt"),
        )
    if event in _SMS_GATEWAY_STATUS:
        status, moment = _SMS_GATEWAY_STATUS[event]
        return GatewayEvent(
            EventKind.STATUS,
            event_id,
            number=_text(payload, "phoneNumber"),
            message_id=_required(payload, "messageId"),
            status=status,
            error=_text(payload, "reason", blank=True),
            at=_moment(payload, moment),
        )
    return GatewayEvent(EventKind.IGNORED, event_id)


def sms_gateway_signed(
    key: str, body: bytes, timestamp: str | None, signature: str | None, now: float
) -> bool:
    """Check ``X-Signature``: hex HMAC-SHA256 of the raw body and ``X-Timestamp``."""
    if not key or not timestamp or not signature:
        return False
    try:
        moment = int(timestamp)
    except ValueError:
        return False
    if abs(now - moment) > SIGNATURE_WINDOW:
        return False
    expected = hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


# -- httpSMS ------------------------------------------------------------------------------

_HTTPSMS_STATUS: Final = {
    "message.phone.sent": (DeliveryStatus.SENT, "id"),
    "message.phone.delivered": (DeliveryStatus.DELIVERED, "id"),
    "message.send.failed": (DeliveryStatus.FAILED, "id"),
    "message.send.expired": (DeliveryStatus.FAILED, "message_id"),
}
EXPIRED: Final = "expired before the phone sent it"


def parse_httpsms(body: bytes) -> GatewayEvent:
    """Read an httpSMS webhook body (a CloudEvent); raise BadEvent when it isn't one."""
    data = _json_object(body)
    kind = _required(data, "type")
    event_id = _required(data, "id")
    payload = data.get("data")
    if not isinstance(payload, dict):
        raise BadEvent("data missing")
    owner = _text(payload, "owner")
    if kind in ("message.phone.received", "message.call.missed"):
        received = kind == "message.phone.received"
        return GatewayEvent(
            EventKind.RECEIVED if received else EventKind.MISSED_CALL,
            event_id,
            number=_required(payload, "contact"),
            body=_required(payload, "content", blank=True) if received else None,
            at=_moment(payload, "timestamp"),
            owner=owner,
        )
    if kind in _HTTPSMS_STATUS:
        status, id_field = _HTTPSMS_STATUS[kind]
        error = _text(payload, "error_message", blank=True)
        if kind == "message.send.expired":
            error = EXPIRED
        return GatewayEvent(
            EventKind.STATUS,
            event_id,
            number=_text(payload, "contact"),
            message_id=_required(payload, id_field),
            status=status,
            error=error,
            at=_moment(payload, "timestamp"),
            owner=owner,
            ref=_text(payload, "request_id"),
        )
    return GatewayEvent(EventKind.IGNORED, event_id)


def httpsms_signed(key: str, authorization: str | None, now: float) -> bool:
    """Check ``Authorization: Bearer <JWT>``: HS256 with the signing key, in its time."""
    if not key or not authorization:
        return False
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or token.count(".") != 2:
        return False
    header_part, claims_part, signature_part = token.strip().split(".")
    header = _jwt_part(header_part)
    claims = _jwt_part(claims_part)
    signature = _b64url(signature_part)
    if header is None or claims is None or signature is None or header.get("alg") != "HS256":
        return False
    signed = f"{header_part}.{claims_part}".encode()
    expected = hmac.new(key.encode(), signed, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        return False
    return _in_time(claims, now)


def _in_time(claims: dict[str, Any], now: float) -> bool:
    """Whether a token's ``exp`` (required) and ``nbf`` (if any) hold now."""
    expires, not_before = _number(claims.get("exp")), _number(claims.get("nbf", now))
    if expires is None or not_before is None:
        return False
    return now - TOKEN_LEEWAY < expires and not_before <= now + TOKEN_LEEWAY


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _jwt_part(part: str) -> dict[str, Any] | None:
    raw = _b64url(part)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _b64url(part: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return None


# -- shared -------------------------------------------------------------------------------


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise BadEvent("body is not JSON") from err
    if not isinstance(data, dict):
        raise BadEvent("body is not a JSON object")
    return data


def _required(data: dict[str, Any], key: str, *, blank: bool = False) -> str:
    """Return a string field that must be there; raise BadEvent when it isn't."""
    value = _text(data, key, blank=blank)
    if value is None:
        raise BadEvent(f"{key} missing")
    return value


def _text(data: dict[str, Any], key: str, *, blank: bool = False) -> str | None:
    """Return a string field, stripped unless ``blank``; None when missing or empty."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_FIELD:
        raise BadEvent(f"{key} invalid")
    value = value if blank else value.strip()
    return value if value or blank else None


def _moment(data: dict[str, Any], key: str) -> datetime | None:
    """Return an aware ISO 8601 time; None when missing, unreadable or without a zone."""
    value = data.get(key)
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
