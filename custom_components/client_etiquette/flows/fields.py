"""Form pieces shared by the config, options and client flows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector
import voluptuous as vol

from ..const import CONF_DEFAULT_REGION
from ..core.phone import calling_code

# Shown in a form where a value is off or unknown.
NONE_SHOWN = "—"

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_SHORT_CODE = re.compile(r"\d{3,8}")
_MESSAGING_SERVICE = re.compile(r"MG[0-9a-f]{32}", re.IGNORECASE)
_ALPHANUMERIC_ID = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")
_NUMBER_PUNCTUATION = re.compile(r"[\s\-.()]")


def select(
    options: Sequence[str], key: str | None = None, *, multiple: bool = False
) -> selector.SelectSelector:
    """Return a drop-down of ``options`` (a list of check boxes when ``multiple``).

    ``key`` names the options' translations under ``selector.<key>``; None shows them
    as they are (time zones).
    """
    config = selector.SelectSelectorConfig(
        options=list(options),
        multiple=multiple,
        mode=selector.SelectSelectorMode.LIST if multiple else selector.SelectSelectorMode.DROPDOWN,
    )
    if key is not None:
        config["translation_key"] = key
    return selector.SelectSelector(config)


def email_error(email: str | None) -> str | None:
    """``invalid_email`` unless ``email`` is empty or looks like ``name@domain.tld``."""
    if not email:
        return None
    text = email.strip()
    local, _, domain = text.partition("@")
    host, dot, tld = domain.rpartition(".")
    valid = bool(local and host and dot and tld) and not any(c.isspace() for c in text)
    return None if valid and "@" not in domain else "invalid_email"


class TimeNoSeconds(selector.TimeSelector):
    """A time field without seconds (the frontend's ``no_second``); values stay HH:MM:SS."""

    CONFIG_SCHEMA = vol.Schema({vol.Optional("no_second"): bool})

    def __init__(self) -> None:
        """Set up a time selector without seconds."""
        super().__init__(selector.TimeSelectorConfig(no_second=True))  # type: ignore[typeddict-unknown-key]


class NumberBox(selector.NumberSelector):
    """A number box whose range the flow step checks, so that its error is translated.

    Home Assistant's number selector refuses a number out of range before the step
    runs, with an English message; this one lets every number through to the step,
    which calls ``number_problem``. A step of 1 means whole numbers only.
    """

    def __call__(self, data: Any) -> float:
        """Any number."""
        return float(vol.Coerce(float)(data))

    def accepts(self, value: float) -> bool:
        """Return True when ``value`` is in range (and whole, for a step of 1)."""
        config = self.config
        whole = config.get("step") != 1 or float(value).is_integer()
        return whole and config["min"] <= value <= config["max"]

    def bounds(self) -> dict[str, str]:
        """Return the range as the error message's ``min`` and ``max`` placeholders."""
        return {"min": _plain(self.config["min"]), "max": _plain(self.config["max"])}


def number_box(low: float, high: float, unit: str = "", *, whole: bool = True) -> NumberBox:
    """Return a number box from ``low`` to ``high``; whole numbers unless ``whole`` is False."""
    config = selector.NumberSelectorConfig(
        min=low, max=high, step=1 if whole else "any", mode=selector.NumberSelectorMode.BOX
    )
    if unit:
        config["unit_of_measurement"] = unit
    return NumberBox(config)


def number_problem(
    schema: vol.Schema, user_input: Mapping[str, Any]
) -> tuple[str, dict[str, str]] | None:
    """Return the first number in ``user_input`` its NumberBox refuses: its key and its range."""
    for key, field in schema.schema.items():
        value = user_input.get(str(key))
        if isinstance(field, NumberBox) and value is not None and not field.accepts(value):
            return str(key), field.bounds()
    return None


def _plain(number: float) -> str:
    """-140.0 as "-140", 0.5 as "0.5"."""
    return str(int(number)) if float(number).is_integer() else str(number)


def default_region(hass: HomeAssistant, options: Mapping[str, Any]) -> str | None:
    """Return the country of numbers without a country code: the options' default, else HA's."""
    region = options.get(CONF_DEFAULT_REGION) or hass.config.country
    return str(region).upper() if region else None


def region_shown(region: str | None) -> str:
    """Return that country as the forms show it, e.g. "PL (+48)"; "—" when there is none."""
    if not region:
        return NONE_SHOWN
    code = calling_code(region)
    return f"{region} (+{code})" if code else region


def twilio_sender(raw: str) -> str | None:
    """``raw`` as a sender Twilio accepts, or None when it is no such sender.

    Twilio takes a phone number in international form (spaces, dashes, dots and
    brackets are dropped here), a short code, a Messaging Service SID (MG and 32 hex
    digits) or an alphanumeric sender ID (up to 11 letters, digits or spaces, with at
    least one letter).
    """
    text = raw.strip()
    compact = _NUMBER_PUNCTUATION.sub("", text)
    if _E164.fullmatch(compact) or _SHORT_CODE.fullmatch(compact):
        return compact
    if _MESSAGING_SERVICE.fullmatch(text):
        return "MG" + text[2:]
    return text if _ALPHANUMERIC_ID.fullmatch(text) else None
