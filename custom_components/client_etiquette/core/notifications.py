"""Read a missed call out of the Android companion app's last-notification sensor.

The sensor's attributes are the posted notification's extras (``android.title``,
``android.text``, ...) and ``package``, ``post_time`` (milliseconds since the epoch),
``category``, ``is_ongoing``. A dialer's missed-call notification has the category
``missed_call`` (Android 11+) or says "Missed call" in the title or the text; the
other of the two is the caller: a contact name or a number.

Recognised: Google Phone, Samsung Phone, the AOSP dialer and Telecom (they post the
notification when no dialer does); "missed call" in English, Polish, Russian, German,
Ukrainian; one or several calls ("2 missed calls", "3 nieodebrane połączenia").
"""

# ruff: noqa: RUF001
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import re
from typing import Any, Final

from .replies import fold

# The dialers whose missed-call notifications are read.
DIALER_PACKAGES: Final = frozenset(
    {
        "com.google.android.dialer",  # Google Phone (Pixel, many others)
        "com.samsung.android.dialer",  # Samsung Phone (One UI)
        "com.samsung.android.incallui",  # Samsung's in-call screen (older One UI)
        "com.android.dialer",  # AOSP and some vendors
        "com.android.server.telecom",  # Telecom, when the dialer posts none
    }
)
MISSED_CALL_CATEGORY: Final = "missed_call"

# "Missed call" as the dialers word it, folded (lower case, no diacritics).
_MISSED: Final = re.compile(
    r"\bmissed (?:voice |video )?calls?\b"
    r"|\bnieodebran\w*(?: \w+)? polaczen\w*|\bpolaczen\w* nieodebran\w*"
    r"|\bпропущен\w* (?:вызов|звон)\w*"
    r"|\bпропущен\w* (?:виклик|дзвін|дзвон)\w*"
    r"|\bentgangene[rn]? anrufe?\b"
)
# A number as a phone shows it: digits with +, spaces, dashes, dots, brackets.
_NUMBER: Final = re.compile(r"^\+?[\d\s().\-]{5,}$")
_MIN_DIGITS: Final = 5


@dataclass(frozen=True, slots=True)
class MissedCallNotice:
    """Who a missed-call notification names, and when it was posted."""

    number: str
    name: str | None
    posted_at: datetime | None


def contact_key(name: str) -> str:
    """Return a name as compared with clients' names: no case, diacritics or extra spaces."""
    return fold(name)


def says_missed_call(text: str) -> bool:
    """Return True when ``text`` is a dialer's "Missed call" (any count, any known language)."""
    return _MISSED.search(fold(text)) is not None


def read_notification(
    attributes: Mapping[str, Any], packages: Collection[str] | None = DIALER_PACKAGES
) -> MissedCallNotice | None:
    """Return the missed call a notification reports; None when it is not one.

    Only a notification of one of ``packages`` (the dialers; None: any app, when the
    caller has checked the app already) counts, and only one that is a missed call by
    its category or its words; the caller is the title or text that is not "Missed
    call". A caller that reads as a number is the number, else a name.
    """
    if packages is not None and attributes.get("package") not in packages:
        return None
    if attributes.get("is_ongoing") is True:
        return None
    title = _text(attributes.get("android.title"))
    text = _text(attributes.get("android.text"))
    by_category = attributes.get("category") == MISSED_CALL_CATEGORY
    if says_missed_call(title):
        caller = text
    elif says_missed_call(text) or by_category:
        caller = title
    else:
        return None
    if not caller or says_missed_call(caller):
        return None
    posted_at = _posted_at(attributes.get("post_time"))
    if _NUMBER.match(caller) and sum(char.isdigit() for char in caller) >= _MIN_DIGITS:
        return MissedCallNotice(number=caller, name=None, posted_at=posted_at)
    return MissedCallNotice(number="", name=caller, posted_at=posted_at)


def _text(value: Any) -> str:
    """Return an extra as one line of text ("" for none)."""
    return " ".join(str(value).split()) if value is not None else ""


def _posted_at(value: Any) -> datetime | None:
    """Return ``post_time`` (milliseconds since the epoch) as an aware time."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        millis = float(value)
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None
