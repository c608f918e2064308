"""Reading a reply: urgency words per language, whole words, negations; times named."""

# ruff: noqa: RUF001
from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.client_etiquette.core.replies import (
    URGENT_WORDS,
    fold,
    is_urgent,
    mentioned_time,
)

URGENT = [
    # English
    "URGENT: the server is down",
    "Please call back asap.",
    "A.S.A.P. please",
    "It's an emergency",
    "call me as soon as possible",
    "Need you urgently!",
    # Polish, with and without diacritics
    "Pilne! Proszę o telefon",
    "pilnie potrzebuję rozmowy",
    "Mam pilną sprawę",
    "potrzebuję tego na już",
    "na juz prosze",
    "PILNY telefon",
    "Proszę jak najszybciej oddzwonić",
    # Russian
    "Срочно перезвоните",
    "срочная задача",
    "это срочное дело",
    "СРОЧНЫЙ вопрос",
    "перезвоните как можно скорее",
    "Немедленно!",
    # negated once, urgent later
    "Not urgent, but asap would be nice",
]
NOT_URGENT = [
    "",
    "ok, thanks",
    "Not urgent, whenever you can",
    "no emergency, just checking",
    "Nie pilne, odezwij się jutro",
    "nie pilnie",
    "Не срочно, завтра",
    "ничего срочного",  # a different word: "срочного" after "ничего"
    "urgentness",  # inside another word
    "surgent",
    "asaps",
    "pilnexx",
    "несрочно",
    "najuz",
]


@pytest.mark.parametrize("text", URGENT)
def test_urgent(text: str) -> None:
    """Each language's words, any case, diacritics or not, count."""
    assert is_urgent(text) is True


@pytest.mark.parametrize("text", NOT_URGENT)
def test_not_urgent(text: str) -> None:
    """Negated words, words inside others and plain replies do not count."""
    assert is_urgent(text) is False


@pytest.mark.parametrize(
    ("word", "language"),
    [(word, language) for language, words in URGENT_WORDS.items() for word in words],
)
def test_every_listed_word_counts_alone_and_in_a_sentence(word: str, language: str) -> None:
    """Every word of the table is found alone, capitalised and inside a sentence."""
    assert is_urgent(word)
    assert is_urgent(word.upper())
    assert is_urgent(f"Hello, {word}! Thanks")


@given(st.text(alphabet="abcdefghijklmnoprstuvwxyz ,.", max_size=40))
def test_folding_is_stable(text: str) -> None:
    """Folding twice changes nothing; ASCII text only loses its case and extra spaces."""
    assert fold(fold(text)) == fold(text)
    assert fold(text) == " ".join(text.lower().split())


@given(st.text(max_size=60))
def test_any_text_is_read_without_error(text: str) -> None:
    """Whatever a client writes, the reading gives an answer (never raises)."""
    assert is_urgent(text) in (True, False)
    found = mentioned_time(text)
    assert found is None or found.split()[0] in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please call me after 17", "after 17"),
        ("I'm free at 5pm today", "at 5pm"),
        ("tomorrow 9:30 works", "tomorrow 9:30"),
        ("Zadzwoń jutro o 10, pilne!", "jutro o 10"),
        ("Proszę o godzinie 17.", "o godzinie 17"),
        ("dzisiaj po 15:30", "dzisiaj po 15:30"),
        ("Jutro o godz. 9:15", "Jutro o godz. 9:15"),
        ("Перезвоните после 15", "после 15"),
        ("завтра в 10:00", "завтра в 10:00"),
        ("в 15 часов удобно", "в 15"),
        # no time of day
        ("ok", None),
        ("call me in 5 minutes", None),
        ("в 2 раза больше", None),
        ("o 2 dni później", None),
        ("after 25", None),
        ("at 13pm", None),
        ("at 10:75", None),
        ("room 17", None),
        ("after 17:300", None),
    ],
)
def test_mentioned_time(text: str, expected: str | None) -> None:
    """A time after a preposition or a day, as written; counts and bad times are not."""
    assert mentioned_time(text) == expected
