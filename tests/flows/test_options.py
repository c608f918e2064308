"""The options flow's other steps: screening, texts, texting backend, telephony."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
import voluptuous as vol

from .. import BASE_OPTIONS, make_entry, setup_entry
from ..flow_text import LANGUAGES, OPTIONS, shown_texts, translation
from ..telephony import TELNYX_PUBLIC
from ..texting import FROM, SID, TOKEN, FakeTwilio
from . import open_step, submit

EXTERNAL = "https://jan.example.com"


async def test_screening_saved_as_whole_numbers(hass: HomeAssistant, sources: None) -> None:
    """Check that screening options are stored (counts as integers) and sources are kept."""
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
    """Check that a bad reply address is refused; nothing stored changes."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_step(hass, entry.entry_id, "screening")
    result = await submit(hass, result["flow_id"], {"reply_email": "nobody"})
    assert result["errors"] == {"base": "invalid_email"}
    assert dict(entry.options) == before


async def test_texts_templates(hass: HomeAssistant, sources: None) -> None:
    """Check that templates are checked by rendering; a broken one names the problem."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "texts")
    assert "{{ callback_time }}" in result["description_placeholders"]["variables"]
    with pytest.raises(InvalidData):
        await submit(hass, result["flow_id"], {"template_en": "Hi {{ client_name "})
    result = await submit(hass, result["flow_id"], {"template_en": "Hi {{ 1 / 0 }}"})
    assert result["errors"] == {"template_en": "invalid_template"}
    assert result["description_placeholders"]["error"]
    result = await submit(hass, result["flow_id"], {"template_en": "{{ '' }}"})
    assert result["errors"] == {"template_en": "template_breaks"}
    assert result["description_placeholders"]["text"] == ""
    result = await submit(
        hass,
        result["flow_id"],
        {"template_en": "Sorry, {{ reason_text }}. Back {{ callback_time }}.", "template_pl": " "},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["template_en"].startswith("Sorry")
    assert "template_pl" not in entry.options


TWILIO_FORM = {
    "twilio_account_sid": SID,
    "twilio_auth_token": TOKEN,
    "twilio_from_number": FROM,
}


async def open_texting(hass: HomeAssistant, entry_id: str, backend: str) -> dict[str, Any]:
    """Options → Texting backend → one backend's form."""
    result = await hass.config_entries.options.async_init(entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "texting"}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "texting_twilio",
        "texting_sms_gateway",
        "texting_httpsms",
        "texting_notify",
        "texting_off",
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": backend}
    )
    return dict(result)


def fields(result: dict[str, Any]) -> set[str]:
    """Return the names of a form's fields."""
    return {str(key) for key in result["data_schema"].schema}


