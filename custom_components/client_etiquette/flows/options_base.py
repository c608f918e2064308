"""What every options step shares: saving, showing a form, checking numbers and actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.helpers import selector
import voluptuous as vol

from .fields import (
    number_problem,
)


def password_selector() -> selector.TextSelector:
    """Return a text box that hides what is typed."""
    return selector.TextSelector(
        selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
    )


class OptionsFlowBase(OptionsFlowWithReload):
    """Save options and show forms; the steps live in the subclasses."""

    def _save(self, changes: Mapping[str, Any], drop: tuple[str, ...] = ()) -> ConfigFlowResult:
        kept = {k: v for k, v in self.config_entry.options.items() if k not in drop}
        return self.async_create_entry(data={**kept, **changes})

    def _action_exists(self, action: str) -> bool:
        """Whether ``domain.service`` is an action Home Assistant has now."""
        domain, _, service = action.partition(".")
        return self.hass.services.has_service(domain, service)

    def _refused_number(
        self,
        step_id: str,
        schema: vol.Schema,
        user_input: Mapping[str, Any],
        placeholders: Mapping[str, str] | None = None,
    ) -> ConfigFlowResult | None:
        """Show the form again, with the allowed range, when a number is out of it or not whole."""
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
