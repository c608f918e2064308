"""The options steps of texting: Twilio, the own phone's gateways, a notify action, or none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ..const import (
    CONF_HTTPSMS_API_BASE,
    CONF_HTTPSMS_API_KEY,
    CONF_HTTPSMS_FROM_NUMBER,
    CONF_HTTPSMS_SIGNING_KEY,
    CONF_HTTPSMS_WEBHOOK_ID,
    CONF_NOTIFY_ACTION,
    CONF_SMS_GATEWAY_MODE,
    CONF_SMS_GATEWAY_PASSWORD,
    CONF_SMS_GATEWAY_SIGNING_KEY,
    CONF_SMS_GATEWAY_URL,
    CONF_SMS_GATEWAY_USERNAME,
    CONF_SMS_GATEWAY_WEBHOOK_ID,
    CONF_TEXTING_BACKEND,
    CONF_TWILIO_ACCOUNT_SID,
    CONF_TWILIO_API_BASE,
    CONF_TWILIO_AUTH_TOKEN,
    CONF_TWILIO_FROM_NUMBER,
    SMS_GATEWAY_MODES,
)
from ..core.phone import normalize_number
from ..telephony.addresses import webhook_url
from ..telephony.signature import new_webhook_id
from ..texting.errors import CannotConnect, InvalidAuth, InvalidFromNumber
from ..texting.httpsms import HTTPSMS_API_BASE, async_validate_httpsms
from ..texting.sms_gateway import (
    MODE_CLOUD,
    MODE_LOCAL,
    SMS_GATEWAY_CLOUD_URL,
    async_validate_sms_gateway,
)
from ..texting.twilio import TWILIO_API_BASE, async_validate_twilio
from .fields import (
    default_region,
    select,
    twilio_sender,
)
from .options_base import OptionsFlowBase, password_selector

TEXTING_MENU = [
    "texting_twilio",
    "texting_sms_gateway",
    "texting_httpsms",
    "texting_notify",
    "texting_off",
]
SMS_GATEWAY_KEYS = (
    CONF_SMS_GATEWAY_MODE,
    CONF_SMS_GATEWAY_URL,
    CONF_SMS_GATEWAY_USERNAME,
    CONF_SMS_GATEWAY_PASSWORD,
    CONF_SMS_GATEWAY_SIGNING_KEY,
    CONF_SMS_GATEWAY_WEBHOOK_ID,
)
HTTPSMS_KEYS = (
    CONF_HTTPSMS_API_KEY,
    CONF_HTTPSMS_FROM_NUMBER,
    CONF_HTTPSMS_API_BASE,
    CONF_HTTPSMS_SIGNING_KEY,
    CONF_HTTPSMS_WEBHOOK_ID,
)
TWILIO_KEYS = (
    CONF_TWILIO_ACCOUNT_SID,
    CONF_TWILIO_AUTH_TOKEN,
    CONF_TWILIO_FROM_NUMBER,
    CONF_TWILIO_API_BASE,
)


def twilio_schema() -> vol.Schema:
    """Twilio's settings: account, auth token, sender, and the API address for tests."""
    return vol.Schema(
        {
            vol.Required(CONF_TWILIO_ACCOUNT_SID): selector.TextSelector(),
            vol.Required(CONF_TWILIO_AUTH_TOKEN): password_selector(),
            vol.Required(CONF_TWILIO_FROM_NUMBER): selector.TextSelector(),
            vol.Optional(CONF_TWILIO_API_BASE): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
            ),
        }
    )


def _url_box() -> selector.TextSelector:
    return selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.URL))


def sms_gateway_schema() -> vol.Schema:
    """Return SMS Gateway for Android's form: mode, address, credentials, signing key."""
    return vol.Schema(
        {
            vol.Required(CONF_SMS_GATEWAY_MODE, default=MODE_LOCAL): select(
                SMS_GATEWAY_MODES, "sms_gateway_mode"
            ),
            vol.Optional(CONF_SMS_GATEWAY_URL): _url_box(),
            vol.Required(CONF_SMS_GATEWAY_USERNAME): selector.TextSelector(),
            vol.Required(CONF_SMS_GATEWAY_PASSWORD): password_selector(),
            vol.Optional(CONF_SMS_GATEWAY_SIGNING_KEY): password_selector(),
        }
    )


