"""Fuzzed requests against the real voice and PBX webhook endpoints (issue #7, bad input).

Hypothesis draws bodies, content types, charsets, headers and query strings; each example
is a real HTTP request to Home Assistant's webhook view. Hypothesis runs in an executor
thread and hands each request to the event loop, so examples shrink as usual. The
properties: every bad request gets a 4xx; nothing is screened, queued or texted; nothing
is logged at ERROR level or with a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
import json
import logging
from typing import Any
from urllib.parse import urlencode
import xml.etree.ElementTree as ET

from aiohttp.test_utils import TestClient
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from twilio.request_validator import RequestValidator

from custom_components.client_etiquette.const import DOMAIN, EVENT_CALL_SCREENED
from custom_components.client_etiquette.telephony.parsing import MAX_BODY
from custom_components.client_etiquette.telephony.signature import new_secret, new_webhook_id

from .. import BASE_OPTIONS, setup_entry

TOKEN = "fedcba9876543210fedcba9876543210"
SECRET = new_secret()
VOICE_ID = new_webhook_id()
PBX_ID = new_webhook_id()
EXTERNAL = "https://ha.example.com"
VOICE_PATH = f"/api/webhook/{VOICE_ID}"
PBX_PATH = f"/api/webhook/{PBX_ID}"
FORM = "application/x-www-form-urlencoded"
STEPS = ("call", "dial", "recording", "transcription", "done", "urgent", "reason")
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

type ClientFactory = Callable[[], Awaitable[TestClient[Any, Any]]]


@dataclass
class Target:
    """The loaded entry, its HTTP client, and everything that shows a request did something.

    That is: decisions, callbacks, texts.
    """

    hass: HomeAssistant
    entry: MockConfigEntry
    client: TestClient[Any, Any]
    screened: list[Event]
    texts: list[ServiceCall]

    def run(self, coro: Coroutine[Any, Any, tuple[int, str]]) -> tuple[int, str]:
        """Run a request on the event loop from the Hypothesis thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.hass.loop).result(timeout=30)

    async def post(
        self, path: str, body: bytes, headers: dict[str, str], query: dict[str, str]
    ) -> tuple[int, str]:
        url = path + ("?" + urlencode(query) if query else "")
        response = await self.client.post(url, data=body, headers=headers)
        text = await response.text(errors="replace")
        return response.status, text

    async def assert_nothing_done(self) -> None:
        await self.hass.async_block_till_done()
        assert self.screened == []
        assert self.entry.runtime_data.callbacks.items == []
        assert self.texts == []
        sending = self.entry.runtime_data.sending
        assert sending is not None
        assert sending.outbox.items == []


@pytest.fixture
async def target(hass: HomeAssistant, sources: None, hass_client_no_auth: ClientFactory) -> Target:
    """Return an entry with both webhooks on, texting through a notify action, not ready.

    The notify action records; not ready, so any request that got through would queue a
    callback and a text.
    """
    texts: list[ServiceCall] = []

    async def record(call: ServiceCall) -> None:
        texts.append(call)

    hass.services.async_register("notify", "sms", record)
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "webhook", {})
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    entry = await setup_entry(
        hass,
        MockConfigEntry(
            domain=DOMAIN,
            title="My phone",
            options={
                **BASE_OPTIONS,
                "texting_backend": "notify",
                "notify_action": "notify.sms",
                "twilio_auth_token": TOKEN,
                "voice_webhook_id": VOICE_ID,
                "forward_number": "+48601000111",
                "pbx_webhook_id": PBX_ID,
                "pbx_secret": SECRET,
                "pbx_local_only": True,
            },
        ),
    )
    await hass.services.async_call(
        DOMAIN, "snooze", {"duration": {"minutes": 60}, "reason": "in_meeting"}, blocking=True
    )
    return Target(hass, entry, await hass_client_no_auth(), screened, texts)


def signature(url: str, form: dict[str, str], token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, form))


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    """No ERROR record and no traceback anywhere."""
    for record in caplog.records:
        assert record.levelno < logging.ERROR, record.getMessage()
        assert record.exc_info is None, record.getMessage()
        assert record.exc_text is None, record.getMessage()


printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
words = st.text(max_size=40)
forms = st.dictionaries(words, words, max_size=8)
content_types = st.one_of(
    st.sampled_from(
        [
            FORM,
            f"{FORM}; charset=utf-8",
            f"{FORM}; charset=latin-1",
            f"{FORM}; charset=utf-16",
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "text/xml",
            "multipart/form-data; boundary=x",
            "application/octet-stream",
        ]
    ),
    printable,
)
bodies = st.one_of(
    st.binary(max_size=2048),
    forms.map(lambda form: urlencode(form).encode()),
    forms.map(lambda form: urlencode(form).encode("utf-16")),
    st.text(max_size=500).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.just(b"a=" + b"x" * MAX_BODY),  # one byte over the limit
)
queries = st.one_of(
    st.just({}),
    st.dictionaries(printable, printable, max_size=3),
    st.sampled_from(STEPS).map(lambda step: {"step": step}),
)


