"""What a client receives, what the UI shows, what leaks (issue #13, the texts' part).

Through public surfaces only: the options flow, incoming_call, todo.get_items, the
reminder notify action, repair issues and the log.
"""

# ruff: noqa: RUF001
from __future__ import annotations

import asyncio
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
import pytest

from custom_components.client_etiquette.const import DOMAIN

from . import DRIVING, make_entry, number_formats, setup_entry
from .flows import open_step, submit
from .telephony import ANNA, BOB, entry_with_clients, incoming, settle, todo_items

STRANGER = "+48603555444"
PHONE = "notify.mobile_app_jan"


def issue(hass: HomeAssistant, issue_id: str) -> ir.IssueEntry | None:
    """Return the integration's repair issue with this id, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


def loud_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Everything logged at INFO or above, exception text included."""
    return [
        record.getMessage() + (record.exc_text or "")
        for record in caplog.records
        if record.levelno >= logging.INFO
    ]


def leaks(caplog: pytest.LogCaptureFixture, numbers: list[str]) -> list[str]:
    """Return records at INFO or above that hold any way of writing one of the numbers."""
    formats = [fmt for number in numbers for fmt in number_formats(number)]
    return [text for text in loud_records(caplog) if any(fmt in text for fmt in formats)]


# --- the to-do list ------------------------------------------------------------------------

DESCRIPTIONS = {
    "en": {
        "Call back Anna Kowalska": (
            "- **Last call:** 3 June, 10:06 (2 calls)\n"
            "- **Text:** Not sent: no texting service is set up\n"
            "- **Reason:** Driving\n"
            "- **Number:** [+48 601 234 567](tel:+48601234567)"
        ),
        "Call back +48 603 555 444": (
            "- **Last call:** 3 June, 10:05 (1 call)\n"
            "- **Text:** Not sent: no texting service is set up\n"
            "- **Reason:** Driving\n"
            "- **Number:** [+48 603 555 444](tel:+48603555444)"
        ),
    },
    "ru": {
        "Перезвонить: Anna Kowalska": (
            "- **Последний звонок:** 3 июня, 10:06 (2 звонка)\n"
            "- **Сообщение:** Не отправлено: не настроена отправка сообщений\n"
            "- **Причина:** За рулём\n"
            "- **Номер:** [+48 601 234 567](tel:+48601234567)"
        ),
        "Перезвонить: +48 603 555 444": (
            "- **Последний звонок:** 3 июня, 10:05 (1 звонок)\n"
            "- **Сообщение:** Не отправлено: не настроена отправка сообщений\n"
            "- **Причина:** За рулём\n"
            "- **Номер:** [+48 603 555 444](tel:+48603555444)"
        ),
    },
    "pl": {
        "Oddzwoń: Anna Kowalska": (
            "- **Ostatnie połączenie:** 3 czerwca, 10:06 (2 połączenia)\n"
            "- **Wiadomość:** Nie wysłano: nie skonfigurowano wysyłania wiadomości\n"
            "- **Powód:** Za kierownicą\n"
            "- **Numer:** [+48 601 234 567](tel:+48601234567)"
        ),
        "Oddzwoń: +48 603 555 444": (
            "- **Ostatnie połączenie:** 3 czerwca, 10:05 (1 połączenie)\n"
            "- **Wiadomość:** Nie wysłano: nie skonfigurowano wysyłania wiadomości\n"
            "- **Powód:** Za kierownicą\n"
            "- **Numer:** [+48 603 555 444](tel:+48603555444)"
        ),
    },
}


