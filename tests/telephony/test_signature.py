"""Request signatures and secrets, checked against Twilio's own RequestValidator."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings, strategies as st
import pytest
from twilio.request_validator import RequestValidator

from custom_components.client_etiquette.telephony import signature
from custom_components.client_etiquette.telephony.signature import (
    HMAC_SHA1,
    HMAC_SHA256,
    TELNYX_TOLERANCE,
    bearer_token,
    compute_signature,
    ed25519_key,
    is_valid_bearer,
    is_valid_ed25519,
    is_valid_signature,
    new_secret,
    new_webhook_id,
    signature_algorithm,
    signing_payload,
    url_variants,
)

from . import BODY, TELNYX_PUBLIC, telnyx_signature

TOKEN = "12345678901234567890123456789012"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
# The oracle: what Twilio's own SDK computes for the example request.
SIG = RequestValidator(TOKEN).compute_signature(URL, PARAMS)

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12
)
values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


def test_example_request() -> None:
    """Check that the example request signs as Twilio's SDK signs it, and validates."""
    assert compute_signature(TOKEN, URL, PARAMS) == SIG
    assert RequestValidator(TOKEN).validate(URL, PARAMS, SIG)
    assert is_valid_signature(TOKEN, [URL], PARAMS, SIG)


def test_payload_is_url_then_sorted_names_and_values() -> None:
    """Check that names sort case-sensitively; repeated names give each distinct value, sorted."""
    pairs = [("b", "2"), ("a", "z"), ("B", "x"), ("a", "y"), ("a", "z")]
    assert signing_payload("https://h/x", pairs) == "https://h/xB" + "x" + "ay" + "az" + "b2"
    assert signing_payload("https://h/x", {}) == "https://h/x"


def test_signature_is_base64_hmac_sha1_of_the_payload() -> None:
    """Check that the signature is the base64 HMAC-SHA1 (or SHA-256) of the payload."""
    payload = signing_payload(URL, PARAMS).encode()
    sha1 = base64.b64encode(hmac.new(TOKEN.encode(), payload, hashlib.sha1).digest()).decode()
    sha256 = base64.b64encode(hmac.new(TOKEN.encode(), payload, hashlib.sha256).digest()).decode()
    assert compute_signature(TOKEN, URL, PARAMS) == sha1
    assert compute_signature(TOKEN, URL, PARAMS, algorithm="hmac_sha256") == sha256
    assert compute_signature(TOKEN, URL, PARAMS, algorithm=HMAC_SHA256) == sha256


def test_unknown_algorithm() -> None:
    """Check that computing with an unknown algorithm raises; validating with one fails."""
    with pytest.raises(ValueError, match="unsupported"):
        compute_signature(TOKEN, URL, PARAMS, algorithm="MD5")
    assert not is_valid_signature(TOKEN, [URL], PARAMS, SIG, algorithm="MD5")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://ha.example.com/api/webhook/x?step=dial",
            (
                "https://ha.example.com/api/webhook/x?step=dial",
                "https://ha.example.com:443/api/webhook/x?step=dial",
            ),
        ),
        (
            "https://ha.example.com:443/api/webhook/x",
            ("https://ha.example.com:443/api/webhook/x", "https://ha.example.com/api/webhook/x"),
        ),
        (
            "http://ha.example.com/api/webhook/x",
            ("http://ha.example.com/api/webhook/x", "http://ha.example.com:80/api/webhook/x"),
        ),
        (
            "https://ha.example.com:8123/x",
            ("https://ha.example.com:8123/x", "https://ha.example.com/x"),
        ),
        (
            "https://user:pw@h.com:8443/x",
            ("https://user:pw@h.com:8443/x", "https://user:pw@h.com/x"),
        ),
        (
            "https://[2001:db8::1]:8123/x",
            ("https://[2001:db8::1]:8123/x", "https://[2001:db8::1]/x"),
        ),
        ("https://[2001:db8::1]/x", ("https://[2001:db8::1]/x", "https://[2001:db8::1]:443/x")),
        # Unknown scheme: no default port to add.
        ("ftp://h.com/x", ("ftp://h.com/x",)),
        # A port that is not a number: only the URL as given.
        ("https://h.com:abc/x", ("https://h.com:abc/x",)),
    ],
)
def test_url_variants(url: str, expected: tuple[str, ...]) -> None:
    """Check that each URL is tried as given, without its port and with the default port."""
    assert url_variants(url) == expected


