"""Hold what a loaded entry keeps at run time, and type the config entry that holds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .callbacks.queue import CallbackQueue
    from .callbacks.reminders import CallbackReminders
    from .callbacks.replies import Replies
    from .directory import ClientDirectory
    from .events import CallEvents
    from .sources.monitor import ReadinessMonitor
    from .telephony.missed import MissedCalls
    from .telephony.screener import CallScreener
    from .texting.sending import TextSending


@dataclass(slots=True, kw_only=True)
class ClientEtiquetteData:
    """What a loaded entry keeps at run time."""

    monitor: ReadinessMonitor
    directory: ClientDirectory
    callbacks: CallbackQueue
    events: CallEvents
    screener: CallScreener
    reminders: CallbackReminders
    sending: TextSending | None
    missed: MissedCalls
    replies: Replies


type ClientEtiquetteConfigEntry = ConfigEntry[ClientEtiquetteData]
