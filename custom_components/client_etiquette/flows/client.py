"""The client directory in the UI: one config sub-entry per client, added and edited there."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.data_entry_flow import section
from homeassistant.helpers import selector
import voluptuous as vol

from ..const import (
    CHANNELS,
    CONF_CHANNEL,
    CONF_CONTACT_DAYS,
    CONF_CONTACT_END,
    CONF_CONTACT_START,
    CONF_COUNTRY,
    CONF_EMAIL,
    CONF_LANGUAGE,
    CONF_NOTE,
    CONF_NUMBERS,
    CONF_TIER,
    CONF_TIME_ZONE,
    DEFAULT_CONTACT_END,
    DEFAULT_CONTACT_START,
    DEFAULT_WORK_DAYS,
    LANGUAGES,
    SUBENTRY_CLIENT,
    TIERS,
    WEEKDAYS,
)
from ..core.phone import normalize_number
from ..sources.states import parse_time
from .fields import TimeNoSeconds, default_region, email_error, region_shown, select

CONTACT_SECTION = "contact"
CONTACT_KEYS = (CONF_CONTACT_START, CONF_CONTACT_END, CONF_CONTACT_DAYS)


@lru_cache(maxsize=1)
def time_zones() -> list[str]:
    """Every IANA time zone name, sorted (reads the zone database: run in an executor)."""
    return sorted(available_timezones())


def client_schema(zones: list[str]) -> vol.Schema:
    """Return the client form: who, how to reach them, when they agreed to be called."""
    return vol.Schema(
        {
            vol.Required(CONF_NAME): selector.TextSelector(),
            vol.Required(CONF_NUMBERS): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.TEL, multiple=True)
            ),
            vol.Required(CONF_TIER, default="regular"): select(TIERS, "tier"),
            vol.Required(CONF_LANGUAGE, default="en"): selector.LanguageSelector(
                selector.LanguageSelectorConfig(languages=list(LANGUAGES), native_name=True)
            ),
            vol.Required(CONF_TIME_ZONE): select(zones),
            vol.Optional(CONF_COUNTRY): selector.CountrySelector(),
            vol.Required(CONF_CHANNEL, default="call"): select(CHANNELS, "channel"),
            vol.Optional(CONF_EMAIL): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.EMAIL)
            ),
            vol.Optional(CONF_NOTE): selector.TextSelector(
                selector.TextSelectorConfig(multiline=True)
            ),
            vol.Required(CONTACT_SECTION): section(
                vol.Schema(
                    {
                        vol.Optional(CONF_CONTACT_START): TimeNoSeconds(),
                        vol.Optional(CONF_CONTACT_END): TimeNoSeconds(),
                        vol.Optional(
                            CONF_CONTACT_DAYS, default=list(DEFAULT_WORK_DAYS)
                        ): selector.SelectSelector(
                            selector.SelectSelectorConfig(
                                options=list(WEEKDAYS),
                                multiple=True,
                                translation_key="weekday",
                                mode=selector.SelectSelectorMode.LIST,
                            )
                        ),
                    }
                ),
                {"collapsed": False},
            ),
        }
    )


def to_form(title: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a stored client back into the form's shape, to prefill it."""
    form = {key: value for key, value in data.items() if key not in CONTACT_KEYS}
    form[CONF_NAME] = title
    form[CONTACT_SECTION] = {key: data[key] for key in CONTACT_KEYS if key in data}
    return form


class ClientSubentryFlow(ConfigSubentryFlow):
    """Add or edit one client."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a client."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            title, data, errors, placeholders = self._check(user_input, editing=None)
            if not errors:
                self.hass.config_entries.async_schedule_reload(self._entry_id)
                return self.async_create_entry(title=title, data=data)
        suggested = user_input or {
            CONF_TIME_ZONE: self.hass.config.time_zone,
            CONTACT_SECTION: {
                CONF_CONTACT_START: DEFAULT_CONTACT_START,
                CONF_CONTACT_END: DEFAULT_CONTACT_END,
            },
        }
        return await self._form("user", suggested, errors, placeholders)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a client; the entry reloads so its entities follow."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            title, data, errors, placeholders = self._check(
                user_input, editing=subentry.subentry_id
            )
            if not errors:
                return self.async_update_reload_and_abort(
                    self._get_entry(), subentry, title=title, data=data
                )
        suggested = user_input or to_form(subentry.title, subentry.data)
        return await self._form("reconfigure", suggested, errors, placeholders)

    async def _form(
        self,
        step_id: str,
        suggested: Mapping[str, Any],
        errors: dict[str, str],
        placeholders: dict[str, str],
    ) -> SubentryFlowResult:
        zones = await self.hass.async_add_executor_job(time_zones)
        region = default_region(self.hass, self._get_entry().options)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(client_schema(zones), suggested),
            errors=errors,
            description_placeholders={"default_country": region_shown(region), **placeholders},
        )

    def _check(
        self, user_input: Mapping[str, Any], *, editing: str | None
    ) -> tuple[str, dict[str, Any], dict[str, str], dict[str, str]]:
        """Validate and normalise the form: title, data, errors, placeholders."""
        title = str(user_input[CONF_NAME]).strip()
        contact = dict(user_input.get(CONTACT_SECTION, {}))
        data = {
            key: value
            for key, value in user_input.items()
            if key not in (CONF_NAME, CONTACT_SECTION) and value not in (None, "")
        }
        data.update(contact)
        if not title:
            return title, data, {"base": "name_required"}, {}
        numbers, error, placeholders = self._numbers(user_input[CONF_NUMBERS], editing)
        data[CONF_NUMBERS] = numbers
        error = error or _contact_error(contact) or email_error(data.get(CONF_EMAIL))
        return title, data, ({"base": error} if error else {}), placeholders

    def _numbers(
        self, raw_numbers: list[str], editing: str | None
    ) -> tuple[list[str], str | None, dict[str, str]]:
        """Numbers in E.164; the first invalid, repeated or already used one is an error."""
        entry = self._get_entry()
        region = default_region(self.hass, entry.options)
        owners = {
            number: sub.title
            for sub_id, sub in entry.subentries.items()
            if sub.subentry_type == SUBENTRY_CLIENT and sub_id != editing
            for number in sub.data.get(CONF_NUMBERS, ())
        }
        numbers: list[str] = []
        for raw in (value.strip() for value in raw_numbers):
            if not raw:
                continue
            number = normalize_number(raw, region)
            if number is None:
                return numbers, "invalid_number", {"number": raw}
            if number in owners:
                return numbers, "number_in_use", {"number": raw, "client": owners[number]}
            if number not in numbers:
                numbers.append(number)
        if not numbers:
            return numbers, "no_numbers", {}
        return numbers, None, {}


def _contact_error(contact: Mapping[str, Any]) -> str | None:
    start = parse_time(contact.get(CONF_CONTACT_START))
    end = parse_time(contact.get(CONF_CONTACT_END))
    if (start is None) != (end is None):
        return "hours_incomplete"
    if start is not None and start == end:
        return "hours_empty"
    if start is not None and not contact.get(CONF_CONTACT_DAYS):
        return "no_contact_days"
    return None