async def test_todo_descriptions_readable_in_the_ui_language(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Markdown, one fact a line, in HA's language, human words, the number for reading."""
    freezer.move_to("2026-06-03 10:05:00+02:00")
    await setup_entry(hass, entry_with_clients(texting_backend="none"))
    hass.states.async_set(DRIVING, "in_vehicle")
    await incoming(hass, STRANGER)
    freezer.move_to("2026-06-03 10:06:00+02:00")
    await incoming(hass, ANNA)
    await incoming(hass, ANNA)
    for language, expected in DESCRIPTIONS.items():
        hass.config.language = language
        items = await todo_items(hass)
        assert {item["summary"]: item["description"] for item in items} == expected
    hass.config.language = "de"  # no wording in German: English
    items = await todo_items(hass)
    assert items[0]["summary"] == "Call back +48 603 555 444"
    assert items[0]["description"] == DESCRIPTIONS["en"]["Call back +48 603 555 444"]


# --- reminders -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "anna_calls", "anna", "stranger"),
    [
        (
            "en",
            1,
            ("Call back Anna Kowalska", "Good time to call back now (1 call)."),
            ("Call back +48 603 555 444", "Good time to call back now (1 call)."),
        ),
        (
            "ru",
            2,
            ("Перезвонить: Anna Kowalska", "Сейчас удобно перезвонить (2 звонка)."),
            ("Перезвонить: +48 603 555 444", "Сейчас удобно перезвонить (1 звонок)."),
        ),
        (
            "pl",
            5,
            ("Oddzwoń: Anna Kowalska", "Teraz jest dobry moment, by oddzwonić (5 połączeń)."),
            ("Oddzwoń: +48 603 555 444", "Teraz jest dobry moment, by oddzwonić (1 połączenie)."),
        ),
    ],
)
async def test_reminders_say_calls_in_plural(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    reminders: list[ServiceCall],
    language: str,
    anna_calls: int,
    anna: tuple[str, str],
    stranger: tuple[str, str],
) -> None:
    """Check that the reminder, in HA's language, counts the calls in the right plural form."""
    hass.config.language = language
    await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    for _ in range(anna_calls):
        await incoming(hass, ANNA)
    await incoming(hass, STRANGER)
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    sent = {call.data["title"]: call.data["message"] for call in reminders}
    assert len(sent) == 2
    for title, start in (anna, stranger):
        assert sent[title].startswith(start + " ")


async def test_failing_reminders_told_once_without_the_number(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Check a phone that is not connected: one warning without numbers, one repair issue.

    The issue goes away when a reminder gets through; Home Assistant logs nothing of the call.
    """
    caplog.set_level(logging.DEBUG)
    connected = False
    delivered: list[ServiceCall] = []

    async def phone(call: ServiceCall) -> None:
        if not connected:
            raise HomeAssistantError(f"Not connected, dropped {call.data['data']['url']}")
        delivered.append(call)

    hass.services.async_register("notify", "mobile_app_jan", phone)
    entry = await setup_entry(hass, entry_with_clients())
    key = f"reminders_failing_{entry.entry_id}"
    hass.states.async_set(DRIVING, "in_vehicle")
    for number in (ANNA, BOB, STRANGER):
        await incoming(hass, number)
    hass.states.async_set(DRIVING, "still")
    await settle(hass)

    assert leaks(caplog, [ANNA, BOB, STRANGER]) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    debug = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)
    assert "Reminder to call +48601234567" in debug  # the capture does see them
    ours = [r for r in caplog.records if r.name.startswith("custom_components.client_etiquette")]
    assert [r.levelname for r in ours if r.levelno >= logging.WARNING] == ["WARNING"]
    raised = issue(hass, key)
    assert raised is not None
    assert raised.translation_key == "reminders_failing"
    assert raised.translation_placeholders == {"action": PHONE}

    connected = True
    hass.states.async_set(DRIVING, "in_vehicle")
    await incoming(hass, "+48 604 111 222")
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    assert len(delivered) == 1
    assert issue(hass, key) is None


async def test_unload_cancels_a_reminder_still_on_its_way(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
) -> None:
    """Check that a phone that never answers does not keep a reminder running after unload."""
    started, cancelled, release = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def stuck(call: ServiceCall) -> None:
        started.set()
        try:
            await release.wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    hass.services.async_register("notify", "mobile_app_jan", stuck)
    entry = await setup_entry(hass, entry_with_clients())
    hass.states.async_set(DRIVING, "in_vehicle")
    await incoming(hass, ANNA)
    hass.states.async_set(DRIVING, "still")
    await asyncio.wait_for(started.wait(), 5)
    try:
        assert await hass.config_entries.async_unload(entry.entry_id)
        await asyncio.wait_for(cancelled.wait(), 2)
    finally:
        release.set()  # lets a reminder that was not cancelled end
    await hass.async_block_till_done()
    assert issue(hass, f"reminders_failing_{entry.entry_id}") is None


async def test_missing_reminder_action_is_one_issue_not_a_flood(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Check that an action stored before the form checked it raises one issue and one warning.

    However many reminders come due; switching reminders off clears the issue.
    """
    entry = await setup_entry(hass, entry_with_clients(reminder_notify="notify.gone"))
    key = f"reminders_failing_{entry.entry_id}"
    hass.states.async_set(DRIVING, "in_vehicle")
    for index in range(6):
        await incoming(hass, f"+48 605 000 00{index}")
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    raised = issue(hass, key)
    assert raised is not None
    assert raised.translation_key == "reminder_action_missing"
    assert raised.translation_placeholders == {"action": "notify.gone"}
    loud = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and "notify.gone" in r.getMessage()
    ]
    assert len(loud) == 1
    assert "0000" not in loud[0].getMessage()

    options = {**entry.options}
    del options["reminder_notify"]
    hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert issue(hass, key) is None


