"""The voice webhook through Home Assistant Cloud: its cloudhook and the requests relayed.

Home Assistant's own cloud functions (``async_get_or_create_cloudhook``,
``async_delete_cloudhook``, ``async_listen_connection_change``…) run against a Cloud
account object of the test (no network), as ``hass_nabucasa``'s ``Cloud`` offers it to
them; a relayed request goes through ``webhook.async_handle_webhook`` as a
``MockRequest``, the way Cloud's client hands it over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import inspect
import logging
import time
from typing import Any
from urllib.parse import urlencode
import xml.etree.ElementTree as ET

from aiohttp.web import Response
from homeassistant.components import webhook
from homeassistant.components.cloud import SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState
from homeassistant.components.cloud.const import DATA_CLOUD
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.setup import async_setup_component
from homeassistant.util.aiohttp import MockRequest
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .. import BASE_OPTIONS, make_entry, setup_entry
from ..flows import open_step, submit
from . import (
    EXTERNAL,
    FORWARD,
    PBX_ID,
    SECRET,
    TELEPHONY,
    VOICE_ID,
    VOICE_PATH,
    call_form,
    sign,
    telnyx_signature,
)

HOOKS = "https://hooks.nabu.casa"


@dataclass
class FakeIot:
    """The Cloud connection."""

    connected: bool = True


@dataclass
class FakeCloudClient:
    """Cloud's client: the cloudhooks kept in the preferences, by webhook id."""

    cloudhooks: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class FakeCloud:
    """A Home Assistant Cloud account, as ``hass_nabucasa.Cloud`` shows it to Home Assistant."""

    is_logged_in: bool = True
    subscription_expired: bool = False
    iot: FakeIot = field(default_factory=FakeIot)
    client: FakeCloudClient = field(default_factory=FakeCloudClient)
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    fail: Exception | None = None

    @property
    def cloudhooks(self) -> FakeCloud:
        """``cloud.cloudhooks``: creates and deletes them."""
        return self

    async def async_create(self, webhook_id: str, managed: bool) -> dict[str, Any]:
        """Return a new cloudhook for ``webhook_id``."""
        if self.fail is not None:
            raise self.fail
        self.created.append(webhook_id)
        hook = {
            "webhook_id": webhook_id,
            "cloudhook_id": f"hook{len(self.created)}",
            "cloudhook_url": f"{HOOKS}/hook{len(self.created)}{'x' * 40}",
            "managed": managed,
        }
        self.client.cloudhooks[webhook_id] = hook
        return hook

    async def async_delete(self, webhook_id: str) -> None:
        """Forget the cloudhook of ``webhook_id``."""
        if webhook_id not in self.client.cloudhooks:
            msg = "Hook is not enabled for the cloud."
            raise ValueError(msg)
        self.deleted.append(webhook_id)
        del self.client.cloudhooks[webhook_id]


@pytest.fixture
async def base(hass: HomeAssistant, sources: None) -> None:
    """Home Assistant reachable at EXTERNAL, with webhooks."""
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "webhook", {})


@pytest.fixture
def cloud(hass: HomeAssistant, base: None) -> FakeCloud:
    """Home Assistant Cloud loaded, logged in with a subscription, and connected."""
    account = FakeCloud()
    hass.data[DATA_CLOUD] = account  # type: ignore[assignment]
    hass.config.components.add("cloud")
    return account


def hook_url(account: FakeCloud, webhook_id: str) -> str:
    """Return the cloudhook URL Cloud gave ``webhook_id``."""
    return str(account.client.cloudhooks[webhook_id]["cloudhook_url"])


def relayed(form: dict[str, str], headers: dict[str, str], query: str = "") -> MockRequest:
    """Return a request as Home Assistant Cloud's client hands it to the webhook."""
    extra: dict[str, Any] = {}
    if "remote" in inspect.signature(MockRequest).parameters:
        extra["remote"] = None  # Cloud marks relayed requests as not local (2026.5+)
    return MockRequest(
        content=urlencode(form).encode(),
        mock_source="cloud",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        query_string=query,
        **extra,
    )


