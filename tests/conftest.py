"""Shared fixtures: a real Home Assistant core with stand-in source entities."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from hypothesis import settings
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from . import make_entry, set_sources, setup_entry
from .texting import FakeTwilio

# Tests never assert timings: no per-example deadline, which a loaded CI machine trips.
settings.register_profile("client_etiquette", deadline=None)
settings.load_profile("client_etiquette")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture
async def sources(hass: HomeAssistant) -> None:
    """Stand-in source entities in a calm state; the time zone is Europe/Warsaw."""
    await hass.config.async_set_time_zone("Europe/Warsaw")
    set_sources(hass)


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, sources: None) -> MockConfigEntry:
    """Return an entry set up against the stand-in sources."""
    assert await async_setup_component(hass, "homeassistant", {})
    return await setup_entry(hass, make_entry())


@pytest.fixture
async def twilio(socket_enabled: None) -> AsyncGenerator[FakeTwilio]:
    """Yield the fake Twilio, listening on 127.0.0.1 (sockets stay limited to 127.0.0.1)."""
    fake = FakeTwilio()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base = str(server.make_url("")).rstrip("/")
    yield fake
    fake.release()
    await server.close()


@pytest.fixture
def texts(hass: HomeAssistant) -> list[ServiceCall]:
    """Return a real notify action standing in for an SMS gateway; records what it is asked."""
    calls: list[ServiceCall] = []

    async def record(call: ServiceCall) -> None:
        calls.append(call)

    hass.services.async_register("notify", "sms", record)
    return calls


@pytest.fixture
def reminders(hass: HomeAssistant) -> list[ServiceCall]:
    """Return the freelancer's phone: a notify action recording reminders."""
    calls: list[ServiceCall] = []

    async def record(call: ServiceCall) -> None:
        calls.append(call)

    hass.services.async_register("notify", "mobile_app_jan", record)
    return calls
