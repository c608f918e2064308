"""Read the screening options stored in an entry into the pure ScreeningPolicy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ..const import (
    CONF_ASK_REASON_PREFIX,
    CONF_BLOCKING_PREFIX,
    CONF_MAX_TEXTS_PER_HOUR,
    CONF_REPEAT_WINDOW,
    CONF_TEXT_COOLDOWN,
    CONF_UNKNOWN_CALLERS,
    CONF_URGENT_PREFIX,
    DEFAULT_REPEAT_WINDOW_MINUTES,
    DEFAULT_TEXT_COOLDOWN_HOURS,
)
from ..core.models import (
    DEFAULT_MAX_TEXTS_PER_HOUR,
    VIP_REASONS,
    Client,
    Reason,
    ScreeningPolicy,
    Tier,
    UnknownCallers,
)
from ..core.voice import (
    DEFAULT_ASK_REASON,
    DEFAULT_URGENT,
    CallerKind,
    VoiceMenu,
    caller_kind,
    voice_menu,
)


def default_blocking(tier: str) -> list[str]:
    """Return the reasons that send a tier's calls to voicemail unless the user changes them."""
    reasons = VIP_REASONS if tier == Tier.VIP else frozenset(Reason)
    return [str(reason) for reason in Reason if reason in reasons]


def with_meeting_soon(options: Mapping[str, Any]) -> dict[str, Any]:
    """Count ``meeting_soon`` wherever a stored tier list counts ``in_meeting`` (VIP aside).

    Options saved before the reason existed name their reasons one by one; a new or
    regular tier that is sent to voicemail in a meeting is also when one is about to start.
    """
    migrated = dict(options)
    for tier in (Tier.NEW, Tier.REGULAR):
        key = CONF_BLOCKING_PREFIX + tier
        stored = migrated.get(key)
        if stored is not None and Reason.IN_MEETING in stored and Reason.MEETING_SOON not in stored:
            migrated[key] = [*stored, str(Reason.MEETING_SOON)]
    return migrated


def policy_from_options(options: Mapping[str, Any]) -> ScreeningPolicy:
    """Return the screening policy the user chose (defaults from issue 3 otherwise)."""
    blocking = {
        tier: frozenset(
            Reason(code)
            for code in options.get(CONF_BLOCKING_PREFIX + tier, default_blocking(tier))
        )
        for tier in Tier
    }
    return ScreeningPolicy(
        blocking=blocking,
        repeat_window=timedelta(
            minutes=options.get(CONF_REPEAT_WINDOW, DEFAULT_REPEAT_WINDOW_MINUTES)
        ),
        unknown_callers=UnknownCallers(
            options.get(CONF_UNKNOWN_CALLERS, UnknownCallers.SCREEN_AS_NEW)
        ),
        text_cooldown=timedelta(hours=options.get(CONF_TEXT_COOLDOWN, DEFAULT_TEXT_COOLDOWN_HOURS)),
        max_texts_per_hour=int(options.get(CONF_MAX_TEXTS_PER_HOUR, DEFAULT_MAX_TEXTS_PER_HOUR)),
    )


def menu_from_options(
    options: Mapping[str, Any], client: Client | None, *, can_dial: bool
) -> VoiceMenu:
    """Return the voice menu the user chose for this caller (issue #18 defaults otherwise)."""
    urgent = {
        kind: bool(options.get(CONF_URGENT_PREFIX + kind, DEFAULT_URGENT[kind]))
        for kind in CallerKind
    }
    ask_reason = {
        kind: bool(options.get(CONF_ASK_REASON_PREFIX + kind, DEFAULT_ASK_REASON[kind]))
        for kind in CallerKind
    }
    return voice_menu(caller_kind(client), urgent, ask_reason, can_dial=can_dial)
