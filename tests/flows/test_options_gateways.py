"""The options flow's own-phone texting steps: SMS Gateway for Android and httpSMS.

The settings are checked against the fakes of ``tests/texting`` (built from each app's
documented API); every error and both webhook steps are walked.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.client_etiquette.flows import options_texting

from .. import make_entry, setup_entry
from ..flow_text import LANGUAGES, OPTIONS, shown_texts
from ..texting import (
    GATEWAY_PASSWORD,
    GATEWAY_USER,
    HTTPSMS_KEY,
    OWN_NUMBER,
    FakeHttpSms,
    FakeSmsGateway,
)
from . import submit

EXTERNAL = "https://jan.example.com"


async def open_backend(hass: HomeAssistant, entry_id: str, backend: str) -> dict[str, Any]:
    """Options → Texting backend → one backend's form."""
    result = await hass.config_entries.options.async_init(entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "texting"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": backend}
    )
    assert result["type"] is FlowResultType.FORM
    return dict(result)


async def closed_port(socket_enabled: None) -> str:
    """Return the address of a server that is gone (connection refused)."""
    server = TestServer(web.Application(), host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    await server.close()
    return base


def gateway_input(fake: FakeSmsGateway, **changes: Any) -> dict[str, Any]:
    return {
        "sms_gateway_mode": "local",
        "sms_gateway_url": fake.base,
        "sms_gateway_username": GATEWAY_USER,
        "sms_gateway_password": GATEWAY_PASSWORD,
        **changes,
    }


async def test_sms_gateway_errors(
    hass: HomeAssistant, sources: None, sms_gateway: FakeSmsGateway
) -> None:
    """No address, not an address, wrong password, nobody there: clear errors, nothing saved."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    form = await open_backend(hass, entry.entry_id, "texting_sms_gateway")
    flow_id = form["flow_id"]
    result = await submit(hass, flow_id, gateway_input(sms_gateway, sms_gateway_url=""))
    assert result["errors"] == {"sms_gateway_url": "sms_gateway_url_needed"}
    result = await submit(
        hass, flow_id, gateway_input(sms_gateway, sms_gateway_url="192.168.1.5:8080")
    )
    assert result["errors"] == {"sms_gateway_url": "invalid_url"}
    result = await submit(hass, flow_id, gateway_input(sms_gateway, sms_gateway_password="wrong"))
    assert result["errors"] == {"base": "sms_gateway_invalid_auth"}
    gone = await closed_port(None)
    result = await submit(hass, flow_id, gateway_input(sms_gateway, sms_gateway_url=gone))
    assert result["errors"] == {"base": "sms_gateway_cannot_connect"}
    assert dict(entry.options) == before
    for language in LANGUAGES:
        texts = shown_texts(result, OPTIONS, language)
        assert texts["title"]
        assert texts["error.base"]


async def test_sms_gateway_saved_without_webhook(
    hass: HomeAssistant, sources: None, sms_gateway: FakeSmsGateway
) -> None:
    """Checked with the phone's /device, saved; no signing key: no webhook."""
    entry = await setup_entry(
        hass, make_entry({**make_entry().options, "sms_gateway_webhook_id": "old"})
    )
    form = await open_backend(hass, entry.entry_id, "texting_sms_gateway")
    result = await submit(
        hass, form["flow_id"], gateway_input(sms_gateway, sms_gateway_url=sms_gateway.base + "/")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["texting_backend"] == "sms_gateway"
    assert entry.options["sms_gateway_url"] == sms_gateway.base
    assert entry.options["sms_gateway_password"] == GATEWAY_PASSWORD
    assert "sms_gateway_webhook_id" not in entry.options
    assert "sms_gateway_signing_key" not in entry.options
    assert [r.path for r in sms_gateway.received] == ["/device"]


async def test_sms_gateway_webhook_step(
    hass: HomeAssistant, sources: None, sms_gateway: FakeSmsGateway
) -> None:
    """With a signing key, the webhook's address is shown to register in the app."""
    await hass.config.async_update(external_url=EXTERNAL)
    entry = await setup_entry(hass, make_entry())
    form = await open_backend(hass, entry.entry_id, "texting_sms_gateway")
    result = await submit(
        hass, form["flow_id"], gateway_input(sms_gateway, sms_gateway_signing_key=" key-1 ")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sms_gateway_webhook"
    url = result["description_placeholders"]["url"]
    assert url.startswith(EXTERNAL + "/api/webhook/")
    for language in LANGUAGES:
        assert "`" + url + "`" in shown_texts(result, OPTIONS, language)["description"]
    result = await submit(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    webhook_id = entry.options["sms_gateway_webhook_id"]
    assert url.endswith(webhook_id)
    assert entry.options["sms_gateway_signing_key"] == "key-1"
    # Saved again: the address stays the same.
    form = await open_backend(hass, entry.entry_id, "texting_sms_gateway")
    result = await submit(
        hass, form["flow_id"], gateway_input(sms_gateway, sms_gateway_signing_key="key-2")
    )
    assert result["description_placeholders"]["url"] == url
    await submit(hass, result["flow_id"], {})
    assert entry.options["sms_gateway_webhook_id"] == webhook_id


async def test_sms_gateway_cloud(
    hass: HomeAssistant, sources: None, sms_gateway: FakeSmsGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cloud mode without an address uses the public server's (here: the fake's)."""
    monkeypatch.setattr(options_texting, "SMS_GATEWAY_CLOUD_URL", sms_gateway.base + "/3rdparty/v1")
    entry = await setup_entry(hass, make_entry())
    form = await open_backend(hass, entry.entry_id, "texting_sms_gateway")
    result = await submit(
        hass,
        form["flow_id"],
        gateway_input(sms_gateway, sms_gateway_mode="cloud", sms_gateway_url=""),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["sms_gateway_mode"] == "cloud"
    assert entry.options["sms_gateway_url"] == sms_gateway.base + "/3rdparty/v1"
    assert [r.path for r in sms_gateway.received] == ["/3rdparty/v1/devices"]


def httpsms_input(fake: FakeHttpSms, **changes: Any) -> dict[str, Any]:
    return {
        "httpsms_api_key": HTTPSMS_KEY,
        "httpsms_from_number": "22 123 45 99",
        "httpsms_api_base": fake.base,
        **changes,
    }


async def test_httpsms_errors(hass: HomeAssistant, sources: None, httpsms: FakeHttpSms) -> None:
    """Not a number, not an address, wrong key, another number, nobody there."""
    entry = await setup_entry(hass, make_entry({**make_entry().options, "default_region": "PL"}))
    before = dict(entry.options)
    form = await open_backend(hass, entry.entry_id, "texting_httpsms")
    assert form["description_placeholders"]["httpsms_api_base"] == "https://api.httpsms.com"
    flow_id = form["flow_id"]
    result = await submit(hass, flow_id, httpsms_input(httpsms, httpsms_from_number="12"))
    assert result["errors"] == {"httpsms_from_number": "invalid_number"}
    assert result["description_placeholders"]["number"] == "12"
    result = await submit(hass, flow_id, httpsms_input(httpsms, httpsms_api_base="api.example"))
    assert result["errors"] == {"httpsms_api_base": "invalid_url"}
    result = await submit(hass, flow_id, httpsms_input(httpsms, httpsms_api_key="wrong"))
    assert result["errors"] == {"base": "httpsms_invalid_auth"}
    result = await submit(
        hass, flow_id, httpsms_input(httpsms, httpsms_from_number="+48 22 999 99 99")
    )
    assert result["errors"] == {"base": "httpsms_unknown_number"}
    for language in LANGUAGES:
        assert "+48 22 999 99 99" in shown_texts(result, OPTIONS, language)["error.base"]
    gone = await closed_port(None)
    result = await submit(hass, flow_id, httpsms_input(httpsms, httpsms_api_base=gone))
    assert result["errors"] == {"base": "httpsms_cannot_connect"}
    assert dict(entry.options) == before


async def test_httpsms_saved_and_webhook(
    hass: HomeAssistant, sources: None, httpsms: FakeHttpSms
) -> None:
    """The own number is stored in international form; a signing key shows the webhook."""
    await hass.config.async_update(external_url=EXTERNAL)
    entry = await setup_entry(hass, make_entry({**make_entry().options, "default_region": "PL"}))
    form = await open_backend(hass, entry.entry_id, "texting_httpsms")
    result = await submit(hass, form["flow_id"], httpsms_input(httpsms))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["texting_backend"] == "httpsms"
    assert entry.options["httpsms_from_number"] == OWN_NUMBER
    assert "httpsms_webhook_id" not in entry.options
    form = await open_backend(hass, entry.entry_id, "texting_httpsms")
    result = await submit(hass, form["flow_id"], httpsms_input(httpsms, httpsms_signing_key="sk"))
    assert result["step_id"] == "httpsms_webhook"
    url = result["description_placeholders"]["url"]
    for language in LANGUAGES:
        assert url in shown_texts(result, OPTIONS, language)["description"]
    result = await submit(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert url == EXTERNAL + "/api/webhook/" + entry.options["httpsms_webhook_id"]
    assert entry.options["httpsms_signing_key"] == "sk"
