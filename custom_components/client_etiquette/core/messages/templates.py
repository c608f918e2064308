"""Checking a text template: every case it meets, and what an empty variable leaves behind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from itertools import product
import re
from typing import Final

from ..models import Language, Reason, TextFault
from .texts import template_variables
from .times import DEFAULT_WITHIN_MINUTES

# What a variable that came out empty leaves behind: punctuation at the very start
# (", I can't pick up"), a blank before a mark ("Hi , I" - but not an emoticon ":)" or
# a decimal), two marks with nothing between ("Hi, , I", "Dear ,."), or empty brackets
# or quotes.
_EMPTY_SLOT: Final = re.compile(
    r"^[,.;:!?)]"
    r"|[ \t][,.;:!?](?![\w().\-])"
    r"|[ \t]\)"
    r"|[,;:][ \t]*[,.;:!?]"
    r'|\([ \t]*\)|"[ \t]*"|“[ \t]*”|„[ \t]*”|«[ \t]*»'
)
# Two blanks in a row, a blank at the end or start of a line, two empty lines in a row.
_DOUBLED_SPACE: Final = re.compile(r"[ \t]{2,}|[ \t]\n|\n[ \t]|\n[ \t]*\n[ \t]*\n")
# A text that stops on a comma, colon, opening bracket or dash.
_DANGLING: Final = re.compile(r"[,;:(\-–—]$")  # noqa: RUF001


def text_fault(text: str) -> TextFault | None:
    """Tell what is wrong with a rendered text (blanks around it ignored); None if it reads well."""
    body = text.strip()
    if not body:
        return TextFault.EMPTY
    if _EMPTY_SLOT.search(body):
        return TextFault.EMPTY_SLOT
    if _DOUBLED_SPACE.search(body):
        return TextFault.DOUBLED_SPACE
    if _DANGLING.search(body):
        return TextFault.DANGLING_PUNCTUATION
    return None


# The case every other one is told apart from: a client by name, the first reason, a
# known callback time (this far ahead).
_BASE_REASON: Final = next(iter(Reason))
SAMPLE_CALLBACK_IN: Final = timedelta(hours=3)
SAMPLE_CLIENT: Final[Mapping[Language, str]] = {
    Language.EN: "Emma Clarke",
    Language.RU: "Анна Смирнова",
    Language.PL: "Anna Kowalska",
}
# How a case differs from the base one, in this order: a caller with no name, no known
# callback time, another reason.
UNKNOWN_CALLER: Final = "unknown_caller"
NO_TIME: Final = "no_time"
REASON: Final = "reason"


@dataclass(frozen=True, slots=True)
class TemplateCase:
    """One situation a text template meets: the caller, the reason, the callback time."""

    reason: Reason
    unknown_caller: bool
    no_callback_time: bool

    @property
    def differences(self) -> tuple[str, ...]:
        """How this case differs from the base one (``UNKNOWN_CALLER``, ``NO_TIME``, ``REASON``)."""
        flags = (self.unknown_caller, self.no_callback_time, self.reason is not _BASE_REASON)
        return tuple(
            name for name, on in zip((UNKNOWN_CALLER, NO_TIME, REASON), flags, strict=True) if on
        )


@dataclass(frozen=True, slots=True)
class TemplateBreak:
    """The first case a template breaks in, what it gave, and what is wrong with it.

    ``traits`` says what the case is, as far as it matters: the subset of
    ``UNKNOWN_CALLER``, ``NO_TIME`` and ``REASON`` (this reason, ``case.reason``, and
    not every reason) without which the text reads well; empty when it breaks always.
    """

    case: TemplateCase
    text: str
    fault: TextFault
    traits: tuple[str, ...]


def template_cases() -> list[TemplateCase]:
    """Every case a template meets, those closest to the base case first."""
    cases = [
        TemplateCase(reason, unknown, no_time)
        for unknown, no_time, reason in product((False, True), (False, True), Reason)
    ]
    return sorted(cases, key=lambda case: len(case.differences))


def case_variables(
    case: TemplateCase,
    language: Language,
    now: datetime,
    tz: tzinfo,
    *,
    sender_name: str = "",
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
) -> dict[str, str]:
    """Return the template variables of ``case``, with a sample client and callback time."""
    return template_variables(
        case.reason,
        language,
        None if case.no_callback_time else now + SAMPLE_CALLBACK_IN,
        now,
        tz,
        client_name="" if case.unknown_caller else SAMPLE_CLIENT[language],
        sender_name=sender_name,
        within_minutes=within_minutes,
    )


def check_template(
    render: Callable[[Mapping[str, str]], str],
    language: Language,
    now: datetime,
    tz: tzinfo,
    *,
    sender_name: str = "",
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
) -> TemplateBreak | None:
    """Render a template in every case it meets; the first that breaks, or None.

    ``render`` turns the variables into text (and may raise, which is passed on). The
    cases are tried closest to the base case first, so every difference of the case
    returned is needed for the break; when it breaks with the base reason but not with
    every reason, ``REASON`` is added to its traits.
    """

    def fault_in(case: TemplateCase) -> tuple[str, TextFault | None]:
        variables = case_variables(
            case, language, now, tz, sender_name=sender_name, within_minutes=within_minutes
        )
        text = render(variables)
        return text, text_fault(text)

    for case in template_cases():
        text, fault = fault_in(case)
        if fault is None:
            continue
        traits = case.differences
        if case.reason is _BASE_REASON and any(
            fault_in(replace(case, reason=reason))[1] is None for reason in Reason
        ):
            traits = (*traits, REASON)
        return TemplateBreak(case, text, fault, traits)
    return None
