"""What the frontend shows for a flow result: its translated texts, filled in.

Every text of the result's step (title, description, field labels and descriptions,
section names and descriptions, menu options) and of its errors or abort reason is
read from translations/<language>.json and filled in with the result's
``description_placeholders`` the way the frontend does it (tests/icu_message.py). A
placeholder the flow does not supply, or text the frontend can't parse, raises
MessageError, as the frontend would show "Translation error".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
import json
from pathlib import Path
from typing import Any

from homeassistant.data_entry_flow import FlowResultType

from .icu_message import render

TRANSLATIONS = (
    Path(__file__).resolve().parent.parent
    / "custom_components"
    / "client_etiquette"
    / "translations"
)
CONFIG = ("config",)
OPTIONS = ("options",)
CLIENT = ("config_subentries", "client")
LANGUAGES = ("en", "pl", "ru")


@cache
def translation(language: str) -> dict[str, Any]:
    """translations/<language>.json."""
    data: dict[str, Any] = json.loads(
        (TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")
    )
    return data


def _step_texts(step: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in step.items():
        if isinstance(value, str):
            yield prefix + key, value
        elif key == "sections":
            for name, section in value.items():
                yield from _step_texts(section, f"{prefix}sections.{name}.")
        else:
            for field, text in value.items():
                yield f"{prefix}{key}.{field}", text


def shown_texts(
    result: Mapping[str, Any], where: tuple[str, ...], language: str = "en"
) -> dict[str, str]:
    """Return the texts the frontend shows for ``result``, keyed like "description" or "error.base".

    ``where`` is the flow's place in the translations: CONFIG, OPTIONS or CLIENT.
    """
    flow: dict[str, Any] = translation(language)
    for key in where:
        flow = flow[key]
    placeholders = result.get("description_placeholders") or {}
    texts: list[tuple[str, str]] = []
    if result["type"] in (FlowResultType.FORM, FlowResultType.MENU):
        texts += _step_texts(flow["step"][result["step_id"]])
        texts += [
            (f"error.{field}", flow["error"][error])
            for field, error in (result.get("errors") or {}).items()
        ]
    elif result["type"] is FlowResultType.ABORT:
        texts.append(("abort", flow["abort"][result["reason"]]))
    return {key: render(text, placeholders) for key, text in texts}
