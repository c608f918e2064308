"""Reminders: call back when the moment is good again, and notice promises that pass.

When readiness returns and the client's agreed contact hours are open, ``callback_due``
fires (once per waiting item) and, when configured, the freelancer's phone gets a
notification with a ``tel:`` action (rule E12: ask whether they can talk now). A promised
time that passes with the item still waiting fires ``callback_overdue``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from . import hours
from .callbacks import CALL_BACK, CallbackItem, CallbackQueue, ui_language
from .calls import CallScreener
from .const import EVENT_CALLBACK_DUE, EVENT_CALLBACK_OVERDUE
from .directory import ClientDirectory
from .models import Readiness
from .monitor import ReadinessMonitor

_LOGGER = logging.getLogger(__name__)
# A promise counts as broken this long after the promised time.
OVERDUE_GRACE = timedelta(minutes=15)

REMINDER_TEXT: dict[str, str] = {
    "en": "Good time to call back now ({calls} calls). Ask first whether they can talk.",
    "ru": "Сейчас удобно перезвонить (звонков: {calls}). Сначала спросите, удобно ли говорить.",
    "pl": (
        "Teraz jest dobry moment, by oddzwonić (połączeń: {calls}). "
        "Najpierw zapytaj, czy mogą rozmawiać."
    ),
}
CALL_BUTTON = {"en": "Call", "ru": "Позвонить", "pl": "Zadzwoń"}


def reminder_message(item: CallbackItem, language: str) -> dict[str, Any]:
    """The notification for the freelancer's phone, in their Home Assistant language."""
    lang = ui_language(language)
    uri = f"tel:{item.number}"
    return {
        "title": CALL_BACK[lang].format(name=item.name),
        "message": REMINDER_TEXT[lang].format(calls=item.calls),
        "data": {
            "url": uri,
            "clickAction": uri,
            "actions": [{"action": "URI", "title": CALL_BUTTON[lang], "uri": uri}],
        },
    }


class CallbackReminders:
    """Watches readiness, contact hours and promised times for one entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        screener: CallScreener,
        queue: CallbackQueue,
        monitor: ReadinessMonitor,
        directory: ClientDirectory,
        notify_action: str | None,
    ) -> None:
        """Keep the parts; start with async_start."""
        self._hass = hass
        self._screener = screener
        self._queue = queue
        self._monitor = monitor
        self._directory = directory
        self._notify_action = notify_action
        self._unsubs: list[CALLBACK_TYPE] = []
        self._timer: CALLBACK_TYPE | None = None
        self._checking = False

    @callback
    def async_start(self) -> None:
        """Follow readiness and the queue; check once now."""
        self._unsubs.append(self._monitor.async_add_listener(self._on_readiness))
        self._unsubs.append(self._queue.async_add_listener(self.async_check))
        self.async_check()

    @callback
    def async_stop(self) -> None:
        """Cancel listeners and the timer."""
        while self._unsubs:
            self._unsubs.pop()()
        self._cancel_timer()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    @callback
    def _on_readiness(self, readiness: Readiness) -> None:
        self.async_check()

    @callback
    def _on_timer(self, now: datetime) -> None:
        self._timer = None
        self.async_check()

    @callback
    def async_check(self) -> None:
        """Fire what is due or overdue, then wait for the next known moment."""
        if self._checking:
            return
        self._checking = True
        try:
            now = dt_util.utcnow()
            wake = [self._check_item(item, now) for item in self._queue.items]
        finally:
            self._checking = False
        self._cancel_timer()
        moments = [moment for moment in wake if moment is not None]
        if moments:
            self._timer = async_track_point_in_utc_time(self._hass, self._on_timer, min(moments))

    def _check_item(self, item: CallbackItem, now: datetime) -> datetime | None:
        """Fire this item's reminders; returns when to look at it again."""
        wake: list[datetime] = []
        if item.promised_at is not None and not item.overdue_fired:
            deadline = item.promised_at + OVERDUE_GRACE
            if now >= deadline:
                self._queue.async_update(item.uid, overdue_fired=True)
                self._screener.fire(EVENT_CALLBACK_OVERDUE, _event_data(item))
            else:
                wake.append(deadline)
        if not item.due_fired and self._monitor.readiness.ready:
            opening = self._contact_opening(item, now)
            if opening is not None and opening <= now:
                self._due(item)
            elif opening is not None:
                wake.append(opening)
        return min(wake, default=None)

    def _contact_opening(self, item: CallbackItem, now: datetime) -> datetime | None:
        client = self._directory.by_id(item.client_id) if item.client_id else None
        if client is None or client.contact_hours is None:
            return now
        return hours.next_open(client.contact_hours, now)

    def _due(self, item: CallbackItem) -> None:
        self._queue.async_update(item.uid, due_fired=True)
        self._screener.fire(EVENT_CALLBACK_DUE, _event_data(item))
        if not self._notify_action:
            return
        domain, _, service = self._notify_action.partition(".")
        if not self._hass.services.has_service(domain, service):
            _LOGGER.warning("Reminder action %s does not exist", self._notify_action)
            return
        self._hass.async_create_task(
            self._hass.services.async_call(
                domain, service, reminder_message(item, self._hass.config.language)
            ),
            "client_etiquette callback reminder",
        )


def _event_data(item: CallbackItem) -> dict[str, Any]:
    return {
        "client_name": item.name,
        "number": item.number,
        "calls": item.calls,
        "reasons": item.reasons,
        "callback_at": item.promised_at.isoformat() if item.promised_at else None,
        "uid": item.uid,
    }
