"""Config flow and options flow: every path, every error."""

from __future__ import annotations

from typing import Any

from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
import pytest

from custom_components.client_etiquette.const import DOMAIN

from .. import (
    ANDROID_AUTO,
    BAR,
    CALENDAR,
    DND,
    DRIVING,
    LIBRARY,
    METRO,
    PHONE_STATE,
    SCHEDULE,
    SIGNAL,
    TRACKER,
    WORKDAY,
    make_entry,
    setup_entry,
)
from ..flow_text import CONFIG, LANGUAGES, OPTIONS, shown_texts

FULL_FORM: dict[str, Any] = {
    "activity": {"driving_entities": [DRIVING], "car_entities": [ANDROID_AUTO]},
    "phone": {
        "phone_state_entities": [PHONE_STATE],
        "dnd_entities": [DND],
        "signal_entities": [SIGNAL],
        "weak_signal_dbm": -105,
    },
    "calendar": {"calendar_entities": [CALENDAR], "meeting_keywords": ["meeting"]},
    "location": {
        "tracker_entity": TRACKER,
        "dead_zones": [METRO],
        "noisy_zones": [BAR],
        "public_zones": [LIBRARY],
    },
    "hours": {
        "workday_entity": WORKDAY,
        "work_start": "09:00:00",
        "work_end": "18:00:00",
        "work_days": ["mon", "tue", "wed", "thu", "fri"],
    },
}


def form(**sections: dict[str, Any]) -> dict[str, Any]:
    """Return a form with only the given sections filled (others empty)."""
    empty: dict[str, Any] = {
        "activity": {},
        "phone": {},
        "calendar": {},
        "location": {},
        "hours": {},
    }
    return {**empty, **sections}


