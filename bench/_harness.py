"""Shared pieces of the benchmarks: a real Home Assistant core, statistics, tables.

The core is built the way ``bootstrap`` builds one (registries, config entries, the
loader, translations, templates) in a temporary configuration directory, without the
mocks and patches of the pytest helpers, and is stopped properly at the end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
import logging
import os
from pathlib import Path
import platform
import socket
import statistics
import tempfile
from typing import Any

from homeassistant import bootstrap, config_entries, core_config, loader
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

REPO = Path(__file__).resolve().parent.parent
TIME_ZONE = "Europe/Warsaw"
# Nothing here imports the integration, so start-up and memory runs can measure its import.
DOMAIN = "client_etiquette"

ZONES = {
    "metro": ("Metro", 52.2300, 21.0100),
    "jazz_bar": ("Jazz Bar", 52.2400, 21.0200),
    "library": ("City Library", 52.2500, 21.0300),
}
CALM = {
    "sensor.{p}_detected_activity": "still",
    "sensor.{p}_phone_state": "idle",
    "sensor.{p}_do_not_disturb": "off",
    "sensor.{p}_signal_strength": "-85",
    "calendar.{p}_work": "off",
    "device_tracker.{p}_phone": "not_home",
}


@asynccontextmanager
async def real_hass(
    *, quiet: bool = True, start: bool = True, http_port: int | None = None
) -> AsyncIterator[HomeAssistant]:
    """Yield a Home Assistant core in a throw-away configuration directory.

    ``start``: run Home Assistant's real start (start events, http server up); without it
    the core is left in its "not running" state for the caller to set up things first.
    """
    http_port = http_port or free_port()
    if quiet:
        logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="ce-bench-") as config_dir:
        # The integration is loaded from the repository, as in development.
        os.symlink(REPO / "custom_components", Path(config_dir) / "custom_components")
        hass = HomeAssistant(config_dir)
        hass.config.skip_pip = True
        loader.async_setup(hass)
        hass.config_entries = config_entries.ConfigEntries(hass, {})
        await loader.async_get_custom_components(hass)
        await bootstrap.async_load_base_functionality(hass)
        await core_config.async_process_ha_core_config(
            hass,
            {
                "name": "Bench",
                "latitude": 52.2297,
                "longitude": 21.0122,
                "elevation": 100,
                "unit_system": "metric",
                "time_zone": TIME_ZONE,
                "country": "PL",
            },
        )
        assert await async_setup_component(hass, "homeassistant", {})
        # The callback to-do list pulls in http: keep it on loopback, on a free port.
        assert await async_setup_component(
            hass, "http", {"http": {"server_host": "127.0.0.1", "server_port": http_port}}
        )
        if start:
            await hass.async_start()
        try:
            yield hass
        finally:
            await hass.async_stop(force=True)


def free_port() -> int:
    """Return a TCP port nobody listens on at 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Stats:
    """Median and spread of a sample."""

    def __init__(self, values: Sequence[float]) -> None:
        self.values = sorted(values)
        self.n = len(values)
        self.median = statistics.median(self.values)
        self.min = self.values[0]
        self.max = self.values[-1]
        if self.n >= 4:
            q1, _, q3 = statistics.quantiles(self.values, n=4, method="inclusive")
        else:
            q1, q3 = self.min, self.max
        self.q1, self.q3 = q1, q3

    def fmt(self, scale: float = 1.0, digits: int = 1) -> str:
        """``median [q1-q3]`` scaled (e.g. 1e6 for microseconds)."""
        return (
            f"{self.median * scale:.{digits}f} "
            f"[{self.q1 * scale:.{digits}f}-{self.q3 * scale:.{digits}f}]"
        )


def percentile(values: Sequence[float], pct: float) -> float:
    """Return the nearest-rank percentile of a sample."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a plain-text table with right-aligned columns after the first."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        first, *rest = row
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        )

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells[1:])
    return "\n".join(out)


def machine() -> str:
    """One line about the machine and interpreter the figures came from."""
    model = platform.processor() or platform.machine()
    try:
        for row in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if row.startswith("model name"):
                model = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from homeassistant.const import __version__ as ha_version  # noqa: PLC0415

    return (
        f"machine: {os.cpu_count()} CPU(s), {model}; Python {platform.python_version()}; "
        f"Home Assistant {ha_version}"
    )


def options(prefix: str) -> dict[str, Any]:
    """Entry options watching one set of stand-in sources."""
    return {
        "driving_entities": [f"sensor.{prefix}_detected_activity"],
        "phone_state_entities": [f"sensor.{prefix}_phone_state"],
        "dnd_entities": [f"sensor.{prefix}_do_not_disturb"],
        "signal_entities": [f"sensor.{prefix}_signal_strength"],
        "weak_signal_dbm": -110,
        "calendar_entities": [f"calendar.{prefix}_work"],
        "meeting_keywords": [],
        "tracker_entity": f"device_tracker.{prefix}_phone",
        "dead_zones": [f"zone.{prefix}_metro"],
        "noisy_zones": [f"zone.{prefix}_jazz_bar"],
        "public_zones": [f"zone.{prefix}_library"],
    }


def set_value(hass: HomeAssistant, pattern: str, prefix: str, value: str) -> None:
    """Set one stand-in source of a set; ``on_all_day`` is a calendar's all-day event."""
    entity_id = pattern.format(p=prefix)
    if value == "on_all_day":
        hass.states.async_set(entity_id, "on", {"all_day": True, "message": "Holiday"})
    elif entity_id.startswith("calendar."):
        hass.states.async_set(entity_id, value, {"all_day": False, "message": "Client meeting"})
    else:
        hass.states.async_set(entity_id, value)


def set_calm(hass: HomeAssistant, prefix: str) -> None:
    """Every source of a set calm, and its three zones."""
    for pattern, value in CALM.items():
        set_value(hass, pattern, prefix, value)
    for key, (name, lat, lon) in ZONES.items():
        hass.states.async_set(
            f"zone.{prefix}_{key}",
            "0",
            {"friendly_name": name, "latitude": lat, "longitude": lon, "radius": 100},
        )


def client_number(index: int) -> str:
    """Return a valid Polish mobile number per client index, written as people type it."""
    digits = f"{600_000_000 + index:09d}"
    return f"+48 {digits[:3]} {digits[3:6]} {digits[6:]}"


def e164(index: int) -> str:
    """Return the normalised form of ``client_number``."""
    return f"+48{600_000_000 + index:09d}"


def clients(count: int) -> list[ConfigSubentryData]:
    """``count`` client sub-entries."""
    return [
        ConfigSubentryData(
            data={
                "numbers": [client_number(index)],
                "tier": "regular",
                "language": "en",
                "time_zone": "Europe/Warsaw",
            },
            subentry_type="client",
            title=f"Client {index}",
            unique_id=None,
        )
        for index in range(count)
    ]
