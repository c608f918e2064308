"""The options flow: a menu of sources, screening, texts, texting and telephony settings.

Each step saves its own keys and keeps every other option; the entry reloads after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.exceptions import TemplateError
from homeassistant.helpers import selector
from homeassistant.helpers.template import Template
import voluptuous as vol

from .cloudhook import async_cloudhook_url, voice_cloudhook_url
from .const import (
    CONF_BLOCKING_PREFIX,
    CONF_DEFAULT_LANGUAGE,
    CONF_DEFAULT_REGION,
    CONF_DIAL_TIMEOUT,
    CONF_FORWARD_NUMBER,
    CONF_MAX_TEXTS_PER_HOUR,
    CONF_NOTIFY_ACTION,
    CONF_PBX_LOCAL_ONLY,
    CONF_PBX_SECRET,
    CONF_PBX_WEBHOOK_ID,
    CONF_REMINDER_NOTIFY,
    CONF_REPEAT_WINDOW,
    CONF_REPLY_EMAIL,
    CONF_SENDER_NAME,
    CONF_TELNYX_PUBLIC_KEY,
    CONF_TEMPLATE_PREFIX,
    CONF_TEXT_COOLDOWN,
    CONF_TEXTING_BACKEND,
    CONF_TWILIO_ACCOUNT_SID,
    CONF_TWILIO_API_BASE,
    CONF_TWILIO_AUTH_TOKEN,
    CONF_TWILIO_FROM_NUMBER,
    CONF_UNKNOWN_CALLERS,
    CONF_VOICE_WEBHOOK_ID,
    CONF_WITHIN_MINUTES,
    DEFAULT_DIAL_TIMEOUT,
    DEFAULT_MAX_TEXTS_PER_HOUR,
    DEFAULT_REPEAT_WINDOW_MINUTES,
    DEFAULT_TEXT_COOLDOWN_HOURS,
    DEFAULT_WITHIN_MINUTES,
    LANGUAGES,
    TEXTING_BACKENDS,
    TIERS,
    UNKNOWN_CALLER_CHOICES,
    Reason,
)
from .form_fields import email_error, select
from .messages import TEMPLATE_VARIABLES
from .policy import default_blocking
from .screening import normalize_number
from .signature import ed25519_key, new_webhook_id
from .sources_form import SECTION_OF, flatten, nest, options_schema, validate
from .texting import (
    TWILIO_API_BASE,
    CannotConnect,
    InvalidAuth,
    InvalidFromNumber,
    async_validate_twilio,
)
from .webhooks import webhook_url

MENU = ["sources", "screening", "texts", "texting", "telephony"]
ENABLE_VOICE = "voice_webhook"
ENABLE_PBX = "pbx_webhook"
ROTATE = "rotate_secrets"
# Shown in place of the address of a webhook that is switched off.
OFF = "—"


def _number(low: int, high: int, unit: str = "") -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=low,
            max=high,
            step=1,
            unit_of_measurement=unit,
            mode=selector.NumberSelectorMode.BOX,
        )
    )


def screening_schema() -> vol.Schema:
    """Who gets screened for which reasons, and the limits on texting."""
    fields: dict[Any, Any] = {
        vol.Optional(CONF_SENDER_NAME): selector.TextSelector(),
        vol.Optional(CONF_DEFAULT_LANGUAGE, default="en"): select(LANGUAGES, "language"),
        vol.Optional(CONF_DEFAULT_REGION): selector.CountrySelector(),
        vol.Optional(CONF_UNKNOWN_CALLERS, default="screen_as_new"): select(
            UNKNOWN_CALLER_CHOICES, "unknown_callers"
        ),
    }
    for tier in TIERS:
        fields[vol.Optional(CONF_BLOCKING_PREFIX + tier, default=default_blocking(tier))] = select(
            tuple(Reason), "reason", multiple=True
        )
    fields.update(
        {
            vol.Optional(CONF_REPEAT_WINDOW, default=DEFAULT_REPEAT_WINDOW_MINUTES): _number(
                0, 60, "min"
            ),
            vol.Optional(CONF_TEXT_COOLDOWN, default=DEFAULT_TEXT_COOLDOWN_HOURS): _number(
                0, 168, "h"
            ),
            vol.Optional(CONF_MAX_TEXTS_PER_HOUR, default=DEFAULT_MAX_TEXTS_PER_HOUR): _number(
                0, 1000
            ),
            vol.Optional(CONF_WITHIN_MINUTES, default=DEFAULT_WITHIN_MINUTES): _number(
                1, 1440, "min"
            ),
            vol.Optional(CONF_REPLY_EMAIL): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.EMAIL)
            ),
            vol.Optional(CONF_REMINDER_NOTIFY): selector.TextSelector(),
        }
    )
    return vol.Schema(fields)


def texts_schema() -> vol.Schema:
    """One optional template per language; empty means the built-in wording."""
    return vol.Schema(
        {
            vol.Optional(CONF_TEMPLATE_PREFIX + lang): selector.TemplateSelector()
            for lang in LANGUAGES
        }
    )


def texting_schema() -> vol.Schema:
    """The texting backend and its settings."""
    return vol.Schema(
        {
            vol.Required(CONF_TEXTING_BACKEND, default="none"): select(
                TEXTING_BACKENDS, "texting_backend"
            ),
            vol.Optional(CONF_TWILIO_ACCOUNT_SID): selector.TextSelector(),
            vol.Optional(CONF_TWILIO_AUTH_TOKEN): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
            ),
            vol.Optional(CONF_TWILIO_FROM_NUMBER): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
            ),
            vol.Optional(CONF_NOTIFY_ACTION): selector.TextSelector(),
            vol.Optional(CONF_TWILIO_API_BASE): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
            ),
        }
    )


def telephony_schema() -> vol.Schema:
    """The phone-system webhooks."""
    return vol.Schema(
        {
            vol.Optional(ENABLE_VOICE, default=False): selector.BooleanSelector(),
            vol.Optional(CONF_FORWARD_NUMBER): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
            ),
            vol.Optional(CONF_DIAL_TIMEOUT, default=DEFAULT_DIAL_TIMEOUT): _number(5, 120, "s"),
            vol.Optional(CONF_TELNYX_PUBLIC_KEY): selector.TextSelector(),
            vol.Optional(ENABLE_PBX, default=False): selector.BooleanSelector(),
            vol.Optional(CONF_PBX_LOCAL_ONLY, default=True): selector.BooleanSelector(),
            vol.Optional(ROTATE, default=False): selector.BooleanSelector(),
        }
    )


class ClientEtiquetteOptionsFlow(OptionsFlowWithReload):
    """Change any setting; the entry reloads with the new options."""

    _telephony: tuple[dict[str, Any], tuple[str, ...]] = ({}, ())

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick what to change."""
        return self.async_show_menu(step_id="init", menu_options=MENU)

    def _save(self, changes: Mapping[str, Any], drop: tuple[str, ...] = ()) -> ConfigFlowResult:
        kept = {k: v for k, v in self.config_entry.options.items() if k not in drop}
        return self.async_create_entry(data={**kept, **changes})

    async def async_step_sources(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The same source sections as at set-up, prefilled."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            options = flatten(user_input)
            errors, placeholders = validate(self.hass, options)
            if not errors:
                return self._save(options, drop=tuple(SECTION_OF))
        suggested = user_input if user_input is not None else nest(self.config_entry.options)
        return self.async_show_form(
            step_id="sources",
            data_schema=self.add_suggested_values_to_schema(
                options_schema(with_name=False), suggested
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_screening(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Screening policy per tier, unknown callers and texting limits."""
        errors: dict[str, str] = {}
        if user_input is not None:
            error = email_error(user_input.get(CONF_REPLY_EMAIL))
            if error is None:
                keys = tuple(str(key) for key in screening_schema().schema)
                return self._save(_integers(user_input), drop=keys)
            errors["base"] = error
        return self._form("screening", screening_schema(), user_input, errors)

    async def async_step_texts(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Editable text templates, checked by rendering them with sample values."""
        errors: dict[str, str] = {}
        placeholders = {"variables": ", ".join(f"{{{{ {name} }}}}" for name in TEMPLATE_VARIABLES)}
        if user_input is not None:
            for key, text in user_input.items():
                problem = self._template_problem(text)
                if problem is not None:
                    errors[key] = "invalid_template"
                    placeholders["error"] = problem
                    break
            if not errors:
                keys = tuple(CONF_TEMPLATE_PREFIX + lang for lang in LANGUAGES)
                templates = {k: v for k, v in user_input.items() if v.strip()}
                return self._save(templates, drop=keys)
        return self._form("texts", texts_schema(), user_input, errors, placeholders)

    def _template_problem(self, text: str) -> str | None:
        if not text.strip():
            return None
        sample = {name: name for name in TEMPLATE_VARIABLES}
        try:
            rendered = Template(text, self.hass).async_render(sample, parse_result=False)
        except TemplateError as err:
            return str(err)
        return None if str(rendered).strip() else "empty"

    async def async_step_texting(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Where texts are sent from: Twilio, a notify action, or nowhere."""
        errors: dict[str, str] = {}
        if user_input is not None:
            error = await self._texting_error(user_input)
            if error is None:
                keys = tuple(str(key) for key in texting_schema().schema)
                return self._save(user_input, drop=keys)
            errors["base"] = error
        return self._form("texting", texting_schema(), user_input, errors)

    async def _texting_error(self, user_input: Mapping[str, Any]) -> str | None:
        backend = user_input[CONF_TEXTING_BACKEND]
        if backend == "notify":
            action = str(user_input.get(CONF_NOTIFY_ACTION, ""))
            domain, _, service = action.partition(".")
            if not self.hass.services.has_service(domain, service):
                return "notify_action_not_found"
        if backend != "twilio":
            return None
        needed = (CONF_TWILIO_ACCOUNT_SID, CONF_TWILIO_AUTH_TOKEN, CONF_TWILIO_FROM_NUMBER)
        if not all(user_input.get(key) for key in needed):
            return "twilio_incomplete"
        try:
            await async_validate_twilio(
                self.hass,
                user_input[CONF_TWILIO_ACCOUNT_SID],
                user_input[CONF_TWILIO_AUTH_TOKEN],
                user_input[CONF_TWILIO_FROM_NUMBER],
                api_base=user_input.get(CONF_TWILIO_API_BASE) or TWILIO_API_BASE,
            )
        except InvalidFromNumber:
            return "invalid_from_number"
        except InvalidAuth:
            return "invalid_auth"
        except CannotConnect:
            return "cannot_connect"
        return None

    async def async_step_telephony(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Turn the voice and PBX webhooks on or off, rotate their secrets."""
        errors: dict[str, str] = {}
        options = self.config_entry.options
        if user_input is not None:
            forward = user_input.get(CONF_FORWARD_NUMBER)
            if user_input[ENABLE_VOICE] and (
                not forward or normalize_number(forward, None) is None
            ):
                errors["base"] = "forward_number_needed"
            elif user_input.get(CONF_TELNYX_PUBLIC_KEY) and not ed25519_key(
                user_input[CONF_TELNYX_PUBLIC_KEY]
            ):
                errors[CONF_TELNYX_PUBLIC_KEY] = "invalid_telnyx_key"
            else:
                self._telephony = _telephony_changes(options, user_input)
                if user_input[ENABLE_VOICE] or user_input[ENABLE_PBX]:
                    return await self.async_step_webhooks()
                return self._save(*self._telephony)
        suggested = user_input or {
            **options,
            ENABLE_VOICE: bool(options.get(CONF_VOICE_WEBHOOK_ID)),
            ENABLE_PBX: bool(options.get(CONF_PBX_WEBHOOK_ID)),
        }
        return self._form(
            "telephony", telephony_schema(), suggested, errors, self._webhook_urls(options)
        )

    async def async_step_webhooks(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the full webhook addresses (and the PBX secret) to copy, then save."""
        if user_input is not None:
            return self._save(*self._telephony)
        placeholders = self._webhook_urls(self._telephony[0])
        placeholders["cloudhook_url"] = await self._cloudhook_url(self._telephony[0]) or OFF
        return self.async_show_form(
            step_id="webhooks",
            data_schema=vol.Schema({}),
            description_placeholders=placeholders,
        )

    async def _cloudhook_url(self, options: Mapping[str, Any]) -> str | None:
        """The Home Assistant Cloud address of the voice webhook in ``options``, if any."""
        if not (voice := options.get(CONF_VOICE_WEBHOOK_ID)):
            return None
        if voice == self.config_entry.options.get(CONF_VOICE_WEBHOOK_ID) and (
            kept := voice_cloudhook_url(self.config_entry)
        ):
            return kept
        return await async_cloudhook_url(self.hass, voice)

    def _webhook_urls(self, options: Mapping[str, Any]) -> dict[str, str]:
        """The addresses (and PBX secret) of the webhooks in ``options``; "-" when off."""
        voice, pbx = options.get(CONF_VOICE_WEBHOOK_ID), options.get(CONF_PBX_WEBHOOK_ID)
        return {
            "voice_url": webhook_url(self.hass, voice) if voice else OFF,
            "pbx_url": webhook_url(self.hass, pbx) if pbx else OFF,
            "pbx_secret": str(options.get(CONF_PBX_SECRET)) if pbx else OFF,
        }

    def _form(
        self,
        step_id: str,
        schema: vol.Schema,
        suggested: Mapping[str, Any] | None,
        errors: dict[str, str],
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        values = suggested if suggested is not None else self.config_entry.options
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, values),
            errors=errors,
            description_placeholders=placeholders,
        )


def _integers(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Number selectors give floats; counts and minutes are whole numbers."""
    whole = (CONF_REPEAT_WINDOW, CONF_TEXT_COOLDOWN, CONF_MAX_TEXTS_PER_HOUR, CONF_WITHIN_MINUTES)
    return {k: int(v) if k in whole else v for k, v in user_input.items()}


def _telephony_changes(
    options: Mapping[str, Any], user_input: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """New telephony options: ids kept unless switched off or rotated."""
    rotate = bool(user_input[ROTATE])
    changes: dict[str, Any] = {
        CONF_DIAL_TIMEOUT: int(user_input[CONF_DIAL_TIMEOUT]),
        CONF_PBX_LOCAL_ONLY: user_input[CONF_PBX_LOCAL_ONLY],
    }
    if user_input.get(CONF_FORWARD_NUMBER):
        changes[CONF_FORWARD_NUMBER] = normalize_number(user_input[CONF_FORWARD_NUMBER], None)
    if user_input.get(CONF_TELNYX_PUBLIC_KEY):
        changes[CONF_TELNYX_PUBLIC_KEY] = user_input[CONF_TELNYX_PUBLIC_KEY].strip()
    if user_input[ENABLE_VOICE]:
        keep = options.get(CONF_VOICE_WEBHOOK_ID)
        changes[CONF_VOICE_WEBHOOK_ID] = keep if keep and not rotate else new_webhook_id()
    if user_input[ENABLE_PBX]:
        keep_id, keep_secret = options.get(CONF_PBX_WEBHOOK_ID), options.get(CONF_PBX_SECRET)
        fresh = rotate or not keep_id
        changes[CONF_PBX_WEBHOOK_ID] = new_webhook_id() if fresh else keep_id
        changes[CONF_PBX_SECRET] = new_webhook_id() if fresh else keep_secret
    drop = (
        CONF_VOICE_WEBHOOK_ID,
        CONF_PBX_WEBHOOK_ID,
        CONF_PBX_SECRET,
        CONF_FORWARD_NUMBER,
        CONF_DIAL_TIMEOUT,
        CONF_PBX_LOCAL_ONLY,
        CONF_TELNYX_PUBLIC_KEY,
    )
    return changes, drop
