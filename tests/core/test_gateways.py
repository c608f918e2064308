"""Reading the gateways' webhook events and checking their signatures (core/gateways.py).

Payloads as documented: SMS Gateway for Android, docs.sms-gate.app "Webhooks" (the
envelope ``deviceId``/``event``/``id``/``payload``/``webhookId``, each event's payload
fields, the ``X-Signature`` HMAC over body + ``X-Timestamp``); httpSMS, docs.httpsms.com
"Events" and ``api/pkg/events/*.go`` (CloudEvents, ``data`` fields) and
``api/pkg/services/webhook_service.go`` (an HS256 JWT with the signing key: ``aud`` the
URL, ``exp`` now + 10 min, ``nbf`` now - 10 min, ``iss`` "api.httpsms.com").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import hashlib
import hmac
import json
from typing import Any

from hypothesis import given, strategies as st
import jwt
import pytest

from custom_components.client_etiquette.core.gateways import (
    EXPIRED,
    BadEvent,
    DeliveryStatus,
    EventKind,
    GatewayEvent,
    httpsms_signed,
    parse_httpsms,
    parse_sms_gateway,
    sms_gateway_signed,
)

NOW = 1_780_000_000.0
KEY = "signing-key-123"


def sms_gateway_body(
    event: str, payload: dict[str, Any], event_id: str = "Ey6ECgOkVVFjz3CL48B8C"
) -> bytes:
    return json.dumps(
        {
            "deviceId": "ffffffffceb0b1db0000018e937c815b",
            "event": event,
            "id": event_id,
            "payload": payload,
            "webhookId": "wh-1",
        }
    ).encode()


def httpsms_body(kind: str, data: dict[str, Any], event_id: str = "f4aed1d3-ab4f") -> bytes:
    return json.dumps(
        {
            "data": data,
            "datacontenttype": "application/json",
            "id": event_id,
            "source": "/v1/messages/receive",
            "specversion": "1.0",
            "time": "2023-06-29T03:21:19.524331882Z",
            "type": kind,
        }
    ).encode()


def sign(body: bytes, timestamp: str, key: str = KEY) -> str:
    """Sign as the docs' Python verify_signature checks."""
    return hmac.new(key.encode(), (body.decode() + timestamp).encode(), hashlib.sha256).hexdigest()


def httpsms_token(key: str = KEY, now: float = NOW, **claims: Any) -> str:
    """Make the token webhook_service.go's getAuthToken makes (golang-jwt, HS256)."""
    standard = {
        "aud": "https://ha.example.com/api/webhook/x",
        "exp": int(now + 600),
        "iat": int(now),
        "iss": "api.httpsms.com",
        "nbf": int(now - 600),
        "sub": "XtABz6zdeFMoBLoltz6SREDvRSh2",
    }
    standard.update(claims)
    return "Bearer " + jwt.encode({k: v for k, v in standard.items() if v is not None}, key)


WARSAW = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("event", "payload", "expected"),
    [
        (
            "sms:received",
            {
                "messageId": "abc123",
                "message": "Android is always a sweet treat!",
                "phoneNumber": "6505551212",
                "simNumber": 1,
                "receivedAt": "2024-06-22T15:46:11.000+07:00",
            },
            GatewayEvent(
                EventKind.RECEIVED,
                "Ey6ECgOkVVFjz3CL48B8C",
                number="6505551212",
                body="Android is always a sweet treat!",
                at=datetime(2024, 6, 22, 15, 46, 11, tzinfo=WARSAW),
            ),
        ),
        (
            "sms:sent",
            {
                "messageId": "01OURS",
                "phoneNumber": "+48601234567",
                "simNumber": None,
                "sentAt": "2024-06-22T15:46:11Z",
            },
            GatewayEvent(
                EventKind.STATUS,
                "Ey6ECgOkVVFjz3CL48B8C",
                number="+48601234567",
                message_id="01OURS",
                status=DeliveryStatus.SENT,
                at=datetime(2024, 6, 22, 15, 46, 11, tzinfo=UTC),
            ),
        ),
        (
            "sms:delivered",
            {"messageId": "01OURS", "phoneNumber": "+48601234567", "deliveredAt": "not a time"},
            GatewayEvent(
                EventKind.STATUS,
                "Ey6ECgOkVVFjz3CL48B8C",
                number="+48601234567",
                message_id="01OURS",
                status=DeliveryStatus.DELIVERED,
            ),
        ),
        (
            "sms:failed",
            {
                "messageId": "zXDYfTmTVf3iMd16zzdBj",
                "reason": "Invalid number",
                "failedAt": "2024-02-20T15:30:00Z",
            },
            GatewayEvent(
                EventKind.STATUS,
                "Ey6ECgOkVVFjz3CL48B8C",
                message_id="zXDYfTmTVf3iMd16zzdBj",
                status=DeliveryStatus.FAILED,
                error="Invalid number",
                at=datetime(2024, 2, 20, 15, 30, tzinfo=UTC),
            ),
        ),
        (
            "system:ping",
            {"health": {"status": "pass"}},
            GatewayEvent(EventKind.IGNORED, "Ey6ECgOkVVFjz3CL48B8C"),
        ),
        (
            "mms:received",
            {"messageId": "m", "phoneNumber": "+48601234567"},
            GatewayEvent(EventKind.IGNORED, "Ey6ECgOkVVFjz3CL48B8C"),
        ),
    ],
)
def test_parse_sms_gateway(event: str, payload: dict[str, Any], expected: GatewayEvent) -> None:
    assert parse_sms_gateway(sms_gateway_body(event, payload)) == expected


