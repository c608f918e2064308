"""Install the shipped automation blueprints into the user's blueprints folder.

The files in ``blueprints/automation/client_etiquette/`` are copied to
``<config>/blueprints/automation/client_etiquette/`` when missing. An existing file
is never overwritten: the user may have edited it (or deleted it on purpose, in which
case it comes back only if it is missing again at the next set-up).
"""

from __future__ import annotations

import logging
from pathlib import Path
import shutil
from typing import Final

from homeassistant.core import HomeAssistant

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

SHIPPED: Final = Path(__file__).parent / "blueprints" / "automation" / DOMAIN
TARGET: Final = f"blueprints/automation/{DOMAIN}"


def shipped_blueprints() -> list[Path]:
    """Return the blueprint files shipped with the integration, sorted by name."""
    return sorted(SHIPPED.glob("*.yaml"))


def _install(target: Path) -> list[str]:
    """Copy what is missing into ``target``; the names of the copied files."""
    copied: list[str] = []
    target.mkdir(parents=True, exist_ok=True)
    for source in shipped_blueprints():
        destination = target / source.name
        if destination.exists():
            continue
        try:
            # Exclusive creation: never overwrite a file that appeared meanwhile.
            with source.open("rb") as src, destination.open("xb") as dst:
                shutil.copyfileobj(src, dst)
        except FileExistsError:
            continue
        copied.append(source.name)
    return copied


async def async_install_blueprints(hass: HomeAssistant) -> list[str]:
    """Copy the shipped blueprints that are missing; the names of the files copied.

    Runs in the executor. A failure (read-only config folder, full disk) is logged and
    never stops the set-up.
    """
    target = Path(hass.config.path(TARGET))
    try:
        copied = await hass.async_add_executor_job(_install, target)
    except OSError as err:
        _LOGGER.warning("Could not install the Client Etiquette blueprints: %s", err)
        return []
    if copied:
        _LOGGER.info("Installed blueprints %s into %s", ", ".join(copied), target)
    return copied
