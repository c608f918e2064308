"""The sources form shared by the config flow and the options flow, and its validation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers import selector
import voluptuous as vol

from ..const import (
    CONF_CALENDAR_ENTITIES,
    CONF_CAR_ENTITIES,
    CONF_DEAD_ZONES,
    CONF_DND_ENTITIES,
    CONF_DRIVING_ENTITIES,
    CONF_DRIVING_HOLD,
    CONF_MEETING_KEYWORDS,
    CONF_MEETING_SOON_MINUTES,
    CONF_MIN_FREE_MINUTES,
    CONF_MISSED_CALL_SENSORS,
    CONF_NOISY_ZONES,
    CONF_PHONE_STATE_ENTITIES,
    CONF_PUBLIC_ZONES,
    CONF_SCHEDULE_ENTITY,
    CONF_SIGNAL_ENTITIES,
    CONF_TRACKER_ENTITY,
    CONF_WEAK_SIGNAL_DBM,
    CONF_WEAK_SIGNAL_MARGIN,
    CONF_WEAK_SIGNAL_RECOVERY,
    CONF_WORK_DAYS,
    CONF_WORK_END,
    CONF_WORK_START,
    CONF_WORKDAY_ENTITY,
    CONF_ZONE_EXIT,
    DEFAULT_DRIVING_HOLD_MINUTES,
    DEFAULT_MEETING_SOON_MINUTES,
    DEFAULT_MIN_FREE_MINUTES,
    DEFAULT_WEAK_SIGNAL_DBM,
    DEFAULT_WEAK_SIGNAL_MARGIN,
    DEFAULT_WEAK_SIGNAL_RECOVERY_SECONDS,
    DEFAULT_WORK_DAYS,
    DEFAULT_ZONE_EXIT_SECONDS,
    ENTITY_LIST_OPTIONS,
    ENTITY_OPTIONS,
    WEEKDAYS,
)
from ..sources.states import parse_time
from .fields import TimeNoSeconds, number_box, number_problem

DEFAULT_NAME = "Client Etiquette"
ZONE_OPTIONS = (CONF_DEAD_ZONES, CONF_NOISY_ZONES, CONF_PUBLIC_ZONES)


def _entities(*domains: str, multiple: bool = True) -> selector.EntitySelector:
    return selector.EntitySelector(
        selector.EntitySelectorConfig(domain=list(domains), multiple=multiple)
    )


# The form's sections and, in each, the option keys with their selectors.
SECTIONS: dict[str, dict[vol.Optional, Any]] = {
    "activity": {
        vol.Optional(CONF_DRIVING_ENTITIES, default=list): _entities(
            "sensor", "binary_sensor", "input_boolean", "input_select", "switch"
        ),
        vol.Optional(CONF_CAR_ENTITIES, default=list): _entities(
            "sensor", "binary_sensor", "input_boolean", "switch"
        ),
        vol.Optional(CONF_DRIVING_HOLD, default=DEFAULT_DRIVING_HOLD_MINUTES): number_box(
            0, 30, "min"
        ),
    },
    "phone": {
        vol.Optional(CONF_PHONE_STATE_ENTITIES, default=list): _entities(
            "sensor", "binary_sensor", "input_select", "input_boolean"
        ),
        vol.Optional(CONF_DND_ENTITIES, default=list): _entities(
            "sensor", "binary_sensor", "input_select", "input_boolean", "switch"
        ),
        vol.Optional(CONF_SIGNAL_ENTITIES, default=list): _entities(
            "sensor", "input_number", "input_select"
        ),
        vol.Optional(CONF_WEAK_SIGNAL_DBM, default=DEFAULT_WEAK_SIGNAL_DBM): number_box(
            -140, -50, "dBm", whole=False
        ),
        vol.Optional(CONF_WEAK_SIGNAL_MARGIN, default=DEFAULT_WEAK_SIGNAL_MARGIN): number_box(
            0, 30, "dB", whole=False
        ),
        vol.Optional(
            CONF_WEAK_SIGNAL_RECOVERY, default=DEFAULT_WEAK_SIGNAL_RECOVERY_SECONDS
        ): number_box(0, 600, "s"),
        # Not a readiness source: the companion app's missed-call notifications.
        vol.Optional(CONF_MISSED_CALL_SENSORS): _entities("sensor"),
    },
    "calendar": {
        vol.Optional(CONF_CALENDAR_ENTITIES, default=list): _entities("calendar"),
        vol.Optional(CONF_MEETING_KEYWORDS, default=list): selector.TextSelector(
            selector.TextSelectorConfig(multiple=True)
        ),
        vol.Optional(CONF_MEETING_SOON_MINUTES, default=DEFAULT_MEETING_SOON_MINUTES): number_box(
            0, 120, "min"
        ),
        vol.Optional(CONF_MIN_FREE_MINUTES, default=DEFAULT_MIN_FREE_MINUTES): number_box(
            0, 240, "min"
        ),
    },
    "location": {
        vol.Optional(CONF_TRACKER_ENTITY): _entities("person", "device_tracker", multiple=False),
        vol.Optional(CONF_DEAD_ZONES, default=list): _entities("zone"),
        vol.Optional(CONF_NOISY_ZONES, default=list): _entities("zone"),
        vol.Optional(CONF_PUBLIC_ZONES, default=list): _entities("zone"),
        vol.Optional(CONF_ZONE_EXIT, default=DEFAULT_ZONE_EXIT_SECONDS): number_box(0, 600, "s"),
    },
    "hours": {
        vol.Optional(CONF_SCHEDULE_ENTITY): _entities(
            "schedule", "binary_sensor", "input_boolean", multiple=False
        ),
        vol.Optional(CONF_WORKDAY_ENTITY): _entities("binary_sensor", multiple=False),
        vol.Optional(CONF_WORK_START): TimeNoSeconds(),
        vol.Optional(CONF_WORK_END): TimeNoSeconds(),
        vol.Optional(CONF_WORK_DAYS, default=list(DEFAULT_WORK_DAYS)): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=list(WEEKDAYS),
                multiple=True,
                translation_key="weekday",
                mode=selector.SelectSelectorMode.LIST,
            )
        ),
    },
}
SECTION_OF = {key.schema: name for name, fields in SECTIONS.items() for key in fields}
OPEN_SECTIONS = ("activity", "phone")
# The section that holds what each error is about; the form opens it to show the error.
ERROR_SECTION = {
    "zones_need_tracker": "location",
    "zone_in_two_lists": "location",
    "car_needs_driving": "activity",
    "keywords_need_calendar": "calendar",
    "hours_incomplete": "hours",
    "hours_empty": "hours",
    "no_work_days": "hours",
    "weak_signal_range": "phone",
    "signal_margin_range": "phone",
    "signal_recovery_range": "phone",
    "driving_hold_range": "activity",
    "zone_exit_range": "location",
    "calendar_minutes_range": "calendar",
}
# The error of a number out of its range, by option key.
RANGE_ERRORS = {
    CONF_DRIVING_HOLD: "driving_hold_range",
    CONF_WEAK_SIGNAL_DBM: "weak_signal_range",
    CONF_WEAK_SIGNAL_MARGIN: "signal_margin_range",
    CONF_WEAK_SIGNAL_RECOVERY: "signal_recovery_range",
    CONF_ZONE_EXIT: "zone_exit_range",
    CONF_MEETING_SOON_MINUTES: "calendar_minutes_range",
    CONF_MIN_FREE_MINUTES: "calendar_minutes_range",
}


class Problem(NamedTuple):
    """What is wrong with the sources form: its errors, their placeholders, and where."""

    errors: dict[str, str]
    placeholders: dict[str, str]
    section: str | None = None


def options_schema(with_name: bool, open_section: str | None = None) -> vol.Schema:
    """Return the form: an optional name, then one collapsible section per kind of source.

    Driving and phone are open; ``open_section`` too (the one that holds an error).
    """
    fields: dict[Any, Any] = {}
    if with_name:
        fields[vol.Required(CONF_NAME, default=DEFAULT_NAME)] = selector.TextSelector()
    for name, section_fields in SECTIONS.items():
        is_open = name in OPEN_SECTIONS or name == open_section
        fields[vol.Required(name)] = section(vol.Schema(section_fields), {"collapsed": not is_open})
    return vol.Schema(fields)


def flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Sections in, flat options out (a cleared optional field is simply absent)."""
    return {key: value for name in SECTIONS for key, value in user_input.get(name, {}).items()}


