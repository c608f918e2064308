"""Diagnostics: useful, and without locations, calendar contents or phone numbers."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import CALENDAR, DRIVING, TRACKER


async def test_diagnostics_redacted(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """The verdict and sources are there; private values are redacted."""
    assert await async_setup_component(hass, "diagnostics", {})
    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(
        TRACKER, "not_home", {"latitude": 52.1234, "longitude": 21.5678, "gps_accuracy": 5}
    )
    hass.states.async_set(
        CALENDAR,
        "on",
        {"message": "Call Anna +48 601 234 567", "description": "secret", "all_day": False},
    )
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert result["readiness"]["ready"] is False
    assert result["readiness"]["reasons"] == ["driving", "in_meeting"]
    assert result["readiness"]["sources"]["driving"] == [DRIVING]
    assert result["override"]["mode"] == "auto"
    assert result["entry"]["options"]["driving_entities"] == [DRIVING]
    tracker = result["sources"][TRACKER]["attributes"]
    assert tracker["latitude"] == "**REDACTED**"
    assert tracker["longitude"] == "**REDACTED**"
    calendar = result["sources"][CALENDAR]["attributes"]
    assert calendar["message"] == "**REDACTED**"
    text = json.dumps(result)
    for secret in ("52.1234", "21.5678", "601 234 567", "secret"):
        assert secret not in text


async def test_diagnostics_missing_source(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """A source with no state is shown as None."""
    assert await async_setup_component(hass, "diagnostics", {})
    hass.states.async_remove(DRIVING)
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert result["sources"][DRIVING] is None
    assert DRIVING in result["readiness"]["unavailable_sources"]
