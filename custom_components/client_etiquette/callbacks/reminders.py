"""Reminders: call back when the moment is good again, and notice promises that pass.

When readiness returns, the calendars leave a free gap long enough for the call, and the
client's agreed contact hours are open, ``callback_due`` fires (once per waiting item)
and, when configured, the freelancer's phone gets a notification with a ``tel:`` action
(rule E12: ask whether they can talk now). A promised time that passes with the item
still waiting fires ``callback_overdue``.

The reminders keep, per item, the next moment to look at it again (a promise's
deadline, the opening of the client's contact hours) in a heap, and one timer for the
earliest. A queue change re-checks only the items it names; readiness returning
re-checks only the items whose "call back now" reminder has not fired. The reminders
that fire in one check are marked on the queue as one change.

A reminder is sent and awaited. When it fails (the action is gone, the phone is not
connected) the user is told once: a warning without the number, and a repair issue
that goes away when a reminder gets through. Home Assistant would otherwise log the
whole failed call, the caller's number with it, at error level, once per reminder.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import heapq
import logging
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceNotFound
from homeassistant.util import dt as dt_util

from ..const import EVENT_CALLBACK_DUE, EVENT_CALLBACK_OVERDUE
from ..core import freetime, hours
from ..core.freetime import Agenda
from ..core.messages.todo import CALL_BACK, ui_language
from ..core.models import Readiness
from ..core.ui_text import call_about, display_name, reminder_text
from ..directory import ClientDirectory
from ..events import CallEvents
from ..issues import (
    async_create_reminders_failing,
    async_delete_reminders_failing,
    async_delete_stale_reminders_issue,
)
from ..sources.monitor import ReadinessMonitor
from .models import CallbackItem
from .queue import CallbackQueue
from .watcher import QueueWatcher

_LOGGER = logging.getLogger(__name__)
# A promise counts as broken this long after the promised time.
OVERDUE_GRACE = timedelta(minutes=15)

CALL_BUTTON = {"en": "Call", "ru": "Позвонить", "pl": "Zadzwoń"}


def reminder_message(item: CallbackItem, language: str) -> dict[str, Any]:
    """Build the notification for the freelancer's phone, in their Home Assistant language."""
    lang = ui_language(language)
    uri = f"tel:{item.number}"
    return {
        "title": CALL_BACK[lang].format(name=display_name(item.name, item.number, lang)),
        "message": reminder_text(item.calls, lang, call_about(item)),
        "data": {
            "url": uri,
            "clickAction": uri,
            "actions": [{"action": "URI", "title": CALL_BUTTON[lang], "uri": uri}],
        },
    }


@dataclass(slots=True)
class _Check:
    """What one check decided: fields to mark on the queue, events to fire after."""

    now: datetime
    agenda: Agenda | None = None
    marks: dict[str, dict[str, bool]] = field(default_factory=dict)
    overdue: list[CallbackItem] = field(default_factory=list)
    due: list[CallbackItem] = field(default_factory=list)