@st.composite
def voice_forgeries(draw: st.DrawFn) -> tuple[bytes, dict[str, str], dict[str, str]]:
    """Return a voice request with a missing, garbled, foreign or stale signature."""
    body = draw(bodies)
    query = draw(queries)
    headers: dict[str, str] = {}
    if (content_type := draw(st.none() | content_types)) is not None:
        headers["Content-Type"] = content_type
    form = draw(forms)
    url = EXTERNAL + VOICE_PATH + ("?" + urlencode(query) if query else "")
    kind = draw(st.sampled_from(["none", "garbage", "other_token", "other_form", "other_url"]))
    if kind == "garbage":
        headers[draw(st.sampled_from(["X-Twilio-Signature", "X-SignalWire-Signature"]))] = draw(
            printable
        )
    elif kind == "other_token":
        headers["X-Twilio-Signature"] = signature(url, form, token="not-" + TOKEN)
        body = urlencode(form).encode()
    elif kind == "other_form":
        # Signed for ``form``, but the body carries a different one.
        headers["X-Twilio-Signature"] = signature(url, form)
        body = urlencode({**form, "From": "+48600999888"}).encode()
    elif kind == "other_url":
        headers["X-Twilio-Signature"] = signature(EXTERNAL + "/api/webhook/other", form)
        body = urlencode(form).encode()
    if draw(st.booleans()):
        headers["X-Twilio-Webhooks-Signature-Settings"] = draw(printable)
    return body, headers, query


async def test_forged_voice_requests_are_refused(
    target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    """Check that without a valid signature every voice request is a 4xx and does nothing."""
    caplog.set_level(logging.DEBUG)
    statuses: list[int] = []

    @FUZZ
    @given(voice_forgeries())
    def check(request: tuple[bytes, dict[str, str], dict[str, str]]) -> None:
        body, headers, query = request
        status, _ = target.run(target.post(VOICE_PATH, body, headers, query))
        statuses.append(status)
        assert 400 <= status < 500, (status, request)

    await target.hass.async_add_executor_job(check)
    assert len(statuses) >= 100
    await target.assert_nothing_done()
    assert_quiet(caplog)


@st.composite
def signed_but_unusable(draw: st.DrawFn) -> tuple[bytes, dict[str, str], dict[str, str]]:
    """Generate correctly signed voice requests that still can't be served.

    Not a form, a form in another charset, an unknown step, or a call with no caller number.
    """
    form = draw(forms.map(lambda form: {k: v for k, v in form.items() if k != "From"}))
    kind = draw(st.sampled_from(["content_type", "charset", "step", "no_from"]))
    query: dict[str, str] = {}
    content_type = FORM
    if kind == "content_type":
        content_type = draw(content_types.filter(lambda value: not value.startswith(FORM)))
    elif kind == "charset":
        charset = draw(st.sampled_from(["latin-1", "utf-16", "ascii", "koi8-r", "cp1250"]))
        content_type = f"{FORM}; charset={charset}"
    elif kind == "step":
        query["step"] = draw(printable.filter(lambda step: step not in STEPS))
    elif kind == "no_from" and draw(st.booleans()):
        form["From"] = draw(st.sampled_from(["", " ", "\t"]))
    url = EXTERNAL + VOICE_PATH + ("?" + urlencode(query) if query else "")
    headers = {"Content-Type": content_type, "X-Twilio-Signature": signature(url, form)}
    return urlencode(form).encode(), headers, query


async def test_signed_but_unusable_voice_requests(
    target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    """Check that authentic requests that can't be served are a 4xx too, and do nothing."""
    caplog.set_level(logging.DEBUG)

    @FUZZ
    @given(signed_but_unusable())
    def check(request: tuple[bytes, dict[str, str], dict[str, str]]) -> None:
        body, headers, query = request
        status, _ = target.run(target.post(VOICE_PATH, body, headers, query))
        assert 400 <= status < 500, (status, request)

    await target.hass.async_add_executor_job(check)
    await target.assert_nothing_done()
    assert_quiet(caplog)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(words, children, max_size=4),
    max_leaves=12,
)
bad_numbers = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(words, words, max_size=2),
    st.sampled_from(["", " ", "\t\n"]),
    st.text(min_size=65, max_size=100),
)


