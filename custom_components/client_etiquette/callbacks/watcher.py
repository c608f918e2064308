"""What the callback watchers share: listeners, one timer and the tasks they start."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Coroutine
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time

from ..core.models import Readiness
from ..sources.monitor import ReadinessMonitor
from .queue import CallbackQueue


class QueueWatcher:
    """Follow readiness and the callback queue with one timer; subclasses decide what to do."""

    def __init__(
        self, hass: HomeAssistant, *, queue: CallbackQueue, monitor: ReadinessMonitor
    ) -> None:
        """Keep the parts; listening starts with ``_listen``."""
        self._hass = hass
        self._queue = queue
        self._monitor = monitor
        self._unsubs: list[CALLBACK_TYPE] = []
        self._timer: CALLBACK_TYPE | None = None
        self._timer_at: datetime | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def _listen(self) -> None:
        """Hear of every new verdict and every changed callback."""
        self._unsubs.append(self._monitor.async_add_listener(self._on_readiness))
        self._unsubs.append(self._queue.async_add_listener(self._on_queue))

    @callback
    def async_stop(self) -> None:
        """Cancel the listeners, the timer and the tasks still running."""
        while self._unsubs:
            self._unsubs.pop()()
        self._cancel_timer()
        for task in self._tasks:
            task.cancel()

    def _cancel_timer(self) -> None:
        """Cancel the timer, if any."""
        if self._timer is not None:
            self._timer()
        self._timer = None
        self._timer_at = None

    def _set_timer(self, first: datetime | None) -> None:
        """Wake up at ``first`` (None: never); a timer already set for it is kept."""
        if first == self._timer_at and (first is None or self._timer is not None):
            return
        self._cancel_timer()
        if first is not None:
            self._timer_at = first
            self._timer = async_track_point_in_utc_time(self._hass, self._fired, first)

    @callback
    def _fired(self, now: datetime) -> None:
        """Forget the timer that fired, then let the subclass act."""
        self._timer = None
        self._timer_at = None
        self._on_timer(now)

    def _start(self, job: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``job`` as a task that unloading cancels."""
        task = self._hass.async_create_task(job, name, eager_start=False)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_readiness(self, readiness: Readiness) -> None:
        """Handle a new verdict."""
        raise NotImplementedError

    def _on_queue(self, uids: Collection[str]) -> None:
        """Handle changed callbacks."""
        raise NotImplementedError

    def _on_timer(self, now: datetime) -> None:
        """Handle the timer."""
        raise NotImplementedError
