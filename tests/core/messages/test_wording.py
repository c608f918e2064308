"""Pure wording checks: plural rules, the rendered-text check, the template check.

The template check runs in every case; then what the freelancer reads (to-do
descriptions, reminders).

Issue #13 "Trust: nothing that embarrasses the freelancer".
"""

# ruff: noqa: RUF001
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import re
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.client_etiquette.core.messages.plurals import plural, plural_category
from custom_components.client_etiquette.core.messages.templates import (
    NO_TIME,
    REASON,
    UNKNOWN_CALLER,
    check_template,
    text_fault,
)
from custom_components.client_etiquette.core.messages.texts import build_text
from custom_components.client_etiquette.core.models import Language, Reason, TextFault, Tier
from custom_components.client_etiquette.core.phone import readable_number
from custom_components.client_etiquette.core.ui_text import (
    calls_phrase,
    describe_callback,
    display_name,
    reminder_text,
)

WAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 6, 3, 10, 0, tzinfo=WAW)
EN, RU, PL = Language.EN, Language.RU, Language.PL

# --- plural rules --------------------------------------------------------------------------

PLURALS = [
    # n, en, ru, pl
    (0, "other", "many", "many"),
    (1, "one", "one", "one"),
    (2, "other", "few", "few"),
    (4, "other", "few", "few"),
    (5, "other", "many", "many"),
    (11, "other", "many", "many"),
    (12, "other", "many", "many"),
    (14, "other", "many", "many"),
    (21, "other", "one", "many"),
    (22, "other", "few", "few"),
    (25, "other", "many", "many"),
    (101, "other", "one", "many"),
    (111, "other", "many", "many"),
    (112, "other", "many", "many"),
    (122, "other", "few", "few"),
    (1001, "other", "one", "many"),
]


@pytest.mark.parametrize(("count", "en", "ru", "pl"), PLURALS)
def test_plural_categories(count: int, en: str, ru: str, pl: str) -> None:
    """CLDR categories of whole numbers in each language; others follow English."""
    assert plural_category(count, "en") == en
    assert plural_category(count, "ru") == ru
    assert plural_category(count, "pl") == pl
    assert plural_category(count, "de") == en


def cldr_ru(n: int) -> str:
    """CLDR's Russian integer rules as written there (i = n, v = 0)."""
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "few"
    if n % 10 == 0 or n % 10 in range(5, 10) or n % 100 in range(11, 15):
        return "many"
    return "other"


def cldr_pl(n: int) -> str:
    """CLDR's Polish integer rules as written there (i = n, v = 0)."""
    if n == 1:
        return "one"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "few"
    if (n != 1 and n % 10 in (0, 1)) or n % 10 in range(5, 10) or n % 100 in range(12, 15):
        return "many"
    return "other"


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.integers(min_value=0, max_value=10**9))
def test_plural_categories_follow_cldr(count: int) -> None:
    """Against the rules as CLDR states them (many defined positively, not as "the rest")."""
    assert plural_category(count, "ru") == cldr_ru(count)
    assert plural_category(count, "pl") == cldr_pl(count)
    assert plural_category(count, "en") == ("one" if count == 1 else "other")


CALLS = [
    (1, "en", "1 call"),
    (2, "en", "2 calls"),
    (0, "en", "0 calls"),
    (1, "ru", "1 звонок"),
    (2, "ru", "2 звонка"),
    (5, "ru", "5 звонков"),
    (11, "ru", "11 звонков"),
    (21, "ru", "21 звонок"),
    (22, "ru", "22 звонка"),
    (25, "ru", "25 звонков"),
    (112, "ru", "112 звонков"),
    (1, "pl", "1 połączenie"),
    (2, "pl", "2 połączenia"),
    (5, "pl", "5 połączeń"),
    (12, "pl", "12 połączeń"),
    (21, "pl", "21 połączeń"),
    (22, "pl", "22 połączenia"),
    (25, "pl", "25 połączeń"),
    (112, "pl", "112 połączeń"),
    (122, "pl", "122 połączenia"),
    (3, "pl-PL", "3 połączenia"),
    (3, "de", "3 calls"),
]


@pytest.mark.parametrize(("count", "language", "expected"), CALLS)
def test_calls_phrase(count: int, language: str, expected: str) -> None:
    """The number of calls with the noun in the right form."""
    assert calls_phrase(count, language) == expected