async def test_screening_step_checks_the_reminder_action(
    hass: HomeAssistant,
    sources: None,
    reminders: list[ServiceCall],
) -> None:
    """Check that a reminder action that does not exist is refused with a translated form error."""
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_step(hass, entry.entry_id, "screening")
    result = await submit(hass, result["flow_id"], {"reminder_notify": "notify.mobile_app_nope"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"reminder_notify": "notify_action_not_found"}
    assert dict(entry.options) == before
    for language in ("en", "ru", "pl"):
        strings = await async_get_translations(hass, language, "options", {DOMAIN})
        assert strings[f"component.{DOMAIN}.options.error.notify_action_not_found"]
    result = await submit(hass, result["flow_id"], {"reminder_notify": f" {PHONE} "})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["reminder_notify"] == PHONE


# --- text templates ------------------------------------------------------------------------

BROKEN = [
    # template field, template, error, placeholders
    (
        "template_en",
        "Hi {{ client_name }}, {{ reason_text }}. I'll call you back {{ callback_time }}.",
        "template_breaks_unknown_caller",
        {"text": "Hi , I can't talk right now. I'll call you back at 13:00."},
    ),
    (
        "template_ru",
        "Здравствуйте, {{ client_name }}! {{ reason_text | capitalize }}. "
        "Перезвоню {{ callback_time }}.",
        "template_breaks_unknown_caller",
        {"text": "Здравствуйте, ! Не могу говорить. Перезвоню в 13:00."},
    ),
    (
        "template_pl",
        "Przepraszam, {{ reason_text }}. "
        "Oddzwonię {{ callback_time if 'o ' in callback_time else '' }}.",
        "template_breaks_no_time",
        {"text": "Przepraszam, nie mogę rozmawiać. Oddzwonię ."},
    ),
    (
        "template_en",
        "{% if reason != 'driving' %}Sorry, {{ reason_text }}.{% endif %}",
        "template_breaks_reason",
        {"text": "", "reason": "Driving"},
    ),
    (
        "template_en",
        "{{ client_name }}{{ ',' if reason == 'after_hours' else '' }} sorry.",
        "template_breaks_unknown_caller_reason",
        {"text": ", sorry.", "reason": "Outside business hours"},
    ),
    (
        "template_en",
        "Hi, it's {{ sender_name }}. Sorry, {{ reason_text }}.",
        "template_breaks",
        {"text": "Hi, it's . Sorry, I can't talk right now."},
    ),
]


@pytest.mark.parametrize(("field", "template", "error", "placeholders"), BROKEN)
async def test_texts_step_names_the_case_that_breaks(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
    field: str,
    template: str,
    error: str,
    placeholders: dict[str, str],
) -> None:
    """A template that reads badly in any case it will meet is refused, naming the case."""
    freezer.move_to("2026-06-03 10:00:00+02:00")
    entry = await setup_entry(hass, make_entry())
    before = dict(entry.options)
    result = await open_step(hass, entry.entry_id, "texts")
    result = await submit(hass, result["flow_id"], {field: template})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    shown = result["description_placeholders"]
    assert {key: shown[key] for key in placeholders} == placeholders
    assert dict(entry.options) == before
    for language in ("en", "ru", "pl"):
        strings = await async_get_translations(hass, language, "options", {DOMAIN})
        message = strings[f"component.{DOMAIN}.options.error.{error}"]
        assert "{text}" in message
        assert ("{reason}" in message) == ("reason" in placeholders)


async def test_reason_named_in_the_ui_language(hass: HomeAssistant, sources: None) -> None:
    """Check that the reason in the error is the screening form's name for it, in HA's language."""
    hass.config.language = "ru"
    entry = await setup_entry(hass, make_entry())
    result = await open_step(hass, entry.entry_id, "texts")
    template = "{% if reason != 'on_call' %}Извините, {{ reason_text }}.{% endif %}"
    result = await submit(hass, result["flow_id"], {"template_ru": template})
    assert result["errors"] == {"template_ru": "template_breaks_reason"}
    assert result["description_placeholders"]["reason"] == "Идёт разговор"


async def test_texts_step_tries_the_sender_name_as_configured(
    hass: HomeAssistant, sources: None
) -> None:
    """Check that a template signed with the sender name needs the name set.

    It is refused while no name is set, taken once it is; the README's example, which names
    the client only when known, is always taken.
    """
    entry = await setup_entry(hass, make_entry())
    signed = "Dzień dobry, tu {{ sender_name }}. Przepraszam, {{ reason_text }}."
    readme = (
        "Hi{{ ' ' ~ client_name if client_name else '' }}, {{ reason_text }}. "
        "I'll call you back {{ callback_time }}. {{ sender_name }}"
    )
    result = await open_step(hass, entry.entry_id, "texts")
    result = await submit(hass, result["flow_id"], {"template_en": readme, "template_pl": signed})
    assert result["errors"] == {"template_pl": "template_breaks"}
    assert result["description_placeholders"]["text"] == (
        "Dzień dobry, tu . Przepraszam, nie mogę rozmawiać."
    )
    result = await open_step(hass, entry.entry_id, "screening")
    result = await submit(hass, result["flow_id"], {"sender_name": "Jan"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    result = await open_step(hass, entry.entry_id, "texts")
    result = await submit(hass, result["flow_id"], {"template_en": readme, "template_pl": signed})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["template_en"] == readme
    assert entry.options["template_pl"] == signed


async def test_stored_template_that_breaks_falls_back_and_says_so_once(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Check an older template that is bad for unknown callers.

    They get the built-in text, a known client gets the template, one repair issue and one
    warning; fixing the template clears the issue.
    """
    entry = await setup_entry(
        hass,
        entry_with_clients(template_en="Hi {{ client_name }}, {{ reason_text }}."),
    )
    key = f"template_broken_{entry.entry_id}_en"
    raised = issue(hass, key)
    assert raised is not None  # told at set-up already
    assert raised.translation_key == "template_broken_en"
    hass.states.async_set(DRIVING, "in_vehicle")
    known = await incoming(hass, BOB)
    assert known["text"] == "Hi Bob Smith, I can't pick up right now."
    for number in (STRANGER, "+48 603 555 445", "+48 603 555 446"):
        unknown = await incoming(hass, number)
        assert unknown["text"].startswith("Hi, it's Jan. Sorry, I can't pick up right now.")
    await settle(hass)
    assert [call.data["message"] for call in texts][1].startswith("Hi, it's Jan.")
    assert not [call for call in texts if "Hi ," in call.data["message"]]
    warnings = [r for r in caplog.records if "text template" in r.getMessage()]
    assert len(warnings) == 2  # once at set-up, once at the first fallback
    assert issue(hass, key) is not None

    result = await open_step(hass, entry.entry_id, "texts")
    fixed = "Hi{{ ' ' ~ client_name if client_name else '' }}, {{ reason_text }}."
    result = await submit(hass, result["flow_id"], {"template_en": fixed})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert issue(hass, key) is None


async def test_template_that_breaks_only_at_send_time(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
) -> None:
    """Check a template reading a state that passes at set-up and breaks later.

    An empty value or an error: the built-in text goes out and the issue shows what the
    template gave.
    """
    hass.states.async_set("input_text.hello", "Hi")
    hass.states.async_set("input_number.days", "1")
    entry = await setup_entry(
        hass,
        entry_with_clients(
            template_en="{{ states('input_text.hello') }}, {{ reason_text }}.",
            template_pl="{{ (1 / (states('input_number.days') | int)) | int }} {{ reason_text }}.",
        ),
    )
    assert issue(hass, f"template_broken_{entry.entry_id}_en") is None
    hass.states.async_set(DRIVING, "in_vehicle")
    assert (await incoming(hass, BOB))["text"] == "Hi, I can't pick up right now."
    hass.states.async_set("input_text.hello", "")
    hass.states.async_set("input_number.days", "0")
    bob = await incoming(hass, "+44 7700 900123")  # unknown, English by default
    assert bob["text"].startswith("Hi, it's Jan. Sorry,")
    anna = await incoming(hass, ANNA)
    assert anna["text"].startswith("Przepraszam, nie mogę odebrać.")
    en = issue(hass, f"template_broken_{entry.entry_id}_en")
    assert en is not None
    assert en.translation_placeholders == {"text": ", I can't pick up right now."}
    pl = issue(hass, f"template_broken_{entry.entry_id}_pl")
    assert pl is not None
    assert "division by zero" in (pl.translation_placeholders or {})["text"]


async def test_removing_the_entry_clears_its_template_and_reminder_issues(
    hass: HomeAssistant,
    sources: None,
    texts: list[ServiceCall],
) -> None:
    """A broken template and a reminder action that is gone: both issues leave with the entry."""
    entry = await setup_entry(
        hass, entry_with_clients(template_en="Hi {{ client_name }}, {{ reason_text }}.")
    )
    hass.states.async_set(DRIVING, "in_vehicle")
    await incoming(hass, ANNA)
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    keys = [f"template_broken_{entry.entry_id}_en", f"reminders_failing_{entry.entry_id}"]
    raised = [issue(hass, key) for key in keys]
    assert [i.translation_key if i else None for i in raised] == [
        "template_broken_en",
        "reminder_action_missing",
    ]

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert [key for key in keys if issue(hass, key) is not None] == []
