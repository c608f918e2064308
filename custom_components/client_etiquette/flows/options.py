"""The options flow: a menu of sources, screening, texts, texting and telephony settings.

Each step saves its own keys and keeps every other option; the entry reloads after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.exceptions import TemplateError
from homeassistant.helpers import selector
from homeassistant.helpers.translation import async_get_translations
import voluptuous as vol

from ..const import (
    CONF_BLOCKING_PREFIX,
    CONF_DEFAULT_LANGUAGE,
    CONF_DEFAULT_REGION,
    CONF_FOLLOW_UP_TEXTS,
    CONF_MAX_TEXTS_PER_HOUR,
    CONF_REMINDER_NOTIFY,
    CONF_REPEAT_WINDOW,
    CONF_REPLY_EMAIL,
    CONF_SENDER_NAME,
    CONF_STT_ENTITY,
    CONF_TEMPLATE_PREFIX,
    CONF_TEXT_COOLDOWN,
    CONF_UNKNOWN_CALLERS,
    CONF_WITHIN_MINUTES,
    DEFAULT_FOLLOW_UP_TEXTS,
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
from ..telephony.policy import default_blocking
from ..texting.templates import find_break
from .fields import (
    email_error,
    number_box,
    select,
)
from .options_telephony import TelephonySteps
from .options_texting import TextingSteps
from .options_voice import VoiceSteps
from .sources_form import SECTION_OF, Problem, flatten, nest, options_schema, validate

MENU = ["sources", "screening", "texts", "texting", "telephony", "voice"]


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
            vol.Optional(
                CONF_FOLLOW_UP_TEXTS, default=DEFAULT_FOLLOW_UP_TEXTS
            ): selector.BooleanSelector(),
            vol.Optional(CONF_STT_ENTITY): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="stt")
            ),
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


class ClientEtiquetteOptionsFlow(TelephonySteps, TextingSteps, VoiceSteps):
    """Change any setting; the entry reloads with the new options."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick what to change."""
        return self.async_show_menu(step_id="init", menu_options=MENU)

    async def async_step_sources(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the same source sections as at set-up, prefilled."""
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
        """Find a bad reply address, or a reminder action or stt entity that does not exist."""
        error = email_error(user_input.get(CONF_REPLY_EMAIL))
        if error is not None:
            return {"base": error}
        action = str(user_input.get(CONF_REMINDER_NOTIFY) or "")
        if action and not self._action_exists(action):
            return {CONF_REMINDER_NOTIFY: "notify_action_not_found"}
        stt_entity = user_input.get(CONF_STT_ENTITY)
        if stt_entity and self.hass.states.get(stt_entity) is None:
            return {CONF_STT_ENTITY: "stt_entity_not_found"}
        return {}

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
        """Return the form error and placeholders when the template fails or breaks in a case.

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
        """Name the reason as the screening form does, in the UI language."""
        translations = await async_get_translations(
            self.hass, self.hass.config.language, "selector", {DOMAIN}
        )
        return translations.get(f"component.{DOMAIN}.selector.reason.options.{reason}", reason)


def _stripped_action(user_input: dict[str, Any]) -> dict[str, Any]:
    """Return the input with blanks around the reminder action dropped."""
    action = user_input.get(CONF_REMINDER_NOTIFY)
    if isinstance(action, str):
        return {**user_input, CONF_REMINDER_NOTIFY: action.strip()}
    return user_input


def _integers(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Make counts and minutes whole numbers (number selectors give floats)."""
    whole = (CONF_REPEAT_WINDOW, CONF_TEXT_COOLDOWN, CONF_MAX_TEXTS_PER_HOUR, CONF_WITHIN_MINUTES)
    return {k: int(v) if k in whole else v for k, v in user_input.items()}