async def start(hass: HomeAssistant) -> str:
    """Start a user flow and return its id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return str(result["flow_id"])


async def test_user_flow_creates_entry_with_flat_options(
    hass: HomeAssistant, sources: None
) -> None:
    """Every section filled: one entry, options flat under the documented keys."""
    hass.states.async_set(ANDROID_AUTO, "off")
    flow_id = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "  Work phone ", **FULL_FORM}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Work phone"
    assert result["data"] == {}
    assert result["options"] == {
        "driving_entities": [DRIVING],
        "car_entities": [ANDROID_AUTO],
        "driving_hold": 5,
        "phone_state_entities": [PHONE_STATE],
        "dnd_entities": [DND],
        "signal_entities": [SIGNAL],
        "weak_signal_dbm": -105,
        "weak_signal_margin": 5,
        "weak_signal_recovery": 60,
        "calendar_entities": [CALENDAR],
        "meeting_keywords": ["meeting"],
        "meeting_soon_minutes": 10,
        "min_free_minutes": 15,
        "tracker_entity": TRACKER,
        "dead_zones": [METRO],
        "noisy_zones": [BAR],
        "public_zones": [LIBRARY],
        "zone_exit": 60,
        "workday_entity": WORKDAY,
        "work_start": "09:00:00",
        "work_end": "18:00:00",
        "work_days": ["mon", "tue", "wed", "thu", "fri"],
    }
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.work_phone_client_call_ready") is not None


async def test_minimal_flow_fills_defaults(hass: HomeAssistant, sources: None) -> None:
    """Check that one driving sensor is enough; defaults fill the rest."""
    flow_id = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Phone", **form(activity={"driving_entities": [DRIVING]})}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"]["driving_entities"] == [DRIVING]
    assert result["options"]["weak_signal_dbm"] == -110
    assert result["options"]["work_days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert "tracker_entity" not in result["options"]


async def open_sources(hass: HomeAssistant, entry_id: str) -> Any:
    """Open the options flow's menu and pick the sources form."""
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    assert "sources" in result["menu_options"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "sources"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sources"
    return result


ERROR_CASES = [
    pytest.param(form(), {}, "no_sources", id="no_sources"),
    pytest.param(
        form(activity={"driving_entities": ["sensor.gone"]}),
        {"entity_id": "sensor.gone"},
        "entity_not_found",
        id="entity_not_found",
    ),
    pytest.param(
        form(location={"tracker_entity": "device_tracker.gone", "dead_zones": [METRO]}),
        {"entity_id": "device_tracker.gone"},
        "entity_not_found",
        id="tracker_not_found",
    ),
    pytest.param(form(location={"dead_zones": [METRO]}), {}, "zones_need_tracker", id="zones"),
    pytest.param(
        form(location={"tracker_entity": TRACKER, "dead_zones": [METRO], "noisy_zones": [METRO]}),
        {},
        "zone_in_two_lists",
        id="zone_twice",
    ),
    pytest.param(
        form(activity={"car_entities": [DRIVING]}, phone={"dnd_entities": [DND]}),
        {},
        "car_needs_driving",
        id="car_without_driving",
    ),
    pytest.param(
        form(phone={"dnd_entities": [DND]}, calendar={"meeting_keywords": ["x"]}),
        {},
        "keywords_need_calendar",
        id="keywords_without_calendar",
    ),
    pytest.param(form(hours={"work_start": "09:00:00"}), {}, "hours_incomplete", id="no_end"),
    pytest.param(form(hours={"work_end": "17:00:00"}), {}, "hours_incomplete", id="no_start"),
    pytest.param(
        form(hours={"work_start": "09:00", "work_end": "09:00:00"}), {}, "hours_empty", id="same"
    ),
    pytest.param(
        form(hours={"work_start": "09:00", "work_end": "17:00", "work_days": []}),
        {},
        "no_work_days",
        id="hours_no_days",
    ),
    pytest.param(
        form(hours={"workday_entity": WORKDAY, "work_days": []}),
        {},
        "no_work_days",
        id="workday_no_days",
    ),
]


@pytest.mark.parametrize(("user_input", "placeholders", "error"), ERROR_CASES)
async def test_user_flow_errors(
    hass: HomeAssistant,
    sources: None,
    user_input: dict[str, Any],
    placeholders: dict[str, str],
    error: str,
) -> None:
    """Each invalid combination is a translated form error; fixing it creates the entry."""
    flow_id = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Phone", **user_input}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert (result["description_placeholders"] or {}) == placeholders
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Phone", **form(activity={"driving_entities": [DRIVING]})}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(("name", "error"), [("   ", "name_required"), ("My phone", "name_exists")])
async def test_user_flow_name_errors(
    hass: HomeAssistant, sources: None, name: str, error: str
) -> None:
    """Check that an empty name or one already used is refused."""
    await setup_entry(hass, make_entry())
    flow_id = await start(hass)
    valid = form(activity={"driving_entities": [DRIVING]})
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": name, **valid})
    assert result["errors"] == {"base": error}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Second phone", **valid}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_schedule_only(hass: HomeAssistant, sources: None) -> None:
    """Check that a schedule helper alone is a valid source."""
    hass.states.async_set(SCHEDULE, "on")
    flow_id = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Phone", **form(hours={"schedule_entity": SCHEDULE})}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"]["schedule_entity"] == SCHEDULE


async def test_options_flow_prefilled_and_saved(hass: HomeAssistant, sources: None) -> None:
    """The options flow shows the current choices and replaces them, keeping other options."""
    entry = make_entry(
        {
            "driving_entities": [DRIVING],
            "weak_signal_dbm": -110,
            "work_days": ["mon"],
            "later_issue_setting": 5,
        }
    )
    await setup_entry(hass, entry)
    result = await open_sources(hass, entry.entry_id)
    schema = result["data_schema"].schema
    activity = next(key for key in schema if key == "activity")
    fields = schema[activity].schema.schema
    driving = next(key for key in fields if key == "driving_entities")
    assert driving.description == {"suggested_value": [DRIVING]}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(phone={"dnd_entities": [DND]})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["dnd_entities"] == [DND]
    assert entry.options["driving_entities"] == []
    assert entry.options["later_issue_setting"] == 5
    # The entry reloaded with the new options: DND now blocks, driving does not.
    hass.states.async_set(DND, "priority_only")
    hass.states.async_set(DRIVING, "in_vehicle")
    assert hass.states.get("binary_sensor.my_phone_client_call_ready").attributes["reasons"] == [
        "do_not_disturb"
    ]