CONTACT = "+18005550100"
OWNER = "+18005550199"


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        (
            "message.phone.received",
            {
                "contact": CONTACT,
                "content": "This is a test incoming message",
                "message_id": "0b0123bb-ef2e-468f-908a-c026d51636aa",
                "owner": OWNER,
                "sim": "SIM1",
                "timestamp": "2023-06-29T03:21:19.814Z",
                "user_id": "XtABz6zdeFMoBLoltz6SREDvRSh2",
            },
            GatewayEvent(
                EventKind.RECEIVED,
                "f4aed1d3-ab4f",
                number=CONTACT,
                body="This is a test incoming message",
                at=datetime(2023, 6, 29, 3, 21, 19, 814000, tzinfo=UTC),
                owner=OWNER,
            ),
        ),
        (
            "message.call.missed",
            {
                "message_id": "m1",
                "user_id": "u",
                "owner": OWNER,
                "contact": CONTACT,
                "timestamp": "2023-06-29T03:21:19Z",
                "sim": "SIM1",
            },
            GatewayEvent(
                EventKind.MISSED_CALL,
                "f4aed1d3-ab4f",
                number=CONTACT,
                at=datetime(2023, 6, 29, 3, 21, 19, tzinfo=UTC),
                owner=OWNER,
            ),
        ),
        (
            "message.phone.sent",
            {
                "contact": CONTACT,
                "content": "x",
                "id": "ff313c14",
                "owner": OWNER,
                "request_id": "01OURS",
                "sim": "SIM1",
                "timestamp": "2023-07-17T19:05:45.166Z",
            },
            GatewayEvent(
                EventKind.STATUS,
                "f4aed1d3-ab4f",
                number=CONTACT,
                message_id="ff313c14",
                status=DeliveryStatus.SENT,
                at=datetime(2023, 7, 17, 19, 5, 45, 166000, tzinfo=UTC),
                owner=OWNER,
                ref="01OURS",
            ),
        ),
        (
            "message.phone.delivered",
            {
                "id": "ff313c14",
                "owner": OWNER,
                "contact": CONTACT,
                "request_id": None,
                "encrypted": False,
                "content": "x",
            },
            GatewayEvent(
                EventKind.STATUS,
                "f4aed1d3-ab4f",
                number=CONTACT,
                message_id="ff313c14",
                status=DeliveryStatus.DELIVERED,
                owner=OWNER,
            ),
        ),
        (
            "message.send.failed",
            {
                "id": "ff313c14",
                "error_message": "RESULT_ERROR_GENERIC_FAILURE",
                "owner": OWNER,
                "contact": CONTACT,
            },
            GatewayEvent(
                EventKind.STATUS,
                "f4aed1d3-ab4f",
                number=CONTACT,
                message_id="ff313c14",
                status=DeliveryStatus.FAILED,
                error="RESULT_ERROR_GENERIC_FAILURE",
                owner=OWNER,
            ),
        ),
        (
            "message.send.expired",
            {"message_id": "ff313c14", "owner": OWNER, "request_id": "01OURS", "contact": CONTACT},
            GatewayEvent(
                EventKind.STATUS,
                "f4aed1d3-ab4f",
                number=CONTACT,
                message_id="ff313c14",
                status=DeliveryStatus.FAILED,
                error=EXPIRED,
                owner=OWNER,
                ref="01OURS",
            ),
        ),
        (
            "phone.heartbeat.offline",
            {"owner": OWNER},
            GatewayEvent(EventKind.IGNORED, "f4aed1d3-ab4f"),
        ),
    ],
)
def test_parse_httpsms(kind: str, data: dict[str, Any], expected: GatewayEvent) -> None:
    assert parse_httpsms(httpsms_body(kind, data)) == expected


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"event": "sms:received", "id": "x"}',  # no payload
        b'{"event": "sms:received", "payload": {}}',  # no id
        b'{"event": 5, "id": "x", "payload": {}}',
        b'{"event": "sms:received", "id": " ", "payload": {"phoneNumber": "1", "message": ""}}',
        b'{"event": "sms:received", "id": "x", "payload": {"message": "hi"}}',  # no number
        b'{"event": "sms:sent", "id": "x", "payload": {"phoneNumber": "1"}}',  # no message id
        b'{"event": "sms:received", "id": "x", "payload": {"phoneNumber": "1", "message": 3}}',
        b"[" * 100000,
    ],
)
def test_bad_sms_gateway_bodies(body: bytes) -> None:
    with pytest.raises(BadEvent):
        parse_sms_gateway(body)


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b'{"type": "message.phone.received", "id": "x"}',
        b'{"type": "message.phone.received", "id": "x", "data": {"content": "hi"}}',
        b'{"type": "message.phone.sent", "id": "x", "data": {"contact": "1"}}',
        b'{"type": "message.phone.received", "id": "x", "data": {"contact": "'
        + b"1" * 3000
        + b'", "content": ""}}',
    ],
)
def test_bad_httpsms_bodies(body: bytes) -> None:
    with pytest.raises(BadEvent):
        parse_httpsms(body)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_parsers_raise_only_bad_event(document: Any) -> None:
    """Any JSON at all: an event or BadEvent, never another exception."""
    body = json.dumps(document).encode()
    for parse in (parse_sms_gateway, parse_httpsms):
        try:
            event = parse(body)
        except BadEvent:
            continue
        assert isinstance(event, GatewayEvent)
        assert isinstance(event.event_id, str)


