"""CLDR plural categories of whole numbers in en, ru and pl, and picking a plural form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from ..models import Language

type PluralCategory = Literal["one", "few", "many", "other"]


def plural_category(count: int, language: str) -> PluralCategory:
    """Return the CLDR plural category of a whole number in en, ru or pl (else as in en).

    English: 1 is "one", everything else "other". Russian: 1, 21, 101 "one"; 2-4, 22-24
    "few" (not 12-14); 0, 5-20, 25, 111-114 "many". Polish: only 1 is "one"; 2-4,
    22-24 "few" (not 12-14); 0, 5-21, 25, 112 "many".
    """
    count = abs(count)
    ones, tens = count % 10, count % 100
    few = 2 <= ones <= 4 and not 12 <= tens <= 14
    if language == Language.RU:
        if ones == 1 and tens != 11:
            return "one"
        return "few" if few else "many"
    if language == Language.PL:
        if count == 1:
            return "one"
        return "few" if few else "many"
    return "one" if count == 1 else "other"


def plural(count: int, language: str, forms: Mapping[PluralCategory, str]) -> str:
    """``forms`` for the plural category of ``count``; "{n}" in it becomes the number.

    A category missing from ``forms`` falls back to "other", then to "many".
    """
    category = plural_category(count, language)
    form = forms.get(category) or forms.get("other") or forms["many"]
    return form.replace("{n}", str(count))
