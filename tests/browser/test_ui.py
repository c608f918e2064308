"""A newcomer's first ten minutes, in a real browser against a real Home Assistant.

The tests run in order on one page (see conftest.py): log in, add Client Etiquette through
the UI config flow, flip the stand-in driving helper on the demo dashboard and watch the
readiness change, add a client, switch on the phone-system webhooks and read their
addresses, then read a screened call's callback in the To-do lists panel. Screenshots go
to docs/images/ for the README.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import time
from typing import Any
import urllib.error
import urllib.request

from playwright.sync_api import Locator, Page, expect

ENTRY_NAME = "My phone"  # the demo dashboard shows the entities of an entry of this name
READY = "binary_sensor.my_phone_client_call_ready"
REASON = "sensor.my_phone_reason"
DRIVING_HELPER = "input_boolean.android_auto"
DASHBOARD = "/client-etiquette/demo"
DASHBOARD_SELECTS = 5  # Mode, the three phone stand-ins, Location
ENTRIES = "/api/config/config_entries/entry?domain=client_etiquette"
CALLBACKS = "todo.my_phone_callbacks"
CLIENT = "Acme Ltd"
CLIENT_NUMBER = "+48 22 123 45 67"
# An unknown caller with a long (13-digit) mobile number.
LONG_NUMBER = "+8613812345678"
LONG_NUMBER_SHOWN = "+86 138 1234 5678"
# Codes that must never reach the freelancer's eyes.
RAW_CODES = ("not_sent", "no_texting_backend", "not_mobile", "driving", "after_hours", "manual")


def api_get(base_url: str, token: str, path: str) -> Any:
    """One authenticated REST call to the same Home Assistant."""
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def api_post(base_url: str, token: str, path: str, data: Any) -> Any:
    """One authenticated REST POST to the same Home Assistant; its JSON answer."""
    request = urllib.request.Request(
        base_url + path,
        data=json.dumps(data).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def post_status(url: str, headers: dict[str, str], data: Any) -> tuple[int, str]:
    """POST JSON to ``url`` (a webhook, no Home Assistant login); status and compact JSON."""
    request = urllib.request.Request(
        url, data=json.dumps(data).encode(), headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
            return response.status, json.dumps(json.loads(body), separators=(",", ":"))
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
    except json.JSONDecodeError:
        return 0, "not JSON"


def wait_for_state(base_url: str, token: str, entity_id: str, state: str) -> None:
    """Wait (up to 10 s) until ``entity_id`` has ``state``."""
    deadline = time.monotonic() + 10
    while state_of(base_url, token, entity_id) != state:
        assert time.monotonic() < deadline, f"{entity_id} never became {state}"
        time.sleep(0.2)


def state_of(base_url: str, token: str, entity_id: str) -> str:
    """Return the current state of one entity, as the REST API reports it."""
    return str(api_get(base_url, token, f"/api/states/{entity_id}")["state"])


def dialog(page: Page) -> Locator:
    """Return the config flow dialog that is open."""
    return page.locator("dialog-data-entry-flow")


def test_log_in(page: Page, base_url: str, screenshots: Path) -> None:
    """No onboarding: the login page comes first, and `dev` / `dev-password` work."""
    page.goto(base_url)
    page.locator("input[name=username]").fill("dev")
    page.locator("input[name=password]").fill("dev-password")
    page.screenshot(path=screenshots / "login.png", animations="disabled")
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
    # Android Auto is also the own-car evidence: when it disconnects, the car is parked and
    # the drive ends at once, without the driving hold that bridges red lights.
    pick_entity(page, form.locator("ha-selector-entity").nth(1), "Android Auto")
    page.screenshot(path=screenshots / "config-flow.png", animations="disabled")
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
    """Check that turning Android Auto on makes the freelancer not ready; off, ready again.

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
    labels_settled(page)
    page.screenshot(path=screenshots / "dashboard-ready.png", animations="disabled")

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
    labels_settled(page)
    page.screenshot(path=screenshots / "dashboard-not-ready.png", animations="disabled")

    choose(page, readiness, "Mode", "Automatic")
    expect(all_reasons).to_contain_text("Driving")
    android_auto.locator("ha-entity-toggle").click()
    expect(reason_row).to_contain_text("Ready")
    assert state_of(base_url, token, READY) == "on"


