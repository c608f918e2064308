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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Final

from ..models import Language, Reason, Tier
from .times import DEFAULT_WITHIN_MINUTES, format_callback_time

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
        Reason.MEETING_SOON: "I'm about to be tied up",
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
        Reason.MEETING_SOON: "сейчас совсем нет времени",
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
        Reason.MEETING_SOON: "nie mam teraz chwili",
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

# GSM 03.38 default alphabet and the extension characters that take two septets.
_GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION: Final = frozenset("^{}\\[~]|€\f")


def excuse(reason: Reason, language: Language) -> str:
    """Return the polite, place-free apology for ``reason``, lower case, no full stop."""
    return _EXCUSES[language][reason]


def callback_phrase(
    reason: Reason,
    language: Language,
    callback_at: datetime | None,
    now: datetime,
    client_tz: tzinfo,
    *,
    within_minutes: int = DEFAULT_WITHIN_MINUTES,
) -> str:
    """Say the ``callback_time`` variable: ``format_callback_time``, except outside hours.

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
    """Return the variables for a text template (see the table in the module docstring)."""
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
    """Build the built-in polite text for a call sent to voicemail.

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
    """Build the short "is now a good time for a quick call?" text (rule E12).

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
