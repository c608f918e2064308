"""The options flow's other steps: screening, texts, texting backend, telephony."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest

from .conftest import make_entry, setup_entry
from .test_signature import TELNYX_PUBLIC
from .test_texting import FROM, SID, TOKEN, FakeTwilio, twilio  # noqa: F401

EXTERNAL = "https://jan.example.com"


async def open_step(hass: HomeAssistant, entry_id: str, step: str) -> dict[str, Any]:
    """Open the options menu and pick a step."""
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    return dict(result)


async def submit(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
    result = await hass.config_entries.options.async_configure(flow_id, data)
    await hass.async_block_till_done()
    return dict(result)


async def test_screening_saved_as_whole_numbers(hass: HomeAssistant, sources: None) -> None:
    """Screening options are stored (counts as integers) and sources are kept."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "screening")
    result = await submit(
        hass,
        result["flow_id"],
        {
            "sender_name": "Jan",
            "unknown_callers": "leave_alone",
            "blocking_vip": ["driving"],
            "repeat_window": 5.0,
            "text_cooldown": 6.0,
            "max_texts_per_hour": 3.0,
            "within_minutes": 20.0,
            "reply_email": "jan@example.com",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["repeat_window"] == 5
    assert isinstance(entry.options["max_texts_per_hour"], int)
    assert entry.options["blocking_vip"] == ["driving"]
    assert entry.options["blocking_new"][0] == "manual"
    assert entry.options["driving_entities"] == make_entry().options["driving_entities"]


async def test_screening_bad_email(hass: HomeAssistant, sources: None) -> None:
    """A bad reply address is refused; nothing stored changes."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_step(hass, entry.entry_id, "screening")
    result = await submit(hass, result["flow_id"], {"reply_email": "nobody"})
    assert result["errors"] == {"base": "invalid_email"}
    assert dict(entry.options) == before


async def test_texts_templates(hass: HomeAssistant, sources: None) -> None:
    """Templates are checked by rendering; a broken one names the problem."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "texts")
    assert "{{ callback_time }}" in result["description_placeholders"]["variables"]
    with pytest.raises(InvalidData):
        await submit(hass, result["flow_id"], {"template_en": "Hi {{ client_name "})
    result = await submit(hass, result["flow_id"], {"template_en": "Hi {{ 1 / 0 }}"})
    assert result["errors"] == {"template_en": "invalid_template"}
    assert result["description_placeholders"]["error"]
    result = await submit(hass, result["flow_id"], {"template_en": "{{ '' }}"})
    assert result["errors"] == {"template_en": "invalid_template"}
    result = await submit(
        hass,
        result["flow_id"],
        {"template_en": "Sorry, {{ reason_text }}. Back {{ callback_time }}.", "template_pl": " "},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["template_en"].startswith("Sorry")
    assert "template_pl" not in entry.options


async def test_texting_notify(hass: HomeAssistant, sources: None) -> None:
    """The notify backend needs an existing action."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "texting")
    result = await submit(
        hass, result["flow_id"], {"texting_backend": "notify", "notify_action": "notify.nope"}
    )
    assert result["errors"] == {"base": "notify_action_not_found"}

    async def record(call: ServiceCall) -> None:
        """A notify action standing in for an SMS gateway."""

    hass.services.async_register("notify", "sms", record)
    result = await submit(
        hass, result["flow_id"], {"texting_backend": "notify", "notify_action": "notify.sms"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["notify_action"] == "notify.sms"
    assert entry.runtime_data.sending is not None


@pytest.mark.parametrize(
    ("setup", "data", "error"),
    [
        pytest.param(None, {"twilio_account_sid": SID}, "twilio_incomplete", id="incomplete"),
        pytest.param(None, {"twilio_auth_token": "wrong"}, "invalid_auth", id="invalid_auth"),
        pytest.param(
            None, {"twilio_from_number": "+48601000000"}, "invalid_from_number", id="from"
        ),
        pytest.param("down", {}, "cannot_connect", id="cannot_connect"),
    ],
)
async def test_texting_twilio_errors(
    hass: HomeAssistant,
    sources: None,
    twilio: FakeTwilio,  # noqa: F811
    setup: str | None,
    data: dict[str, str],
    error: str,
) -> None:
    """Twilio credentials are checked against the API before they are stored."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    if setup == "down":
        twilio.account_status = 503
    form = {
        "texting_backend": "twilio",
        "twilio_account_sid": SID,
        "twilio_auth_token": TOKEN,
        "twilio_from_number": FROM,
        "twilio_api_base": twilio.base,
        **data,
    }
    if error == "twilio_incomplete":
        form = {"texting_backend": "twilio", **data}
    result = await open_step(hass, entry.entry_id, "texting")
    result = await submit(hass, result["flow_id"], form)
    assert result["errors"] == {"base": error}
    assert dict(entry.options) == before


async def test_texting_twilio_saved(
    hass: HomeAssistant,
    sources: None,
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    """Good credentials are stored and the entry texts through Twilio."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "texting")
    result = await submit(
        hass,
        result["flow_id"],
        {
            "texting_backend": "twilio",
            "twilio_account_sid": SID,
            "twilio_auth_token": TOKEN,
            "twilio_from_number": FROM,
            "twilio_api_base": twilio.base,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["twilio_auth_token"] == TOKEN
    assert entry.runtime_data.sending is not None


async def test_telephony_ids_kept_and_rotated(hass: HomeAssistant, sources: None) -> None:
    """Webhook ids are made when enabled, kept on save, new on rotate, gone when off."""
    await hass.config.async_update(external_url=EXTERNAL)
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(hass, result["flow_id"], {"voice_webhook": True})
    assert result["errors"] == {"base": "forward_number_needed"}
    result = await submit(
        hass,
        result["flow_id"],
        {"voice_webhook": True, "forward_number": "+48 601 234 567", "pbx_webhook": True},
    )
    assert result["step_id"] == "webhooks"  # the new addresses, shown before saving
    shown = result["description_placeholders"]
    assert "voice_webhook_id" not in entry.options
    result = await submit(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    voice, pbx, secret = (
        entry.options["voice_webhook_id"],
        entry.options["pbx_webhook_id"],
        entry.options["pbx_secret"],
    )
    assert shown == {
        "voice_url": f"{EXTERNAL}/api/webhook/{voice}",
        "pbx_url": f"{EXTERNAL}/api/webhook/{pbx}",
        "pbx_secret": secret,
        "cloudhook_url": "—",  # no Home Assistant Cloud here
    }
    assert len(voice) >= 43
    assert entry.options["forward_number"] == "+48601234567"

    result = await open_step(hass, entry.entry_id, "telephony")
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested["voice_webhook"] is True
    assert result["description_placeholders"]["voice_url"] == f"{EXTERNAL}/api/webhook/{voice}"
    result = await submit(
        hass,
        result["flow_id"],
        {"voice_webhook": True, "forward_number": "+48601234567", "pbx_webhook": True},
    )
    result = await submit(hass, result["flow_id"], {})
    assert entry.options["voice_webhook_id"] == voice
    assert entry.options["pbx_secret"] == secret

    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(
        hass,
        result["flow_id"],
        {
            "voice_webhook": True,
            "forward_number": "+48601234567",
            "pbx_webhook": True,
            "rotate_secrets": True,
        },
    )
    assert result["description_placeholders"]["voice_url"] != f"{EXTERNAL}/api/webhook/{voice}"
    result = await submit(hass, result["flow_id"], {})
    assert entry.options["voice_webhook_id"] != voice
    assert entry.options["pbx_webhook_id"] != pbx
    assert entry.options["pbx_secret"] != secret

    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(hass, result["flow_id"], {"voice_webhook": False})
    assert result["type"] is FlowResultType.CREATE_ENTRY  # nothing to show when both are off
    assert "voice_webhook_id" not in entry.options
    assert "pbx_webhook_id" not in entry.options
    result = await open_step(hass, entry.entry_id, "telephony")
    assert result["description_placeholders"] == {
        "voice_url": "—",
        "pbx_url": "—",
        "pbx_secret": "—",
    }


async def test_telnyx_public_key(hass: HomeAssistant, sources: None) -> None:
    """A Telnyx public key must be an Ed25519 key; a good one is stored, trimmed."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "telephony")
    voice = {"voice_webhook": True, "forward_number": "+48601234567"}
    result = await submit(hass, result["flow_id"], {**voice, "telnyx_public_key": "not a key"})
    assert result["errors"] == {"telnyx_public_key": "invalid_telnyx_key"}
    assert "telnyx_public_key" not in entry.options
    result = await submit(
        hass, result["flow_id"], {**voice, "telnyx_public_key": f" {TELNYX_PUBLIC} "}
    )
    result = await submit(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["telnyx_public_key"] == TELNYX_PUBLIC