def wait_for_dialog_history(page: Page) -> None:
    """Wait until a closed dialog's history step is undone (a load before it is aborted)."""
    page.wait_for_function("() => !history.state?.dialog")


def labels_settled(page: Page) -> None:
    """Wait until the dashboard's selects show their labels above their values.

    The labels move there after the first paint; a screenshot before shows them on top
    of the values.
    """
    expect(page.locator("ha-select")).to_have_count(DASHBOARD_SELECTS)
    expect(page.locator(".mdc-floating-label")).to_have_count(DASHBOARD_SELECTS)
    expect(page.locator(".mdc-floating-label:not(.mdc-floating-label--float-above)")).to_have_count(
        0
    )


def choose(page: Page, card: Locator, row: str, option: str) -> None:
    """Pick an option of a select row of ``card``, as a person would."""
    card.locator("hui-select-entity-row").filter(has_text=row).locator("ha-select").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_add_client_sub_entry(page: Page, base_url: str, token: str, screenshots: Path) -> None:
    """Check that the entry's page offers "Add client"; the client appears under the entry."""
    page.goto(base_url + "/config/integrations/integration/client_etiquette")
    page.get_by_role("button", name="Add client").first.click()
    form = dialog(page)
    expect(form).to_contain_text("Add a client")
    form.get_by_label("Name").first.fill(CLIENT)
    form.get_by_label("Phone number").first.fill(CLIENT_NUMBER)
    page.screenshot(path=screenshots / "client-flow.png", animations="disabled")
    form.get_by_role("button", name="Submit").click()
    expect(form).to_contain_text(CLIENT)
    form.get_by_role("button", name=re.compile("Finish|Close|Skip")).first.click()
    expect(form).to_be_hidden()
    entries = api_get(base_url, token, ENTRIES)
    assert [entry["num_subentries"] for entry in entries] == [1]
    # The page does not always list a new sub-entry until it is loaded again (a busy
    # machine makes that likely), so look as someone would after a refresh.
    wait_for_dialog_history(page)
    page.reload()
    expect(page.get_by_text(CLIENT).first).to_be_visible(timeout=15_000)


