"""The outbox's Store: where its texts are kept on disk, and their migrations."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from ..const import DOMAIN

STORAGE_VERSION: Final = 1
# 1.2 adds "unsure" to items; older items read it as false.
# 1.3 adds "message_id" (the gateway's id of a sent text); older items read it as None.
STORAGE_MINOR_VERSION: Final = 3


def _key(entry_id: str) -> str:
    return f"{DOMAIN}.{entry_id}.outbox"


class OutboxStore(Store[dict[str, Any]]):
    """The outbox's Store; migrations from older layouts go here."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        """Bring stored data to the current version.

        1.2 only adds the optional ``unsure`` to items (read as false when missing) and
        1.3 the optional ``message_id`` (read as None), so 1.0 to 1.2 data is already
        valid. Future layouts: "if old_major_version < 2: ..."
        transforms old_data here.
        """
        if old_major_version > STORAGE_VERSION:
            raise NotImplementedError
        return old_data


def outbox_store(hass: HomeAssistant, entry_id: str) -> OutboxStore:
    """Open the Store of an entry's outbox (private, written atomically)."""
    return OutboxStore(
        hass,
        STORAGE_VERSION,
        _key(entry_id),
        private=True,
        atomic_writes=True,
        minor_version=STORAGE_MINOR_VERSION,
    )


async def async_remove_outbox(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed entry's stored outbox (recent texts and their numbers)."""
    await OutboxStore(hass, STORAGE_VERSION, _key(entry_id), private=True).async_remove()
