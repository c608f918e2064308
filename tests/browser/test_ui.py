"""A newcomer's first ten minutes, in a real browser against a real Home Assistant.

The tests run in order on one page (see conftest.py): log in, add Client Etiquette through
the UI config flow, then flip the stand-in driving helper on the demo dashboard and watch
the readiness change. Screenshots go to docs/images/ for the README.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any
import urllib.request

from playwright.sync_api import Locator, Page, expect

ENTRY_NAME = "My phone"  # the demo dashboard shows the entities of an entry of this name
READY = "binary_sensor.my_phone_client_call_ready"
REASON = "sensor.my_phone_reason"
DRIVING_HELPER = "input_boolean.android_auto"
DASHBOARD = "/client-etiquette/demo"
ENTRIES = "/api/config/config_entries/entry?domain=client_etiquette"


def api_get(base_url: str, token: str, path: str) -> Any:
    """One authenticated REST call to the same Home Assistant."""
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def state_of(base_url: str, token: str, entity_id: str) -> str:
    """The current state of one entity, as the REST API reports it."""
    return str(api_get(base_url, token, f"/api/states/{entity_id}")["state"])


def dialog(page: Page) -> Locator:
    """The config flow dialog that is open."""
    return page.locator("dialog-data-entry-flow")


def test_log_in(page: Page, base_url: str, screenshots: Path) -> None:
    """No onboarding: the login page comes first, and `dev` / `dev-password` work."""
    page.goto(base_url)
    page.locator("input[name=username]").fill("dev")
    page.locator("input[name=password]").fill("dev-password")
    page.screenshot(path=screenshots / "login.png")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("ha-sidebar")).to_be_visible(timeout=60_000)
    expect(page.locator("ha-sidebar")).to_contain_text("Client Etiquette")


def test_add_through_config_flow(page: Page, base_url: str, token: str, screenshots: Path) -> None:
    """Settings → Devices & services → Add integration → Client Etiquette → the form."""
    assert api_get(base_url, token, ENTRIES) == []
    page.goto(base_url + "/config/integrations/dashboard")
    page.locator("ha-fab").click()
    page.get_by_label("Search for a brand name").fill("Client Etiquette")
    page.get_by_text("Client Etiquette (helper)").click()
    # Helpers are confirmed first, then the form opens.
    page.get_by_role("button", name="OK").click()
    form = dialog(page)
    # The first flow of a freshly started Home Assistant may take a while to open.
    expect(form).to_contain_text("Driving", timeout=30_000)
    form.get_by_label("Name").fill(ENTRY_NAME)
    pick_entity(page, form.locator("ha-selector-entity").first, "Android Auto")
    page.screenshot(path=screenshots / "config-flow.png")
    form.get_by_role("button", name="Submit").click()
    # Home Assistant offers to put the new device in an area.
    expect(form).to_contain_text("Device created")
    form.get_by_role("button", name=re.compile("Skip and finish|Finish")).first.click()
    expect(form).to_be_hidden()
    entries = api_get(base_url, token, ENTRIES)
    assert [(entry["title"], entry["state"]) for entry in entries] == [(ENTRY_NAME, "loaded")]


def pick_entity(page: Page, picker: Locator, name: str) -> None:
    """Choose one entity in an entity selector by typing its name, as a person would."""
    picker.locator("ha-entity-picker").first.click()
    expect(page.get_by_role("textbox", name="Search", exact=True)).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(picker).to_contain_text(name)


def test_dashboard_follows_the_driving_helper(
    page: Page, base_url: str, token: str, screenshots: Path
) -> None:
    """Turning Android Auto on makes the freelancer not ready; off, ready again.

    "All reasons" names every active reason as the "Reason" row does, not by its code.
    """
    page.goto(base_url + DASHBOARD)
    readiness = page.locator("hui-entities-card").filter(has_text="Client call readiness")
    expect(readiness).to_be_visible()
    reason_row = readiness.locator("hui-sensor-entity-row, hui-simple-entity-row").filter(
        has_text="Reason"
    )
    all_reasons = readiness.locator("hui-attribute-row").filter(has_text="All reasons")
    expect(reason_row).to_contain_text("Ready")
    assert state_of(base_url, token, READY) == "on"
    page.screenshot(path=screenshots / "dashboard-ready.png")

    phone = page.locator("hui-entities-card").filter(has_text="Phone (stand-ins)")
    android_auto = phone.locator("hui-toggle-entity-row").filter(has_text="Android Auto")
    android_auto.locator("ha-entity-toggle").click()
    expect(reason_row).to_contain_text("Driving")
    expect(all_reasons).to_contain_text("Driving")
    assert state_of(base_url, token, DRIVING_HELPER) == "on"
    assert state_of(base_url, token, READY) == "off"
    assert state_of(base_url, token, REASON) == "driving"

    choose(page, readiness, "Mode", "Busy")
    expect(all_reasons).to_contain_text("Busy (set by hand), Driving")
    expect(reason_row).to_contain_text("Busy (set by hand)")
    assert api_get(base_url, token, f"/api/states/{READY}")["attributes"]["reasons"] == [
        "manual",
        "driving",
    ]
    page.screenshot(path=screenshots / "dashboard-not-ready.png")

    choose(page, readiness, "Mode", "Automatic")
    expect(all_reasons).to_contain_text("Driving")
    android_auto.locator("ha-entity-toggle").click()
    expect(reason_row).to_contain_text("Ready")
    assert state_of(base_url, token, READY) == "on"


def choose(page: Page, card: Locator, row: str, option: str) -> None:
    """Pick an option of a select row of ``card``, as a person would."""
    card.locator("hui-select-entity-row").filter(has_text=row).locator("ha-select").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_add_client_sub_entry(page: Page, base_url: str, token: str, screenshots: Path) -> None:
    """The entry's page offers "Add client"; the client appears under the entry."""
    page.goto(base_url + "/config/integrations/integration/client_etiquette")
    page.get_by_role("button", name="Add client").first.click()
    form = dialog(page)
    expect(form).to_contain_text("Add a client")
    form.get_by_label("Name").first.fill("Acme Ltd")
    form.get_by_label("Phone number").first.fill("+48 22 123 45 67")
    page.screenshot(path=screenshots / "client-flow.png")
    form.get_by_role("button", name="Submit").click()
    expect(form).to_contain_text("Acme Ltd")
    form.get_by_role("button", name=re.compile("Finish|Close|Skip")).first.click()
    expect(form).to_be_hidden()
    entries = api_get(base_url, token, ENTRIES)
    assert [entry["num_subentries"] for entry in entries] == [1]
    expect(page.get_by_text("Acme Ltd")).to_be_visible(timeout=15_000)
