"""The options step of the voice menu: "press 1 if urgent" and "what is it about", per caller."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ..const import CONF_ASK_REASON_PREFIX, CONF_URGENT_PREFIX
from ..core.voice import DEFAULT_ASK_REASON, DEFAULT_URGENT, CallerKind
from .options_base import OptionsFlowBase

VOICE_KEYS = tuple(
    prefix + kind for prefix in (CONF_URGENT_PREFIX, CONF_ASK_REASON_PREFIX) for kind in CallerKind
)


def voice_schema() -> vol.Schema:
    """Return the form: one switch per kind of caller for each of the two questions."""
    fields: dict[Any, Any] = {}
    for prefix, defaults in (
        (CONF_URGENT_PREFIX, DEFAULT_URGENT),
        (CONF_ASK_REASON_PREFIX, DEFAULT_ASK_REASON),
    ):
        for kind in CallerKind:
            fields[vol.Optional(prefix + kind, default=defaults[kind])] = selector.BooleanSelector()
    return vol.Schema(fields)


class VoiceSteps(OptionsFlowBase):
    """Choose what callers sent to voicemail are offered on the voice webhook."""

    async def async_step_voice(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Offer "press 1 if urgent" and ask the reason, per tier and for unknown callers."""
        if user_input is not None:
            return self._save({key: bool(user_input[key]) for key in VOICE_KEYS}, drop=VOICE_KEYS)
        return self._form("voice", voice_schema(), None, {})
