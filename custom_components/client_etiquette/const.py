"""Constants for Client Etiquette: domain, option keys, reason codes and defaults.

This module imports nothing from Home Assistant so the pure decision modules can use it.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Final

DOMAIN: Final = "client_etiquette"

# Option keys (stored flat in entry.options; other issues and tests rely on them).
CONF_DRIVING_ENTITIES: Final = "driving_entities"
CONF_CAR_ENTITIES: Final = "car_entities"
CONF_PHONE_STATE_ENTITIES: Final = "phone_state_entities"
CONF_DND_ENTITIES: Final = "dnd_entities"
CONF_SIGNAL_ENTITIES: Final = "signal_entities"
CONF_WEAK_SIGNAL_DBM: Final = "weak_signal_dbm"
CONF_CALENDAR_ENTITIES: Final = "calendar_entities"
CONF_MEETING_KEYWORDS: Final = "meeting_keywords"
CONF_TRACKER_ENTITY: Final = "tracker_entity"
CONF_DEAD_ZONES: Final = "dead_zones"
CONF_NOISY_ZONES: Final = "noisy_zones"
CONF_PUBLIC_ZONES: Final = "public_zones"
CONF_SCHEDULE_ENTITY: Final = "schedule_entity"
CONF_WORKDAY_ENTITY: Final = "workday_entity"
CONF_WORK_START: Final = "work_start"
CONF_WORK_END: Final = "work_end"
CONF_WORK_DAYS: Final = "work_days"

# Options that hold lists of entity ids, and those that hold one entity id.
ENTITY_LIST_OPTIONS: Final = (
    CONF_DRIVING_ENTITIES,
    CONF_CAR_ENTITIES,
    CONF_PHONE_STATE_ENTITIES,
    CONF_DND_ENTITIES,
    CONF_SIGNAL_ENTITIES,
    CONF_CALENDAR_ENTITIES,
    CONF_DEAD_ZONES,
    CONF_NOISY_ZONES,
    CONF_PUBLIC_ZONES,
)
ENTITY_OPTIONS: Final = (CONF_TRACKER_ENTITY, CONF_SCHEDULE_ENTITY, CONF_WORKDAY_ENTITY)

DEFAULT_WEAK_SIGNAL_DBM: Final = -110
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WORK_DAYS: Final = ("mon", "tue", "wed", "thu", "fri")

# Services and their fields.
SERVICE_SNOOZE: Final = "snooze"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_DURATION: Final = "duration"
ATTR_REASON: Final = "reason"
MAX_SNOOZE: Final = timedelta(days=7)

# Entity attributes.
ATTR_REASONS: Final = "reasons"
ATTR_READY_AGAIN_AT: Final = "ready_again_at"
ATTR_UNAVAILABLE_SOURCES: Final = "unavailable_sources"
ATTR_BUSY_UNTIL: Final = "busy_until"


class Reason(StrEnum):
    """Why the freelancer is not ready for a client call.

    The member order is the documented priority: the first active reason is the
    primary one shown by the reason sensor.
    """

    MANUAL = "manual"
    DRIVING = "driving"
    ON_CALL = "on_call"
    DEAD_ZONE = "dead_zone"
    IN_MEETING = "in_meeting"
    DO_NOT_DISTURB = "do_not_disturb"
    NOISY_PLACE = "noisy_place"
    WEAK_SIGNAL = "weak_signal"
    PUBLIC_PLACE = "public_place"
    AFTER_HOURS = "after_hours"


REASON_PRIORITY: Final = tuple(Reason)
READY_STATE: Final = "ready"


class Mode(StrEnum):
    """The manual override, Focus-like."""

    AUTO = "auto"
    AVAILABLE = "available"
    BUSY = "busy"


# Client sub-entries (one per client).
SUBENTRY_CLIENT: Final = "client"
CONF_NUMBERS: Final = "numbers"
CONF_TIER: Final = "tier"
CONF_LANGUAGE: Final = "language"
CONF_TIME_ZONE: Final = "time_zone"
CONF_CONTACT_START: Final = "contact_start"
CONF_CONTACT_END: Final = "contact_end"
CONF_CONTACT_DAYS: Final = "contact_days"
CONF_CHANNEL: Final = "channel"
CONF_EMAIL: Final = "email"
CONF_NOTE: Final = "note"
TIERS: Final = ("new", "regular", "vip")
LANGUAGES: Final = ("en", "ru", "pl")
CHANNELS: Final = ("call", "text", "email")
DEFAULT_CONTACT_START: Final = "09:00:00"
DEFAULT_CONTACT_END: Final = "18:00:00"
