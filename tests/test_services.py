"""The snooze action and the mode kept across restarts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)

from custom_components.client_etiquette.const import DOMAIN

from . import DRIVING, MODE, READY, READY_AGAIN, REASON, make_entry, reasons, setup_entry

WARSAW = ZoneInfo("Europe/Warsaw")


async def test_snooze_until_then_back_to_auto(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Check that snooze sets busy with a known end; at the end the mode returns to auto."""
    start = dt_util.utcnow()
    await hass.services.async_call(
        DOMAIN, "snooze", {"duration": {"minutes": 30}, "reason": "in_meeting"}, blocking=True
    )
    assert reasons(hass) == ["in_meeting"]
    assert hass.states.get(MODE).state == "busy"
    until = dt_util.parse_datetime(hass.states.get(MODE).attributes["busy_until"])
    assert until is not None
    assert dt_util.parse_datetime(hass.states.get(READY_AGAIN).state) == until.replace(
        microsecond=0
    )
    assert timedelta(minutes=29) < until - start <= timedelta(minutes=30, seconds=1)
    freezer.tick(timedelta(minutes=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(READY).state == "on"
    assert hass.states.get(MODE).state == "auto"
    assert hass.states.get(MODE).attributes["busy_until"] is None


async def test_snooze_default_reason_is_manual(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Check that without a reason the snooze is manual; by entry id works too."""
    await hass.services.async_call(
        DOMAIN,
        "snooze",
        {"duration": "01:00:00", "config_entry_id": loaded_entry.entry_id},
        blocking=True,
    )
    assert hass.states.get(REASON).state == "manual"
    assert hass.states.get(READY_AGAIN).state != "unknown"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"duration": "00:00:00"}, "invalid_duration"),
        ({"duration": {"days": 8}}, "invalid_duration"),
        ({"duration": "00:10:00", "config_entry_id": "nope"}, "entry_not_found"),
    ],
)
async def test_snooze_validation(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, data: dict[str, object], key: str
) -> None:
    """Check that bad input is a translated validation error and changes nothing."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "snooze", data, blocking=True)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN
    assert hass.states.get(MODE).state == "auto"


async def test_snooze_entry_selection(hass: HomeAssistant, sources: None) -> None:
    """Two entries, an unloaded entry: each a clear error; one left loaded is used."""
    first = await setup_entry(hass, make_entry())
    second = await setup_entry(hass, make_entry(title="Second"))
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "snooze", {"duration": "00:10:00"}, blocking=True)
    assert err.value.translation_key == "entry_required"
    await hass.config_entries.async_unload(second.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "snooze",
            {"duration": "00:10:00", "config_entry_id": second.entry_id},
            blocking=True,
        )
    assert err.value.translation_key == "entry_not_loaded"
    assert err.value.translation_placeholders == {"entry_title": "Second"}
    await hass.services.async_call(DOMAIN, "snooze", {"duration": "00:10:00"}, blocking=True)
    assert hass.states.get(READY).state == "off"
    assert first.state.name == "LOADED"


async def test_no_loaded_entry(hass: HomeAssistant, sources: None) -> None:
    """Check that the action exists once an entry was set up; with none loaded it says so."""
    entry = await setup_entry(hass, make_entry())
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "snooze", {"duration": "00:10:00"}, blocking=True)
    assert err.value.translation_key == "no_entries"


async def test_mode_and_snooze_restored_after_restart(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that a snooze survives a restart with its end and reason."""
    now = datetime(2026, 11, 23, 10, 0, tzinfo=WARSAW)
    freezer.move_to(now)
    until = now + timedelta(hours=1)
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(MODE, "busy"),
                {"busy_until": until.isoformat(), "reason": "do_not_disturb"},
            )
        ],
    )
    await setup_entry(hass, make_entry())
    assert hass.states.get(MODE).state == "busy"
    assert reasons(hass) == ["do_not_disturb"]
    assert dt_util.parse_datetime(hass.states.get(READY_AGAIN).state) == until


@pytest.mark.parametrize(
    ("state", "extra", "expected_reasons"),
    [
        ("available", None, []),
        ("busy", {"busy_until": None, "reason": "bogus"}, ["manual", "driving"]),
        ("busy", {"busy_until": "2020-01-01T00:00:00+00:00", "reason": "manual"}, ["driving"]),
        ("not-a-mode", None, ["driving"]),
    ],
)
async def test_restore_edge_cases(
    hass: HomeAssistant,
    sources: None,
    state: str,
    extra: dict[str, object] | None,
    expected_reasons: list[str],
) -> None:
    """Check that unreadable or expired restored data falls back safely."""
    hass.states.async_set(DRIVING, "in_vehicle")
    mock_restore_cache_with_extra_data(hass, [(State(MODE, state), extra or {})])
    await setup_entry(hass, make_entry())
    assert reasons(hass) == expected_reasons
