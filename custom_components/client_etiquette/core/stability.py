"""Hold and hysteresis: how long a reason keeps counting after its source calms down.

Real sources flap. Android's activity recognition leaves ``in_vehicle`` at every red
light, signal strength jitters around its threshold, GPS jitters across a zone's edge.
Each source of such a reason keeps a ``Latch``: the reason starts counting at once and
stops only after the source has stayed calm for a delay (the driving hold, the signal's
recovery time, the zone's exit time), or at once when it is clearly over.

Pure functions of the source's history and the time; no Home Assistant imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
import math
from typing import Final

from .models import Evidence, Reason

DEFAULT_DRIVING_HOLD: Final = timedelta(minutes=5)
DEFAULT_SIGNAL_MARGIN: Final = 5.0
DEFAULT_SIGNAL_RECOVERY: Final = timedelta(seconds=60)
DEFAULT_ZONE_EXIT: Final = timedelta(seconds=60)


class Level(Enum):
    """What one reading of a source says about its reason."""

    # The source shows the reason: it counts from now on; the calm clock stops.
    ACTIVE = "active"
    # Not the reason, but not clearly over either (a signal within the margin): a reason
    # already counting keeps counting and its calm clock stops; otherwise nothing.
    DOUBT = "doubt"
    # Over, once it has stayed so for the delay.
    CALM = "calm"
    # Clearly over: the reason stops counting at once.
    CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class Steadiness:
    """The user's hold and hysteresis settings; zero delays and margin switch them off."""

    driving_hold: timedelta = DEFAULT_DRIVING_HOLD
    signal_margin: float = DEFAULT_SIGNAL_MARGIN
    signal_recovery: timedelta = DEFAULT_SIGNAL_RECOVERY
    zone_exit: timedelta = DEFAULT_ZONE_EXIT


@dataclass(frozen=True, slots=True)
class Latch:
    """The memory of one source: whether its reason counts, and since when it is calm."""

    counting: bool = False
    calm_since: datetime | None = None

    def until(self, delay: timedelta) -> datetime | None:
        """Return when a calm source stops counting; None while it is active or not counting."""
        if not self.counting or self.calm_since is None:
            return None
        return self.calm_since + delay

    def counts(self, delay: timedelta, now: datetime) -> bool:
        """Tell whether the reason counts at ``now``."""
        end = self.until(delay)
        return self.counting and (end is None or end > now)


IDLE: Final = Latch()
COUNTING: Final = Latch(counting=True)


def advance(latch: Latch, level: Level, now: datetime, delay: timedelta) -> Latch:
    """Take one reading of the source at ``now``."""
    if level is Level.ACTIVE:
        return COUNTING
    if level is Level.CLEAR or not latch.counts(delay, now):
        return IDLE
    if level is Level.DOUBT:
        return COUNTING
    if latch.calm_since is not None:
        return latch
    return Latch(counting=True, calm_since=now) if delay > timedelta(0) else IDLE


def evidence(latch: Latch, reason: Reason, source: str, delay: timedelta) -> tuple[Evidence, ...]:
    """Give a latch's evidence: none, current, or held until its delay runs out.

    Held evidence counts only before its ``until`` (``readiness.evaluate`` drops it
    from then on, and sets its timer for that moment).
    """
    if not latch.counting:
        return ()
    end = latch.until(delay)
    if end is None:
        return (Evidence(reason, source),)
    return (Evidence(reason, source, end, held=True),)


def driving_level(driving: bool | None) -> Level:
    """Rate a driving source: active while driving, else calm (stopped, or unknown)."""
    return Level.ACTIVE if driving else Level.CALM


def signal_level(dbm: float, threshold: float, margin: float) -> Level:
    """Rate a signal in dBm: weak at or below the threshold, good only above it by the margin."""
    if dbm <= threshold:
        return Level.ACTIVE
    if dbm <= threshold + margin:
        return Level.DOUBT
    return Level.CALM


def zone_level(inside: bool, distance: float | None, radius: float, accuracy: float) -> Level:
    """Rate a tracker against a zone: inside; outside but maybe inside (GPS); or clearly out.

    ``distance`` is from the tracker's position to the zone's centre in metres (None
    when the position is unknown); ``accuracy`` is the position's GPS accuracy.
    """
    if inside:
        return Level.ACTIVE
    if distance is not None and math.isfinite(distance) and distance > radius + accuracy:
        return Level.CLEAR
    return Level.CALM