def nest(options: Mapping[str, Any]) -> dict[str, Any]:
    """Flat options back into sections, to prefill the form."""
    nested: dict[str, Any] = {name: {} for name in SECTIONS}
    for key, value in options.items():
        if key in SECTION_OF:
            nested[SECTION_OF[key]][key] = value
    return nested


def validate(hass: HomeAssistant, options: Mapping[str, Any]) -> Problem:
    """Check options as a whole: form errors, their placeholders and the section to open."""
    named = [(key, e) for key in ENTITY_LIST_OPTIONS for e in options.get(key, ())]
    named += [(key, options[key]) for key in ENTITY_OPTIONS if options.get(key)]
    missing = next(((k, e) for k, e in named if hass.states.get(e) is None), None)
    if missing is not None:
        key, entity_id = missing
        return Problem({"base": "entity_not_found"}, {"entity_id": entity_id}, SECTION_OF[key])
    for name in ("activity", "phone", "location", "calendar"):
        if (number := number_problem(vol.Schema(SECTIONS[name]), options)) is not None:
            return Problem({"base": RANGE_ERRORS[number[0]]}, number[1], name)
    error = _first_error(
        options, has_hours=bool(options.get(CONF_WORK_START) or options.get(CONF_WORK_END))
    )
    return Problem({"base": error}, {}, ERROR_SECTION.get(error)) if error else Problem({}, {})


