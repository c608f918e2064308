"""The options flow: a menu of sources, screening, texts, texting and telephony settings.

Each step saves its own keys and keeps every other option; the entry reloads after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.exceptions import TemplateError
from homeassistant.helpers import selector
from homeassistant.helpers.translation import async_get_translations
import voluptuous as vol

from ..const import (
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
    DEFAULT_REPEAT_WINDOW_MINUTES,
    DEFAULT_TEXT_COOLDOWN_HOURS,
    DOMAIN,
    LANGUAGES,
    TIERS,
    UNKNOWN_CALLER_CHOICES,
)
from ..core.messages.templates import REASON
from ..core.messages.texts import TEMPLATE_VARIABLES
from ..core.messages.times import DEFAULT_WITHIN_MINUTES
from ..core.models import DEFAULT_MAX_TEXTS_PER_HOUR, Language, Reason
from ..core.phone import normalize_number
from ..telephony.addresses import webhook_url
from ..telephony.cloudhook import async_cloudhook_url, voice_cloudhook_url
from ..telephony.policy import default_blocking
from ..telephony.signature import ed25519_key, new_webhook_id
from ..texting.errors import CannotConnect, InvalidAuth, InvalidFromNumber
from ..texting.templates import find_break
from ..texting.twilio import TWILIO_API_BASE, async_validate_twilio
from .fields import (
    NONE_SHOWN,
    default_region,
    email_error,
    number_box,
    number_problem,
    region_shown,
    select,
    twilio_sender,
)
from .sources_form import SECTION_OF, Problem, flatten, nest, options_schema, validate

MENU = ["sources", "screening", "texts", "texting", "telephony"]
TEXTING_MENU = ["texting_twilio", "texting_notify", "texting_off"]
TWILIO_KEYS = (
    CONF_TWILIO_ACCOUNT_SID,
    CONF_TWILIO_AUTH_TOKEN,
    CONF_TWILIO_FROM_NUMBER,
    CONF_TWILIO_API_BASE,
)
ENABLE_VOICE = "voice_webhook"
ENABLE_PBX = "pbx_webhook"
ROTATE = "rotate_secrets"
# Shown in place of the address of a webhook that is switched off.
OFF = NONE_SHOWN


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
            vol.Optional(CONF_REPEAT_WINDOW, default=DEFAULT_REPEAT_WINDOW_MINUTES): number_box(
                0, 60, "min"
            ),
            vol.Optional(CONF_TEXT_COOLDOWN, default=DEFAULT_TEXT_COOLDOWN_HOURS): number_box(
                0, 168, "h"
            ),
            vol.Optional(CONF_MAX_TEXTS_PER_HOUR, default=DEFAULT_MAX_TEXTS_PER_HOUR): number_box(
                0, 1000
            ),
            vol.Optional(CONF_WITHIN_MINUTES, default=DEFAULT_WITHIN_MINUTES): number_box(
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


def _password() -> selector.TextSelector:
    return selector.TextSelector(
        selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
    )


def twilio_schema() -> vol.Schema:
    """Twilio's settings: account, auth token, sender, and the API address for tests."""
    return vol.Schema(
        {
            vol.Required(CONF_TWILIO_ACCOUNT_SID): selector.TextSelector(),
            vol.Required(CONF_TWILIO_AUTH_TOKEN): _password(),
            vol.Required(CONF_TWILIO_FROM_NUMBER): selector.TextSelector(),
            vol.Optional(CONF_TWILIO_API_BASE): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
            ),
        }
    )


def notify_schema() -> vol.Schema:
    """The notify action that sends the texts."""
    return vol.Schema({vol.Required(CONF_NOTIFY_ACTION): selector.TextSelector()})


