"""Config flow: name the assistant and pick its sources; clients are sub-entries."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback

from .const import DOMAIN, SUBENTRY_CLIENT
from .flows.client import ClientSubentryFlow
from .flows.options import ClientEtiquetteOptionsFlow
from .flows.sources_form import Problem, flatten, options_schema, validate


class ClientEtiquetteConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add Client Etiquette from the UI."""

    VERSION = 1
    MINOR_VERSION = 2

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the assistant and pick its sources."""
        problem = Problem({}, {})
        if user_input is not None:
            name = str(user_input[CONF_NAME]).strip()
            options = flatten(user_input)
            if not name:
                problem = Problem({"base": "name_required"}, {})
            elif any(entry.title == name for entry in self._async_current_entries()):
                problem = Problem({"base": "name_exists"}, {})
            else:
                problem = validate(self.hass, options)
            if not problem.errors:
                return self.async_create_entry(title=name, data={}, options=options)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                options_schema(with_name=True, open_section=problem.section), user_input or {}
            ),
            errors=problem.errors,
            description_placeholders=problem.placeholders,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Edit every choice afterwards."""
        return ClientEtiquetteOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Clients are added one by one as sub-entries."""
        return {SUBENTRY_CLIENT: ClientSubentryFlow}