def test_plural_falls_back_to_other_then_many() -> None:
    """Check that a missing category uses "other", then "many"."""
    assert plural(2, "ru", {"one": "{n} x", "other": "{n} y"}) == "2 y"
    assert plural(2, "en", {"one": "{n} x", "many": "{n} z"}) == "2 z"


@pytest.mark.parametrize(
    ("count", "language", "expected"),
    [
        (1, "en", "Good time to call back now (1 call). Ask first whether they can talk."),
        (3, "en", "Good time to call back now (3 calls). Ask first whether they can talk."),
        (
            22,
            "ru",
            "Сейчас удобно перезвонить (22 звонка). Сначала спросите, удобно ли говорить.",
        ),
        (
            5,
            "pl",
            "Teraz jest dobry moment, by oddzwonić (5 połączeń). "
            "Najpierw zapytaj, czy można teraz rozmawiać.",
        ),
    ],
)
def test_reminder_text(count: int, language: str, expected: str) -> None:
    """Check that the reminder says how many calls in a proper plural."""
    assert reminder_text(count, language) == expected


# --- the rendered-text check ---------------------------------------------------------------

FAULTS = [
    ("Hi , I can't pick up right now. I'll call you back at 15:30.", TextFault.EMPTY_SLOT),
    (", I can't pick up right now.", TextFault.EMPTY_SLOT),
    ("Hi, , I can't pick up right now.", TextFault.EMPTY_SLOT),
    ("Dear ! Sorry.", TextFault.EMPTY_SLOT),
    ("Здравствуйте, ! Перезвоню в 15:30.", TextFault.EMPTY_SLOT),
    ("Dzień dobry , nie mogę odebrać.", TextFault.EMPTY_SLOT),
    ("Sorry (). Back soon.", TextFault.EMPTY_SLOT),
    ("Anna: , sorry.", TextFault.EMPTY_SLOT),
    ("Тема: «».", TextFault.EMPTY_SLOT),
    ("Hi  Anna, sorry.", TextFault.DOUBLED_SPACE),
    ("Hi \nSorry.", TextFault.DOUBLED_SPACE),
    ("Hi\n\n\nSorry.", TextFault.DOUBLED_SPACE),
    ("Sorry, I can't talk now. Jan,", TextFault.DANGLING_PUNCTUATION),
    ("I'll call you back at 15:30 -", TextFault.DANGLING_PUNCTUATION),
    ("Regards:", TextFault.DANGLING_PUNCTUATION),
    ("", TextFault.EMPTY),
    (" \n ", TextFault.EMPTY),
]
GOOD = [
    "Hi Anna, I can't pick up right now. I'll call you back at 15:30.",
    "Hi, I can't pick up right now. I'll call you back at 15:30.",
    "Sorry, e.g., now... I'll call back within about 30 minutes. Thanks :)",
    "Sorry :-) back in 2.5 hours!",
    "Hi!\nSorry, I'm on another call.\n\nJan",
    "Извините, я на другой линии. Перезвоню в 15:30. Ян",
    "Przepraszam, nie mogę odebrać. Oddzwonię jutro o 9:00. Jan",
    "  Hi Anna.  ",  # blanks around the text are dropped when it is rendered
    "Write to jan@example.com: details, please.",
]


@pytest.mark.parametrize(("text", "fault"), FAULTS)
def test_text_faults(text: str, fault: TextFault) -> None:
    """Check that an empty slot, doubled spaces and dangling punctuation are found."""
    assert text_fault(text) is fault


@pytest.mark.parametrize("text", GOOD)
def test_good_texts_pass(text: str) -> None:
    """Check that ordinary punctuation, emoticons, decimals, times and e-mail addresses are fine."""
    assert text_fault(text) is None


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzАБВгдежźółęąść", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    words=st.lists(WORD, min_size=1, max_size=8),
    name=st.one_of(st.just(""), WORD),
    end=st.sampled_from([".", "!", "?"]),
)
def test_greeting_slot_property(words: list[str], name: str, end: str) -> None:
    """Check that "Hi {name}, <words>." reads well exactly when the name is not empty."""
    text = f"Hi {name}, {' '.join(words)}{end}"
    assert (text_fault(text) is None) == bool(name)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(words=st.lists(WORD, min_size=2, max_size=8), data=st.data())