def telephony_schema() -> vol.Schema:
    """The phone-system webhooks."""
    return vol.Schema(
        {
            vol.Optional(ENABLE_VOICE, default=False): selector.BooleanSelector(),
            vol.Optional(CONF_FORWARD_NUMBER): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
            ),
            vol.Optional(CONF_DIAL_TIMEOUT, default=DEFAULT_DIAL_TIMEOUT): number_box(5, 120, "s"),
            vol.Optional(CONF_TWILIO_AUTH_TOKEN): _password(),
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
        problem = Problem({}, {})
        if user_input is not None:
            options = flatten(user_input)
            problem = validate(self.hass, options)
            if not problem.errors:
                return self._save(options, drop=tuple(SECTION_OF))
        suggested = user_input if user_input is not None else nest(self.config_entry.options)
        return self.async_show_form(
            step_id="sources",
            data_schema=self.add_suggested_values_to_schema(
                options_schema(with_name=False, open_section=problem.section), suggested
            ),
            errors=problem.errors,
            description_placeholders=problem.placeholders,
        )

    async def async_step_screening(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Screening policy per tier, unknown callers and texting limits."""
        errors: dict[str, str] = {}
        if user_input is not None and (
            refused := self._refused_number("screening", screening_schema(), user_input)
        ):
            return refused
        if user_input is not None:
            user_input = _stripped_action(user_input)
            errors = self._screening_errors(user_input)
            if not errors:
                keys = tuple(str(key) for key in screening_schema().schema)
                return self._save(_integers(user_input), drop=keys)
        return self._form("screening", screening_schema(), user_input, errors)

    def _screening_errors(self, user_input: Mapping[str, Any]) -> dict[str, str]:
        """A bad reply address, or a reminder action that does not exist."""
        error = email_error(user_input.get(CONF_REPLY_EMAIL))
        if error is not None:
            return {"base": error}
        action = str(user_input.get(CONF_REMINDER_NOTIFY) or "")
        if action and not self._action_exists(action):
            return {CONF_REMINDER_NOTIFY: "notify_action_not_found"}
        return {}

    def _action_exists(self, action: str) -> bool:
        """Whether ``domain.service`` is an action Home Assistant has now."""
        domain, _, service = action.partition(".")
        return self.hass.services.has_service(domain, service)

    async def async_step_texts(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Editable text templates, each tried in every case it will meet."""
        errors: dict[str, str] = {}
        placeholders = {"variables": ", ".join(f"{{{{ {name} }}}}" for name in TEMPLATE_VARIABLES)}
        if user_input is not None:
            for key, text in user_input.items():
                problem = await self._template_problem(key, text)
                if problem is not None:
                    errors[key] = problem[0]
                    placeholders.update(problem[1])
                    break
            if not errors:
                keys = tuple(CONF_TEMPLATE_PREFIX + lang for lang in LANGUAGES)
                templates = {k: v for k, v in user_input.items() if v.strip()}
                return self._save(templates, drop=keys)
        return self._form("texts", texts_schema(), user_input, errors, placeholders)

    async def _template_problem(self, key: str, text: str) -> tuple[str, dict[str, str]] | None:
        """The form error and its placeholders when the template fails or breaks in a case.

        The error names the case ("template_breaks_unknown_caller"): what it is, as far
        as that matters, and the text it gives there.
        """
        if not text.strip():
            return None
        language = Language(key.removeprefix(CONF_TEMPLATE_PREFIX))
        try:
            broken = find_break(self.hass, text, language, self.config_entry.options)
        except TemplateError as err:
            return "invalid_template", {"error": str(err)}
        if broken is None:
            return None
        placeholders = {"text": broken.text}
        if REASON in broken.traits:
            placeholders["reason"] = await self._reason_name(broken.case.reason)
        return "_".join(("template_breaks", *broken.traits)), placeholders

    async def _reason_name(self, reason: Reason) -> str:
        """The reason as the screening form names it, in the UI language."""
        translations = await async_get_translations(
            self.hass, self.hass.config.language, "selector", {DOMAIN}
        )
        return translations.get(f"component.{DOMAIN}.selector.reason.options.{reason}", reason)

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

    async def async_step_telephony(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Turn the voice and PBX webhooks on or off, rotate their secrets."""
        errors: dict[str, str] = {}
        options = self.config_entry.options
        region = default_region(self.hass, options)
        placeholders = {**self._webhook_urls(options), "default_country": region_shown(region)}
        if user_input is not None and (
            refused := self._refused_number(
                "telephony", telephony_schema(), user_input, placeholders
            )
        ):
            return refused
        if user_input is not None:
            forward = str(user_input.get(CONF_FORWARD_NUMBER) or "").strip()
            number = normalize_number(forward, region) if forward else None
            if forward and number is None:
                errors[CONF_FORWARD_NUMBER] = "invalid_number"
                placeholders["number"] = forward
            elif user_input[ENABLE_VOICE] and number is None:
                errors["base"] = "forward_number_needed"
            elif user_input.get(CONF_TELNYX_PUBLIC_KEY) and not ed25519_key(
                user_input[CONF_TELNYX_PUBLIC_KEY]
            ):
                errors[CONF_TELNYX_PUBLIC_KEY] = "invalid_telnyx_key"
            else:
                changes = {**user_input, CONF_FORWARD_NUMBER: number}
                self._telephony = _telephony_changes(options, changes)
                if user_input[ENABLE_VOICE] or user_input[ENABLE_PBX]:
                    return await self.async_step_webhooks()
                return self._save(*self._telephony)
        suggested = user_input or {
            **options,
            ENABLE_VOICE: bool(options.get(CONF_VOICE_WEBHOOK_ID)),
            ENABLE_PBX: bool(options.get(CONF_PBX_WEBHOOK_ID)),
        }
        return self._form("telephony", telephony_schema(), suggested, errors, placeholders)

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

    def _refused_number(
        self,
        step_id: str,
        schema: vol.Schema,
        user_input: Mapping[str, Any],
        placeholders: Mapping[str, str] | None = None,
    ) -> ConfigFlowResult | None:
        """The form again, with the allowed range, when a number is out of it or not whole."""
        problem = number_problem(schema, user_input)
        if problem is None:
            return None
        key, bounds = problem
        return self._form(
            step_id, schema, user_input, {key: "number_range"}, {**(placeholders or {}), **bounds}
        )

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


def _stripped_action(user_input: dict[str, Any]) -> dict[str, Any]:
    """The input with blanks around the reminder action dropped."""
    action = user_input.get(CONF_REMINDER_NOTIFY)
    if isinstance(action, str):
        return {**user_input, CONF_REMINDER_NOTIFY: action.strip()}
    return user_input


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
        changes[CONF_FORWARD_NUMBER] = user_input[CONF_FORWARD_NUMBER]
    if token := str(user_input.get(CONF_TWILIO_AUTH_TOKEN) or "").strip():
        changes[CONF_TWILIO_AUTH_TOKEN] = token
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
    drop: tuple[str, ...] = (
        CONF_VOICE_WEBHOOK_ID,
        CONF_PBX_WEBHOOK_ID,
        CONF_PBX_SECRET,
        CONF_FORWARD_NUMBER,
        CONF_DIAL_TIMEOUT,
        CONF_PBX_LOCAL_ONLY,
        CONF_TELNYX_PUBLIC_KEY,
    )
    if options.get(CONF_TEXTING_BACKEND) != "twilio":
        # Texts through Twilio keep their token; it is changed in Twilio's form there.
        drop += (CONF_TWILIO_AUTH_TOKEN,)
    return changes, drop
