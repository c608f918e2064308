"""Reading a webhook request: its body, form or JSON, within limits; 4xx when it is bad."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
import json
from typing import Any, Final
from urllib.parse import unquote_to_bytes

from aiohttp.web import Request

from .refusals import Refused

MAX_BODY: Final = 64 * 1024
MAX_FIELDS: Final = 200
# Longest caller number, name and call id taken from a request (as the action's schema).
MAX_NUMBER: Final = 64
MAX_NAME: Final = 200
MAX_CALL_ID: Final = 200
MAX_URL: Final = 2048
FORM_CONTENT_TYPE: Final = "application/x-www-form-urlencoded"
# The PBX reports a rung-through call nobody answered with {"event": "missed", "call_id"}.
PBX_EVENT_MISSED: Final = "missed"


async def read_body(request: Request) -> bytes:
    """Read the request body, refusing (413) anything over ``MAX_BODY`` before reading it all."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    content = request.content
    chunk = await content.read(MAX_BODY + 1)
    if len(chunk) > MAX_BODY:
        raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    if not chunk or content.at_eof():  # the usual small form: all there in one read
        return chunk
    body = bytearray(chunk)
    while chunk := await content.read(MAX_BODY + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY:
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    return bytes(body)


def media_type(request: Request) -> tuple[str, str | None]:
    """Return the request's content type and charset; 415 when the header can't be read.

    aiohttp reads the header with the standard library's e-mail parser, which raises
    on some malformed parameters (``Content-Type: ;0*`` gives an IndexError).
    """
    try:
        return request.content_type, request.charset
    except Exception as err:  # whatever the parser raises, the header is unusable
        raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unreadable content type") from err


def parse_request_form(request: Request, body: bytes) -> list[tuple[str, str]]:
    """Return the fields of a form-encoded body; 415 for another type, 400 if it won't parse."""
    content_type, charset = media_type(request)
    if content_type != FORM_CONTENT_TYPE:
        raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "not a form")
    if charset is not None and charset.lower() not in ("utf-8", "utf8"):
        raise Refused(HTTPStatus.BAD_REQUEST, "form is not UTF-8")
    try:
        return parse_form(body)
    except (UnicodeDecodeError, ValueError) as err:
        raise Refused(HTTPStatus.BAD_REQUEST, "malformed form") from err


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """Return the fields of a UTF-8 form-encoded body, in order.

    The same as ``parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True,
    errors="strict", max_num_fields=MAX_FIELDS)`` (an empty body has no fields), without
    its per-field function calls: it works on the bytes, and only a name or value with
    ``%`` or ``+`` is unquoted. Raises ``ValueError`` (``UnicodeDecodeError`` for bad
    UTF-8) when it does not parse.
    """
    if not body:
        return []
    body.decode("utf-8")  # the whole body must be UTF-8, as parse_qsl would decode it
    if body.count(b"&") >= MAX_FIELDS:
        msg = "Max number of fields exceeded"
        raise ValueError(msg)
    fields: list[tuple[str, str]] = []
    for part in body.split(b"&"):
        name, has_eq, value = part.partition(b"=")
        if not has_eq:
            msg = f"bad form field: {part!r}"
            raise ValueError(msg)
        if b"%" in name or b"+" in name:
            name = unquote_to_bytes(name.replace(b"+", b" "))
        if b"%" in value or b"+" in value:
            value = unquote_to_bytes(value.replace(b"+", b" "))
        fields.append((name.decode("utf-8"), value.decode("utf-8")))
    return fields


def form_field(form: Mapping[str, str], name: str, limit: int) -> str | None:
    """Return a form field, stripped and cut to ``limit``; None when empty."""
    value = form.get(name, "").strip()
    return value[:limit] if value else None


def is_missed_report(data: Any) -> bool:
    """Tell whether the PBX reports a rung-through call nobody answered."""
    return isinstance(data, dict) and data.get("event") == PBX_EVENT_MISSED


def parse_json(body: bytes) -> Any:
    """Return the JSON document of a body; 400 when it is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as err:
        raise Refused(HTTPStatus.BAD_REQUEST, "body is not JSON") from err


def parse_pbx(data: Any) -> tuple[str, str | None, str | None]:
    """Return number, name and call id from the PBX's JSON object or form; 400 if absent."""
    if not isinstance(data, dict):
        raise Refused(HTTPStatus.BAD_REQUEST, "body is not a JSON object")
    number, name, call_id = data.get("number"), data.get("name"), data.get("call_id")
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if not isinstance(number, str) or not number.strip() or len(number) > MAX_NUMBER:
        raise Refused(HTTPStatus.BAD_REQUEST, "number missing or invalid")
    for value, limit in ((name, MAX_NAME), (call_id, MAX_CALL_ID)):
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise Refused(HTTPStatus.BAD_REQUEST, "name or call_id invalid")
    return number.strip(), name or None, call_id or None
