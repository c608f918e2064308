"""hassfest's rules for translation strings, applied to every translation file.

hassfest (Home Assistant's own checker, run on integrations in CI) checks strings.json
and translations/en.json; its checks live in home-assistant/core's
script/hassfest/translations.py, which is not part of the homeassistant package, so the
rules are restated here from that file:

- ``validate_translation_value``: no HTML (``cv.string_with_no_html``, called here from
  Home Assistant itself), no placeholder inside single quotes
  (``RE_PLACEHOLDER_IN_SINGLE_QUOTES``), placeholders are identifiers
  (``validate_placeholders``), no combined ``[%key:…%]`` references
  (``RE_COMBINED_REFERENCE``), no leading or trailing space, no URL (``RE_URL``: "please
  use description placeholders instead");
- ``custom_translation_value_validator(allow_placeholders=False)``: no placeholders in
  entity states, state attribute names and states, and units;
- ``data_description_validator``: every ``data_description`` key of a step is in its
  ``data``;
- ``translation_key_validator`` (``RE_TRANSLATION_KEY``) for selector options and entity
  keys.

They are applied to ru.json and pl.json too, and every string must also parse the way
the frontend parses it (tests/icu_message.py) with the same placeholders as English.
"""

from __future__ import annotations

from collections.abc import Iterator
import re
import string
from typing import Any

from homeassistant.helpers import config_validation as cv
import pytest
import voluptuous as vol

from .flow_text import LANGUAGES, TRANSLATIONS, translation
from .icu_message import MessageError, arguments, parse

# From script/hassfest/translations.py.
RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
RE_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
RE_PLACEHOLDER_IN_SINGLE_QUOTES = re.compile(r"'{\w+}'")
RE_URL = re.compile(
    r"(((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5):\/\/|www\.)"
    r"[a-z0-9]+([\-\.]{1}[a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(\/.*)?)",
    re.IGNORECASE,
)


# The design's rule codes (E1 … E12): for the docs, not for the UI.
RULE_CODE = re.compile(r"\bE\d{1,2}\b")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these checks read files and need no Home Assistant."""


def hassfest_problem(value: str, *, allow_placeholders: bool = True) -> str | None:
    """Return what hassfest says about one translation string, or None when it passes."""
    try:
        cv.string_with_no_html(value)
    except vol.Invalid as err:
        return str(err)
    if RE_PLACEHOLDER_IN_SINGLE_QUOTES.search(value):
        return "the string should not contain placeholders inside single quotes"
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(value) if field]
    except ValueError as err:
        return f"placeholders do not parse: {err}"
    if fields and not allow_placeholders:
        return "placeholders are not supported in this value"
    if any(not field.isidentifier() for field in fields):
        return "placeholders must be valid identifiers ([a-zA-Z_][a-zA-Z0-9_]*)"
    if RE_COMBINED_REFERENCE.search(value):
        return "the string should not contain combined translations"
    if value != value.strip():
        return "the string should not contain leading or trailing spaces"
    if RE_URL.search(value):
        return "the string should not contain URLs, please use description placeholders instead"
    return None


def strings(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string of a translation tree with its path of keys."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from strings(value, (*path, key))
    else:
        yield path, tree


def placeholders_allowed(path: tuple[str, ...]) -> bool:
    """Return False for entity states, state attributes and units, as hassfest's schema says."""
    return path[0] != "entity" or path[3] not in (
        "state",
        "state_attributes",
        "unit_of_measurement",
    )


def flows(tree: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield the config, options and sub-entry flows of a translation tree."""
    for kind in ("config", "options"):
        if kind in tree:
            yield kind, tree[kind]
    for name, flow in tree.get("config_subentries", {}).items():
        yield f"config_subentries.{name}", flow


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Send `Authorization: Bearer <secret>`.", "the string should not contain HTML"),
        ("Leave empty for https://api.twilio.com.", "should not contain URLs"),
        ("See www.example.com", "should not contain URLs"),
        ("Say '{name}'", "placeholders inside single quotes"),
        ("{not an identifier}", "valid identifiers"),
        ("{unclosed", "do not parse"),
        (" padded", "leading or trailing spaces"),
        ("Both [%key:common::x%] and text", "combined translations"),
    ],
)
def test_the_rules_catch_what_hassfest_refuses(value: str, expected: str) -> None:
    """The checker itself: each rule refuses its kind of string."""
    problem = hassfest_problem(value)
    assert problem is not None
    assert expected in problem


def test_the_rules_pass_what_hassfest_accepts() -> None:
    """Placeholders, a lone "<" and apostrophes are fine; no placeholders where forbidden."""
    assert hassfest_problem("Leave empty for {api_base}; a < b is fine, and so is it's.") is None
    assert hassfest_problem("Ready", allow_placeholders=False) is None
    assert hassfest_problem("{x} ready", allow_placeholders=False) is not None
    assert placeholders_allowed(("config", "step", "user", "description"))
    assert placeholders_allowed(("entity", "sensor", "reason", "name"))
    assert not placeholders_allowed(("entity", "sensor", "reason", "state", "ready"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_hassfest_accepts_every_string(language: str) -> None:
    """No HTML, no URL, no quoted or malformed placeholder, no stray space, anywhere."""
    problems = [
        (".".join(path), problem)
        for path, value in strings(translation(language))
        if (problem := hassfest_problem(value, allow_placeholders=placeholders_allowed(path)))
    ]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_data_descriptions_describe_fields(language: str) -> None:
    """hassfest: a step's data_description keys are keys of its data (sections too)."""
    for name, flow in flows(translation(language)):
        for step_id, step in flow["step"].items():
            parts = [step, *step.get("sections", {}).values()]
            for part in parts:
                extra = set(part.get("data_description", {})) - set(part.get("data", {}))
                assert not extra, f"{name}.step.{step_id}: {extra}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_keys(language: str) -> None:
    """Hassfest's translation_key_validator on selector options and entity keys."""
    tree = translation(language)
    keys = [option for node in tree["selector"].values() for option in node["options"]]
    keys += [key for platform in tree["entity"].values() for key in platform]
    assert [key for key in keys if not RE_TRANSLATION_KEY.match(key)] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_frontend_parses_every_string(language: str) -> None:
    """No "Translation error" in the frontend: every string parses as its messages do."""
    errors = []
    for path, value in strings(translation(language)):
        try:
            parse(value)
        except MessageError as err:
            errors.append((".".join(path), err.kind))
    assert errors == []


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_placeholders_as_in_english(language: str) -> None:
    """Check that a translation uses exactly English's placeholders, as the frontend reads them."""
    english = dict(strings(translation("en")))
    differ = [
        ".".join(path)
        for path, value in strings(translation(language))
        if arguments(value) != arguments(english[path])
    ]
    assert differ == []


def test_rule_code_pattern() -> None:
    """Check that the pattern finds rule codes and leaves E.164 and e-mail alone."""
    assert RULE_CODE.findall("rings through (E4); places (E2\u2013E4)") == ["E4", "E2", "E4"]
    assert RULE_CODE.findall("numbers in E.164, an e-mail, HTTP POST") == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_rule_codes_in_ui_texts(language: str) -> None:
    """Check that UI texts say the rule in words, never its code."""
    coded = [
        ".".join(path) for path, value in strings(translation(language)) if RULE_CODE.search(value)
    ]
    assert coded == []


def test_no_rule_codes_in_services_yaml() -> None:
    """services.yaml's texts (shown when a translation is missing) have no rule codes either."""
    services = (TRANSLATIONS.parent / "services.yaml").read_text(encoding="utf-8")
    assert RULE_CODE.findall(services) == []