@st.composite
def pbx_bad_requests(draw: st.DrawFn) -> tuple[bytes, dict[str, str], dict[str, str]]:
    """Generate PBX requests without the secret or without a usable number.

    No or a wrong bearer secret; or the secret but no usable number: not JSON, not an
    object, no number, a number of the wrong type or length.
    """
    kind = draw(st.sampled_from(["no_auth", "wrong_auth", "not_json", "not_object", "number"]))
    body: bytes
    headers: dict[str, str] = {"Authorization": f"Bearer {SECRET}"}
    if kind in ("no_auth", "wrong_auth"):
        body = json.dumps({"number": "+48601234567"}).encode()
        if kind == "no_auth":
            headers = {}
        else:
            headers["Authorization"] = draw(
                st.sampled_from([f"Basic {SECRET}", f"Bearer {SECRET[:-1]}", "Bearer", ""])
                | printable.map(lambda text: f"Bearer {text}")
            )
    elif kind == "not_json":
        body = draw(st.binary(max_size=512).filter(_not_json))
    elif kind == "not_object":
        body = json.dumps(draw(json_values.filter(lambda value: not isinstance(value, dict))))
        body = body.encode() if isinstance(body, str) else body
    else:
        document = draw(st.dictionaries(words.filter(lambda key: key != "number"), json_values))
        if draw(st.booleans()):
            document["number"] = draw(bad_numbers)
        body = json.dumps(document).encode()
    if (content_type := draw(st.none() | content_types.filter(_not_form))) is not None:
        headers["Content-Type"] = content_type
    return body, headers, draw(queries)


def _not_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return True
    return False


def _not_form(content_type: str) -> bool:
    return not content_type.strip().lower().startswith(FORM)


async def test_bad_pbx_requests_are_refused(
    target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    """Check that a PBX request without the secret or a usable number is a 4xx and does nothing."""
    caplog.set_level(logging.DEBUG)

    @FUZZ
    @given(pbx_bad_requests())
    def check(request: tuple[bytes, dict[str, str], dict[str, str]]) -> None:
        body, headers, query = request
        status, _ = target.run(target.post(PBX_PATH, body, headers, query))
        assert 400 <= status < 500, (status, request)

    await target.hass.async_add_executor_job(check)
    await target.assert_nothing_done()
    assert_quiet(caplog)


@st.composite
def menu_steps(draw: st.DrawFn) -> tuple[bytes, dict[str, str], dict[str, str]]:
    """Generate signed voice-menu requests (issue #18) with anything in their fields.

    Digits and SpeechResult as Twilio posts them to a ``<Gather>`` action, or garbage;
    the call a screened one, an unknown one, or none.
    """
    form = draw(forms)
    form["CallSid"] = draw(st.sampled_from(["CA-menu", "CA-unknown", ""]))
    if draw(st.booleans()):
        form["Digits"] = draw(st.one_of(st.sampled_from(["1", "2", "#", ""]), words))
    if draw(st.booleans()):
        form["SpeechResult"] = draw(words)
    query = {"step": draw(st.sampled_from(["urgent", "reason"]))}
    url = EXTERNAL + VOICE_PATH + "?" + urlencode(query)
    headers = {"Content-Type": FORM, "X-Twilio-Signature": signature(url, form)}
    return urlencode(form).encode(), headers, query


async def test_menu_steps_always_leave_a_way_to_a_message(
    target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    """Check that every signed menu step answers valid TwiML that records or dials, quietly."""
    caplog.set_level(logging.DEBUG)
    form = {"CallSid": "CA-menu", "From": "+48605111222"}
    headers = {"X-Twilio-Signature": signature(EXTERNAL + VOICE_PATH, form), "Content-Type": FORM}
    status, _ = await target.post(VOICE_PATH, urlencode(form).encode(), headers, {})
    assert status == 200

    @FUZZ
    @given(menu_steps())
    def check(request: tuple[bytes, dict[str, str], dict[str, str]]) -> None:
        body, headers, query = request
        status, text = target.run(target.post(VOICE_PATH, body, headers, query))
        assert status == 200, (status, request)
        root = ET.fromstring(text)
        tags = [verb.tag for verb in root]
        assert tags[-2:] == ["Record", "Hangup"] or tags == ["Say", "Dial"], (tags, request)

    await target.hass.async_add_executor_job(check)
    await target.hass.async_block_till_done()
    assert len(target.entry.runtime_data.callbacks.items) == 1
    assert_quiet(caplog)


async def test_fuzz_targets_are_live(target: Target) -> None:
    """Check that the endpoints the fuzzers hit do serve good requests.

    So a 4xx above means refused, not unreachable.
    """
    form = {"CallSid": "CA1", "From": "+48601234567"}
    headers = {"X-Twilio-Signature": signature(EXTERNAL + VOICE_PATH, form), "Content-Type": FORM}
    status, text = await target.post(VOICE_PATH, urlencode(form).encode(), headers, {})
    assert status == 200
    assert "<Record" in text
    status, text = await target.post(
        PBX_PATH,
        json.dumps({"number": "+48602000111"}).encode(),
        {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"},
        {},
    )
    assert status == 200
    assert json.loads(text)["action"] == "voicemail"
    await target.hass.async_block_till_done()
    assert len(target.screened) == 2
