"""Pure wording: the polite callback text per reason and language, and callback-time phrases.

No Home Assistant imports; everything time-dependent takes ``now``.

The texts follow rule E6 (say right away, politely, when you will call back) and never
say where the freelancer is: a noisy or public place is "I can't talk properly/freely
right now", a dead zone is "poor reception". They use no gendered verb forms (Russian
and Polish past tenses and adjectives agree with the speaker's gender), and name the
sender in the nominative only, so no name needs declining.

A text is ``greeting + apology + callback promise [+ e-mail invitation]``::

    Hi, it's Jan. Sorry, I'm on another call. I'll call you back at 15:30.

When that takes more SMS segments than the short form without the greeting, with the
sender's name as a signature, the short form is sent (Cyrillic and Polish letters leave
70 characters per segment)::

    Извините, я на другой линии. Перезвоню в 15:30. Ян

Template variables (the same names are offered to user templates in the options flow):

- ``client_name``: the client's name from the directory, "" for an unknown caller
  ("Anna Kowalska").
- ``reason``: the primary reason code, a ``models.Reason`` value ("noisy_place").
- ``reason_text``: the polite apology for it in the client's language
  ("I can't talk properly right now"); never says where the freelancer is.
- ``callback_time``: when the callback comes, in the client's time zone and language
  ("tomorrow at 9:00", "within about 30 minutes"; see ``callback_phrase``).
- ``sender_name``: the freelancer's name as configured, "" when not set ("Jan").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import product
import re
from typing import Final, Literal

from .models import Language, Reason, TextFault, Tier

DEFAULT_WITHIN_MINUTES: Final = 30
# Promised times are rounded up to this many minutes: "at 15:30", not "at 15:27".
ROUND_MINUTES: Final = 5
# Callbacks further away than this many days are said as a date, not a weekday.
WEEKDAY_HORIZON_DAYS: Final = 6

TEMPLATE_VARIABLES: Final = (
    "client_name",
    "reason",
    "reason_text",
    "callback_time",
    "sender_name",
)

_EXCUSES: Final[Mapping[Language, Mapping[Reason, str]]] = {
    Language.EN: {
        Reason.MANUAL: "I can't talk right now",
        Reason.DRIVING: "I can't pick up right now",
        Reason.ON_CALL: "I'm on another call",
        Reason.DEAD_ZONE: "my reception is poor right now",
        Reason.IN_MEETING: "I'm tied up right now",
        Reason.DO_NOT_DISTURB: "I can't take calls right now",
        Reason.NOISY_PLACE: "I can't talk properly right now",
        Reason.WEAK_SIGNAL: "my reception is poor right now",
        Reason.PUBLIC_PLACE: "I can't talk freely right now",
        Reason.AFTER_HOURS: "I'm outside my working hours",
    },
    # Short on purpose: Cyrillic texts fit 70 characters per SMS segment.
    Language.RU: {
        Reason.MANUAL: "не могу говорить",
        Reason.DRIVING: "не могу ответить",
        Reason.ON_CALL: "я на другой линии",
        Reason.DEAD_ZONE: "плохая связь",
        Reason.IN_MEETING: "не могу отвлечься",
        Reason.DO_NOT_DISTURB: "не могу взять трубку",
        Reason.NOISY_PLACE: "неудобно говорить",
        Reason.WEAK_SIGNAL: "плохая связь",
        Reason.PUBLIC_PLACE: "не могу говорить свободно",
        Reason.AFTER_HOURS: "сейчас нерабочее время",
    },
    # Polish letters with diacritics are not in GSM-7 either: 70 characters too.
    Language.PL: {
        Reason.MANUAL: "nie mogę rozmawiać",
        Reason.DRIVING: "nie mogę odebrać",
        Reason.ON_CALL: "mam inną rozmowę",
        Reason.DEAD_ZONE: "mam słaby zasięg",
        Reason.IN_MEETING: "nie mogę się oderwać",
        Reason.DO_NOT_DISTURB: "nie mogę teraz odebrać",
        Reason.NOISY_PLACE: "trudno mi teraz mówić",
        Reason.WEAK_SIGNAL: "mam słaby zasięg",
        Reason.PUBLIC_PLACE: "nie mogę swobodnie mówić",
        Reason.AFTER_HOURS: "teraz nie pracuję",
    },
}


@dataclass(frozen=True, slots=True)
class _Sentences:
    """The fixed parts of a text in one language."""

    hello: str
    hello_from: str
    sorry: str
    callback: str
    invite: str
    invite_to: str
    asap: str
    # The sender's name as a signature, for the short form without a greeting.
    signature: str
    # The ask-first text (rule E12), with and without a topic.
    ask: str
    ask_about: str


_SENTENCES: Final[Mapping[Language, _Sentences]] = {
    Language.EN: _Sentences(
        hello="Hi!",
        hello_from="Hi, it's {sender}.",
        sorry="Sorry, {excuse}.",
        callback="I'll call you back {when}.",
        invite="For a new project, please e-mail me the details.",
        invite_to="For a new project, please send the details to {email}.",
        asap="as soon as I can",
        signature="{sender}",
        ask="Is now a good time for a quick call?",
        ask_about="Is now a good time for a quick call about {topic}?",
    ),
    Language.RU: _Sentences(
        hello="Здравствуйте!",
        hello_from="Здравствуйте, это {sender}.",
        sorry="Извините, {excuse}.",
        callback="Перезвоню {when}.",
        invite="Детали нового проекта лучше прислать на почту.",
        invite_to="Детали нового проекта пришлите, пожалуйста, на {email}.",
        asap="как только смогу",
        signature="{sender}",
        ask="Вам удобно сейчас коротко созвониться?",
        # The topic is quoted as typed: no declension needed after a colon.
        ask_about="Вам удобно сейчас коротко созвониться? Тема: {topic}.",
    ),
    Language.PL: _Sentences(
        hello="Dzień dobry!",
        hello_from="Dzień dobry, tu {sender}.",
        sorry="Przepraszam, {excuse}.",
        callback="Oddzwonię {when}.",
        invite="Szczegóły nowego projektu proszę przesłać mailem.",
        invite_to="Szczegóły nowego projektu proszę przesłać na {email}.",
        asap="możliwie szybko",
        signature="{sender}",
        ask="Czy możemy teraz chwilę porozmawiać?",
        ask_about="Czy możemy teraz chwilę porozmawiać? Temat: {topic}.",
    ),
}

_WEEKDAYS: Final[Mapping[Language, tuple[str, ...]]] = {
    Language.EN: (
        "on Monday",
        "on Tuesday",
        "on Wednesday",
        "on Thursday",
        "on Friday",
        "on Saturday",
        "on Sunday",
    ),
    # Accusative after "в"/"во": в среду, в пятницу, во вторник.
    Language.RU: (
        "в понедельник",
        "во вторник",
        "в среду",
        "в четверг",
        "в пятницу",
        "в субботу",
        "в воскресенье",
    ),
    # Accusative after "w"/"we": w środę, we wtorek.
    Language.PL: (
        "w poniedziałek",
        "we wtorek",
        "w środę",
        "w czwartek",
        "w piątek",
        "w sobotę",
        "w niedzielę",
    ),
}

# Month names as used in a date: genitive in Russian and Polish ("14 марта", "14 marca").
_MONTHS: Final[Mapping[Language, tuple[str, ...]]] = {
    Language.EN: (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    Language.RU: (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
    Language.PL: (
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ),
}

# "at", "tomorrow" and how a date is said, per language.
_AT: Final[Mapping[Language, str]] = {Language.EN: "at", Language.RU: "в", Language.PL: "o"}
_TOMORROW: Final[Mapping[Language, str]] = {
    Language.EN: "tomorrow",
    Language.RU: "завтра",
    Language.PL: "jutro",
}
_DATE_PREFIX: Final[Mapping[Language, str]] = {Language.EN: "on ", Language.RU: "", Language.PL: ""}

# GSM 03.38 default alphabet and the extension characters that take two septets.
_GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION: Final = frozenset("^{}\\[~]|€\f")


def excuse(reason: Reason, language: Language) -> str:
    """The polite, place-free apology for ``reason``, lower case, no full stop."""
    return _EXCUSES[language][reason]


def format_callback_time(
    callback_at: datetime | None,
    now: datetime,
    client_tz: tzinfo,
    language: Language,
    *,
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
) -> str:
    """When the callback comes, said in the client's time zone and language.

    Today: "at 15:30" / "в 15:30" / "o 15:30"; the next day: "tomorrow at 9:00";
    within the next week: "on Monday at 9:00" / "в понедельник в 9:00" /
    "w poniedziałek o 9:00"; later: "on 14 March at 9:00". Times are rounded up to
    ``ROUND_MINUTES``. Unknown or past times: "within about N minutes".
    """
    if callback_at is None or callback_at <= now:
        return format_within(within_minutes, language)
    local = round_up(callback_at, client_tz)
    days = (local.date() - now.astimezone(client_tz).date()).days
    at = f"{_AT[language]} {local.hour}:{local.minute:02d}"
    if days <= 0:
        return at
    if days == 1:
        return f"{_TOMORROW[language]} {at}"
    if days <= WEEKDAY_HORIZON_DAYS:
        return f"{_WEEKDAYS[language][local.weekday()]} {at}"
    return f"{_DATE_PREFIX[language]}{day_and_month(local, language)} {at}"


def day_and_month(local: datetime, language: Language) -> str:
    """The day of the month and the month's name: "14 March", "14 марта", "14 marca"."""
    return f"{local.day} {_MONTHS[language][local.month - 1]}"


