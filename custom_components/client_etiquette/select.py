"""The mode select: automatic readiness, or a manual override (available / busy)."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.components.select import SelectEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.util import dt as dt_util

from .const import ATTR_BUSY_UNTIL, ATTR_REASON
from .core.models import Mode, Readiness, Reason
from .entity import ReadinessEntity, entity_id_changed

if TYPE_CHECKING:
    from .runtime import ClientEtiquetteConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClientEtiquetteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the mode select of an entry."""
    async_add_entities([ModeSelect(entry, "mode")])


class OverrideData(ExtraStoredData):
    """The override kept across restarts: the snooze end and its reason."""

    def __init__(self, busy_until: datetime | None, reason: Reason) -> None:
        """Hold the snooze end and reason."""
        self.busy_until = busy_until
        self.reason = reason

    def as_dict(self) -> dict[str, Any]:
        """Serialise for the restore-state store."""
        return {
            ATTR_BUSY_UNTIL: self.busy_until.isoformat() if self.busy_until else None,
            ATTR_REASON: self.reason.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OverrideData:
        """Read back what as_dict wrote; anything unreadable means no snooze."""
        until = data.get(ATTR_BUSY_UNTIL)
        reason = str(data.get(ATTR_REASON))
        return cls(
            dt_util.parse_datetime(until) if isinstance(until, str) else None,
            Reason(reason) if reason in set(Reason) else Reason.MANUAL,
        )


class ModeSelect(ReadinessEntity, SelectEntity, RestoreEntity):
    """Auto, or a Focus-like manual override; the snooze action sets busy until a time."""

    _attr_options = [mode.value for mode in Mode]

    async def async_added_to_hass(self) -> None:
        """Restore the last override, then follow the monitor."""
        last_state = await self.async_get_last_state()
        extra = await self.async_get_last_extra_data()
        if last_state is not None and last_state.state in self._attr_options:
            data = OverrideData.from_dict(extra.as_dict()) if extra else None
            self._monitor.async_set_mode(
                Mode(last_state.state),
                data.busy_until if data else None,
                data.reason if data else Reason.MANUAL,
            )
        await super().async_added_to_hass()

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Accept a rename in place (Home Assistant 2026.11+): nothing depends on the entity id."""
        entity_id_changed(super(), old_entity_id)

    def _projection(self, readiness: Readiness) -> Hashable:
        """Return the mode and the snooze end, which a new verdict alone never changes."""
        return (self._monitor.mode, self._monitor.busy_until)

    def _update_from(self, readiness: Readiness) -> None:
        self._attr_current_option = self._monitor.mode.value
        until = self._monitor.busy_until
        self._attr_extra_state_attributes = {
            ATTR_BUSY_UNTIL: until.isoformat() if until else None,
        }

    @property
    def extra_restore_state_data(self) -> OverrideData:
        """The snooze end and reason, kept across restarts."""
        return OverrideData(self._monitor.busy_until, self._monitor.busy_reason)

    async def async_select_option(self, option: str) -> None:
        """Set the override; choosing a mode by hand ends any snooze."""
        self._monitor.async_set_mode(Mode(option))