async def test_texting_forms_show_one_backend(hass: HomeAssistant, sources: None) -> None:
    """Check that texting backend is a menu; each backend's form has only that backend's fields."""
    entry = await setup_entry(hass, make_entry())
    twilio_form = await open_texting(hass, entry.entry_id, "texting_twilio")
    assert fields(twilio_form) == {
        "twilio_account_sid",
        "twilio_auth_token",
        "twilio_from_number",
        "twilio_api_base",
    }
    notify_form = await open_texting(hass, entry.entry_id, "texting_notify")
    assert fields(notify_form) == {"notify_action"}
    for language in LANGUAGES:
        menu = shown_texts(
            await hass.config_entries.options.async_configure(
                (await hass.config_entries.options.async_init(entry.entry_id))["flow_id"],
                {"next_step_id": "texting"},
            ),
            OPTIONS,
            language,
        )
        assert {"menu_options.texting_twilio", "menu_options.texting_off"} <= set(menu)
        for form in (twilio_form, notify_form):
            assert shown_texts(form, OPTIONS, language)["title"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_twilio_api_address_is_a_placeholder(
    hass: HomeAssistant, sources: None, language: str
) -> None:
    """The default API address reaches the field's help through a placeholder, not the text."""
    entry = await setup_entry(hass, make_entry())
    result = await open_texting(hass, entry.entry_id, "texting_twilio")
    help_text = shown_texts(result, OPTIONS, language)["data_description.twilio_api_base"]
    assert "https://api.twilio.com" in help_text
    assert (
        "https://"
        not in translation(language)["options"]["step"]["texting_twilio"]["data_description"][
            "twilio_api_base"
        ]
    )


async def test_texting_notify(hass: HomeAssistant, sources: None) -> None:
    """Check that the notify backend needs an existing action; Twilio's settings are kept."""
    entry = await setup_entry(
        hass, make_entry({**BASE_OPTIONS, "texting_backend": "twilio", **TWILIO_FORM})
    )
    result = await open_texting(hass, entry.entry_id, "texting_notify")
    result = await submit(hass, result["flow_id"], {"notify_action": "notify.nope"})
    assert result["errors"] == {"notify_action": "notify_action_not_found"}
    assert shown_texts(result, OPTIONS)["error.notify_action"]

    async def record(call: ServiceCall) -> None:
        """Register a notify action standing in for an SMS gateway."""

    hass.services.async_register("notify", "sms", record)
    result = await submit(hass, result["flow_id"], {"notify_action": " notify.sms "})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["texting_backend"] == "notify"
    assert entry.options["notify_action"] == "notify.sms"
    assert entry.options["twilio_account_sid"] == SID
    assert entry.runtime_data.sending is not None


async def test_texting_off_keeps_settings(hass: HomeAssistant, sources: None) -> None:
    """Check that "No texts" switches texting off at once and keeps the backends' settings."""
    entry = await setup_entry(
        hass, make_entry({**BASE_OPTIONS, "texting_backend": "notify", "notify_action": "notify.x"})
    )
    result = await open_texting(hass, entry.entry_id, "texting_off")
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["texting_backend"] == "none"
    assert entry.options["notify_action"] == "notify.x"
    assert entry.runtime_data.sending is None


@pytest.mark.parametrize(
    ("setup", "data", "error"),
    [
        pytest.param(None, {"twilio_account_sid": " "}, "twilio_incomplete", id="incomplete"),
        pytest.param(None, {"twilio_from_number": " "}, "twilio_incomplete", id="no_sender"),
        pytest.param(None, {"twilio_auth_token": "wrong"}, "invalid_auth", id="invalid_auth"),
        pytest.param(
            None, {"twilio_from_number": "+48601000000"}, "invalid_from_number", id="from"
        ),
        pytest.param(None, {"twilio_from_number": "601 000 000"}, "invalid_sender", id="national"),
        pytest.param(None, {"twilio_from_number": "Acme & Co"}, "invalid_sender", id="symbols"),
        pytest.param(None, {"twilio_from_number": "ACME LIMITED"}, "invalid_sender", id="long"),
        pytest.param("down", {}, "cannot_connect", id="cannot_connect"),
    ],
)
async def test_texting_twilio_errors(
    hass: HomeAssistant,
    sources: None,
    twilio: FakeTwilio,
    setup: str | None,
    data: dict[str, str],
    error: str,
) -> None:
    """Twilio's settings are checked (sender form, then with the API) before they are stored."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    if setup == "down":
        twilio.account_status = 503
    result = await open_texting(hass, entry.entry_id, "texting_twilio")
    result = await submit(
        hass, result["flow_id"], {**TWILIO_FORM, "twilio_api_base": twilio.base, **data}
    )
    assert result["errors"] == {"base": error}
    for language in LANGUAGES:
        assert shown_texts(result, OPTIONS, language)["error.base"]
    assert dict(entry.options) == before


@pytest.mark.parametrize(
    ("sender", "stored"),
    [
        pytest.param("+48 22 123-45-67", FROM, id="e164_spelled_out"),
        pytest.param("12345", "12345", id="short_code"),
        pytest.param(" ACME Ltd ", "ACME Ltd", id="alphanumeric"),
        pytest.param("mg" + "0123456789abcdef" * 2, "MG" + "0123456789abcdef" * 2, id="mg_sid"),
    ],
)
async def test_texting_twilio_senders(
    hass: HomeAssistant,
    sources: None,
    twilio: FakeTwilio,
    sender: str,
    stored: str,
) -> None:
    """Check that every sender form the help names is accepted and stored as Twilio takes it."""
    entry = await setup_entry(hass, make_entry())
    result = await open_texting(hass, entry.entry_id, "texting_twilio")
    result = await submit(
        hass,
        result["flow_id"],
        {**TWILIO_FORM, "twilio_from_number": sender, "twilio_api_base": twilio.base},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["twilio_from_number"] == stored
    help_text = shown_texts(await open_texting(hass, entry.entry_id, "texting_twilio"), OPTIONS)
    for form in ("+48", "12345", "ACME", "MG"):
        assert form in help_text["data_description.twilio_from_number"]


async def test_texting_twilio_saved(
    hass: HomeAssistant,
    sources: None,
    twilio: FakeTwilio,
) -> None:
    """Good settings are stored, the API address is dropped when cleared, texts go out."""
    entry = await setup_entry(
        hass, make_entry({**BASE_OPTIONS, "twilio_api_base": "http://old", "notify_action": "x"})
    )
    result = await open_texting(hass, entry.entry_id, "texting_twilio")
    result = await submit(
        hass,
        result["flow_id"],
        {**TWILIO_FORM, "twilio_api_base": twilio.base, "twilio_auth_token": f" {TOKEN} "},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["texting_backend"] == "twilio"
    assert entry.options["twilio_auth_token"] == TOKEN
    assert entry.options["twilio_api_base"] == twilio.base
    assert entry.options["notify_action"] == "x"
    assert entry.runtime_data.sending is not None


async def test_telephony_ids_kept_and_rotated(hass: HomeAssistant, sources: None) -> None:
    """Check that webhook ids are made when enabled, kept on save, new on rotate, gone when off."""
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
        "default_country": "—",
    }


async def test_telnyx_public_key(hass: HomeAssistant, sources: None) -> None:
    """Check that a Telnyx public key must be an Ed25519 key; a good one is stored, trimmed."""
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


@pytest.mark.parametrize("language", LANGUAGES)
async def test_webhooks_step_shows_secret_and_header(
    hass: HomeAssistant, sources: None, language: str
) -> None:
    """The "Webhook addresses" step renders in every language, with the PBX secret and header."""
    await hass.config.async_update(external_url=EXTERNAL)
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(hass, result["flow_id"], {"pbx_webhook": True})
    assert result["step_id"] == "webhooks"
    secret = result["description_placeholders"]["pbx_secret"]
    pbx_url = result["description_placeholders"]["pbx_url"]
    description = shown_texts(result, OPTIONS, language)["description"]
    assert f"`Authorization: Bearer {secret}`" in description
    assert f"`{secret}`" in description
    assert pbx_url.startswith(EXTERNAL)
    assert f"`{pbx_url}`" in description
    result = await submit(hass, result["flow_id"], {})
    assert entry.options["pbx_secret"] == secret


async def test_mobile_number_like_client_numbers(hass: HomeAssistant, sources: None) -> None:
    """Your mobile may be written without a country code: the default country applies."""
    hass.config.country = "PL"
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "telephony")
    assert result["description_placeholders"]["default_country"] == "PL (+48)"
    for language in LANGUAGES:
        texts = shown_texts(result, OPTIONS, language)
        assert "PL (+48)" in texts["data_description.forward_number"]
    result = await submit(
        hass, result["flow_id"], {"voice_webhook": True, "forward_number": "601 234 567"}
    )
    result = await submit(hass, result["flow_id"], {})
    assert entry.options["forward_number"] == "+48601234567"

    # The options' default country comes before Home Assistant's.
    hass.config_entries.async_update_entry(entry, options={**entry.options, "default_region": "DE"})
    await hass.async_block_till_done()
    result = await open_step(hass, entry.entry_id, "telephony")
    assert result["description_placeholders"]["default_country"] == "DE (+49)"
    result = await submit(
        hass, result["flow_id"], {"voice_webhook": True, "forward_number": "030 1234567"}
    )
    result = await submit(hass, result["flow_id"], {})
    assert entry.options["forward_number"] == "+49301234567"


async def test_bad_mobile_number_is_refused(hass: HomeAssistant, sources: None) -> None:
    """A mobile number that isn't one is an error on the field, even with the webhook off."""
    entry = await setup_entry(hass, make_entry({**BASE_OPTIONS, "forward_number": "+48601234567"}))
    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(hass, result["flow_id"], {"forward_number": "12"})
    assert result["errors"] == {"forward_number": "invalid_number"}
    for language in LANGUAGES:
        assert "12" in shown_texts(result, OPTIONS, language)["error.forward_number"]
    assert entry.options["forward_number"] == "+48601234567"
    result = await submit(hass, result["flow_id"], {"voice_webhook": True, "forward_number": ""})
    assert result["errors"] == {"base": "forward_number_needed"}


@pytest.mark.parametrize(
    ("step", "data", "field", "bounds"),
    [
        pytest.param("screening", {"text_cooldown": 1.5}, "text_cooldown", ("0", "168"), id="half"),
        pytest.param("screening", {"text_cooldown": 200}, "text_cooldown", ("0", "168"), id="big"),
        pytest.param("screening", {"within_minutes": 0}, "within_minutes", ("1", "1440"), id="0"),
        pytest.param("telephony", {"dial_timeout": 3}, "dial_timeout", ("5", "120"), id="short"),
        pytest.param("telephony", {"dial_timeout": 20.5}, "dial_timeout", ("5", "120"), id="20.5"),
    ],
)
async def test_numbers_out_of_range_are_refused_in_words(
    hass: HomeAssistant,
    sources: None,
    step: str,
    data: dict[str, float],
    field: str,
    bounds: tuple[str, str],
) -> None:
    """Check that a number out of range or not whole is refused with the range, never rounded."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_step(hass, entry.entry_id, step)
    result = await submit(hass, result["flow_id"], data)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: "number_range"}
    for language in LANGUAGES:
        text = shown_texts(result, OPTIONS, language)[f"error.{field}"]
        assert all(bound in text for bound in bounds), text
    assert dict(entry.options) == before


async def test_whole_numbers_are_stored_as_given(hass: HomeAssistant, sources: None) -> None:
    """Check that 2 hours stays 2; the range's ends are accepted."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "screening")
    result = await submit(hass, result["flow_id"], {"text_cooldown": 2.0, "within_minutes": 1440})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (entry.options["text_cooldown"], entry.options["within_minutes"]) == (2, 1440)


async def test_auth_token_for_the_voice_webhook(hass: HomeAssistant, sources: None) -> None:
    """Check that the voice webhook's token is set under Phone systems, whatever sends the texts."""
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "telephony")
    assert "twilio_auth_token" in fields(result)
    result = await submit(hass, result["flow_id"], {"twilio_auth_token": f" {TOKEN} "})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["twilio_auth_token"] == TOKEN
    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(hass, result["flow_id"], {"twilio_auth_token": ""})
    assert "twilio_auth_token" not in entry.options