@pytest.mark.parametrize(
    ("signed_url", "checked_url"),
    [
        ("https://ha.example.com/api/webhook/x", "https://ha.example.com:443/api/webhook/x"),
        ("https://ha.example.com:443/api/webhook/x", "https://ha.example.com/api/webhook/x"),
        ("http://ha.example.com:80/api/webhook/x", "http://ha.example.com/api/webhook/x"),
        ("https://ha.example.com/api/webhook/x", "https://ha.example.com:8123/api/webhook/x"),
    ],
)
def test_port_variants_are_accepted(signed_url: str, checked_url: str) -> None:
    """Check that a request signed for the URL with or without its port is accepted, like Twilio."""
    sig = RequestValidator(TOKEN).compute_signature(signed_url, PARAMS)
    assert is_valid_signature(TOKEN, [checked_url], PARAMS, sig)
    assert RequestValidator(TOKEN).validate(checked_url, PARAMS, sig)


def test_any_of_several_urls() -> None:
    """Check that the signature may match any of the candidate URLs (public URL, request URL)."""
    sig = compute_signature(TOKEN, "https://public.example.com/api/webhook/x", PARAMS)
    urls = ["http://192.168.1.5:8123/api/webhook/x", "https://public.example.com/api/webhook/x"]
    assert is_valid_signature(TOKEN, urls, PARAMS, sig)
    assert not is_valid_signature(TOKEN, urls[:1], PARAMS, sig)


@pytest.mark.parametrize(
    ("token", "urls", "params", "sig"),
    [
        (TOKEN, [URL], PARAMS, None),
        (TOKEN, [URL], PARAMS, ""),
        (None, [URL], PARAMS, SIG),
        ("", [URL], PARAMS, SIG),
        (TOKEN, [], PARAMS, SIG),
        ("another-token", [URL], PARAMS, SIG),
        (TOKEN, [URL.replace("foo=1", "foo=2")], PARAMS, SIG),
        (TOKEN, [URL], {**PARAMS, "Digits": "1235"}, SIG),
        (TOKEN, [URL], {**PARAMS, "Extra": ""}, SIG),
        (TOKEN, [URL], PARAMS, SIG[:-1]),
        (TOKEN, [URL], PARAMS, SIG.lower()),
        (TOKEN, [URL], PARAMS, "ÿ" * 28),
        (TOKEN, [URL], PARAMS, "\udcff" * 28),
    ],
)
def test_invalid_signatures(
    token: str | None, urls: list[str], params: dict[str, str], sig: str | None
) -> None:
    """Check that missing, empty, altered or foreign signatures are refused, never raised on."""
    assert not is_valid_signature(token, urls, params, sig)


def test_signature_whitespace_is_ignored() -> None:
    """Check that surrounding whitespace in the header does not matter."""
    assert is_valid_signature(TOKEN, [URL], PARAMS, f" {SIG}\t")


