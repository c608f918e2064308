"""The README stays true to the repository: actions, blueprints, links, examples.

Everything is read from the files as they are (README.md, services.yaml, the shipped
blueprints, the manifest, the linked documents), and the README's action examples are run
against a real Home Assistant, so a renamed field, a moved file or a changed response
shows up here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
import json
from pathlib import Path
import re
from textwrap import dedent
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse
from homeassistant.helpers.template import Template
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.client_etiquette.const import CALL_EVENT_TYPES, DOMAIN
from custom_components.client_etiquette.core.messages.texts import (
    TEMPLATE_VARIABLES,
    template_variables,
)
from custom_components.client_etiquette.core.models import Language, Reason
from custom_components.client_etiquette.outgoing import holidays

from . import BASE_OPTIONS, setup_entry

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
INTEGRATION = REPO / "custom_components" / DOMAIN
BLUEPRINTS = INTEGRATION / "blueprints" / "automation" / DOMAIN
BLUEPRINT_FILES = sorted(path.name for path in BLUEPRINTS.glob("*.yaml"))
SERVICES: dict[str, Any] = load_yaml_dict(str(INTEGRATION / "services.yaml"))

IMPORT_BADGE = "https://my.home-assistant.io/badges/blueprint_import.svg"
IMPORT_ALT = (
    "Open your Home Assistant instance and show the blueprint import dialog with a "
    "specific blueprint pre-filled."
)
IMPORT_HOST = "my.home-assistant.io"
IMPORT_PATH = "/redirect/blueprint_import/"

# A fenced block, also indented inside a list item.
FENCE = re.compile(r"^([ \t]*)```(\w*)[ \t]*\n(.*?)^\1```[ \t]*$", re.DOTALL | re.MULTILINE)
# [text](target) and ![alt](target); a badge nests one inside the other.
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
RESPONSE_MARK = re.compile(rf"^#\s*{DOMAIN}\.(\w+) response\s*$", re.MULTILINE)

# The client the action examples talk about, and what the entry says about the sender.
CLIENT_NUMBER = "+48601234567"  # a Polish mobile, so texts can go to it
SENDER_NAME = "Jan"
NOTIFY = ("notify", "readme_sms")


@dataclass(frozen=True)
class Block:
    """A fenced code block of the README."""

    language: str
    text: str


def readme() -> str:
    return README.read_text(encoding="utf-8")


def blocks(text: str) -> list[Block]:
    return [Block(match[2], dedent(match[3])) for match in FENCE.finditer(text)]


def prose(text: str) -> str:
    """Return the text without its fenced code blocks (no links or headings in there)."""
    return FENCE.sub("", text)


def links(text: str) -> list[tuple[bool, str, str]]:
    """(is an image, text, target) of every link and image outside code blocks."""
    found: list[tuple[bool, str, str]] = []
    pending = [prose(text)]
    while pending:
        for match in LINK.finditer(pending.pop()):
            found.append((match[1] == "!", match[2], match[3]))
            pending.append(match[2])  # a badge: the image inside the link text
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    return re.sub(r"[^\w\- ]", "", plain.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Return the anchors GitHub makes for a document's headings (repeats get -1, -2, ...)."""
    seen: dict[str, int] = {}
    result: set[str] = set()
    for heading in HEADING.findall(prose(markdown)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def action_examples() -> dict[str, dict[str, Any]]:
    """Return the README's YAML examples that call one of our actions, by action name."""
    examples: dict[str, dict[str, Any]] = {}
    for block in blocks(readme()):
        if block.language != "yaml":
            continue
        data = yaml.safe_load(block.text)
        if isinstance(data, dict) and str(data.get("action", "")).startswith(f"{DOMAIN}."):
            examples.setdefault(data["action"].removeprefix(f"{DOMAIN}."), data)
    return examples


def documented_responses() -> dict[str, Any]:
    """Read the README's example responses: YAML blocks marked ``# client_etiquette.X response``."""
    responses: dict[str, Any] = {}
    for block in blocks(readme()):
        mark = RESPONSE_MARK.search(block.text)
        if block.language == "yaml" and mark:
            responses[mark[1]] = yaml.safe_load(block.text)
    return responses


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key of a response, nested ones as ``outer.inner``."""
    if not isinstance(value, dict):
        return set()
    paths: set[str] = set()
    for key, inner in value.items():
        path = f"{prefix}{key}"
        paths.add(path)
        paths |= key_paths(inner, f"{path}.")
    return paths


def import_links(text: str) -> list[str]:
    return [
        target
        for _, _, target in links(text)
        if urlsplit(target).netloc == IMPORT_HOST and urlsplit(target).path == IMPORT_PATH
    ]


# --- the text ---------------------------------------------------------------------------


def test_no_placeholder_is_left() -> None:
    """Check that every section is written."""
    assert "placeholder" not in readme().lower()


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_action_is_documented_with_an_example(service: str) -> None:
    """Check that each action in services.yaml is named and has a working YAML example.

    The example uses only the action's fields and gives every required one.
    """
    assert f"{DOMAIN}.{service}" in readme()
    example = action_examples().get(service)
    assert example is not None, f"no YAML example calls {DOMAIN}.{service}"
    fields = SERVICES[service].get("fields", {})
    data = example.get("data", {})
    assert set(data) <= set(fields)
    assert {name for name, spec in fields.items() if spec.get("required")} <= set(data)


def test_every_yaml_block_parses() -> None:
    """Check that a YAML example that doesn't parse can't be pasted."""
    yaml_blocks = [block for block in blocks(readme()) if block.language == "yaml"]
    assert yaml_blocks
    for block in yaml_blocks:
        assert yaml.safe_load(block.text) is not None, block.text


def test_every_event_type_is_documented() -> None:
    """Check that the client_call event entity's event types are all explained."""
    text = readme()
    for event_type in CALL_EVENT_TYPES:
        assert f"`{event_type}`" in text, event_type


def test_every_template_variable_is_documented() -> None:
    """Check that the variables the Text templates step offers are the ones the README lists."""
    text = readme()
    for name in TEMPLATE_VARIABLES:
        assert f"{{{{ {name} }}}}" in text, name


# --- blueprints -------------------------------------------------------------------------


def blueprint_url(name: str) -> str:
    """Return the file's address on GitHub: the manifest's repository, branch main."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    relative = (BLUEPRINTS / name).relative_to(REPO).as_posix()
    return f"{manifest['documentation'].rstrip('/')}/blob/main/{relative}"


def test_blueprint_files_are_there() -> None:
    """Check that the parametrised test below has something to check."""
    assert BLUEPRINT_FILES


@pytest.mark.parametrize("name", BLUEPRINT_FILES)
def test_every_blueprint_has_a_well_formed_import_link(name: str) -> None:
    """Check that the README imports each shipped blueprint from its own path.

    Its path in the repository, the address its ``source_url`` gives too, through the
    official badge.
    """
    expected = blueprint_url(name)
    metadata = load_yaml_dict(str(BLUEPRINTS / name))["blueprint"]
    assert metadata["source_url"] == expected
    matching = [
        target
        for target in import_links(readme())
        if parse_qs(urlsplit(target).query).get("blueprint_url") == [expected]
    ]
    assert len(matching) == 1, f"{name}: {len(matching)} import links"
    assert f"`{name}`" in readme()
    assert metadata["name"].removeprefix("Client Etiquette - ").lower() in readme().lower()


def test_import_links_are_badges_to_shipped_files() -> None:
    """Check that every import link is the official badge and points at a shipped blueprint.

    It also percent-encodes its one parameter.
    """
    found = [(image, text, target) for image, text, target in links(readme())]
    targets = import_links(readme())
    assert len(targets) == len(BLUEPRINT_FILES)
    for target in targets:
        parts = urlsplit(target)
        assert parts.scheme == "https"
        query = parse_qs(parts.query, strict_parsing=True)
        assert list(query) == ["blueprint_url"]
        raw = parts.query.removeprefix("blueprint_url=")
        url = unquote(raw)
        assert quote(url, safe="") == raw, "the blueprint address must be percent-encoded"
        name = url.rsplit("/", 1)[-1]
        assert name in BLUEPRINT_FILES
        assert url == blueprint_url(name)
        badge = next(text for image, text, link in found if link == target and not image)
        assert badge == f"![{IMPORT_ALT}]({IMPORT_BADGE})"


# --- links ------------------------------------------------------------------------------


def relative_links() -> list[str]:
    return [
        target
        for _, _, target in links(readme())
        if not urlsplit(target).scheme and not target.startswith("#")
    ]


def test_readme_has_relative_links_and_images() -> None:
    """Check that the checks below have something to check."""
    assert any(image for image, _, target in links(readme()) if not urlsplit(target).scheme)
    assert relative_links()


@pytest.mark.parametrize("target", sorted(set(relative_links())))
def test_relative_link_points_at_a_file(target: str) -> None:
    """Check that each relative link or image is a file and each anchor a heading.

    An anchor into a Markdown file must be one of its headings.
    """
    path, _, anchor = target.partition("#")
    file = (README.parent / unquote(path)).resolve()
    assert file.is_relative_to(REPO)
    assert file.is_file(), target
    if anchor:
        assert file.suffix == ".md"
        assert anchor in anchors(file.read_text(encoding="utf-8")), target


def test_anchors_within_the_readme_exist() -> None:
    """Check that links to the README's own sections land on a heading."""
    own = [target[1:] for _, _, target in links(readme()) if target.startswith("#")]
    assert own
    headings = anchors(readme())
    assert [anchor for anchor in own if anchor not in headings] == []


def test_slug_follows_github() -> None:
    """The anchor rule the link checks use, on headings of the kinds the docs have."""
    assert slug("Voice webhook (Twilio, SignalWire)") == "voice-webhook-twilio-signalwire"
    assert slug("Asterisk / FreePBX") == "asterisk--freepbx"
    assert slug("Fritz!Box") == "fritzbox"
    assert slug("`client_etiquette.plan_call`") == "client_etiquetteplan_call"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}