async def test_auth_token_of_twilio_texts_is_kept(hass: HomeAssistant, sources: None) -> None:
    """Texts through Twilio keep their token when the field is cleared under Phone systems."""
    entry = await setup_entry(
        hass, make_entry({**BASE_OPTIONS, "texting_backend": "twilio", **TWILIO_FORM})
    )
    result = await open_step(hass, entry.entry_id, "telephony")
    result = await submit(hass, result["flow_id"], {"twilio_auth_token": ""})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["twilio_auth_token"] == TOKEN


async def test_every_options_step_renders(hass: HomeAssistant, sources: None) -> None:
    """Each step of the options flow gets every placeholder its texts use, in every language."""
    entry = await setup_entry(hass, make_entry())
    shown = 0
    for step in ("sources", "screening", "texts", "texting", "telephony", "voice"):
        result = await hass.config_entries.options.async_init(entry.entry_id)
        for language in LANGUAGES:
            assert shown_texts(result, OPTIONS, language)["menu_options." + step]
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": step}
        )
        results = [result]
        if result["type"] is FlowResultType.MENU:
            results = [
                await open_texting(hass, entry.entry_id, name)
                for name in ("texting_twilio", "texting_notify")
            ]
        for each in results:
            for language in LANGUAGES:
                assert shown_texts(each, OPTIONS, language)["title"]
                shown += 1
    assert shown == 7 * len(LANGUAGES)


