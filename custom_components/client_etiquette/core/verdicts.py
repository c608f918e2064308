"""Keep the readiness verdicts of the last minutes, to screen a call at the time it rang.

A missed call on the freelancer's own phone is reported after it rang (seconds later
from httpSMS or the companion app; later when the phone was offline). It is screened
with the verdict that held when it rang, which this log keeps for ``VERDICT_KEEP``.
A ring time before the log began (a restart) or older than that is unknown: None.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from datetime import datetime, timedelta
from typing import Final

from .models import Readiness

# How long a verdict is kept after it stopped holding.
VERDICT_KEEP: Final = timedelta(minutes=30)


class VerdictLog:
    """The readiness verdicts of the last ``keep``, each with the moment it began."""

    def __init__(self, keep: timedelta = VERDICT_KEEP) -> None:
        """Start empty: no moment is known until the first verdict is recorded."""
        self._keep = keep
        self._starts: deque[datetime] = deque()
        self._verdicts: deque[Readiness] = deque()

    def __len__(self) -> int:
        """Return how many verdicts are kept."""
        return len(self._starts)

    def record(self, at: datetime, readiness: Readiness) -> None:
        """Keep ``readiness`` as the verdict from ``at`` on; forget what no longer matters.

        A verdict recorded at or before the last one's start replaces it (a clock that
        went back, or two verdicts in one moment): the log stays ordered.
        """
        while self._starts and self._starts[-1] >= at:
            self._starts.pop()
            self._verdicts.pop()
        self._starts.append(at)
        self._verdicts.append(readiness)
        # The oldest verdict is kept while it still held ``keep`` ago.
        horizon = at - self._keep
        while len(self._starts) > 1 and self._starts[1] <= horizon:
            self._starts.popleft()
            self._verdicts.popleft()

    def at(self, moment: datetime, now: datetime) -> Readiness | None:
        """Return the verdict that held at ``moment``; None when that is not known.

        Unknown: ``keep`` or more before ``now``, or before the first verdict
        recorded. A moment after ``now`` (the phone's clock ahead) gets the latest.
        """
        if not self._starts or moment <= now - self._keep or moment < self._starts[0]:
            return None
        index = bisect_right(self._starts, moment) - 1
        return self._verdicts[index]
