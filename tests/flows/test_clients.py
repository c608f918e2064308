"""The client directory in the UI: sub-entry flow, reconfigure, every error."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.client_etiquette.const import DOMAIN

from .. import BASE_OPTIONS, setup_entry
from ..flow_text import CLIENT, LANGUAGES, shown_texts

ANNA = "+48 601 234 567"
ANNA_E164 = "+48601234567"


def client_form(**changes: Any) -> dict[str, Any]:
    """Return a complete client form; keyword arguments replace fields."""
    form: dict[str, Any] = {
        "name": "Anna Kowalska",
        "numbers": [ANNA],
        "tier": "vip",
        "language": "pl",
        "time_zone": "Europe/Warsaw",
        "channel": "call",
        "contact": {
            "contact_start": "09:00:00",
            "contact_end": "18:00:00",
            "contact_days": ["mon", "tue", "wed", "thu", "fri"],
        },
    }
    form.update(changes)
    return form


def entry_with_client(data: dict[str, Any] | None = None) -> MockConfigEntry:
    """Return an entry that already has Anna as a client."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="My phone",
        options=dict(BASE_OPTIONS),
        subentries_data=[
            ConfigSubentryData(
                data=data or {"numbers": [ANNA_E164], "tier": "regular", "language": "pl"},
                subentry_type="client",
                title="Anna Kowalska",
                unique_id=None,
            )
        ],
    )


