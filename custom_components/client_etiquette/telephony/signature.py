"""Pure request authentication for the telephony webhooks.

No Home Assistant imports. Three things live here:

- The ``X-Twilio-Signature`` scheme used by Twilio and SignalWire (which also sends the
  same value as ``X-SignalWire-Signature``): base64(HMAC-SHA1(token, url + params)),
  where ``params`` are the POST form fields sorted by name (then by value), each name
  directly followed by its value. Like Twilio's own ``RequestValidator``, a signature
  is accepted for the URL with and without its port (``https://host/x`` and
  ``https://host:443/x`` are the same URL to Twilio, but sign differently).
- Telnyx's Ed25519 scheme (TeXML): ``telnyx-signature-ed25519`` is base64 of the
  Ed25519 signature of ``<telnyx-timestamp>|<raw body>``, checked with the account's
  public key; a timestamp more than ``TELNYX_TOLERANCE`` seconds away is refused, so a
  captured request can't be replayed later.
- Step tags: Telnyx signs the timestamp and the body, not the URL, so the ``step``
  of a later request (``?step=dial``) is not signed. The URLs of a Telnyx call's later
  steps carry ``tag``, an HMAC of the step and the call id under a key of our own, so a
  captured request can't be replayed to another step (or another call's step).
- The bearer secret of the PBX webhook.
- Fresh webhook ids and secrets, long and random.

Every comparison of a secret or signature is constant-time (``hmac.compare_digest``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
import hashlib
import hmac
import secrets
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNATURE_HEADER: Final = "X-Twilio-Signature"
SIGNALWIRE_SIGNATURE_HEADER: Final = "X-SignalWire-Signature"
SIGNATURE_SETTINGS_HEADER: Final = "X-Twilio-Webhooks-Signature-Settings"
HMAC_SHA1: Final = "HMAC_SHA1"
HMAC_SHA256: Final = "HMAC_SHA256"
ALGORITHMS: Final = {HMAC_SHA1: hashlib.sha1, HMAC_SHA256: hashlib.sha256}
DIGEST_NAMES: Final = {HMAC_SHA1: "sha1", HMAC_SHA256: "sha256"}
DEFAULT_PORTS: Final = {"https": 443, "http": 80}
TELNYX_SIGNATURE_HEADER: Final = "telnyx-signature-ed25519"
TELNYX_TIMESTAMP_HEADER: Final = "telnyx-timestamp"
# How far (seconds) a Telnyx timestamp may be from now.
TELNYX_TOLERANCE: Final = 300
ED25519_KEY_BYTES: Final = 32
ED25519_SIGNATURE_BYTES: Final = 64
# Random bytes in a webhook id or secret (the id is the only thing guarding the URL).
TOKEN_BYTES: Final = 32
# Bytes of the HMAC kept in a step tag (128 bits: 22 characters of URL-safe base64).
STEP_TAG_BYTES: Final = 16

type Params = Mapping[str, str] | Iterable[tuple[str, str]]


def new_webhook_id() -> str:
    """Return a fresh webhook id: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_secret() -> str:
    """Return a fresh bearer secret for the PBX webhook: 32 random bytes, URL-safe base64."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _signed_params(params: Params) -> str:
    """Return the part of the signed string after the URL: each name + value, sorted.

    Names are sorted (case-sensitive, by code point); a name that occurs more than
    once contributes each of its distinct values, sorted, as Twilio's validator does.
    (Sorting the distinct (name, value) pairs gives exactly that order.)
    """
    items = params.items() if isinstance(params, Mapping) else params
    distinct = {(str(name), str(value)) for name, value in items}
    return "".join([name + value for name, value in sorted(distinct)])


def signing_payload(url: str, params: Params) -> str:
    """Return the string that is signed: the URL, then each name + value, sorted.

    Names are sorted (case-sensitive, by code point); a name that occurs more than
    once contributes each of its distinct values, sorted, as Twilio's validator does.
    """
    return url + _signed_params(params)


def _digest_name(algorithm: str) -> str:
    """Hashlib's name of a signature algorithm; ``ValueError`` for an unsupported one."""
    name = DIGEST_NAMES.get(algorithm.upper())
    if name is None:
        msg = f"unsupported signature algorithm: {algorithm!r}"
        raise ValueError(msg)
    return name


def _sign(key: bytes, payload: str, digest_name: str) -> str:
    # hmac.digest with a hashlib name is OpenSSL's one-shot HMAC: no HMAC object.
    return base64.b64encode(hmac.digest(key, payload.encode(), digest_name)).decode("ascii")


def compute_signature(token: str, url: str, params: Params, *, algorithm: str = HMAC_SHA1) -> str:
    """Return the base64 signature of a request to ``url`` with form ``params``.

    Raises ``ValueError`` for an algorithm other than HMAC_SHA1 or HMAC_SHA256.
    """
    return _sign(token.encode(), signing_payload(url, params), _digest_name(algorithm))