@settings(max_examples=200, deadline=None)
@given(
    token=st.text(min_size=1, max_size=40),
    path=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_/", max_size=20),
    pairs=st.lists(st.tuples(names, values), max_size=8),
    port=st.sampled_from(["", ":443", ":8123"]),
)
def test_agrees_with_twilio_validator(
    token: str, path: str, pairs: list[tuple[str, str]], port: str
) -> None:
    """Check that for any token, URL and form, we sign and validate exactly as Twilio's SDK does."""
    url = f"https://ha.example.com{port}/{path}?step=call"
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)

    class MultiDict(dict[str, list[str]]):
        def getall(self, name: str) -> list[str]:
            return self[name]

    theirs = RequestValidator(token)
    assert compute_signature(token, url, pairs) == theirs.compute_signature(url, MultiDict(params))
    other = url.replace(port, "") if port else url.replace(".com/", ".com:443/")
    for signed in (url, other):
        sig = theirs.compute_signature(signed, MultiDict(params))
        assert is_valid_signature(token, [url], pairs, sig) is theirs.validate(
            url, MultiDict(params), sig
        )
        assert is_valid_signature(token, [url], pairs, sig)


@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(names, values), min_size=1, max_size=6), data=st.data())
def test_any_change_to_the_form_is_caught(
    pairs: list[tuple[str, str]], data: st.DataObject
) -> None:
    """Check that changing one value of a signed form invalidates the signature."""
    sig = compute_signature(TOKEN, URL, pairs)
    index = data.draw(st.integers(0, len(pairs) - 1))
    name, value = pairs[index]
    altered = [*pairs[:index], (name, value + "x"), *pairs[index + 1 :]]
    assert is_valid_signature(TOKEN, [URL], pairs, sig)
    if signing_payload(URL, altered) != signing_payload(URL, pairs):
        assert not is_valid_signature(TOKEN, [URL], altered, sig)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, HMAC_SHA1),
        ("", HMAC_SHA1),
        ("key=webhooks_sharedkey_1", HMAC_SHA1),
        ("key=webhooks_sharedkey_1,algorithm=HMAC_SHA256", HMAC_SHA256),
        ("algorithm = hmac_sha256 , key=x", HMAC_SHA256),
        ("Algorithm=HMAC_SHA1", HMAC_SHA1),
        ("algorithm=", HMAC_SHA1),
        ("algorithm=RSA", "RSA"),
    ],
)
def test_signature_algorithm(header: str | None, expected: str) -> None:
    """Check that the settings header names the algorithm; the default is HMAC-SHA1."""
    assert signature_algorithm(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer abc", "abc"),
        ("bearer   abc  ", "abc"),
        ("BEARER abc", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("Bearer   ", None),
        ("", None),
        (None, None),
        ("abc", None),
    ],
)
def test_bearer_token(header: str | None, expected: str | None) -> None:
    """Check that only the Bearer scheme yields a token."""
    assert bearer_token(header) == expected


@pytest.mark.parametrize(
    ("header", "secret", "expected"),
    [
        ("Bearer s3cret", "s3cret", True),
        ("bearer s3cret", "s3cret", True),
        ("Bearer s3cre", "s3cret", False),
        ("Bearer s3cret2", "s3cret", False),
        ("Basic s3cret", "s3cret", False),
        ("s3cret", "s3cret", False),
        (None, "s3cret", False),
        ("Bearer ", "", False),
        ("Bearer x", "", False),
        ("Bearer x", None, False),
        ("Bearer żółw", "żółw", True),
        ("Bearer \udcff", "s3cret", False),
    ],
)
def test_is_valid_bearer(header: str | None, secret: str | None, expected: bool) -> None:
    """Check that the bearer secret must match exactly; no secret configured opens nothing."""
    assert is_valid_bearer(header, secret) is expected


def test_comparisons_are_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check that signatures and secrets are compared with hmac.compare_digest."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(left: bytes, right: bytes) -> bool:
        calls.append((left, right))
        return real(left, right)

    monkeypatch.setattr(signature.hmac, "compare_digest", spy)
    assert is_valid_bearer("Bearer s3cret", "s3cret")
    assert calls == [(b"s3cret", b"s3cret")]
    calls.clear()
    assert is_valid_signature(TOKEN, [URL], PARAMS, SIG)
    # Every candidate URL (as given, with port 443) is compared, not just the first match.
    assert len(calls) == 2
    assert (SIG.encode(), SIG.encode()) in calls