def httpsms_schema() -> vol.Schema:
    """Return httpSMS's form: API key, own number, signing key, a self-hosted address."""
    return vol.Schema(
        {
            vol.Required(CONF_HTTPSMS_API_KEY): password_selector(),
            vol.Required(CONF_HTTPSMS_FROM_NUMBER): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
            ),
            vol.Optional(CONF_HTTPSMS_SIGNING_KEY): password_selector(),
            vol.Optional(CONF_HTTPSMS_API_BASE): _url_box(),
        }
    )


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and len(value) > len("https://")


def notify_schema() -> vol.Schema:
    """Return the form of the notify action that sends the texts."""
    return vol.Schema({vol.Required(CONF_NOTIFY_ACTION): selector.TextSelector()})


class TextingSteps(OptionsFlowBase):
    """Where texts are sent from: one form per backend, or no texts."""

    async def async_step_texting(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Where texts are sent from: one form per backend, or no texts."""
        return self.async_show_menu(step_id="texting", menu_options=TEXTING_MENU)

    async def async_step_texting_twilio(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Twilio's Messages API: the settings are checked with Twilio before saving."""
        errors: dict[str, str] = {}
        if user_input is not None:
            settings = {key: str(value).strip() for key, value in user_input.items()}
            sender = twilio_sender(settings.get(CONF_TWILIO_FROM_NUMBER, ""))
            if sender is None:
                empty = not settings.get(CONF_TWILIO_FROM_NUMBER)
                errors["base"] = "twilio_incomplete" if empty else "invalid_sender"
            elif (error := await self._twilio_error(settings, sender)) is not None:
                errors["base"] = error
            else:
                changes = {k: v for k, v in settings.items() if v}
                changes[CONF_TWILIO_FROM_NUMBER] = sender
                return self._save({CONF_TEXTING_BACKEND: "twilio", **changes}, drop=TWILIO_KEYS)
        return self._form(
            "texting_twilio",
            twilio_schema(),
            user_input,
            errors,
            {"twilio_api_base": TWILIO_API_BASE},
        )

    async def _twilio_error(self, settings: Mapping[str, str], sender: str) -> str | None:
        """Why Twilio does not take these settings, or None."""
        if not (settings.get(CONF_TWILIO_ACCOUNT_SID) and settings.get(CONF_TWILIO_AUTH_TOKEN)):
            return "twilio_incomplete"
        try:
            await async_validate_twilio(
                self.hass,
                settings[CONF_TWILIO_ACCOUNT_SID],
                settings[CONF_TWILIO_AUTH_TOKEN],
                sender,
                api_base=settings.get(CONF_TWILIO_API_BASE) or TWILIO_API_BASE,
            )
        except InvalidFromNumber:
            return "invalid_from_number"
        except InvalidAuth:
            return "invalid_auth"
        except CannotConnect:
            return "cannot_connect"
        return None

    _gateway: tuple[dict[str, Any], tuple[str, ...]] = ({}, ())

    async def async_step_texting_sms_gateway(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """SMS Gateway for Android: checked with the app's API before saving."""
        errors: dict[str, str] = {}
        if user_input is not None:
            settings = {key: str(value).strip() for key, value in user_input.items()}
            mode = MODE_CLOUD if settings[CONF_SMS_GATEWAY_MODE] == MODE_CLOUD else MODE_LOCAL
            url = settings.get(CONF_SMS_GATEWAY_URL) or (
                SMS_GATEWAY_CLOUD_URL if mode == MODE_CLOUD else ""
            )
            if not url:
                errors[CONF_SMS_GATEWAY_URL] = "sms_gateway_url_needed"
            elif not _is_url(url):
                errors[CONF_SMS_GATEWAY_URL] = "invalid_url"
            elif (error := await self._sms_gateway_error(settings, url, mode)) is not None:
                errors["base"] = error
            else:
                changes = {
                    **settings,
                    CONF_TEXTING_BACKEND: "sms_gateway",
                    CONF_SMS_GATEWAY_MODE: mode,
                    CONF_SMS_GATEWAY_URL: url.rstrip("/"),
                }
                return await self._async_gateway_saved(
                    changes, SMS_GATEWAY_KEYS, CONF_SMS_GATEWAY_SIGNING_KEY, "sms_gateway"
                )
        return self._form("texting_sms_gateway", sms_gateway_schema(), user_input, errors)

    async def _sms_gateway_error(
        self, settings: Mapping[str, str], url: str, mode: str
    ) -> str | None:
        """Return why SMS Gateway does not take these settings, or None."""
        try:
            await async_validate_sms_gateway(
                self.hass,
                url,
                settings[CONF_SMS_GATEWAY_USERNAME],
                settings[CONF_SMS_GATEWAY_PASSWORD],
                mode=mode,
            )
        except InvalidAuth:
            return "sms_gateway_invalid_auth"
        except CannotConnect:
            return "sms_gateway_cannot_connect"
        return None

    async def async_step_texting_httpsms(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Send through httpSMS: the key and own number are checked with httpSMS before saving."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"httpsms_api_base": HTTPSMS_API_BASE}
        if user_input is not None:
            settings = {key: str(value).strip() for key, value in user_input.items()}
            raw = settings[CONF_HTTPSMS_FROM_NUMBER]
            number = normalize_number(raw, default_region(self.hass, self.config_entry.options))
            api_base = settings.get(CONF_HTTPSMS_API_BASE) or HTTPSMS_API_BASE
            placeholders["number"] = raw
            if number is None:
                errors[CONF_HTTPSMS_FROM_NUMBER] = "invalid_number"
            elif not _is_url(api_base):
                errors[CONF_HTTPSMS_API_BASE] = "invalid_url"
            elif (error := await self._httpsms_error(settings, number, api_base)) is not None:
                errors["base"] = error
            else:
                changes = {
                    **{k: v for k, v in settings.items() if v},
                    CONF_TEXTING_BACKEND: "httpsms",
                    CONF_HTTPSMS_FROM_NUMBER: number,
                }
                return await self._async_gateway_saved(
                    changes, HTTPSMS_KEYS, CONF_HTTPSMS_SIGNING_KEY, "httpsms"
                )
        return self._form("texting_httpsms", httpsms_schema(), user_input, errors, placeholders)

    async def _httpsms_error(
        self, settings: Mapping[str, str], number: str, api_base: str
    ) -> str | None:
        """Return why httpSMS does not take these settings, or None."""
        try:
            await async_validate_httpsms(
                self.hass, settings[CONF_HTTPSMS_API_KEY], number, api_base=api_base
            )
        except InvalidFromNumber:
            return "httpsms_unknown_number"
        except InvalidAuth:
            return "httpsms_invalid_auth"
        except CannotConnect:
            return "httpsms_cannot_connect"
        return None

    async def _async_gateway_saved(
        self, changes: dict[str, Any], keys: tuple[str, ...], signing_key: str, app: str
    ) -> ConfigFlowResult:
        """Save, or first show the webhook's address when a signing key turns it on."""
        id_key = f"{app}_webhook_id"
        if not changes.get(signing_key):
            changes.pop(signing_key, None)
            return self._save(changes, drop=keys)
        changes[id_key] = self.config_entry.options.get(id_key) or new_webhook_id()
        self._gateway = (changes, keys)
        if app == "httpsms":
            return await self.async_step_httpsms_webhook()
        return await self.async_step_sms_gateway_webhook()

    async def async_step_sms_gateway_webhook(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show SMS Gateway's webhook address to register in the app, then save."""
        return self._gateway_webhook("sms_gateway_webhook", CONF_SMS_GATEWAY_WEBHOOK_ID, user_input)

    async def async_step_httpsms_webhook(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show httpSMS's webhook address to add in its settings, then save."""
        return self._gateway_webhook("httpsms_webhook", CONF_HTTPSMS_WEBHOOK_ID, user_input)

    def _gateway_webhook(
        self, step_id: str, id_key: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        changes, keys = self._gateway
        if user_input is not None:
            return self._save(changes, drop=keys)
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema({}),
            description_placeholders={"url": webhook_url(self.hass, changes[id_key])},
        )

    async def async_step_texting_notify(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Any notify action that takes the number as its target."""
        errors: dict[str, str] = {}
        if user_input is not None:
            action = user_input[CONF_NOTIFY_ACTION].strip()
            if self._action_exists(action):
                return self._save({CONF_TEXTING_BACKEND: "notify", CONF_NOTIFY_ACTION: action})
            errors[CONF_NOTIFY_ACTION] = "notify_action_not_found"
        return self._form("texting_notify", notify_schema(), user_input, errors)

    async def async_step_texting_off(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """No texts; the backends' settings are kept for later."""
        return self._save({CONF_TEXTING_BACKEND: "none"})
