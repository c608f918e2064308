"""The title of a waiting callback: the to-do item's summary and the reminder's title."""

from __future__ import annotations

# "Call back Anna": the to-do item's summary and the reminder's title.
CALL_BACK = {"en": "Call back {name}", "ru": "Перезвонить: {name}", "pl": "Oddzwoń: {name}"}
# The same for a caller who pressed 1 ("it's urgent", issue #18).
URGENT_CALL_BACK = {
    "en": "Urgent: call back {name}",
    "ru": "Срочно перезвонить: {name}",
    "pl": "Pilne — oddzwoń: {name}",
}


def ui_language(language: str) -> str:
    """Home Assistant's language ("pl", "en-GB") as one we have wording in; else "en"."""
    base = language.split("-", maxsplit=1)[0]
    return base if base in CALL_BACK else "en"