def test_doubled_space_property(words: list[str], data: st.DataObject) -> None:
    """Check that words with single spaces pass; one extra blank anywhere between them is found."""
    assert text_fault(" ".join(words) + ".") is None
    gap = data.draw(st.integers(min_value=1, max_value=len(words) - 1))
    text = " ".join(words[:gap]) + "  " + " ".join(words[gap:]) + "."
    assert text_fault(text) is TextFault.DOUBLED_SPACE


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    reason=st.sampled_from(list(Reason)),
    language=st.sampled_from(list(Language)),
    tier=st.sampled_from([*Tier, None]),
    sender=st.sampled_from(["", "Jan", "Анна", "Łukasz"]),
    callback_in=st.one_of(st.none(), st.integers(min_value=-60, max_value=60 * 24 * 20)),
    outside_hours=st.booleans(),
    email=st.sampled_from([None, "jan@example.com"]),
    compact=st.booleans(),
)
def test_built_in_texts_pass_the_check(
    reason: Reason,
    language: Language,
    tier: Tier | None,
    sender: str,
    callback_in: int | None,
    outside_hours: bool,
    email: str | None,
    compact: bool,
) -> None:
    """The check never refuses the built-in wording, the fallback for a broken template."""
    callback_at = None if callback_in is None else NOW + timedelta(minutes=callback_in)
    text = build_text(
        reason,
        language,
        callback_at,
        NOW,
        WAW,
        tier=tier,
        sender_name=sender,
        outside_hours=outside_hours,
        reply_email=email,
        compact=compact,
    )
    assert text_fault(text) is None, text


# --- the template check in every case ------------------------------------------------------


def fmt(template: str) -> Callable[[Mapping[str, str]], str]:
    """Return a stand-in for the template engine: str.format with the variables."""
    return template.format_map


@dataclass(frozen=True)
class Case:
    """A template and what the check should say about it."""

    render: Callable[[Mapping[str, str]], str]
    traits: tuple[str, ...] | None  # None: it reads well everywhere
    reason: Reason | None = None
    text: str | None = None


TEMPLATES = {
    "name slot": Case(
        fmt("Hi {client_name}, {reason_text}. I'll call you back {callback_time}."),
        (UNKNOWN_CALLER,),
        Reason.MANUAL,
        "Hi , I can't talk right now. I'll call you back at 13:00.",
    ),
    "name first": Case(fmt("{client_name}: {reason_text}."), (UNKNOWN_CALLER,)),
    "name optional": Case(
        lambda v: (
            f"Hi{' ' + v['client_name'] if v['client_name'] else ''}, {v['reason_text']}. "
            f"I'll call you back {v['callback_time']}."
        ),
        None,
    ),
    "known time only": Case(
        lambda v: f"Back {v['callback_time'] if v['callback_time'].startswith('at') else ''}.",
        (NO_TIME,),
    ),
    "one reason": Case(
        lambda v: "" if v["reason"] == "driving" else "Sorry.", (REASON,), Reason.DRIVING
    ),
    "the first reason": Case(
        lambda v: "" if v["reason"] == "manual" else "Sorry.", (REASON,), Reason.MANUAL
    ),
    "always": Case(fmt("Hi  {client_name}."), ()),
    "unknown and one reason": Case(
        lambda v: "Hi ," if not v["client_name"] and v["reason"] == "after_hours" else "Hi.",
        (UNKNOWN_CALLER, REASON),
        Reason.AFTER_HOURS,
    ),
    "unknown, no time, one reason": Case(
        lambda v: (
            "Hi ,"
            if not v["client_name"]
            and v["reason"] == "on_call"
            and not v["callback_time"].startswith("at")
            else "Hi."
        ),
        (UNKNOWN_CALLER, NO_TIME, REASON),
        Reason.ON_CALL,
    ),
    "sender not set": Case(fmt("Hi, it's {sender_name}."), ()),
}


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_check_template_names_the_case(name: str) -> None:
    """The first case that breaks, described only by what it needs to break."""
    case = TEMPLATES[name]
    broken = check_template(case.render, EN, NOW, WAW)
    if case.traits is None:
        assert broken is None
        return
    assert broken is not None
    assert broken.traits == case.traits
    assert broken.fault is text_fault(broken.text)
    assert broken.case.unknown_caller == (UNKNOWN_CALLER in case.traits)
    assert broken.case.no_callback_time == (NO_TIME in case.traits)
    if case.reason is not None:
        assert broken.case.reason is case.reason
    if case.text is not None:
        assert broken.text == case.text


