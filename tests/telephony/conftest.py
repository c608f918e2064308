"""Fixtures of the telephony tests: the integration with its webhooks, reachable over HTTP."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.client_etiquette.const import EVENT_CALL_SCREENED

from .. import BASE_OPTIONS, make_entry, setup_entry
from . import EXTERNAL, TELEPHONY, ClientFactory, Setup


@pytest.fixture
async def setup(hass: HomeAssistant, sources: None, hass_client_no_auth: ClientFactory) -> Setup:
    """Return the integration with both webhooks enabled, reachable at EXTERNAL."""
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "webhook", {})
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    entry = await setup_entry(hass, make_entry({**BASE_OPTIONS, **TELEPHONY}))
    return Setup(hass, entry, await hass_client_no_auth(), screened)