async def start(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, "client"), context={"source": "user"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return dict(result)


async def test_add_client_normalises_numbers(hass: HomeAssistant, sources: None) -> None:
    """Check that a client is stored with E.164 numbers; the country is Home Assistant's."""
    hass.config.country = "PL"
    entry = await setup_entry(hass, entry_with_client())
    result = await start(hass, entry.entry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        client_form(
            name="  Jan Nowak ",
            numbers=["601 111 222", "", "+48601111222"],
            email="jan@example.com",
            note="Prefers mornings",
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    client = next(sub for sub in entry.subentries.values() if sub.title == "Jan Nowak")
    assert client.data["numbers"] == ["+48601111222"]
    assert client.data["email"] == "jan@example.com"
    assert client.data["contact_start"] == "09:00:00"
    assert client.data["tier"] == "vip"
    assert entry.runtime_data.directory.by_number("+48601111222").name == "Jan Nowak"


async def test_form_suggests_home_time_zone(hass: HomeAssistant, sources: None) -> None:
    """Check that the form opens with Home Assistant's time zone and office hours suggested."""
    entry = await setup_entry(hass, entry_with_client())
    result = await start(hass, entry.entry_id)
    schema = result["data_schema"].schema
    zone = next(key for key in schema if key == "time_zone")
    assert zone.description == {"suggested_value": "Europe/Warsaw"}


ERRORS = [
    pytest.param({"name": "  "}, "name_required", {}, id="name_required"),
    pytest.param({"numbers": ["12"]}, "invalid_number", {"number": "12"}, id="invalid_number"),
    pytest.param(
        {"numbers": ["+48 601 234 567"]},
        "number_in_use",
        {"number": "+48 601 234 567", "client": "Anna Kowalska"},
        id="number_in_use",
    ),
    pytest.param({"numbers": ["", " "]}, "no_numbers", {}, id="no_numbers"),
    pytest.param({"email": "anna@"}, "invalid_email", {}, id="invalid_email"),
    pytest.param({"email": "an na@x.pl"}, "invalid_email", {}, id="email_with_space"),
    pytest.param(
        {"contact": {"contact_start": "09:00:00", "contact_days": ["mon"]}},
        "hours_incomplete",
        {},
        id="hours_incomplete",
    ),
    pytest.param(
        {"contact": {"contact_start": "09:00:00", "contact_end": "09:00", "contact_days": []}},
        "hours_empty",
        {},
        id="hours_empty",
    ),
    pytest.param(
        {"contact": {"contact_start": "09:00:00", "contact_end": "17:00", "contact_days": []}},
        "no_contact_days",
        {},
        id="no_contact_days",
    ),
]


@pytest.mark.parametrize(("changes", "error", "placeholders"), ERRORS)
async def test_client_errors(
    hass: HomeAssistant,
    sources: None,
    changes: dict[str, Any],
    error: str,
    placeholders: dict[str, str],
) -> None:
    """Check that bad input is a translated form error and adds nothing."""
    entry = await setup_entry(hass, entry_with_client())
    result = await start(hass, entry.entry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], client_form(**{"numbers": ["+48601999888"], **changes})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert result["description_placeholders"] == {"default_country": "—", **placeholders}
    for language in LANGUAGES:
        assert shown_texts(result, CLIENT, language)["error.base"]
    assert len(entry.subentries) == 1


async def test_any_time_client(hass: HomeAssistant, sources: None) -> None:
    """Check that no contact hours means any time."""
    entry = await setup_entry(hass, entry_with_client())
    result = await start(hass, entry.entry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        client_form(numbers=["+1 212 555 0100"], contact={"contact_days": []}),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    client = entry.runtime_data.directory.by_number("+12125550100")
    assert client is not None
    assert client.contact_hours is None


async def test_reconfigure_client(hass: HomeAssistant, sources: None) -> None:
    """Check that editing keeps the client's own number allowed, and the entry reloads."""
    entry = await setup_entry(hass, entry_with_client())
    subentry_id = next(iter(entry.subentries))
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "client"),
        context={"source": "reconfigure", "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    name = next(key for key in result["data_schema"].schema if key == "name")
    assert name.description == {"suggested_value": "Anna Kowalska"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], client_form(email="bad")
    )
    assert result["errors"] == {"base": "invalid_email"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], client_form(name="Anna K.", tier="new")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.subentries[subentry_id].title == "Anna K."
    assert entry.subentries[subentry_id].data["numbers"] == [ANNA_E164]
    assert entry.runtime_data.directory.by_number(ANNA_E164).tier == "new"


async def test_directory_follows_removal(hass: HomeAssistant, sources: None) -> None:
    """Check that a removed client is no longer found by number."""
    entry = await setup_entry(hass, entry_with_client())
    directory = entry.runtime_data.directory
    assert [client.name for client in directory.clients] == ["Anna Kowalska"]
    subentry_id = next(iter(entry.subentries))
    assert directory.by_id(subentry_id) is not None
    hass.config_entries.async_remove_subentry(entry, subentry_id)
    assert directory.by_number(ANNA_E164) is None
    assert directory.clients == []


async def test_directory_follows_an_edit_in_place(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """A sub-entry changed in place (same mapping) is indexed again, before any reload."""
    entry = await setup_entry(hass, entry_with_client())
    directory = entry.runtime_data.directory
    subentry = next(iter(entry.subentries.values()))
    assert directory.by_number(ANNA_E164).tier == "regular"
    freezer.tick(1)
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, "tier": "vip"}
    )
    assert directory.by_number(ANNA_E164).tier == "vip"


async def test_bad_stored_time_zone_falls_back(hass: HomeAssistant, sources: None) -> None:
    """Check that a stored time zone that no longer exists does not break the directory."""
    entry = await setup_entry(
        hass,
        entry_with_client(
            {
                "numbers": [ANNA_E164],
                "time_zone": "Mars/Olympus",
                "contact_start": "09:00:00",
                "contact_end": "17:00:00",
            }
        ),
    )
    client = entry.runtime_data.directory.by_number(ANNA_E164)
    assert str(client.contact_hours.tz) == "UTC"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_number_hint_names_the_default_country(
    hass: HomeAssistant, sources: None, language: str
) -> None:
    """The hint says which country numbers without a code get: the options' first, then HA's."""
    hass.config.country = "PL"
    entry = await setup_entry(hass, entry_with_client())
    result = await start(hass, entry.entry_id)
    assert result["description_placeholders"] == {"default_country": "PL (+48)"}
    assert "PL (+48)" in shown_texts(result, CLIENT, language)["data_description.numbers"]

    hass.config_entries.async_update_entry(entry, options={**entry.options, "default_region": "DE"})
    await hass.async_block_till_done()
    result = await start(hass, entry.entry_id)
    assert "DE (+49)" in shown_texts(result, CLIENT, language)["data_description.numbers"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], client_form(name="Jan", numbers=["030 1234567"])
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.runtime_data.directory.by_number("+49301234567").name == "Jan"


async def test_client_form_wording(hass: HomeAssistant, sources: None) -> None:
    """Times without seconds; one "Phone number" per line (the button says "Add Phone number")."""
    entry = await setup_entry(hass, entry_with_client())
    result = await start(hass, entry.entry_id)
    contact = result["data_schema"].schema["contact"].schema.schema
    assert [field.serialize() for field in contact.values()][:2] == [
        {"selector": {"time": {"no_second": True}}}
    ] * 2
    labels = {lang: shown_texts(result, CLIENT, lang)["data.numbers"] for lang in LANGUAGES}
    assert labels == {"en": "Phone number", "pl": "Numer telefonu", "ru": "Номер телефона"}


async def test_overnight_contact_hours(hass: HomeAssistant, sources: None) -> None:
    """The form says an end before the start means overnight, and such hours are taken."""
    entry = await setup_entry(hass, entry_with_client())
    result = await start(hass, entry.entry_id)
    for language in LANGUAGES:
        hint = shown_texts(result, CLIENT, language)[
            "sections.contact.data_description.contact_end"
        ]
        assert "20:00" in hint
        assert "02:00" in hint
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        client_form(
            numbers=["+48601999888"],
            contact={
                "contact_start": "20:00:00",
                "contact_end": "02:00:00",
                "contact_days": ["mon"],
            },
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    hours = entry.runtime_data.directory.by_number("+48601999888").contact_hours
    assert (hours.start.hour, hours.end.hour) == (20, 2)