# --- the examples run -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_holidays() -> Iterator[None]:
    """plan_call loads the holidays it needs, whatever ran before."""
    holidays._holiday_cache.clear()
    yield
    holidays._holiday_cache.clear()


async def readme_entry(hass: HomeAssistant, texts: list[ServiceCall]) -> MockConfigEntry:
    """Return an entry with the README's example client, texting through a notify action."""
    hass.services.async_register(*NOTIFY, texts.append)
    anna = ConfigSubentryData(
        data={
            "numbers": [CLIENT_NUMBER],
            "tier": "regular",
            "language": "pl",
            "time_zone": "Europe/Warsaw",
            "contact_start": "09:00:00",
            "contact_end": "17:00:00",
            "contact_days": ["mon", "tue", "wed", "thu", "fri"],
        },
        subentry_type="client",
        title=action_examples()["plan_call"]["data"]["client"],
        unique_id=None,
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="My phone",
        options={
            **BASE_OPTIONS,
            "sender_name": SENDER_NAME,
            "texting_backend": "notify",
            "notify_action": ".".join(NOTIFY),
        },
        subentries_data=[anna],
    )
    return await setup_entry(hass, entry)


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_action_example_runs_and_its_response_is_documented(
    hass: HomeAssistant, sources: None, service: str
) -> None:
    """Check that the README's example call works and its example response has the right keys.

    An action that returns a response has an example response with exactly the real
    response's keys (nested ones too).
    """
    texts: list[ServiceCall] = []
    entry = await readme_entry(hass, texts)
    example = action_examples()[service]
    data = example.get("data", {})
    if data.get("number"):
        assert data["number"] == CLIENT_NUMBER  # the example is about the example client
    responds = hass.services.supports_response(DOMAIN, service)
    documented = documented_responses().get(service)
    if responds is SupportsResponse.NONE:
        assert documented is None
        assert "response_variable" not in example
        await hass.services.async_call(DOMAIN, service, data, blocking=True)
        await hass.async_block_till_done(wait_background_tasks=True)
        if service == "snooze":
            ready = hass.states.get("binary_sensor.my_phone_client_call_ready")
            assert ready is not None
            assert ready.state == "off"
    else:
        assert "response_variable" in example
        assert documented is not None, f"no example response for {DOMAIN}.{service}"
        response = await hass.services.async_call(
            DOMAIN, service, data, blocking=True, return_response=True
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        assert response is not None
        assert key_paths(documented) == key_paths(dict(response))
        if "suggested_text" in response:  # does not depend on the clock
            assert documented["suggested_text"] == response["suggested_text"]
        if service == "ask_before_calling":
            assert documented["text"] == response["text"]
            assert [call.data["message"] for call in texts] == [response["text"]]
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def test_every_action_that_responds_has_a_documented_response() -> None:
    """No example response for an action that doesn't exist."""
    assert set(documented_responses()) <= set(SERVICES)
    assert documented_responses()


async def test_template_example_renders(hass: HomeAssistant) -> None:
    """Check that the README's text template renders with the variables the integration passes."""
    jinja = [block.text for block in blocks(readme()) if block.language == "jinja"]
    assert len(jinja) == 1
    tz = ZoneInfo("Europe/Warsaw")
    now = datetime(2025, 3, 12, 14, 10, tzinfo=tz)
    variables = template_variables(
        Reason.IN_MEETING,
        Language.EN,
        now + timedelta(hours=1, minutes=20),
        now,
        tz,
        client_name="Anna Kowalska",
        sender_name=SENDER_NAME,
    )
    text = Template(jinja[0], hass).async_render(variables, parse_result=False)
    assert "{" not in text
    for name in ("client_name", "reason_text", "callback_time", "sender_name"):
        assert variables[name] in text
    anonymous = Template(jinja[0], hass).async_render(
        {**variables, "client_name": ""}, parse_result=False
    )
    assert anonymous.startswith("Hi, ")