def _first_error(options: Mapping[str, Any], *, has_hours: bool) -> str | None:
    zones = [zone for key in ZONE_OPTIONS for zone in options.get(key, ())]
    checks = (
        (not _has_source(options, zones, has_hours), "no_sources"),
        (bool(zones) and not options.get(CONF_TRACKER_ENTITY), "zones_need_tracker"),
        (len(zones) != len(set(zones)), "zone_in_two_lists"),
        (
            bool(options.get(CONF_CAR_ENTITIES)) and not options.get(CONF_DRIVING_ENTITIES),
            "car_needs_driving",
        ),
        (
            bool(options.get(CONF_MEETING_KEYWORDS)) and not options.get(CONF_CALENDAR_ENTITIES),
            "keywords_need_calendar",
        ),
        (
            has_hours and not (options.get(CONF_WORK_START) and options.get(CONF_WORK_END)),
            "hours_incomplete",
        ),
        (has_hours and _same_time(options), "hours_empty"),
        (
            (has_hours or bool(options.get(CONF_WORKDAY_ENTITY)))
            and not options.get(CONF_WORK_DAYS),
            "no_work_days",
        ),
    )
    return next((error for failed, error in checks if failed), None)


def _has_source(options: Mapping[str, Any], zones: list[str], has_hours: bool) -> bool:
    return (
        has_hours
        or any(
            options.get(key)
            for key in (
                CONF_DRIVING_ENTITIES,
                CONF_PHONE_STATE_ENTITIES,
                CONF_DND_ENTITIES,
                CONF_SIGNAL_ENTITIES,
                CONF_CALENDAR_ENTITIES,
                CONF_SCHEDULE_ENTITY,
                CONF_WORKDAY_ENTITY,
            )
        )
        or bool(zones)
    )


def _same_time(options: Mapping[str, Any]) -> bool:
    start = options.get(CONF_WORK_START)
    end = options.get(CONF_WORK_END)
    return bool(start and end) and parse_time(start) == parse_time(end)