def as_submitted(result: dict[str, Any]) -> dict[str, Any]:
    """Return the form's prefilled values, as the frontend submits them untouched."""
    values = {}
    for key in result["data_schema"].schema:
        if key.description and "suggested_value" in key.description:
            values[str(key)] = key.description["suggested_value"]
        elif key.default is not vol.UNDEFINED:
            values[str(key)] = key.default()
    return values


async def test_stored_options_survive_untouched_forms(
    hass: HomeAssistant,
    sources: None,
    twilio: FakeTwilio,
) -> None:
    """An entry made before these forms keeps its options when each form is submitted as is."""
    stored = {
        **BASE_OPTIONS,
        **TWILIO_FORM,
        "texting_backend": "twilio",
        "twilio_api_base": twilio.base,
        "notify_action": "notify.sms",
        "text_cooldown": 12,
        "repeat_window": 3,
        "max_texts_per_hour": 10,
        "within_minutes": 30,
        "voice_webhook_id": "v" * 43,
        "forward_number": "+48601234567",
        "dial_timeout": 20,
        "pbx_local_only": True,
    }
    entry = await setup_entry(hass, make_entry(stored))
    for step in ("screening", "telephony"):
        result = await open_step(hass, entry.entry_id, step)
        result = await submit(hass, result["flow_id"], as_submitted(result))
        if result["type"] is FlowResultType.FORM:  # the webhook addresses, then saved
            result = await submit(hass, result["flow_id"], {})
        assert result["type"] is FlowResultType.CREATE_ENTRY
    result = await open_texting(hass, entry.entry_id, "texting_twilio")
    result = await submit(hass, result["flow_id"], as_submitted(result))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {key: entry.options[key] for key in stored} == stored
