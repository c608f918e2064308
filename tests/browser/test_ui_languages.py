"""The options steps, seen in English, Russian and Polish in the real frontend.

Runs after test_ui.py (which adds the entry "My phone"). For each language a fresh
browser whose locale is that language (so the frontend speaks it) logs in, opens
Configure on the entry and walks into the steps added with the readiness, own-phone and
voice-menu issues: Sources (every section open: the driving hold, the signal and zone
hysteresis, the meeting-soon and free-gap minutes), Call screening (meeting soon among
the tiers' reasons, follow-up texts, the speech-to-text entity), the voice menu and the
two own-phone texting backends. Each step shows its own title in that language, no
"Translation error", no raw option key (what the frontend shows for a field without a
label) and, in Russian and Polish, none of the English labels. Screenshots:
``options/<step>-<language>.png`` in the screenshots folder.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any

import pytest
from test_ui import ENTRY_NAME, dialog

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
TRANSLATIONS = REPO / "custom_components" / "client_etiquette" / "translations"
LOCALES = {"en": "en-GB", "ru": "ru-RU", "pl": "pl-PL"}
# (menu path, step): the menu entries clicked in order, then the step shown.
STEPS = [
    (("sources",), "sources"),
    (("screening",), "screening"),
    (("voice",), "voice"),
    (("texting", "texting_sms_gateway"), "texting_sms_gateway"),
    (("texting", "texting_httpsms"), "texting_httpsms"),
]


def ours(language: str) -> dict[str, Any]:
    """Return the options steps of our translations in ``language``."""
    data = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
    steps: dict[str, Any] = data["options"]["step"]
    return steps


def frontend(language: str, key: str) -> str:
    """Return one of the frontend's own strings in ``language`` (its installed translations)."""
    import hass_frontend  # the frontend package Home Assistant serves

    folder = Path(hass_frontend.__file__).parent / "static" / "translations" / "config"
    # "<language>-<hash>.json" (not "en-GB-<hash>.json"); its keys are flat dotted paths.
    path = next(p for p in folder.iterdir() if re.fullmatch(rf"{language}-[0-9a-f]+\.json", p.name))
    return str(json.loads(path.read_text(encoding="utf-8"))[key])


def labels(step: dict[str, Any]) -> dict[str, str]:
    """Return every field label of a step, its sections' included, by option key."""
    found = dict(step.get("data", {}))
    for section in step.get("sections", {}).values():
        found.update(section.get("data", {}))
    return found


@pytest.fixture(scope="module", params=list(LOCALES))
def language(request: pytest.FixtureRequest) -> str:
    """Return each language in turn."""
    return str(request.param)


@pytest.fixture(scope="module")
def localized(browser: Browser, base_url: str, language: str) -> Iterator[Page]:
    """Log in from a browser whose language is ``language``; a tall window shows whole forms."""
    from playwright.sync_api import expect

    context = browser.new_context(
        viewport={"width": 1280, "height": 4400}, locale=LOCALES[language]
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)
    page.goto(base_url)
    page.locator("input[name=username]").fill("dev")
    page.locator("input[name=password]").fill("dev-password")
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("ha-sidebar")).to_be_visible(timeout=60_000)
    yield page
    context.close()


@pytest.mark.parametrize(("path", "step"), STEPS, ids=[step for _, step in STEPS])
def test_options_step_reads_in_the_language(
    localized: Page,
    base_url: str,
    language: str,
    screenshots: Path,
    path: tuple[str, ...],
    step: str,
) -> None:
    """Open the step from Configure; its title, labels and sections are in ``language``."""
    from playwright.sync_api import expect

    page = localized
    steps = ours(language)
    page.goto(base_url + "/config/integrations/integration/client_etiquette")
    expect(page.get_by_text(ENTRY_NAME).first).to_be_visible()
    configure = frontend(language, "ui.panel.config.integrations.config_entry.configure")
    page.get_by_role("button", name=configure).first.click()
    form = dialog(page)
    expect(form).to_contain_text(steps["init"]["title"])
    menu = "init"
    for entry in path:
        form.get_by_text(steps[menu]["menu_options"][entry], exact=True).click()
        menu = entry
    shown = steps[step]
    expect(form).to_contain_text(shown["title"])
    for section in shown.get("sections", {}).values():
        panel = form.locator("ha-expansion-panel").filter(has_text=section["name"]).first
        if panel.get_attribute("expanded") is None:  # driving and phone start open
            panel.click()
        expect(panel).to_have_attribute("expanded", "")
    for label in labels(shown).values():
        expect(form).to_contain_text(label)
    text = form.inner_text()
    assert "Translation error" not in text
    raw = [key for key in labels(shown) if key in text]
    assert not raw, f"fields shown by their key: {raw}"
    if language != "en":
        english = labels(ours("en")[step])
        untranslated = [
            label
            for key, label in english.items()
            if label in text and labels(shown).get(key) != label
        ]
        assert not untranslated, untranslated
    folder = screenshots / "options"
    folder.mkdir(exist_ok=True)
    box = form.locator("ha-form").first.bounding_box()
    assert box is not None
    page.screenshot(
        path=folder / f"{step}-{language}.png",
        animations="disabled",
        clip={"x": box["x"] - 24, "y": 0, "width": box["width"] + 48, "height": 4400},
    )
    page.keyboard.press("Escape")
    expect(form).to_be_hidden()
