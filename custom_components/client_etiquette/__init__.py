"""Client Etiquette: can I take a client call right now, and what to tell them if not."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .missing_sources import async_clear_missing_sources, async_track_missing_sources
from .monitor import ReadinessMonitor
from .services import async_setup_services
from .sources import SourceConfig

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.SELECT, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


@dataclass(slots=True)
class ClientEtiquetteData:
    """What a loaded entry keeps at run time."""

    monitor: ReadinessMonitor


type ClientEtiquetteConfigEntry = ConfigEntry[ClientEtiquetteData]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once for all entries."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> bool:
    """Start the readiness monitor of one entry and its entities."""
    monitor = ReadinessMonitor(hass, SourceConfig.from_options(entry.options))
    entry.runtime_data = ClientEtiquetteData(monitor=monitor)
    monitor.async_start()
    entry.async_on_unload(monitor.async_stop)
    entry.async_on_unload(async_track_missing_sources(hass, entry, monitor.config.entity_ids))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> bool:
    """Unload an entry; its listeners and timers are cancelled by async_on_unload."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> None:
    """Forget the repair issues of a removed entry."""
    async_clear_missing_sources(hass, entry.entry_id)