@lru_cache(maxsize=256)
def url_variants(url: str) -> tuple[str, ...]:
    """``url`` as given, without its port, and with the scheme's default port.

    Twilio signs with the URL exactly as configured, which may or may not spell the
    port; a URL with a non-default port (``:8123``) also yields the variant without
    it, as Twilio's validator does. Duplicates are dropped, order is kept. (Cached:
    a webhook is checked against the same few URLs again and again.)
    """
    found = [url]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return (url,)
    host = parts.netloc.rpartition("@")[2]
    userinfo = parts.netloc[: len(parts.netloc) - len(host)]
    bare_host = host if port is None else host[: host.rfind(":")]
    found.append(urlunsplit(parts._replace(netloc=userinfo + bare_host)))
    if port is None and (default := DEFAULT_PORTS.get(parts.scheme.lower())) is not None:
        found.append(urlunsplit(parts._replace(netloc=f"{userinfo}{bare_host}:{default}")))
    return tuple(dict.fromkeys(found))


def signature_algorithm(settings_header: str | None) -> str:
    """Return the algorithm named in ``X-Twilio-Webhooks-Signature-Settings``.

    The header looks like ``key=<id>,algorithm=HMAC_SHA256``; a missing header, or
    one that names no algorithm, means the classic HMAC_SHA1. Upper case.
    """
    if not settings_header:
        return HMAC_SHA1
    for part in settings_header.split(","):
        name, separator, value = part.partition("=")
        if separator and name.strip().lower() == "algorithm" and value.strip():
            return value.strip().upper()
    return HMAC_SHA1


def _equal(left: str, right: str) -> bool:
    """Constant-time string comparison (any characters, any lengths)."""
    return hmac.compare_digest(left.encode(errors="surrogatepass"), right.encode())


def is_valid_signature(
    token: str | None,
    urls: Sequence[str],
    params: Params,
    signature: str | None,
    *,
    algorithm: str = HMAC_SHA1,
) -> bool:
    """Whether ``signature`` signs ``params`` for one of ``urls`` (or its port variants).

    False without a token, a signature or a URL, and for an unknown algorithm.
    Every candidate is compared, in constant time each (which URL variant was signed
    does not show in the timing). The sorted fields are joined once for all of them.
    """
    if not token or not signature:
        return False
    digest_name = DIGEST_NAMES.get(algorithm.upper())
    if digest_name is None:
        return False
    signed_params = _signed_params(params)
    key = token.encode()
    given = signature.strip()
    candidates = dict.fromkeys(variant for url in urls for variant in url_variants(url))
    valid = False
    for candidate in candidates:
        valid |= _equal(given, _sign(key, candidate + signed_params, digest_name))
    return valid


def bearer_token(authorization: str | None) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def is_valid_bearer(authorization: str | None, secret: str | None) -> bool:
    """Whether the ``Authorization`` header carries ``secret`` as a bearer token.

    Never true when no secret is configured (an empty secret opens nothing).
    """
    token = bearer_token(authorization)
    if not secret or token is None:
        return False
    return _equal(token, secret)


def _b64(text: str, size: int) -> bytes | None:
    """``text`` decoded from (standard or URL-safe) base64, when it is ``size`` bytes."""
    cleaned = text.strip()
    try:
        raw = base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
    except ValueError:
        return None
    return raw if len(raw) == size else None


def ed25519_key(public_key: str | None) -> Ed25519PublicKey | None:
    """Return the Ed25519 public key in base64 (Telnyx's *Public Key*), or None if it isn't one."""
    raw = _b64(public_key, ED25519_KEY_BYTES) if public_key else None
    return Ed25519PublicKey.from_public_bytes(raw) if raw is not None else None


def is_valid_ed25519(
    public_key: str | None,
    *,
    timestamp: str | None,
    body: bytes,
    signature: str | None,
    now: float,
) -> bool:
    """Return True when ``signature`` signs ``<timestamp>|<body>`` and the timestamp is recent."""
    key = ed25519_key(public_key)
    raw = _b64(signature, ED25519_SIGNATURE_BYTES) if signature else None
    if key is None or raw is None or timestamp is None or not timestamp.isascii():
        return False
    try:
        signed_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - signed_at) > TELNYX_TOLERANCE:
        return False
    try:
        key.verify(raw, timestamp.encode() + b"|" + body)
    except InvalidSignature:
        return False
    return True


def step_tag(key: bytes, step: str, call_id: str | None) -> str:
    """Return the tag of one step of one call: URL-safe base64 of a truncated HMAC-SHA256."""
    message = f"{step}\n{call_id or ''}".encode(errors="surrogatepass")
    digest = hmac.digest(key, message, "sha256")[:STEP_TAG_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def is_valid_step_tag(key: bytes, step: str, call_id: str | None, tag: str | None) -> bool:
    """Whether ``tag`` is the tag of this step of this call (constant-time)."""
    if not tag:
        return False
    return _equal(tag, step_tag(key, step, call_id))