def test_new_webhook_ids_and_secrets_are_long_and_random() -> None:
    """Check that ids and secrets carry 32 random bytes, URL-safe, and never repeat."""
    ids = {new_webhook_id() for _ in range(200)}
    secrets_ = {new_secret() for _ in range(200)}
    assert len(ids) == 200
    assert len(secrets_) == 200
    for token in ids | secrets_:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
        assert len(base64.urlsafe_b64decode(token + "=")) == 32


# Telnyx (TeXML): Ed25519 over "<timestamp>|<raw body>", as Telnyx documents it.
NOW = 1_790_000_000


def test_telnyx_signature_accepted() -> None:
    """Check that a fresh, correct signature passes, within the replay tolerance either way."""
    for skew in (0, TELNYX_TOLERANCE, -TELNYX_TOLERANCE):
        stamp = str(NOW + skew)
        assert is_valid_ed25519(
            TELNYX_PUBLIC, timestamp=stamp, body=BODY, signature=telnyx_signature(stamp), now=NOW
        )


@pytest.mark.parametrize(
    ("public_key", "timestamp", "body", "sig"),
    [
        pytest.param(TELNYX_PUBLIC, str(NOW), BODY + b"&x=1", None, id="tampered-body"),
        pytest.param(TELNYX_PUBLIC, str(NOW + 1), BODY, None, id="other-timestamp"),
        pytest.param(TELNYX_PUBLIC, str(NOW - TELNYX_TOLERANCE - 1), BODY, "fresh", id="replayed"),
        pytest.param(TELNYX_PUBLIC, str(NOW + TELNYX_TOLERANCE + 1), BODY, "fresh", id="future"),
        pytest.param(TELNYX_PUBLIC, None, BODY, None, id="no-timestamp"),
        pytest.param(TELNYX_PUBLIC, "soon", BODY, "fresh", id="bad-timestamp"),
        pytest.param(TELNYX_PUBLIC, "١٢٣", BODY, "fresh", id="non-ascii-timestamp"),
        pytest.param(None, str(NOW), BODY, None, id="no-key"),
        pytest.param("bm90IGEga2V5", str(NOW), BODY, None, id="short-key"),
        pytest.param("%%%", str(NOW), BODY, None, id="not-base64-key"),
        pytest.param(TELNYX_PUBLIC, str(NOW), BODY, "", id="empty-signature"),
        pytest.param(TELNYX_PUBLIC, str(NOW), BODY, "AAAA", id="short-signature"),
        pytest.param(TELNYX_PUBLIC, str(NOW), BODY, "other-key", id="other-key"),
    ],
)
def test_telnyx_signature_refused(
    public_key: str | None, timestamp: str | None, body: bytes, sig: str | None
) -> None:
    """Check that anything but the account's signature of this body at a recent time is refused."""
    signed_at = timestamp if timestamp is not None else str(NOW)
    if sig is None:
        sig = telnyx_signature(str(NOW))
    elif sig == "fresh":
        sig = telnyx_signature(signed_at)
    elif sig == "other-key":
        sig = telnyx_signature(signed_at, key=Ed25519PrivateKey.generate())
    assert not is_valid_ed25519(public_key, timestamp=timestamp, body=body, signature=sig, now=NOW)


def test_telnyx_key_forms() -> None:
    """Check that standard or URL-safe base64 of 32 bytes is a key; anything else is not."""
    assert ed25519_key(TELNYX_PUBLIC) is not None
    url_safe = TELNYX_PUBLIC.replace("+", "-").replace("/", "_")
    assert ed25519_key(f" {url_safe} ") is not None
    assert ed25519_key("") is None
    assert ed25519_key(base64.b64encode(b"x" * 31).decode()) is None