def round_up(moment: datetime, tz: tzinfo) -> datetime:
    """``moment`` in ``tz``, rounded up to the next ``ROUND_MINUTES`` of the local clock."""
    local = moment.astimezone(tz)
    past = timedelta(
        minutes=local.minute % ROUND_MINUTES,
        seconds=local.second,
        microseconds=local.microsecond,
    )
    if not past:
        return local
    return (moment.astimezone(UTC) + timedelta(minutes=ROUND_MINUTES) - past).astimezone(tz)


def format_within(minutes: int, language: Language) -> str:
    """ "within about N minutes" (whole hours said as hours), with correct plural forms.

    Russian and Polish say "within N minutes" ("в течение 30 минут", "w ciągu 30 minut"),
    shorter than "in about N minutes", so the text fits one SMS segment more often.
    """
    if minutes < 1:
        msg = f"within_minutes must be at least 1, got {minutes}"
        raise ValueError(msg)
    if minutes % 60 == 0:
        return _within_hours(minutes // 60, language)
    return _within_minutes(minutes, language)


def _within_minutes(count: int, language: Language) -> str:
    if language is Language.RU:
        unit = _plural_ru(count, "минуты", "минут")
        return "в течение минуты" if count == 1 else f"в течение {count} {unit}"
    if language is Language.PL:
        return "w ciągu minuty" if count == 1 else f"w ciągu {count} minut"
    return "within about a minute" if count == 1 else f"within about {count} minutes"


def _within_hours(count: int, language: Language) -> str:
    if language is Language.RU:
        unit = _plural_ru(count, "часа", "часов")
        return "в течение часа" if count == 1 else f"в течение {count} {unit}"
    if language is Language.PL:
        return "w ciągu godziny" if count == 1 else f"w ciągu {count} godzin"
    return "within about an hour" if count == 1 else f"within about {count} hours"


def _plural_ru(count: int, one: str, other: str) -> str:
    """The Russian genitive after "в течение": 1, 21, 101 минуты; 2, 5, 11, 22 минут."""
    return one if plural_category(count, Language.RU) == "one" else other


type PluralCategory = Literal["one", "few", "many", "other"]


def plural_category(count: int, language: str) -> PluralCategory:
    """The CLDR plural category of a whole number in en, ru or pl (others: as in English).

    English: 1 is "one", everything else "other". Russian: 1, 21, 101 "one"; 2-4, 22-24
    "few" (not 12-14); 0, 5-20, 25, 111-114 "many". Polish: only 1 is "one"; 2-4,
    22-24 "few" (not 12-14); 0, 5-21, 25, 112 "many".
    """
    count = abs(count)
    ones, tens = count % 10, count % 100
    few = 2 <= ones <= 4 and not 12 <= tens <= 14
    if language == Language.RU:
        if ones == 1 and tens != 11:
            return "one"
        return "few" if few else "many"
    if language == Language.PL:
        if count == 1:
            return "one"
        return "few" if few else "many"
    return "one" if count == 1 else "other"


def plural(count: int, language: str, forms: Mapping[PluralCategory, str]) -> str:
    """``forms`` for the plural category of ``count``; "{n}" in it becomes the number.

    A category missing from ``forms`` falls back to "other", then to "many".
    """
    category = plural_category(count, language)
    form = forms.get(category) or forms.get("other") or forms["many"]
    return form.replace("{n}", str(count))


def callback_phrase(
    reason: Reason,
    language: Language,
    callback_at: datetime | None,
    now: datetime,
    client_tz: tzinfo,
    *,
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
) -> str:
    """The ``callback_time`` variable: ``format_callback_time``, except outside hours.

    Outside working hours with no known time, "within about N minutes" would be a
    promise that cannot be kept, so the text says "as soon as I can" instead.
    """
    unknown = callback_at is None or callback_at <= now
    if unknown and reason is Reason.AFTER_HOURS:
        return _SENTENCES[language].asap
    return format_callback_time(
        callback_at, now, client_tz, language, within_minutes=within_minutes
    )


def template_variables(
    reason: Reason,
    language: Language,
    callback_at: datetime | None,
    now: datetime,
    client_tz: tzinfo,
    *,
    client_name: str = "",
    sender_name: str = "",
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
) -> dict[str, str]:
    """The variables for a text template (see the table in the module docstring)."""
    return {
        "client_name": client_name,
        "reason": str(reason),
        "reason_text": excuse(reason, language),
        "callback_time": callback_phrase(
            reason, language, callback_at, now, client_tz, within_minutes=within_minutes
        ),
        "sender_name": sender_name,
    }


def build_text(
    reason: Reason,
    language: Language,
    callback_at: datetime | None,
    now: datetime,
    client_tz: tzinfo,
    *,
    tier: Tier | None,
    sender_name: str = "",
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
    outside_hours: bool = False,
    reply_email: str | None = None,
    compact: bool = True,
) -> str:
    """The built-in polite text for a call sent to voicemail.

    ``reason`` is the primary blocking reason. New clients (and unknown callers
    screened as new) calling outside working hours are invited to send the details by
    e-mail (rule E9): when ``reason`` is ``after_hours`` or ``outside_hours`` is True
    (after-hours was active behind a higher-priority reason). ``reply_email``, when
    given, is named in that invitation.

    ``compact`` (for SMS): when the text without the greeting, signed with the sender's
    name, takes fewer SMS segments, that shorter form is returned. Pass False for text
    that is spoken (a voicemail greeting), which always gets the greeting.
    """
    sentences = _SENTENCES[language]
    when = callback_phrase(
        reason, language, callback_at, now, client_tz, within_minutes=within_minutes
    )
    body = [
        sentences.sorry.format(excuse=excuse(reason, language)),
        sentences.callback.format(when=when),
    ]
    invite: list[str] = []
    if tier is Tier.NEW and (outside_hours or reason is Reason.AFTER_HOURS):
        invite.append(
            sentences.invite_to.format(email=reply_email) if reply_email else sentences.invite
        )
    greeting = sentences.hello_from.format(sender=sender_name) if sender_name else sentences.hello
    full = " ".join([greeting, *body, *invite])
    # One SMS segment where possible: without the greeting, the name as a signature.
    signature = [sentences.signature.format(sender=sender_name)] if sender_name else []
    short = " ".join([*body, *signature, *invite])
    return short if compact and sms_segments(short) < sms_segments(full) else full


def ask_first_text(language: Language, *, topic: str | None = None, sender_name: str = "") -> str:
    """The short "is now a good time for a quick call?" text (rule E12).

    ``topic`` is used as typed (surrounding blanks and a final full stop or question
    mark dropped); an empty topic gives the text without one.
    """
    sentences = _SENTENCES[language]
    greeting = sentences.hello_from.format(sender=sender_name) if sender_name else sentences.hello
    subject = " ".join((topic or "").split()).rstrip(".?!…").strip()
    ask = sentences.ask_about.format(topic=subject) if subject else sentences.ask
    return f"{greeting} {ask}"


def sms_segments(text: str) -> int:
    """How many SMS segments ``text`` takes: GSM-7 when it can, else UCS-2."""
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENSION for char in text):
        septets = sum(2 if char in _GSM7_EXTENSION else 1 for char in text)
        return 1 if septets <= 160 else -(-septets // 153)
    units = sum(2 if ord(char) > 0xFFFF else 1 for char in text)
    return 1 if units <= 70 else -(-units // 67)


# --- Checking text templates ---------------------------------------------------------


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
_DANGLING: Final = re.compile(r"[,;:(\-–—]$")


def text_fault(text: str) -> TextFault | None:
    """What is wrong with a rendered text (blanks around it ignored), or None when it reads well."""
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
    """The template variables of ``case``, with a sample client and callback time."""
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
