"""Read a client's reply: does it say it is urgent, does it name a time.

Pure: the text in, a verdict out. The words are matched whole (never inside another
word), whatever the case, with or without diacritics ("pilne" and "PILNE", "na już"
and "na juz", "срочно" and "СРОЧНО", "ё" as "е"). A word right after a negation ("not
urgent", "nie pilne", "не срочно") does not count.
"""

# ruff: noqa: RUF001, RUF002
from __future__ import annotations

from collections.abc import Iterable, Mapping
import re
from typing import Final
import unicodedata

from .models import Language

# What a client writes when it can't wait, per language (phrases: one space between words).
URGENT_WORDS: Final[Mapping[Language, tuple[str, ...]]] = {
    Language.EN: (
        "urgent",
        "urgently",
        "asap",
        "a.s.a.p.",
        "as soon as possible",
        "emergency",
        "immediately",
    ),
    Language.PL: (
        "pilne",
        "pilnie",
        "pilny",
        "pilna",
        "pilnego",
        "pilną",
        "na już",
        "natychmiast",
        "jak najszybciej",
        "asap",
    ),
    Language.RU: (
        "срочно",
        "срочная",
        "срочный",
        "срочное",
        "срочные",
        "срочную",
        "срочного",
        "как можно скорее",
        "немедленно",
        "экстренно",
        "asap",
    ),
}

# Words that turn the next one around: "not urgent", "nie pilne", "не срочно".
NEGATIONS: Final = frozenset({"not", "no", "isn't", "nie", "не", "ничего"})

# Polish letters that Unicode does not decompose into a letter and a mark.
_PLAIN: Final = str.maketrans({"ł": "l", "đ": "d", "ø": "o"})


def fold(text: str) -> str:
    """Return ``text`` in lower case without diacritics, its spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.split())


def _pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """Match any of ``phrases`` as whole words, with the word before it."""
    alternatives = sorted({fold(phrase) for phrase in phrases}, key=len, reverse=True)
    joined = "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in alternatives)
    return re.compile(rf"(?:(?P<before>[\w']+)\s+)?(?<![\w.])(?P<word>{joined})(?![\w])")


_URGENT: Final = _pattern(word for words in URGENT_WORDS.values() for word in words)
_NEGATIONS: Final = frozenset(fold(word) for word in NEGATIONS)


def is_urgent(text: str) -> bool:
    """Return True when the reply says it is urgent (in any of the languages)."""
    folded = fold(text)
    return any(match.group("before") not in _NEGATIONS for match in _URGENT.finditer(folded))


# A time of day as written: 17, 17:30, 17.30, 5pm, 5 pm.
_CLOCK: Final = r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?:\s?(?P<half>am|pm))?"
_DAYS: Final = "today|tonight|tomorrow|dzis|dzisiaj|jutro|pojutrze|сегодня|завтра|послезавтра"
_PREPOSITIONS: Final = (
    r"after|at|before|from|by|around|until|till|o godzinie|po godzinie|o godz\.?|"
    "po|o|przed|od|okolo|kolo|после|в|до|с|около|к"
)
# Words after a number that make it a count, not a time ("в 2 раза", "in 5 minutes").
_COUNTED: Final = (
    "times|minutes?|mins?|hours?|days?|weeks?|"
    "razy|raz|minut\\w*|dni|dzien|tygodni\\w*|"
    "раз\\w*|минут\\w*|мин|дн\\w*|недел\\w*"
)
_TIME: Final = re.compile(
    rf"(?<!\w)(?:(?:{_DAYS})\s+(?:(?:{_PREPOSITIONS})\s+)?|(?:{_PREPOSITIONS})\s+)"
    rf"{_CLOCK}(?!\w|[:.]\d)(?!\s+(?:{_COUNTED})(?!\w))"
)


def mentioned_time(text: str) -> str | None:
    """Return the first time the reply names, as written ("jutro o 10"); None when none.

    Only a time of day after a preposition or a day ("after 17", "o 17:30",
    "после 15", "tomorrow 9am"); the words are shown, not interpreted.
    """
    folded = fold(text)
    for match in _TIME.finditer(folded):
        hour = int(match.group("hour"))
        minute = int(match.group("minute") or 0)
        limit = 12 if match.group("half") else 23
        if hour <= limit and minute < 60:
            return _as_written(text, folded, match.start(), match.end())
    return None


def _as_written(text: str, folded: str, start: int, end: int) -> str:
    """Return the words of ``text`` that ``folded[start:end]`` is made of."""
    words = text.split()
    first = len(folded[:start].split())
    count = len(folded[start:end].split())
    return " ".join(words[first : first + count]).rstrip(",.;:!?")
