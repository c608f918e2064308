"""The options steps of telephony: the voice and PBX webhooks and their addresses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ..const import (
    CONF_DIAL_TIMEOUT,
    CONF_FORWARD_NUMBER,
    CONF_PBX_LOCAL_ONLY,
    CONF_PBX_SECRET,
    CONF_PBX_WEBHOOK_ID,
    CONF_TELNYX_PUBLIC_KEY,
    CONF_TEXTING_BACKEND,
    CONF_TWILIO_AUTH_TOKEN,
    CONF_VOICE_WEBHOOK_ID,
    DEFAULT_DIAL_TIMEOUT,
)
from ..core.phone import normalize_number
from ..telephony.addresses import webhook_url
from ..telephony.cloudhook import async_cloudhook_url, voice_cloudhook_url
from ..telephony.signature import ed25519_key, new_webhook_id
from .fields import (
    NONE_SHOWN,
    default_region,
    number_box,
    region_shown,
)
from .options_base import OptionsFlowBase, password_selector

ENABLE_VOICE = "voice_webhook"
ENABLE_PBX = "pbx_webhook"
ROTATE = "rotate_secrets"
# Shown in place of the address of a webhook that is switched off.
OFF = NONE_SHOWN


def telephony_schema() -> vol.Schema:
    """Return the form of the phone-system webhooks."""
    return vol.Schema(
        {
            vol.Optional(ENABLE_VOICE, default=False): selector.BooleanSelector(),
            vol.Optional(CONF_FORWARD_NUMBER): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
            ),
            vol.Optional(CONF_DIAL_TIMEOUT, default=DEFAULT_DIAL_TIMEOUT): number_box(5, 120, "s"),
            vol.Optional(CONF_TWILIO_AUTH_TOKEN): password_selector(),
            vol.Optional(CONF_TELNYX_PUBLIC_KEY): selector.TextSelector(),
            vol.Optional(ENABLE_PBX, default=False): selector.BooleanSelector(),
            vol.Optional(CONF_PBX_LOCAL_ONLY, default=True): selector.BooleanSelector(),
            vol.Optional(ROTATE, default=False): selector.BooleanSelector(),
        }
    )


class TelephonySteps(OptionsFlowBase):
    """Turn the webhooks on or off, rotate their secrets, show their addresses."""

    _telephony: tuple[dict[str, Any], tuple[str, ...]] = ({}, ())

    async def async_step_telephony(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Turn the voice and PBX webhooks on or off, rotate their secrets."""
        errors: dict[str, str] = {}
        options = self.config_entry.options
        region = default_region(self.hass, options)
        placeholders = {**self._webhook_urls(options), "default_country": region_shown(region)}
        if user_input is not None and (
            refused := self._refused_number(
                "telephony", telephony_schema(), user_input, placeholders
            )
        ):
            return refused
        if user_input is not None:
            forward = str(user_input.get(CONF_FORWARD_NUMBER) or "").strip()
            number = normalize_number(forward, region) if forward else None
            if forward and number is None:
                errors[CONF_FORWARD_NUMBER] = "invalid_number"
                placeholders["number"] = forward
            elif user_input[ENABLE_VOICE] and number is None:
                errors["base"] = "forward_number_needed"
            elif user_input.get(CONF_TELNYX_PUBLIC_KEY) and not ed25519_key(
                user_input[CONF_TELNYX_PUBLIC_KEY]
            ):
                errors[CONF_TELNYX_PUBLIC_KEY] = "invalid_telnyx_key"
            else:
                changes = {**user_input, CONF_FORWARD_NUMBER: number}
                self._telephony = _telephony_changes(options, changes)
                if user_input[ENABLE_VOICE] or user_input[ENABLE_PBX]:
                    return await self.async_step_webhooks()
                return self._save(*self._telephony)
        suggested = user_input or {
            **options,
            ENABLE_VOICE: bool(options.get(CONF_VOICE_WEBHOOK_ID)),
            ENABLE_PBX: bool(options.get(CONF_PBX_WEBHOOK_ID)),
        }
        return self._form("telephony", telephony_schema(), suggested, errors, placeholders)

    async def async_step_webhooks(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the full webhook addresses (and the PBX secret) to copy, then save."""
        if user_input is not None:
            return self._save(*self._telephony)
        placeholders = self._webhook_urls(self._telephony[0])
        placeholders["cloudhook_url"] = await self._cloudhook_url(self._telephony[0]) or OFF
        return self.async_show_form(
            step_id="webhooks",
            data_schema=vol.Schema({}),
            description_placeholders=placeholders,
        )

    async def _cloudhook_url(self, options: Mapping[str, Any]) -> str | None:
        """Return the Home Assistant Cloud address of the voice webhook in ``options``, if any."""
        if not (voice := options.get(CONF_VOICE_WEBHOOK_ID)):
            return None
        if voice == self.config_entry.options.get(CONF_VOICE_WEBHOOK_ID) and (
            kept := voice_cloudhook_url(self.config_entry)
        ):
            return kept
        return await async_cloudhook_url(self.hass, voice)

    def _webhook_urls(self, options: Mapping[str, Any]) -> dict[str, str]:
        """Return the addresses (and PBX secret) of the webhooks in ``options``; "-" when off."""
        voice, pbx = options.get(CONF_VOICE_WEBHOOK_ID), options.get(CONF_PBX_WEBHOOK_ID)
        return {
            "voice_url": webhook_url(self.hass, voice) if voice else OFF,
            "pbx_url": webhook_url(self.hass, pbx) if pbx else OFF,
            "pbx_secret": str(options.get(CONF_PBX_SECRET)) if pbx else OFF,
        }


def _telephony_changes(
    options: Mapping[str, Any], user_input: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Work out the new telephony options: ids kept unless switched off or rotated."""
    rotate = bool(user_input[ROTATE])
    changes: dict[str, Any] = {
        CONF_DIAL_TIMEOUT: int(user_input[CONF_DIAL_TIMEOUT]),
        CONF_PBX_LOCAL_ONLY: user_input[CONF_PBX_LOCAL_ONLY],
    }
    if user_input.get(CONF_FORWARD_NUMBER):
        changes[CONF_FORWARD_NUMBER] = user_input[CONF_FORWARD_NUMBER]
    if token := str(user_input.get(CONF_TWILIO_AUTH_TOKEN) or "").strip():
        changes[CONF_TWILIO_AUTH_TOKEN] = token
    if user_input.get(CONF_TELNYX_PUBLIC_KEY):
        changes[CONF_TELNYX_PUBLIC_KEY] = user_input[CONF_TELNYX_PUBLIC_KEY].strip()
    if user_input[ENABLE_VOICE]:
        keep = options.get(CONF_VOICE_WEBHOOK_ID)
        changes[CONF_VOICE_WEBHOOK_ID] = keep if keep and not rotate else new_webhook_id()
    if user_input[ENABLE_PBX]:
        keep_id, keep_secret = options.get(CONF_PBX_WEBHOOK_ID), options.get(CONF_PBX_SECRET)
        fresh = rotate or not keep_id
        changes[CONF_PBX_WEBHOOK_ID] = new_webhook_id() if fresh else keep_id
        changes[CONF_PBX_SECRET] = new_webhook_id() if fresh else keep_secret
    drop: tuple[str, ...] = (
        CONF_VOICE_WEBHOOK_ID,
        CONF_PBX_WEBHOOK_ID,
        CONF_PBX_SECRET,
        CONF_FORWARD_NUMBER,
        CONF_DIAL_TIMEOUT,
        CONF_PBX_LOCAL_ONLY,
        CONF_TELNYX_PUBLIC_KEY,
    )
    if options.get(CONF_TEXTING_BACKEND) != "twilio":
        # Texts through Twilio keep their token; it is changed in Twilio's form there.
        drop += (CONF_TWILIO_AUTH_TOKEN,)
    return changes, drop