class CallbackReminders(QueueWatcher):
    """Watches readiness, contact hours and promised times for one entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        *,
        events: CallEvents,
        queue: CallbackQueue,
        monitor: ReadinessMonitor,
        directory: ClientDirectory,
        notify_action: str | None,
    ) -> None:
        """Keep the parts; start with async_start."""
        super().__init__(hass, queue=queue, monitor=monitor)
        self._entry_id = entry_id
        self._events = events
        self._directory = directory
        self._notify_action = notify_action
        # uid -> when to look at the item again; the heap holds (when, uid), and an
        # entry counts only while it matches ``_wake`` (others are dropped lazily).
        self._wake: dict[str, datetime] = {}
        self._heap: list[tuple[datetime, str]] = []
        # Items whose "call back now" reminder has not fired yet.
        self._not_due: set[str] = set()
        self._marking = False
        # The repair issue raised while reminders fail.
        self._issue: str | None = None

    @callback
    def async_start(self) -> None:
        """Follow readiness and the queue; check once now."""
        self._clear_stale_issue()
        self._listen()
        self.async_check()

    @callback
    def _on_readiness(self, readiness: Readiness) -> None:
        # Only a ready verdict can make a reminder due; deadlines keep their timer.
        if readiness.ready and self._not_due:
            self._run(list(self._not_due))

    @callback
    def _on_queue(self, uids: Collection[str]) -> None:
        if not self._marking:
            self._run(uids)

    @callback
    def _on_timer(self, now: datetime) -> None:
        heap, wake, moment = self._heap, self._wake, dt_util.utcnow()
        uids: list[str] = []
        while heap and heap[0][0] <= moment:
            when, uid = heapq.heappop(heap)
            if wake.get(uid) == when:
                del wake[uid]
                uids.append(uid)
        self._run(uids)

    @callback
    def async_check(self) -> None:
        """Look at every item: fire what is due or overdue, then wait for the next moment."""
        self._wake.clear()
        self._heap.clear()
        self._not_due.clear()
        self._run([item.uid for item in self._queue.items])

    def _run(self, uids: Iterable[str]) -> None:
        """Check these items, mark and fire what is due, re-arm the timer."""
        check = _Check(dt_util.utcnow(), self._monitor.agenda)
        ready = self._monitor.current().ready
        for uid in uids:
            item = self._queue.get(uid)
            if item is None:
                self._wake.pop(uid, None)
                self._not_due.discard(uid)
            else:
                self._check_item(item, check, ready)
        if check.marks:
            self._marking = True
            try:
                self._queue.async_update_many(check.marks)
            finally:
                self._marking = False
        self._arm()
        for item in check.overdue:
            self._events.fire(EVENT_CALLBACK_OVERDUE, _event_data(item))
        for item in check.due:
            self._due(item)

    def _check_item(self, item: CallbackItem, check: _Check, ready: bool) -> None:
        """Decide this item's reminders and when to look at it again."""
        now, uid = check.now, item.uid
        wake: datetime | None = None
        if item.promised_at is not None and not item.overdue_fired:
            deadline = item.promised_at + OVERDUE_GRACE
            if now >= deadline:
                check.marks.setdefault(uid, {})["overdue_fired"] = True
                check.overdue.append(item)
            else:
                wake = deadline
        due_fired = item.due_fired
        if not due_fired and ready:
            opening = self._contact_opening(item, now, check.agenda)
            if opening is not None and opening <= now:
                check.marks.setdefault(uid, {})["due_fired"] = due_fired = True
                check.due.append(item)
            elif opening is not None and (wake is None or opening < wake):
                wake = opening
        if due_fired:
            self._not_due.discard(uid)
        else:
            self._not_due.add(uid)
        if wake is None:
            self._wake.pop(uid, None)
        elif self._wake.get(uid) != wake:
            self._wake[uid] = wake
            heapq.heappush(self._heap, (wake, uid))

    def _arm(self) -> None:
        """One timer, at the earliest moment still wanted."""
        heap, wake = self._heap, self._wake
        while heap and wake.get(heap[0][1]) != heap[0][0]:
            heapq.heappop(heap)
        if len(heap) > 2 * len(wake) + 64:
            self._heap = heap = [(when, uid) for uid, when in wake.items()]
            heapq.heapify(heap)
        self._set_timer(heap[0][0] if heap else None)

    def _contact_opening(
        self, item: CallbackItem, now: datetime, agenda: Agenda | None
    ) -> datetime | None:
        """Return the first free moment in the client's contact hours (a short gap is not)."""
        client = self._directory.by_id(item.client_id) if item.client_id else None
        contact = client.contact_hours if client is not None else None
        if contact is None:
            return freetime.next_free(agenda, now)
        return freetime.settle(agenda, now, lambda moment: hours.next_open(contact, moment))

    def _due(self, item: CallbackItem) -> None:
        self._events.fire(EVENT_CALLBACK_DUE, _event_data(item))
        if not self._notify_action:
            return
        self._start(
            self._async_remind(item, self._notify_action), "client_etiquette callback reminder"
        )

    async def _async_remind(self, item: CallbackItem, action: str) -> None:
        """Send the reminder and wait for the outcome, so a failure is ours to report.

        A call that is not waited for is logged by Home Assistant when it fails, with
        all its data: the caller's number would reach the log.
        """
        domain, _, service = action.partition(".")
        message = reminder_message(item, self._hass.config.language)
        try:
            await self._hass.services.async_call(domain, service, message, blocking=True)
        except Exception as err:  # someone else's action: any failure is told, never raised
            self._failed(item, action, err)
        else:
            self._delivered(action)

    def _failed(self, item: CallbackItem, action: str, err: Exception) -> None:
        """Say it once: a warning without the number, and a repair issue."""
        missing = isinstance(err, ServiceNotFound)
        _LOGGER.debug("Reminder to call %s through %s failed: %r", item.number, action, err)
        key = "reminder_action_missing" if missing else "reminders_failing"
        if self._issue == key:
            return
        if self._issue is None:
            _LOGGER.warning(
                "A callback reminder could not be sent through %s (%s); see Repairs",
                action,
                "no such action" if missing else type(err).__name__,
            )
        self._issue = key
        async_create_reminders_failing(self._hass, self._entry_id, key, action)

    def _delivered(self, action: str) -> None:
        """Clear the issue, if any: a reminder got through."""
        if self._issue is not None:
            _LOGGER.info("Callback reminders reach %s again", action)
            self._issue = None
        async_delete_reminders_failing(self._hass, self._entry_id)

    def _clear_stale_issue(self) -> None:
        """Forget an issue about reminders switched off or sent through another action."""
        async_delete_stale_reminders_issue(self._hass, self._entry_id, self._notify_action)


def _event_data(item: CallbackItem) -> dict[str, Any]:
    return {
        "client_name": item.name,
        "number": item.number,
        "calls": item.calls,
        "reasons": item.reasons,
        "callback_at": item.promised_at.isoformat() if item.promised_at else None,
        "uid": item.uid,
        # What the call was about: the caller's words, else their voicemail's; or None.
        "about": call_about(item),
    }