def test_sms_gateway_signature() -> None:
    body = sms_gateway_body("sms:received", {"phoneNumber": "1", "message": "hi"})
    stamp = str(int(NOW))
    good = sign(body, stamp)
    assert sms_gateway_signed(KEY, body, stamp, good, NOW)
    assert sms_gateway_signed(KEY, body, stamp, good.upper(), NOW + 299)
    assert not sms_gateway_signed(KEY, body, stamp, good, NOW + 301)  # replayed later
    assert not sms_gateway_signed(KEY, body, stamp, good, NOW - 301)
    assert not sms_gateway_signed(KEY, body + b" ", stamp, good, NOW)  # body changed
    assert not sms_gateway_signed(KEY, body, str(int(NOW) + 1), good, NOW)  # stamp changed
    assert not sms_gateway_signed("other", body, stamp, good, NOW)
    assert not sms_gateway_signed("", body, stamp, sign(body, stamp, ""), NOW)  # no key set
    assert not sms_gateway_signed(KEY, body, None, good, NOW)
    assert not sms_gateway_signed(KEY, body, stamp, None, NOW)
    assert not sms_gateway_signed(KEY, body, "soon", good, NOW)


def test_httpsms_signature() -> None:
    assert httpsms_signed(KEY, httpsms_token(), NOW)
    assert httpsms_signed(KEY, httpsms_token(nbf=None), NOW)
    assert httpsms_signed(KEY, httpsms_token(), NOW + 600 + 59)  # leeway for clock skew
    assert not httpsms_signed(KEY, httpsms_token(), NOW + 600 + 61)  # expired
    assert not httpsms_signed(KEY, httpsms_token(nbf=int(NOW + 120)), NOW)  # not yet
    assert not httpsms_signed(KEY, httpsms_token(exp=None), NOW)  # no expiry: refused
    assert not httpsms_signed(KEY, httpsms_token(exp="tomorrow"), NOW)
    assert not httpsms_signed(KEY, httpsms_token(key="other-key"), NOW)
    assert not httpsms_signed("", httpsms_token(key=""), NOW)  # no key set
    assert not httpsms_signed(KEY, None, NOW)
    assert not httpsms_signed(KEY, httpsms_token().replace("Bearer ", "Basic "), NOW)
    assert not httpsms_signed(KEY, "Bearer a.b", NOW)
    assert not httpsms_signed(KEY, "Bearer a.b.c", NOW)  # not base64 at all
    assert not httpsms_signed(KEY, "Bearer !!!.???.###", NOW)
    unsigned = jwt.encode({"exp": int(NOW + 600)}, None, algorithm="none")
    assert not httpsms_signed(KEY, f"Bearer {unsigned}", NOW)
    other_alg = jwt.encode({"exp": int(NOW + 600)}, KEY, algorithm="HS512")
    assert not httpsms_signed(KEY, f"Bearer {other_alg}", NOW)
    header, claims, signature = httpsms_token().removeprefix("Bearer ").split(".")
    assert not httpsms_signed(KEY, f"Bearer {header}.{claims}x.{signature}", NOW)
    assert not httpsms_signed(KEY, f"Bearer {header}.W10.{signature}", NOW)  # claims "[]"
