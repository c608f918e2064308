"""Turn the companion app's missed-call notifications into missed calls to screen.

The configured sensors are the app's *Last notification* sensors, with the phone's
dialer on their allow list. A new notification that ``core.notifications`` reads as
a missed call is screened as one (``telephony.missed``); its sensor and post time
are its event id, so the same notification seen again (an app re-sending it) does
nothing; a state restored at start-up (no state before it) is not a new notification.
"""

from __future__ import annotations

from collections.abc import Iterable
import logging
from typing import TYPE_CHECKING

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..core.models import MissedCall
from ..core.notifications import read_notification
from ..telephony.missed import async_missed_call

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

_LOGGER = logging.getLogger(__name__)
SOURCE = "companion_app"


@callback
def async_track_missed_call_notifications(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry, entity_ids: Iterable[str]
) -> CALLBACK_TYPE:
    """Screen each missed call the sensors report; return the function that stops it."""
    watched = list(entity_ids)

    @callback
    def changed(event: Event[EventStateChangedData]) -> None:
        state = event.data["new_state"]
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return
        if event.data["old_state"] is None:
            return  # restored at start-up: a notification from before, already handled
        notice = read_notification(state.attributes)
        if notice is None:
            return
        post_time = state.attributes.get("post_time")
        call = MissedCall(
            number=notice.number,
            rang_at=notice.posted_at or dt_util.utcnow(),
            source=SOURCE,
            event_id=f"{state.entity_id}:{post_time}" if notice.posted_at else None,
            name=notice.name,
        )
        _LOGGER.debug("Missed-call notification on %s", state.entity_id)
        hass.async_create_task(
            async_missed_call(entry, call), f"{DOMAIN} missed-call notification", eager_start=True
        )

    if not watched:
        return lambda: None
    return async_track_state_change_event(hass, watched, changed)
