"""Screen a call missed on the freelancer's own phone as one sent to voicemail when it rang.

The apps on the phone (httpSMS, SMS Gateway for Android, the companion app's
notification sensor) report a missed call after it rang. It is screened with the
readiness verdict of the moment it rang (kept 30 minutes by the readiness monitor,
``core.verdicts``), by the
same rules as any call (``CallScreener.screen_missed``).

Each missed call is screened once: a report whose app event id was seen before, or of
a call from the same caller within ``SAME_CALL`` of one already screened (another
route reporting the same call, or an app retrying with a new id), does nothing. Both
marks are kept with the callback queue (its seen call ids and its call history), so
they hold across restarts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ..callbacks.models import CallbackItem
from ..callbacks.queue import CallbackQueue
from ..core.models import Client, MissedCall, Readiness
from ..core.phone import normalize_number
from ..directory import ClientDirectory
from ..sources.monitor import ReadinessMonitor
from .screener import CallOutcome, CallScreener

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

_LOGGER = logging.getLogger(__name__)
# Two reports of calls from one caller this close in time are one call.
SAME_CALL: Final = timedelta(seconds=60)
# The seen-calls record of an app's event id that was a missed call.
MISSED_EVENT: Final = "missed_event"


async def async_missed_call(entry: ClientEtiquetteConfigEntry, call: MissedCall) -> bool:
    """Screen a missed call as sent to voicemail at the time it rang; False for a duplicate.

    Also False when there is nobody to call back: a contact name the phone showed
    that is no client's. Returns once the callback is on disk.
    """
    return await async_screen_missed(entry, call) is not None


async def async_screen_missed(
    entry: ClientEtiquetteConfigEntry, call: MissedCall
) -> CallOutcome | None:
    """Screen a missed call like ``async_missed_call``; return what was decided, None if not."""
    data = entry.runtime_data
    screened = data.missed.screen(call)
    if screened is None:
        return None
    await data.callbacks.async_commit()
    return screened[0]


class MissedCalls:
    """The verdicts of the last minutes, and the missed calls screened with them."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        monitor: ReadinessMonitor,
        directory: ClientDirectory,
        queue: CallbackQueue,
        screener: CallScreener,
    ) -> None:
        """Keep what screening a missed call needs (the monitor keeps the verdicts)."""
        self._hass = hass
        self._monitor = monitor
        self._directory = directory
        self._queue = queue
        self._screener = screener

    def verdict_at(self, moment: datetime) -> Readiness | None:
        """Return the verdict that held at ``moment``, None when it is not known."""
        return self._monitor.verdict_at(moment)

    @callback
    def screen(self, call: MissedCall) -> tuple[CallOutcome, CallbackItem] | None:
        """Screen a missed call once; the decision and the callback.

        None for a duplicate or a name that is no client's.
        """
        event_key = f"{call.source}:{call.event_id}" if call.event_id else None
        if event_key is not None and self._queue.seen_call(event_key) is not None:
            _LOGGER.debug("Missed call %s reported again; ignored", event_key)
            return None
        caller = self._caller(call)
        if caller is None:
            _LOGGER.debug("Missed call from %s, no client of that name; ignored", call.name)
            return None
        client, number = caller
        rang_at = call.rang_at
        if self._screened(client, number, rang_at):
            _LOGGER.debug("Missed call from %s at %s already screened", number, rang_at)
            self._note_event(event_key)
            return None
        outcome, item = self._screener.screen_missed(
            number=number,
            name=call.name,
            source=call.source,
            rang_at=rang_at,
            readiness=self.verdict_at(rang_at),
            client=client,
        )
        self._note_event(event_key)
        return outcome, item

    def _caller(self, call: MissedCall) -> tuple[Client | None, str] | None:
        """Return the client (if any) and the number to screen; None: nobody to call back."""
        if call.number.strip() or not call.name:
            e164 = normalize_number(call.number, self._screener.region) or call.number.strip()
            return self._directory.by_number(e164), e164
        client = self._directory.by_contact_name(call.name)
        if client is None or not client.numbers:
            return None
        return client, client.numbers[0]

    def _screened(self, client: Client | None, number: str, rang_at: datetime) -> bool:
        """Return True when a call from this caller at about ``rang_at`` was screened."""
        calls = self._queue.history.calls
        numbers = client.numbers if client is not None and client.numbers else (number,)
        return any(
            abs(at - rang_at) < SAME_CALL for known in numbers for at in calls.get(known, ())
        )

    def _note_event(self, event_key: str | None) -> None:
        if event_key is not None:
            record = {"at": dt_util.utcnow().timestamp(), MISSED_EVENT: True}
            self._queue.note_seen_call(event_key, record)
