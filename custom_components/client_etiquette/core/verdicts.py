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
from operator import itemgetter
from typing import Final

from .models import Readiness

# How long a verdict is kept after it stopped holding.
VERDICT_KEEP: Final = timedelta(minutes=30)
# Verdicts that stopped holding are dropped once the log holds more than this many:
# recording stays a plain append on the readiness hot path.
PRUNE_ABOVE: Final = 16

_START = itemgetter(0)


class VerdictLog:
    """The readiness verdicts of the last ``keep``, each with the moment it began."""

    def __init__(self, keep: timedelta = VERDICT_KEEP) -> None:
        """Start empty: no moment is known until the first verdict is recorded."""
        self._keep = keep
        self._entries: deque[tuple[datetime, Readiness]] = deque()

    def __len__(self) -> int:
        """Return how many verdicts are kept."""
        return len(self._entries)

    def record(self, at: datetime, readiness: Readiness) -> None:
        """Keep ``readiness`` as the verdict from ``at`` on.

        A verdict recorded at or before the last one's start replaces it (a clock that
        went back, or two verdicts in one moment): the log stays ordered. Verdicts that
        stopped holding ``keep`` ago are dropped when the log grows past ``PRUNE_ABOVE``.
        """
        entries = self._entries
        while entries and entries[-1][0] >= at:
            entries.pop()
        entries.append((at, readiness))
        if len(entries) > PRUNE_ABOVE:
            # The oldest verdict is kept while it still held ``keep`` ago.
            horizon = at - self._keep
            while len(entries) > 1 and entries[1][0] <= horizon:
                entries.popleft()

    def at(self, moment: datetime, now: datetime) -> Readiness | None:
        """Return the verdict that held at ``moment``; None when that is not known.

        Unknown: ``keep`` or more before ``now``, or before the first verdict
        recorded. A moment after ``now`` (the phone's clock ahead) gets the latest.
        """
        entries = self._entries
        if not entries or moment <= now - self._keep or moment < entries[0][0]:
            return None
        return entries[bisect_right(entries, moment, key=_START) - 1][1]