def test_webhook_addresses(page: Page, base_url: str, token: str, screenshots: Path) -> None:
    """Configure → Phone systems → Submit shows the addresses and the secret, which work.

    The step once showed only "Translation error: UNCLOSED_TAG". The secret is read from
    the rendered text and checked against the saved entry through its PBX webhook: the
    shown bearer is accepted, a wrong one refused.
    """
    page.goto(base_url + "/config/integrations/integration/client_etiquette")
    page.get_by_role("button", name="Configure").first.click()
    form = dialog(page)
    expect(form).to_contain_text("What would you like to change?")
    form.get_by_text("Phone systems").click()
    expect(form).to_contain_text("Let a phone system ask Home Assistant")
    form.get_by_role("switch", name="Twilio-compatible voice webhook").click()
    form.get_by_label("Your mobile number").fill("601 234 567")
    form.get_by_role("switch", name="PBX webhook", exact=True).click()
    form.get_by_role("button", name="Submit").click()

    expect(form).to_contain_text("Webhook addresses")
    # The description is rendered as Markdown after the step's title shows: wait for its
    # last line before reading it.
    expect(form.locator("ha-markdown-element")).to_contain_text("PBX bearer secret")
    text = form.locator("ha-markdown-element").inner_text()
    assert "Translation error" not in text
    assert "{" not in text  # every placeholder filled
    codes = [code.inner_text() for code in form.locator("ha-markdown-element code").all()]
    address = r"https?://[^/\s]+/api/webhook/[\w-]{20,}"
    voice = re.search(rf"Voice webhook \(.*?\):\n({address})\n", text)
    pbx = re.search(rf"PBX webhook \(.*?\):\n({address})\n", text)
    header = re.search(r"Authorization: Bearer ([\w-]{20,})", text)
    secret = re.search(r"PBX bearer secret: ([\w-]{20,})", text)
    assert voice, text
    assert pbx, text
    assert header, text
    assert secret, text
    assert header[1] == secret[1]
    assert voice[1] != pbx[1]
    assert {voice[1], pbx[1], f"Authorization: Bearer {secret[1]}", secret[1]} <= set(codes)
    assert_inside(form.locator("ha-markdown-element code"), form.locator("ha-markdown"))
    page.screenshot(path=screenshots / "webhook-addresses.png", animations="disabled")

    form.get_by_role("button", name="Submit").click()
    expect(form).to_contain_text("Options successfully saved")
    form.get_by_role("button", name="Finish").click()
    expect(form).to_be_hidden()
    wait_for_dialog_history(page)
    # The entry reloads with the new webhooks; the addresses shown are the live ones.
    pbx_url = base_url + "/api/webhook/" + pbx[1].rsplit("/", 1)[1]
    voice_url = base_url + "/api/webhook/" + voice[1].rsplit("/", 1)[1]
    missed = {"event": "missed", "call_id": "browser-test"}
    bearer = {"Authorization": f"Bearer {secret[1]}"}
    deadline = time.monotonic() + 10
    while (answer := post_status(pbx_url, bearer, missed)) != (200, '{"callback_queued":false}'):
        assert time.monotonic() < deadline, answer
        time.sleep(0.2)
    assert post_status(pbx_url, {"Authorization": "Bearer wrong"}, missed)[0] == 401
    # Unknown webhook ids get 200 from Home Assistant; an unsigned call to ours, 403.
    assert post_status(voice_url, {}, {})[0] == 403


def assert_inside(inner: Locator, outer: Locator) -> None:
    """Each of ``inner`` lies within ``outer``'s box horizontally (nothing cut off)."""
    box = outer.bounding_box()
    assert box is not None
    for element in inner.all():
        part = element.bounding_box()
        assert part is not None
        assert box["x"] - 1 <= part["x"] <= part["x"] + part["width"] <= box["x"] + box["width"] + 1


