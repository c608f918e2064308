"""Reading missed calls out of the companion app's last-notification sensor.

The attributes are those the Android companion app sets (home-assistant/android,
NotificationSensorManager.kt: the notification's extras, ``package``, ``post_time`` in
milliseconds, ``is_ongoing``, ``category``; documented at companion.home-assistant.io,
docs/core/sensors.md, "Last Notification").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.client_etiquette.core.notifications import (
    MissedCallNotice,
    contact_key,
    read_notification,
    says_missed_call,
)

POSTED = 1780473600000  # 2026-06-03 08:00:00 UTC, in milliseconds
AT = datetime(2026, 6, 3, 8, 0, tzinfo=UTC)
GOOGLE = "com.google.android.dialer"
SAMSUNG = "com.samsung.android.dialer"


def notification(package: str, title: str | None, text: str | None, **extra: Any) -> dict[str, Any]:
    """Return the sensor's attributes for a notification."""
    attributes: dict[str, Any] = {
        "package": package,
        "post_time": POSTED,
        "is_clearable": True,
        "is_ongoing": False,
        "group_id": None,
        "category": None,
        "channel_id": "phone_missed_call",
        "android.title": title,
        "android.text": text,
    }
    return {**attributes, **extra}


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        # Google Phone: the title says it, the text is the caller.
        (
            notification(GOOGLE, "Missed call", "Anna Kowalska", category="missed_call"),
            MissedCallNotice(number="", name="Anna Kowalska", posted_at=AT),
        ),
        (
            notification(GOOGLE, "Missed call", "+48 601 234 567"),
            MissedCallNotice(number="+48 601 234 567", name=None, posted_at=AT),
        ),
        (
            notification(GOOGLE, "2 missed calls", "601 234 567"),
            MissedCallNotice(number="601 234 567", name=None, posted_at=AT),
        ),
        (
            notification(GOOGLE, "Nieodebrane połączenie", "Anna"),
            MissedCallNotice(number="", name="Anna", posted_at=AT),
        ),
        (
            notification(GOOGLE, "3 nieodebrane połączenia", "Anna"),
            MissedCallNotice(number="", name="Anna", posted_at=AT),
        ),
        (
            notification(GOOGLE, "Пропущенный вызов", "Иван Петров"),
            MissedCallNotice(number="", name="Иван Петров", posted_at=AT),
        ),
        (
            notification(GOOGLE, "Пропущенный звонок", "8 (912) 345-67-89"),
            MissedCallNotice(number="8 (912) 345-67-89", name=None, posted_at=AT),
        ),
        # Samsung: the caller in the title, "Missed call" in the text.
        (
            notification(SAMSUNG, "Anna Kowalska", "Missed call"),
            MissedCallNotice(number="", name="Anna Kowalska", posted_at=AT),
        ),
        (
            notification(SAMSUNG, "+48601234567", "Połączenie nieodebrane"),
            MissedCallNotice(number="+48601234567", name=None, posted_at=AT),
        ),
        (
            notification("com.samsung.android.incallui", "Bob", "Entgangener Anruf"),
            MissedCallNotice(number="", name="Bob", posted_at=AT),
        ),
        # Only the category says it (a vendor wording not in the list).
        (
            notification("com.android.dialer", "Anna", "Appel manqué", category="missed_call"),
            MissedCallNotice(number="", name="Anna", posted_at=AT),
        ),
        # post_time missing or broken: the time is unknown.
        (
            notification(GOOGLE, "Missed call", "Anna", post_time=None),
            MissedCallNotice(number="", name="Anna", posted_at=None),
        ),
        (
            notification(GOOGLE, "Missed call", "Anna", post_time="soon"),
            MissedCallNotice(number="", name="Anna", posted_at=None),
        ),
        (
            notification(GOOGLE, "Missed call", "Anna", post_time=True),
            MissedCallNotice(number="", name="Anna", posted_at=None),
        ),
        (
            notification(GOOGLE, "Missed call", "Anna", post_time=str(POSTED)),
            MissedCallNotice(number="", name="Anna", posted_at=AT),
        ),
    ],
)
def test_missed_calls(attributes: dict[str, Any], expected: MissedCallNotice) -> None:
    """Google Phone and Samsung, in several languages: the caller and the time."""
    assert read_notification(attributes) == expected


@pytest.mark.parametrize(
    "attributes",
    [
        notification("com.whatsapp", "Missed call", "Anna"),  # not a dialer
        notification(GOOGLE, "Anna Kowalska", "Ongoing call", is_ongoing=True),
        notification(GOOGLE, "Incoming call", "Anna Kowalska"),
        notification(GOOGLE, "Voicemail", "1 new voicemail"),
        notification(GOOGLE, "Missed call", None),  # nobody named
        notification(GOOGLE, "Missed call", "2 missed calls"),
        notification(GOOGLE, None, None, category="missed_call"),
        {"package": GOOGLE},
        {},
    ],
)
def test_not_missed_calls(attributes: dict[str, Any]) -> None:
    """Other apps, ongoing and incoming calls, voicemail, nobody named: nothing."""
    assert read_notification(attributes) is None


@pytest.mark.parametrize(
    "text",
    [
        "Missed call",
        "5 missed calls",
        "Missed video call",
        "nieodebrane połączenie",
        "Пропущенные вызовы",
        "Пропущений виклик",
        "Entgangene Anrufe",
    ],
)
def test_says_missed_call(text: str) -> None:
    """The wordings recognised, in any case."""
    assert says_missed_call(text)
    assert says_missed_call(text.upper())


def test_contact_key_ignores_case_diacritics_and_spaces() -> None:
    """The phone's "ANNA  Kowalska" and "Anna Kowalska" are one name; "Łukasz" is "lukasz"."""
    assert contact_key("  ANNA  Kowalska ") == contact_key("Anna Kowalska")
    assert contact_key("Łukasz Żółw") == "lukasz zolw"
    assert contact_key("Пётр") == contact_key("Петр")


@given(
    st.dictionaries(
        st.sampled_from(
            ["package", "android.title", "android.text", "post_time", "category", "is_ongoing"]
        ),
        st.one_of(st.none(), st.text(max_size=20), st.integers(), st.booleans()),
    )
)
def test_any_attributes_are_read_without_error(attributes: dict[str, Any]) -> None:
    """Whatever a sensor holds, reading it gives a notice or None, never an error."""
    result = read_notification({"package": GOOGLE, **attributes})
    assert result is None or isinstance(result, MissedCallNotice)