async def relay(hass: HomeAssistant, webhook_id: str, request: MockRequest) -> Response:
    """Relay ``request`` to the webhook, as Cloud does."""
    return await webhook.async_handle_webhook(hass, webhook_id, request)


def twiml(response: Response) -> ET.Element:
    """Return the TwiML document of a relayed 200 answer."""
    assert response.status == 200
    assert response.content_type == "text/xml"
    assert isinstance(response.text, str)
    return ET.fromstring(response.text)


async def voice_entry(hass: HomeAssistant) -> MockConfigEntry:
    """Return an entry with both webhooks on."""
    return await setup_entry(hass, make_entry({**BASE_OPTIONS, **TELEPHONY}))


async def test_voice_webhook_gets_a_cloudhook(hass: HomeAssistant, cloud: FakeCloud) -> None:
    """Logged in and connected: the voice webhook (only) gets a cloudhook, kept in data."""
    entry = await voice_entry(hass)
    assert cloud.created == [VOICE_ID]
    url = hook_url(cloud, VOICE_ID)
    assert entry.data == {"voice_cloudhook": {"webhook_id": VOICE_ID, "url": url}}
    assert entry.options["pbx_local_only"] is True

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert cloud.created == [VOICE_ID]  # kept, not made again
    assert entry.data["voice_cloudhook"]["url"] == url


async def test_relayed_call_is_checked_against_the_cloudhook(
    hass: HomeAssistant, cloud: FakeCloud
) -> None:
    """Check that a relayed request signed for the cloudhook's URL is answered, on that URL."""
    await voice_entry(hass)
    url = hook_url(cloud, VOICE_ID)
    form = call_form()
    response = await relay(hass, VOICE_ID, relayed(form, {"X-Twilio-Signature": sign(url, form)}))
    root = twiml(response)
    assert [verb.tag for verb in root] == ["Dial"]
    assert root[0].text == FORWARD
    assert root[0].get("action") == f"{url}?step=dial"

    dial = call_form(DialCallStatus="no-answer")
    signature = sign(f"{url}?step=dial", dial)
    response = await relay(
        hass, VOICE_ID, relayed(dial, {"X-Twilio-Signature": signature}, "step=dial")
    )
    root = twiml(response)
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]
    assert root[1].get("recordingStatusCallback") == f"{url}?step=recording"


@pytest.mark.parametrize(
    "signed_for",
    [
        f"{EXTERNAL}{VOICE_PATH}",  # the direct address: not what Cloud's caller signed
        f"{HOOKS}/someone-elses-hook",
    ],
    ids=["direct-address", "other-cloudhook"],
)
async def test_relayed_call_signed_for_another_url_is_refused(
    hass: HomeAssistant, cloud: FakeCloud, signed_for: str
) -> None:
    """Only the cloudhook's URL counts for a relayed request: 403, nothing screened."""
    entry = await voice_entry(hass)
    form = call_form()
    request = relayed(form, {"X-Twilio-Signature": sign(signed_for, form)})
    response = await relay(hass, VOICE_ID, request)
    assert response.status == 403
    assert list(entry.runtime_data.callbacks.items) == []