def test_check_template_uses_the_options() -> None:
    """The sender name and the promise come from the options; each language its own words."""
    render = fmt("{reason_text}, {callback_time}. {sender_name}")
    assert check_template(render, RU, NOW, WAW, sender_name="Ян") is None
    broken = check_template(fmt("Здравствуйте, {client_name}!"), RU, NOW, WAW)
    assert broken is not None
    assert broken.text == "Здравствуйте, !"
    seen: list[str] = []

    def spy(variables: Mapping[str, str]) -> str:
        seen.append(variables["callback_time"])
        return "ok"

    assert check_template(spy, PL, NOW, WAW, within_minutes=45) is None
    assert "w ciągu 45 minut" in seen
    assert "o 13:00" in seen


def test_check_template_passes_render_errors_on() -> None:
    """Check that a template that fails is for the caller to report."""

    def broken(variables: Mapping[str, str]) -> str:
        raise ValueError(variables["reason"])

    with pytest.raises(ValueError, match="manual"):
        check_template(broken, EN, NOW, WAW)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    language=st.sampled_from(list(Language)),
    sender=st.sampled_from(["", "Jan"]),
    within=st.integers(min_value=1, max_value=1440),
    prefix=st.sampled_from(["Hi", "Dear", "Hello", "Здравствуйте", "Dzień dobry"]),
)
def test_bare_name_after_greeting_always_breaks_for_unknown_callers(
    language: Language, sender: str, within: int, prefix: str
) -> None:
    """A bare name slot breaks for an unknown caller (and only because of that) in any set-up."""
    render = fmt(prefix + " {client_name}, {reason_text}. {callback_time}.")
    broken = check_template(render, language, NOW, WAW, sender_name=sender, within_minutes=within)
    assert broken is not None
    assert broken.traits == (UNKNOWN_CALLER,)
    assert broken.text.startswith(prefix + " ,")


# --- what the freelancer reads -------------------------------------------------------------


@dataclass
class Item:
    """The facts of a waiting callback, as the queue keeps them."""

    number: str = "+48601234567"
    calls: int = 2
    reasons: list[str] = field(default_factory=lambda: ["driving", "noisy_place"])
    last_call: datetime = datetime(2026, 6, 3, 8, 5, tzinfo=ZoneInfo("UTC"))
    promised_at: datetime | None = datetime(2026, 6, 3, 13, 30, tzinfo=ZoneInfo("UTC"))
    text_status: str = "sent"
    recording_url: str | None = None
    transcription: str | None = None
    reply: str | None = None
    reply_at: datetime | None = None
    reply_urgent: bool = False
    reply_time: str | None = None
    transcript: str | None = None
    urgent: bool = False
    reason_text: str | None = None


DESCRIPTIONS = {
    "en": (
        "- **Last call:** 3 June, 10:05 (2 calls)\n"
        "- **Promised callback:** 3 June, 15:30\n"
        "- **Text:** Sent\n"
        "- **Reason:** Driving, noisy place\n"
        "- **Number:** [+48 601 234 567](tel:+48601234567)"
    ),
    "ru": (
        "- **Последний звонок:** 3 июня, 10:05 (2 звонка)\n"
        "- **Обещанный звонок:** 3 июня, 15:30\n"
        "- **Сообщение:** Отправлено\n"
        "- **Причина:** За рулём, шумное место\n"
        "- **Номер:** [+48 601 234 567](tel:+48601234567)"
    ),
    "pl": (
        "- **Ostatnie połączenie:** 3 czerwca, 10:05 (2 połączenia)\n"
        "- **Obiecane oddzwonienie:** 3 czerwca, 15:30\n"
        "- **Wiadomość:** Wysłano\n"
        "- **Powód:** Za kierownicą, głośne miejsce\n"
        "- **Numer:** [+48 601 234 567](tel:+48601234567)"
    ),
}


@pytest.mark.parametrize("language", list(DESCRIPTIONS))
def test_description_in_each_language(language: str) -> None:
    """One fact a line, in the UI language, the number written for reading."""
    assert describe_callback(Item(), language, WAW, NOW) == DESCRIPTIONS[language]