def test_callback_in_the_to_do_list(
    page: Page, base_url: str, token: str, screenshots: Path
) -> None:
    """Check that calls screened while driving become callbacks whose descriptions read as lines.

    The client and an unknown caller with a long number ring while Android Auto is on;
    the To-do lists panel shows "Call back Acme Ltd" with the number written for
    reading (a tel: link), the last call, "Driving" and the state of the text (among the
    three lines the card shows), with no reason or text codes, and nothing wider than the
    card.
    """
    api_post(base_url, token, "/api/services/input_boolean/turn_on", {"entity_id": DRIVING_HELPER})
    wait_for_state(base_url, token, READY, "off")
    for number in (CLIENT_NUMBER, LONG_NUMBER, LONG_NUMBER):
        answer = api_post(
            base_url,
            token,
            "/api/services/client_etiquette/incoming_call?return_response",
            {"number": number},
        )
        assert answer["service_response"]["action"] == "voicemail"
        assert answer["service_response"]["reasons"] == ["driving"]
    api_post(base_url, token, "/api/services/input_boolean/turn_off", {"entity_id": DRIVING_HELPER})
    assert state_of(base_url, token, CALLBACKS) == "2"

    page.goto(f"{base_url}/todo?entity_id={CALLBACKS}")
    card = page.locator("hui-todo-list-card")
    client = card.locator("ha-check-list-item").filter(has_text=f"Call back {CLIENT}")
    unknown = card.locator("ha-check-list-item").filter(has_text=f"Call back {LONG_NUMBER_SHOWN}")
    expect(client).to_be_visible()
    expect(unknown).to_be_visible()
    expect(lines_of(client).first).to_have_text(last_call("1 call"))
    expect(lines_of(client)).to_have_text(
        [
            last_call("1 call"),
            *promise_line(client),
            "Text: Not sent: not a mobile number",
            "Reason: Driving",
            f"Number: {CLIENT_NUMBER}",
        ]
    )
    expect(lines_of(unknown).first).to_have_text(last_call("2 calls"))
    expect(lines_of(unknown)).to_have_text(
        [
            last_call("2 calls"),
            *promise_line(unknown),
            "Text: Not sent: no texting service is set up",
            "Reason: Driving",
            f"Number: {LONG_NUMBER_SHOWN}",
        ]
    )
    number_link = client.locator("ha-markdown-element.description a")
    assert number_link.get_attribute("href") == "tel:" + CLIENT_NUMBER.replace(" ", "")
    for item in (client, unknown):
        description = item.locator("ha-markdown-element.description")
        seen = description.text_content() or ""
        assert not [code for code in RAW_CODES if code in seen], seen
        assert "**" not in seen  # Markdown rendered, not shown
        assert "](" not in seen
        assert description.evaluate("e => e.scrollWidth <= e.clientWidth")
        # The card shows a description's first three lines: the call, the text, the reason.
        shown = shown_lines(description)
        assert shown[:3] == lines_of(item).all_inner_texts()[:3]
        assert any(line.startswith("Text: ") for line in shown)
    assert_inside(
        card.locator(".summary, ha-markdown-element.description"), card.locator("ha-card")
    )
    # The panel beside the sidebar, down to the card: the descriptions' small print stays
    # legible in the README.
    box = card.locator("ha-card").bounding_box()
    sidebar = page.locator("ha-sidebar").bounding_box()
    assert box is not None
    assert sidebar is not None
    assert page.viewport_size is not None
    left = sidebar["x"] + sidebar["width"]
    page.screenshot(
        path=screenshots / "todo-callback.png",
        animations="disabled",
        clip={
            "x": left,
            "y": 0,
            "width": page.viewport_size["width"] - left,
            "height": box["y"] + box["height"] + 24,
        },
    )

    # Opening an item offers to complete it; the editor has no description field (the
    # list does not support setting descriptions), so the card is where they are read.
    client.locator(".summary").click()
    editor = page.locator("dialog-todo-item-editor")
    expect(editor).to_contain_text("Edit item")
    expect(editor.get_by_label("Task name")).to_have_value(f"Call back {CLIENT}")
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()


def lines_of(item: Locator) -> Locator:
    """Return the lines of a to-do item's rendered description."""
    return item.locator("ha-markdown-element.description li")


def promise_line(item: Locator) -> list[re.Pattern[str]]:
    """Match the promised-callback line when the item has one, else nothing.

    Whether a time is promised depends on the hour the test runs: after the client's
    contact hours the callback is promised for the next morning.
    """
    second = lines_of(item).nth(1).inner_text()
    if not second.startswith("Promised callback: "):
        return []
    return [re.compile(r"^Promised callback: \d{1,2} [A-Z][a-z]+( \d{4})?, \d{1,2}:\d{2}$")]


def last_call(calls: str) -> re.Pattern[str]:
    """Match "Last call: 3 June, 10:00 (1 call)", whatever the day and time."""
    return re.compile(rf"^Last call: \d{{1,2}} [A-Z][a-z]+, \d{{2}}:\d{{2}} \({calls}\)$")


def shown_lines(description: Locator) -> list[str]:
    """Return the lines of a description that the card does not clip (it clamps long ones)."""
    lines: list[str] = description.evaluate(
        """e => {
            const bottom = e.getBoundingClientRect().bottom + 1;
            return [...e.querySelectorAll("li")]
                .filter((li) => li.getBoundingClientRect().bottom <= bottom)
                .map((li) => li.innerText);
        }"""
    )
    return lines