async def test_options_flow_error_keeps_stored_options(hass: HomeAssistant, sources: None) -> None:
    """Check that a bad options form is refused and nothing stored is lost."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_sources(hass, entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(location={"dead_zones": [METRO]})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "zones_need_tracker"}
    assert dict(entry.options) == before
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(phone={"signal_entities": ["sensor.gone"]})
    )
    assert result["errors"] == {"base": "entity_not_found"}
    assert result["description_placeholders"] == {"entity_id": "sensor.gone"}
    assert dict(entry.options) == before


def open_sections(result: Any) -> set[str]:
    """Return the sections the form shows unfolded."""
    return {
        str(key)
        for key, field in result["data_schema"].schema.items()
        if isinstance(field, section) and not field.options["collapsed"]
    }


SECTION_CASES = [
    pytest.param(form(location={"dead_zones": [METRO]}), "location", id="zones_need_tracker"),
    pytest.param(
        form(phone={"dnd_entities": [DND]}, calendar={"meeting_keywords": ["x"]}),
        "calendar",
        id="keywords_need_calendar",
    ),
    pytest.param(form(hours={"work_start": "09:00:00"}), "hours", id="hours_incomplete"),
    pytest.param(
        form(hours={"workday_entity": WORKDAY, "work_days": []}), "hours", id="no_work_days"
    ),
    pytest.param(
        form(phone={"dnd_entities": [DND]}, calendar={"calendar_entities": ["calendar.gone"]}),
        "calendar",
        id="calendar_not_found",
    ),
    pytest.param(
        form(activity={"driving_entities": [DRIVING]}, hours={"schedule_entity": "schedule.x"}),
        "hours",
        id="schedule_not_found",
    ),
    pytest.param(
        form(activity={"driving_entities": [DRIVING]}, phone={"weak_signal_dbm": -30}),
        "phone",
        id="weak_signal_range",
    ),
    pytest.param(form(), None, id="no_sources"),
]


@pytest.mark.parametrize(("user_input", "holder"), SECTION_CASES)
async def test_error_opens_its_section(
    hass: HomeAssistant, sources: None, user_input: dict[str, Any], holder: str | None
) -> None:
    """Check that the section that holds the error is unfolded when the form comes back."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert open_sections(result) == {"activity", "phone"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Phone", **user_input}
    )
    assert result["errors"]
    assert open_sections(result) == {"activity", "phone"} | ({holder} if holder else set())
    for language in LANGUAGES:
        assert shown_texts(result, CONFIG, language)["error.base"]


async def test_options_error_opens_its_section(hass: HomeAssistant, sources: None) -> None:
    """The same in the options flow's sources form."""
    entry = await setup_entry(hass, make_entry())
    result = await open_sources(hass, entry.entry_id)
    assert open_sections(result) == {"activity", "phone"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(hours={"work_start": "09:00:00"}, phone={"dnd_entities": [DND]})
    )
    assert result["errors"] == {"base": "hours_incomplete"}
    assert open_sections(result) == {"activity", "phone", "hours"}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_weak_signal_out_of_range_in_words(
    hass: HomeAssistant, sources: None, language: str
) -> None:
    """A weak signal threshold out of range is refused with the range; nothing is rounded."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_sources(hass, entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(phone={"dnd_entities": [DND], "weak_signal_dbm": -150})
    )
    assert result["errors"] == {"base": "weak_signal_range"}
    text = shown_texts(result, OPTIONS, language)["error.base"]
    assert "-140" in text
    assert "-50" in text
    assert dict(entry.options) == before
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(phone={"dnd_entities": [DND], "weak_signal_dbm": -105.5})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["weak_signal_dbm"] == -105.5


async def test_times_without_seconds(hass: HomeAssistant, sources: None) -> None:
    """Check that the business-hours times are picked without seconds."""
    flow_id = await start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": "Phone", **form()})
    hours = result["data_schema"].schema["hours"].schema.schema
    times = [field for key, field in hours.items() if str(key) in ("work_start", "work_end")]
    assert [field.serialize() for field in times] == [
        {"selector": {"time": {"no_second": True}}}
    ] * 2