async def test_direct_calls_still_use_the_own_address(
    hass: HomeAssistant, cloud: FakeCloud, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Check that with a cloudhook, a request straight to Home Assistant is checked as before."""
    await voice_entry(hass)
    client = await hass_client_no_auth()
    form = call_form()
    ok = await client.post(
        VOICE_PATH, data=form, headers={"X-Twilio-Signature": sign(EXTERNAL + VOICE_PATH, form)}
    )
    assert ok.status == 200
    wrong = await client.post(
        VOICE_PATH,
        data=form,
        headers={"X-Twilio-Signature": sign(hook_url(cloud, VOICE_ID), form)},
    )
    assert wrong.status == 403


async def test_without_cloud_relayed_requests_are_refused(hass: HomeAssistant, base: None) -> None:
    """No Cloud: nothing is made or stored, and a relayed request (webhook/handle) gets 403."""
    entry = await voice_entry(hass)
    assert entry.data == {}
    form = call_form()
    request = relayed(form, {"X-Twilio-Signature": sign(f"{EXTERNAL}{VOICE_PATH}", form)})
    response = await relay(hass, VOICE_ID, request)
    assert response.status == 403
    assert await hass.config_entries.async_remove(entry.entry_id)


async def test_pbx_request_through_webhook_handle_is_answered(
    hass: HomeAssistant, base: None
) -> None:
    """A PBX request sent as a ``MockRequest`` (webhook/handle) is read like a direct one."""
    entry = await setup_entry(
        hass, make_entry({**BASE_OPTIONS, **TELEPHONY, "pbx_local_only": False})
    )
    request = MockRequest(
        content=b'{"number": "+48601234567"}',
        mock_source="webhook/ws",
        method="POST",
        headers={"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"},
        query_string="format=text",
    )
    response = await relay(hass, PBX_ID, request)
    assert response.status == 200
    assert response.text == "ring"
    assert entry.data == {}


async def test_telnyx_relayed_call_answers_on_the_cloudhook(
    hass: HomeAssistant, cloud: FakeCloud
) -> None:
    """Telnyx signs the body, not the URL: the answer's later steps are on the cloudhook."""
    await voice_entry(hass)
    url = hook_url(cloud, VOICE_ID)
    form = call_form()
    body = urlencode(form).encode()
    timestamp = str(int(time.time()))
    request = relayed(
        form,
        {
            "telnyx-signature-ed25519": telnyx_signature(timestamp, body),
            "telnyx-timestamp": timestamp,
        },
    )
    root = twiml(await relay(hass, VOICE_ID, request))
    # Telnyx's later steps carry the tag that binds them to the call (replays refused).
    action = root[0].get("action")
    assert action.startswith(f"{url}?step=dial&tag=")
    assert len(action) > len(f"{url}?step=dial&tag=")


async def test_options_and_diagnostics_show_the_cloudhook(
    hass: HomeAssistant, cloud: FakeCloud, hass_client: ClientSessionGenerator
) -> None:
    """Check that the webhook-addresses step shows it; diagnostics show its host only."""
    entry = await voice_entry(hass)
    url = hook_url(cloud, VOICE_ID)
    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(
        hass,
        result["flow_id"],
        {"voice_webhook": True, "forward_number": FORWARD, "pbx_webhook": True},
    )
    assert result["step_id"] == "webhooks"
    assert result["description_placeholders"]["cloudhook_url"] == url
    result = await submit(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY

    assert await async_setup_component(hass, "diagnostics", {})
    found = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert found["webhooks"]["voice_cloudhook_url"] == f"{HOOKS}/**REDACTED**"
    assert url not in str(found)


async def test_pbx_only_has_no_cloud_address(hass: HomeAssistant, cloud: FakeCloud) -> None:
    """Only the PBX webhook on: no cloudhook is made, the screen shows none."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(hass, result["flow_id"], {"voice_webhook": False, "pbx_webhook": True})
    assert result["step_id"] == "webhooks"
    assert result["description_placeholders"]["cloudhook_url"] == "—"
    await submit(hass, result["flow_id"], {})
    assert entry.options["pbx_webhook_id"]
    assert (cloud.created, entry.data) == ([], {})


async def test_rotation_moves_the_cloudhook_and_switching_off_deletes_it(
    hass: HomeAssistant, cloud: FakeCloud
) -> None:
    """Check that a new voice id gets its own cloudhook (shown before saving); the old one goes."""
    entry = await voice_entry(hass)
    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(
        hass,
        result["flow_id"],
        {
            "voice_webhook": True,
            "forward_number": FORWARD,
            "pbx_webhook": True,
            "rotate_secrets": True,
        },
    )
    new_id = cloud.created[-1]
    assert new_id != VOICE_ID
    assert result["description_placeholders"]["cloudhook_url"] == hook_url(cloud, new_id)
    await submit(hass, result["flow_id"], {})
    assert entry.options["voice_webhook_id"] == new_id
    assert cloud.deleted == [VOICE_ID]
    assert entry.data["voice_cloudhook"] == {"webhook_id": new_id, "url": hook_url(cloud, new_id)}

    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(hass, result["flow_id"], {"voice_webhook": False, "pbx_webhook": False})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert cloud.deleted == [VOICE_ID, new_id]
    assert entry.data == {}


async def test_removing_the_entry_deletes_the_cloudhook(
    hass: HomeAssistant, cloud: FakeCloud
) -> None:
    """Check that the cloudhook goes with the entry."""
    entry = await voice_entry(hass)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert cloud.deleted == [VOICE_ID]
    assert cloud.client.cloudhooks == {}


async def test_removing_after_the_cloudhook_was_deleted_in_cloud(
    hass: HomeAssistant, cloud: FakeCloud
) -> None:
    """Deleted in Cloud's settings already: removing the entry still works."""
    entry = await voice_entry(hass)
    cloud.client.cloudhooks.clear()
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert cloud.deleted == []


async def test_cloudhook_made_when_cloud_connects(hass: HomeAssistant, cloud: FakeCloud) -> None:
    """Not connected at start: made once Cloud connects; forgotten on logging out."""
    cloud.iot.connected = False
    entry = await voice_entry(hass)
    assert entry.data == {}
    cloud.iot.connected = True
    async_dispatcher_send(hass, SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState.CLOUD_CONNECTED)
    await hass.async_block_till_done()
    assert entry.data["voice_cloudhook"]["url"] == hook_url(cloud, VOICE_ID)

    cloud.iot.connected = False  # a dropped connection, still logged in: kept
    async_dispatcher_send(
        hass, SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState.CLOUD_DISCONNECTED
    )
    await hass.async_block_till_done()
    assert entry.data["voice_cloudhook"]["url"] == hook_url(cloud, VOICE_ID)

    cloud.is_logged_in = False
    cloud.iot.connected = False
    async_dispatcher_send(
        hass, SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState.CLOUD_DISCONNECTED
    )
    await hass.async_block_till_done()
    assert entry.data == {}


@pytest.mark.parametrize("loaded", [True, False])
@pytest.mark.parametrize("kept_for", [VOICE_ID, "an-old-voice-id"], ids=["current", "old"])
async def test_logged_out_at_start_forgets_the_address(
    hass: HomeAssistant, cloud: FakeCloud, loaded: bool, kept_for: str
) -> None:
    """A kept address is dropped when Cloud is logged out or gone; nothing is asked of it."""
    cloud.is_logged_in = False
    cloud.client.cloudhooks[kept_for] = {"cloudhook_url": f"{HOOKS}/old"}
    if not loaded:
        hass.config.components.remove("cloud")
    entry = make_entry({**BASE_OPTIONS, **TELEPHONY})
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={"voice_cloudhook": {"webhook_id": kept_for, "url": f"{HOOKS}/old"}}
    )
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data == {}
    assert (cloud.created, cloud.deleted) == ([], [])


@pytest.mark.parametrize("expired", [True, False])
async def test_no_cloudhook_without_subscription_or_when_cloud_fails(
    hass: HomeAssistant, cloud: FakeCloud, caplog: pytest.LogCaptureFixture, expired: bool
) -> None:
    """An expired subscription makes none; a failing Cloud is logged and set-up goes on."""
    cloud.subscription_expired = expired
    cloud.fail = None if expired else TimeoutError("cloud did not answer")
    with caplog.at_level(logging.WARNING):
        entry = await voice_entry(hass)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data == {}
    assert ("No Home Assistant Cloud address" in caplog.text) is not expired


@pytest.mark.parametrize(
    "kept",
    ["nonsense", {"webhook_id": VOICE_ID}, {"url": HOOKS}],
    ids=["not-a-dict", "no-url", "no-id"],
)
async def test_stale_address_of_an_unknown_shape_is_ignored(
    hass: HomeAssistant, cloud: FakeCloud, kept: Any
) -> None:
    """Data that isn't a kept cloudhook is not trusted: a new one is made and kept."""
    entry = make_entry({**BASE_OPTIONS, **TELEPHONY})
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={"voice_cloudhook": kept})
    await setup_entry(hass, entry)
    assert entry.data["voice_cloudhook"] == {
        "webhook_id": VOICE_ID,
        "url": hook_url(cloud, VOICE_ID),
    }