@pytest.mark.parametrize(
    ("status", "en", "ru", "pl"),
    [
        ("queued", "Being sent", "Отправляется", "Wysyłanie"),
        (
            "retrying",
            "Not sent yet, retrying",
            "Пока не отправлено, пробуем ещё",
            "Jeszcze nie wysłano, ponawiamy",
        ),
        ("failed", "Could not be sent", "Не удалось отправить", "Nie udało się wysłać"),
        ("delivered", "Delivered", "Доставлено", "Dostarczono"),
        (
            "undelivered",
            "Sent, but not delivered",
            "Отправлено, но не доставлено",
            "Wysłano, ale nie dostarczono",
        ),
        (
            "not_sent:no_texting_backend",
            "Not sent: no texting service is set up",
            "Не отправлено: не настроена отправка сообщений",
            "Nie wysłano: nie skonfigurowano wysyłania wiadomości",
        ),
        (
            "not_sent:anonymous",
            "Not sent: hidden number",
            "Не отправлено: номер скрыт",
            "Nie wysłano: numer zastrzeżony",
        ),
        (
            "not_sent:cooldown",
            "Not sent: already texted recently",
            "Не отправлено: сообщение уже отправляли недавно",
            "Nie wysłano: niedawno już wysłano wiadomość",
        ),
        ("not_sent:None", "Not sent", "Не отправлено", "Nie wysłano"),
    ],
)
def test_text_states_in_words(status: str, en: str, ru: str, pl: str) -> None:
    """Every state of the polite text in words, never its code."""
    for language, words in (("en", en), ("ru", ru), ("pl", pl)):
        text = describe_callback(Item(text_status=status), language, WAW, NOW)
        # Among the three lines the to-do card shows.
        assert any(line.endswith(f":** {words}") for line in text.splitlines()[:3])
        assert not {"not_sent", "no_texting_backend", "None"} & set(re.split(r"[\s:*]+", text))


def test_description_of_an_unknown_hidden_or_odd_caller() -> None:
    """Check that hidden numbers are said so; what is not a number is shown as it is, escaped."""
    hidden = describe_callback(
        Item(number="anonymous", reasons=["no_answer"], promised_at=None, calls=1),
        "pl",
        WAW,
        NOW,
    )
    assert "- **Numer:** Numer zastrzeżony" in hidden.splitlines()
    assert "- **Powód:** Nieodebrane (dzwoniło)" in hidden
    assert "(1 połączenie)" in hidden
    assert "Obiecane" not in hidden
    odd = describe_callback(Item(number="sip:*100#", reasons=[]), "en", WAW, NOW)
    assert r"- **Number:** sip:\*100\#" in odd.splitlines()
    assert "- **Reason:** —" in odd


def test_description_year_voicemail_and_transcription() -> None:
    """Another year is named; the recording is a short link; free text can't make Markdown."""
    item = Item(
        last_call=datetime(2025, 12, 31, 22, 0, tzinfo=ZoneInfo("UTC")),
        promised_at=None,
        recording_url=(
            "https://api.example.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef"
            "/Recordings/RE0123456789abcdef0123456789abcdef (1)"
        ),
        transcription="Call me *now*\n[urgent] <b>please</b>",
    )
    text = describe_callback(item, "ru", WAW, NOW)
    assert "- **Последний звонок:** 31 декабря 2025 г., 23:00 (2 звонка)" in text
    assert "- **Голосовое сообщение:** [Прослушать](https://api.example.com/" in text
    assert "%20%281%29)" in text
    assert r"- **Расшифровка:** Call me \*now\* \[urgent\] \<b\>please\</b\>" in text
    visible = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not shown
    assert max(len(word) for word in visible.split()) <= 24


def test_numbers_and_names_for_reading() -> None:
    """International format; a caller with no name is shown by the readable number."""
    assert readable_number("+48601234567") == "+48 601 234 567"
    assert readable_number("+12025550123") == "+1 202-555-0123"
    assert readable_number("not a number") == "not a number"
    assert readable_number("+99") == "+99"
    assert readable_number("+4812") == "+4812"  # too short to be a number anywhere
    assert display_name("Anna", "+48601234567", "en") == "Anna"
    assert display_name("+48601234567", "+48601234567", "en") == "+48 601 234 567"
    assert display_name("anonymous", "anonymous", "ru") == "Номер скрыт"
