"""Pure number reading: hidden caller IDs, E.164, mobile or not, country, and numbers for reading.

The only module that uses ``phonenumbers``. No Home Assistant imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import phonenumbers

# Caller IDs that stand for a withheld number. The digit strings are the words
# ANONYMOUS, UNAVAILABLE, UNKNOWN, BLOCKED and RESTRICTED typed on a phone keypad,
# which Twilio and some carriers send in place of the number.
HIDDEN_CALLER_IDS: Final = frozenset(
    {
        "",
        "anonymous",
        "unknown",
        "private",
        "restricted",
        "unavailable",
        "withheld",
        "blocked",
        "hidden",
    }
)
KEYPAD_HIDDEN_NUMBERS: Final = frozenset(
    {"266696687", "86282452253", "8656696", "2562533", "7378742833"}
)
_ASCII_DIGITS: Final = frozenset("0123456789")
_MOBILE_TYPES: Final = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
# phonenumbers' region for numbers that belong to no country (+800, +882, ...).
_NON_GEOGRAPHIC: Final = "001"


def is_anonymous(number: str) -> bool:
    """Return True for a withheld caller ID: empty, a word such as "anonymous", no digits at all.

    The keypad spellings count only in the international form Twilio sends
    (``+266696687``), which is never a valid number; written without the ``+`` they can
    be a real national number (``266696687`` is a Polish landline).
    """
    text = number.strip()
    if text.lower() in HIDDEN_CALLER_IDS:
        return True
    digits = "".join(char for char in text if char in _ASCII_DIGITS)
    return not digits or (text.startswith("+") and digits in KEYPAD_HIDDEN_NUMBERS)


@dataclass(frozen=True, slots=True)
class CallerNumber:
    """A caller's number read once.

    Its E.164 form (None when hidden or invalid), and whether it can receive texts.
    """

    e164: str | None
    mobile: bool


@lru_cache(maxsize=4096)
def read_number(raw: str, default_region: str | None) -> CallerNumber:
    """Parse a number once, for both ``normalize_number`` and ``is_mobile``.

    ``default_region`` (ISO 3166 alpha-2, e.g. "PL") is used for numbers written
    without a country code. Results are cached: a number that calls again, or is looked
    at again, is not parsed again.
    """
    if is_anonymous(raw):
        return CallerNumber(None, mobile=False)
    region = default_region.upper() if default_region else None
    try:
        parsed = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return CallerNumber(None, mobile=False)
    if not phonenumbers.is_valid_number(parsed):
        return CallerNumber(None, mobile=False)
    return CallerNumber(
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        mobile=phonenumbers.number_type(parsed) in _MOBILE_TYPES,
    )


def normalize_number(raw: str, default_region: str | None) -> str | None:
    """Return the E.164 form of a phone number, or None when it is hidden or not a valid number."""
    return read_number(raw, default_region).e164


def is_mobile(e164: str) -> bool:
    """Return True when an E.164 number is a valid number that can receive texts.

    Numbering plans that do not tell mobile from fixed lines (the US and Canada) count
    as mobile, or their clients would never get a text.
    """
    return read_number(e164, None).mobile


def country_of_number(e164: str) -> str | None:
    """Return the ISO 3166 country (region) of a valid number, e.g. "PL"; None when unknown.

    Numbers of the North American plan give their actual country ("US", "CA"), as
    ``phonenumbers`` tells them apart by area code. Non-geographic numbers give None.
    """
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    region = phonenumbers.region_code_for_number(parsed)
    if not region or region == _NON_GEOGRAPHIC:
        return None
    return str(region)


def country_of_numbers(numbers: Iterable[str]) -> str | None:
    """Return the country of the first of ``numbers`` that has one."""
    return next((country for country in map(country_of_number, numbers) if country), None)


@lru_cache(maxsize=4096)
def readable_number(number: str) -> str:
    """Return a number in international format for reading ("+48 601 234 567"); else as given."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def calling_code(region: str) -> int:
    """Return the country calling code of an ISO 3166 region ("PL" gives 48); 0 when unknown."""
    return int(phonenumbers.country_code_for_region(region))
