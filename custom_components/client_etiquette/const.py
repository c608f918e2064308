"""Constants for Client Etiquette: domain, option keys, service fields, event types and defaults.

The core vocabulary (reasons, tiers, languages, ...) lives in ``core.models``; the
option values offered here are derived from it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from .core import freetime
from .core.models import (
    DEFAULT_REPEAT_WINDOW,
    DEFAULT_TEXT_COOLDOWN,
    Channel,
    Language,
    Tier,
    UnknownCallers,
)
from .core.stability import (
    DEFAULT_DRIVING_HOLD,
    DEFAULT_SIGNAL_MARGIN,
    DEFAULT_SIGNAL_RECOVERY,
    DEFAULT_ZONE_EXIT,
)

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
# Minutes before a counted event that count as "about to start" (0: off), and the
# shortest free gap between events worth promising a callback in.
CONF_MEETING_SOON_MINUTES: Final = "meeting_soon_minutes"
CONF_MIN_FREE_MINUTES: Final = "min_free_minutes"
CONF_TRACKER_ENTITY: Final = "tracker_entity"
CONF_DEAD_ZONES: Final = "dead_zones"
CONF_NOISY_ZONES: Final = "noisy_zones"
CONF_PUBLIC_ZONES: Final = "public_zones"
CONF_SCHEDULE_ENTITY: Final = "schedule_entity"
CONF_WORKDAY_ENTITY: Final = "workday_entity"
CONF_WORK_START: Final = "work_start"
CONF_WORK_END: Final = "work_end"
CONF_WORK_DAYS: Final = "work_days"
# Hold and hysteresis (core.stability): minutes, dB, seconds, seconds.
CONF_DRIVING_HOLD: Final = "driving_hold"
CONF_WEAK_SIGNAL_MARGIN: Final = "weak_signal_margin"
CONF_WEAK_SIGNAL_RECOVERY: Final = "weak_signal_recovery"
CONF_ZONE_EXIT: Final = "zone_exit"
# The companion app's last-notification sensors (dialer allow-listed): missed calls.
CONF_MISSED_CALL_SENSORS: Final = "missed_call_notification_entities"

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
# core.stability's defaults in the units the options store.
DEFAULT_DRIVING_HOLD_MINUTES: Final = DEFAULT_DRIVING_HOLD // timedelta(minutes=1)
DEFAULT_WEAK_SIGNAL_MARGIN: Final = DEFAULT_SIGNAL_MARGIN
DEFAULT_WEAK_SIGNAL_RECOVERY_SECONDS: Final = DEFAULT_SIGNAL_RECOVERY // timedelta(seconds=1)
DEFAULT_ZONE_EXIT_SECONDS: Final = DEFAULT_ZONE_EXIT // timedelta(seconds=1)
DEFAULT_MEETING_SOON_MINUTES: Final = freetime.DEFAULT_MEETING_SOON_MINUTES
DEFAULT_MIN_FREE_MINUTES: Final = freetime.DEFAULT_MIN_FREE_MINUTES
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WORK_DAYS: Final = ("mon", "tue", "wed", "thu", "fri")

# Services and their fields.
SERVICE_SNOOZE: Final = "snooze"
SERVICE_INCOMING_CALL: Final = "incoming_call"
SERVICE_MISSED_CALL: Final = "missed_call"
ATTR_RANG_AT: Final = "rang_at"
ATTR_EVENT_ID: Final = "event_id"
ATTR_TITLE: Final = "title"
ATTR_TEXT: Final = "text"
ATTR_CATEGORY: Final = "category"
ATTR_POST_TIME: Final = "post_time"
ATTR_NUMBER: Final = "number"
ATTR_NAME: Final = "name"
ATTR_SOURCE: Final = "source"
ATTR_CALL_ID: Final = "call_id"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_DURATION: Final = "duration"
ATTR_REASON: Final = "reason"
MAX_SNOOZE: Final = timedelta(days=7)

# Entity attributes.
ATTR_REASONS: Final = "reasons"
ATTR_READY_AGAIN_AT: Final = "ready_again_at"
ATTR_UNAVAILABLE_SOURCES: Final = "unavailable_sources"
ATTR_BUSY_UNTIL: Final = "busy_until"
# The reason sensor's state when no reason is active.
READY_STATE: Final = "ready"

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
# How the freelancer's phone shows the client (its contacts), for the missed-call notifications.
CONF_PHONE_NAME: Final = "phone_name"
TIERS: Final = tuple(tier.value for tier in Tier)
LANGUAGES: Final = tuple(language.value for language in Language)
CHANNELS: Final = tuple(channel.value for channel in Channel)
DEFAULT_CONTACT_START: Final = "09:00:00"
DEFAULT_CONTACT_END: Final = "18:00:00"

# Screening options (entry.options).
CONF_SENDER_NAME: Final = "sender_name"
CONF_DEFAULT_REGION: Final = "default_region"
CONF_DEFAULT_LANGUAGE: Final = "default_language"
CONF_UNKNOWN_CALLERS: Final = "unknown_callers"
CONF_REPEAT_WINDOW: Final = "repeat_window"
CONF_TEXT_COOLDOWN: Final = "text_cooldown"
CONF_MAX_TEXTS_PER_HOUR: Final = "max_texts_per_hour"
CONF_WITHIN_MINUTES: Final = "within_minutes"
CONF_REPLY_EMAIL: Final = "reply_email"
CONF_REMINDER_NOTIFY: Final = "reminder_notify"
# A promised callback time that can't be kept gets one follow-up text (#18); on by default.
CONF_FOLLOW_UP_TEXTS: Final = "follow_up_texts"
DEFAULT_FOLLOW_UP_TEXTS: Final = True
# The speech-to-text entity (stt domain) that transcribes voicemails; none by default.
CONF_STT_ENTITY: Final = "stt_entity"
# Reasons that send a tier's calls to voicemail: "blocking_new", "blocking_regular", ...
CONF_BLOCKING_PREFIX: Final = "blocking_"
# Text templates per language: "template_en", "template_ru", "template_pl".
CONF_TEMPLATE_PREFIX: Final = "template_"
UNKNOWN_CALLER_CHOICES: Final = tuple(choice.value for choice in UnknownCallers)
# The screening defaults of core.models in the units the options store (minutes, hours);
# the hourly cap and the "within N minutes" default are core's own numbers.
DEFAULT_REPEAT_WINDOW_MINUTES: Final = DEFAULT_REPEAT_WINDOW // timedelta(minutes=1)
DEFAULT_TEXT_COOLDOWN_HOURS: Final = DEFAULT_TEXT_COOLDOWN // timedelta(hours=1)

# Texting backend.
CONF_TEXTING_BACKEND: Final = "texting_backend"
CONF_TWILIO_ACCOUNT_SID: Final = "twilio_account_sid"
CONF_TWILIO_AUTH_TOKEN: Final = "twilio_auth_token"
CONF_TWILIO_FROM_NUMBER: Final = "twilio_from_number"
CONF_NOTIFY_ACTION: Final = "notify_action"
# Twilio's API address; a compatible provider or a local test server can stand in.
CONF_TWILIO_API_BASE: Final = "twilio_api_base"
TEXTING_BACKENDS: Final = ("none", "twilio", "notify", "sms_gateway", "httpsms")
# SMS Gateway for Android (capcom6): "local" (the phone's own server) or "cloud"; the
# API's address, the credentials the app shows, its webhook signing key.
CONF_SMS_GATEWAY_MODE: Final = "sms_gateway_mode"
CONF_SMS_GATEWAY_URL: Final = "sms_gateway_url"
CONF_SMS_GATEWAY_USERNAME: Final = "sms_gateway_username"
CONF_SMS_GATEWAY_PASSWORD: Final = "sms_gateway_password"
CONF_SMS_GATEWAY_SIGNING_KEY: Final = "sms_gateway_signing_key"
CONF_SMS_GATEWAY_WEBHOOK_ID: Final = "sms_gateway_webhook_id"
SMS_GATEWAY_MODES: Final = ("local", "cloud")
# httpSMS (NdoleStudio): the API key, the own number, the API's address (self-hosted
# servers), the webhook's signing key.
CONF_HTTPSMS_API_KEY: Final = "httpsms_api_key"
CONF_HTTPSMS_FROM_NUMBER: Final = "httpsms_from_number"
CONF_HTTPSMS_API_BASE: Final = "httpsms_api_base"
CONF_HTTPSMS_SIGNING_KEY: Final = "httpsms_signing_key"
CONF_HTTPSMS_WEBHOOK_ID: Final = "httpsms_webhook_id"

# Telephony webhooks.
CONF_VOICE_WEBHOOK_ID: Final = "voice_webhook_id"
CONF_FORWARD_NUMBER: Final = "forward_number"
CONF_DIAL_TIMEOUT: Final = "dial_timeout"
CONF_PBX_WEBHOOK_ID: Final = "pbx_webhook_id"
CONF_PBX_SECRET: Final = "pbx_secret"
CONF_PBX_LOCAL_ONLY: Final = "pbx_local_only"
# In the entry's data: the voice webhook's Home Assistant Cloud cloudhook
# ({"webhook_id": ..., "url": ...}), kept while Cloud is logged in (cloudhook.py).
CONF_VOICE_CLOUDHOOK: Final = "voice_cloudhook"
# Telnyx TeXML signs with Ed25519: the account's public key (base64) checks it.
CONF_TELNYX_PUBLIC_KEY: Final = "telnyx_public_key"
# The voice menu (issue #18), per kind of caller (a tier, or "unknown"):
# "urgent_vip" offers "if it's urgent, press 1"; "ask_reason_unknown" asks what the call is about.
CONF_URGENT_PREFIX: Final = "urgent_"
CONF_ASK_REASON_PREFIX: Final = "ask_reason_"
DEFAULT_DIAL_TIMEOUT: Final = 20

# Options that hold secrets: never shown in attributes, redacted in diagnostics.
SECRET_OPTIONS: Final = (
    CONF_TWILIO_AUTH_TOKEN,
    CONF_PBX_SECRET,
    CONF_VOICE_WEBHOOK_ID,
    CONF_PBX_WEBHOOK_ID,
    CONF_SMS_GATEWAY_PASSWORD,
    CONF_SMS_GATEWAY_SIGNING_KEY,
    CONF_SMS_GATEWAY_WEBHOOK_ID,
    CONF_HTTPSMS_API_KEY,
    CONF_HTTPSMS_SIGNING_KEY,
    CONF_HTTPSMS_WEBHOOK_ID,
)

# The event entity's event types.
EVENT_RANG_THROUGH: Final = "rang_through"
EVENT_SENT_TO_VOICEMAIL: Final = "sent_to_voicemail"
EVENT_CALLBACK_DUE: Final = "callback_due"
EVENT_CALLBACK_OVERDUE: Final = "callback_overdue"
EVENT_TEXT_FAILED: Final = "text_failed"
EVENT_CLIENT_REPLIED: Final = "client_replied"
EVENT_VOICEMAIL_TRANSCRIBED: Final = "voicemail_transcribed"
CALL_EVENT_TYPES: Final = (
    EVENT_RANG_THROUGH,
    EVENT_SENT_TO_VOICEMAIL,
    EVENT_CALLBACK_DUE,
    EVENT_CALLBACK_OVERDUE,
    EVENT_TEXT_FAILED,
    EVENT_CLIENT_REPLIED,
    EVENT_VOICEMAIL_TRANSCRIBED,
)
# Fired on the bus for every decision, described in the logbook.
EVENT_CALL_SCREENED: Final = "client_etiquette_call_screened"
# Fired on the bus for every reply from a client, described in the logbook (no text, no number).
EVENT_REPLY_RECEIVED: Final = "client_etiquette_client_replied"
CONF_COUNTRY: Final = "country"

# Outgoing calls (issue #5).
SERVICE_PLAN_CALL: Final = "plan_call"
SERVICE_ASK_BEFORE_CALLING: Final = "ask_before_calling"
ATTR_CLIENT: Final = "client"
ATTR_TOPIC: Final = "topic"
