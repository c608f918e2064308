"""The options steps of texting: Twilio, a notify action, or no texts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ..const import (
    CONF_NOTIFY_ACTION,
    CONF_TEXTING_BACKEND,
    CONF_TWILIO_ACCOUNT_SID,
    CONF_TWILIO_API_BASE,
    CONF_TWILIO_AUTH_TOKEN,
    CONF_TWILIO_FROM_NUMBER,
)
from ..texting.errors import CannotConnect, InvalidAuth, InvalidFromNumber
from ..texting.twilio import TWILIO_API_BASE, async_validate_twilio
from .fields import (
    twilio_sender,
)
from .options_base import OptionsFlowBase, password_selector

TEXTING_MENU = ["texting_twilio", "texting_notify", "texting_off"]
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
