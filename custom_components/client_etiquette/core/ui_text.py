"""Pure wording the freelancer reads: a callback's to-do description and its reminder.

No Home Assistant imports. Everything is said in the Home Assistant UI language (en,
ru or pl; any other language gets English), with proper plural forms, human words for
the reasons and the state of the polite text, and numbers written for reading
("+48 601 234 567").

A description is Markdown, one fact a line (a list, so that it does not run together
where single line breaks are not kept)::

    - **Number:** [+48 601 234 567](tel:+48601234567)
    - **Last call:** 3 June, 10:00 (2 calls)
    - **Reason:** Driving, noisy place
    - **Promised callback:** 3 June, 15:30
    - **Text:** Sent
    - **Voicemail:** [Listen](https://...)
"""

# ruff: noqa: RUF001
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
import re
from typing import Final, Protocol

from .messages.plurals import PluralCategory, plural
from .messages.times import day_and_month
from .models import Language
from .phone import is_anonymous, readable_number


class CallbackFacts(Protocol):
    """What a description is made of (a ``callbacks.CallbackItem`` has it all)."""

    number: str
    calls: int
    reasons: list[str]
    last_call: datetime
    promised_at: datetime | None
    text_status: str
    recording_url: str | None
    transcription: str | None
    reply: str | None
    reply_at: datetime | None
    reply_urgent: bool
    reply_time: str | None
    transcript: str | None
    urgent: bool
    reason_text: str | None


# The most of what a call was about that a reminder quotes.
ABOUT_CHARS: Final = 120


@dataclass(frozen=True, slots=True)
class _Words:
    """The words of one language."""

    number: str
    hidden: str
    last_call: str
    calls: Mapping[PluralCategory, str]
    reason: str
    promised: str
    text: str
    voicemail: str
    listen: str
    transcription: str
    # "3 June 2025, 10:00": how a year and a time follow the day and month.
    year: str
    reasons: Mapping[str, str]
    states: Mapping[str, str]
    not_sent: str
    not_sent_because: str
    why: Mapping[str, str]
    reminder: str
    reply: str
    urgent: str
    time_named: str
    urgent_title: str
    # What the call was about, before the reminder's message.
    about: str


_WORDS: Final[Mapping[Language, _Words]] = {
    Language.EN: _Words(
        number="Number",
        hidden="Hidden number",
        last_call="Last call",
        calls={"one": "{n} call", "other": "{n} calls"},
        reason="Reason",
        promised="Promised callback",
        text="Text",
        voicemail="Voicemail",
        listen="Listen",
        transcription="Transcription",
        year="{date} {year}",
        reasons={
            "manual": "Busy (set by hand)",
            "driving": "Driving",
            "on_call": "On a call",
            "dead_zone": "Dead zone",
            "in_meeting": "In a meeting",
            "meeting_soon": "Meeting about to start",
            "do_not_disturb": "Do not disturb",
            "noisy_place": "Noisy place",
            "weak_signal": "Weak signal",
            "public_place": "Public place",
            "after_hours": "Outside business hours",
            "no_answer": "Missed (it rang)",
        },
        states={
            "queued": "Being sent",
            "sent": "Sent",
            "retrying": "Not sent yet, retrying",
            "failed": "Could not be sent",
            "delivered": "Delivered",
            "undelivered": "Sent, but not delivered",
        },
        not_sent="Not sent",
        not_sent_because="Not sent: {why}",
        why={
            "no_texting_backend": "no texting service is set up",
            "anonymous": "hidden number",
            "not_mobile": "not a mobile number",
            "cooldown": "already texted recently",
            "hourly_cap": "hourly limit reached",
            "ringing": "the call rang through",
            "no_answer": "the call rang through",
            "late": "reported too late for a text",
        },
        reminder="Good time to call back now ({calls}). Ask first whether they can talk.",
        reply="Reply",
        urgent="Urgent",
        time_named="Time mentioned",
        urgent_title="Urgent reply from {name}",
        about="About: “{about}”",
    ),
    Language.RU: _Words(
        number="Номер",
        hidden="Номер скрыт",
        last_call="Последний звонок",
        calls={"one": "{n} звонок", "few": "{n} звонка", "many": "{n} звонков"},
        reason="Причина",
        promised="Обещанный звонок",
        text="Сообщение",
        voicemail="Голосовое сообщение",
        listen="Прослушать",
        transcription="Расшифровка",
        year="{date} {year} г.",
        reasons={
            "manual": "Занят (вручную)",
            "driving": "За рулём",
            "on_call": "Идёт разговор",
            "dead_zone": "Нет связи",
            "in_meeting": "На встрече",
            "meeting_soon": "Скоро встреча",
            "do_not_disturb": "Не беспокоить",
            "noisy_place": "Шумное место",
            "weak_signal": "Слабый сигнал",
            "public_place": "Общественное место",
            "after_hours": "Нерабочее время",
            "no_answer": "Пропущен (звонок прошёл)",
        },
        states={
            "queued": "Отправляется",
            "sent": "Отправлено",
            "retrying": "Пока не отправлено, пробуем ещё",
            "failed": "Не удалось отправить",
            "delivered": "Доставлено",
            "undelivered": "Отправлено, но не доставлено",
        },
        not_sent="Не отправлено",
        not_sent_because="Не отправлено: {why}",
        why={
            "no_texting_backend": "не настроена отправка сообщений",
            "anonymous": "номер скрыт",
            "not_mobile": "номер не мобильный",
            "cooldown": "сообщение уже отправляли недавно",
            "hourly_cap": "достигнут лимит сообщений в час",
            "ringing": "звонок прошёл",
            "no_answer": "звонок прошёл",
            "late": "о звонке сообщили слишком поздно для сообщения",
        },
        reminder="Сейчас удобно перезвонить ({calls}). Сначала спросите, удобно ли говорить.",
        reply="Ответ",
        urgent="Срочно",
        time_named="Названное время",
        urgent_title="Срочный ответ: {name}",
        about="По поводу: «{about}»",
    ),
    Language.PL: _Words(
        number="Numer",
        hidden="Numer zastrzeżony",
        last_call="Ostatnie połączenie",
        calls={"one": "{n} połączenie", "few": "{n} połączenia", "many": "{n} połączeń"},
        reason="Powód",
        promised="Obiecane oddzwonienie",
        text="Wiadomość",
        voicemail="Poczta głosowa",
        listen="Odsłuchaj",
        transcription="Transkrypcja",
        year="{date} {year}",
        reasons={
            "manual": "Zajęty (ręcznie)",
            "driving": "Za kierownicą",
            "on_call": "W trakcie rozmowy",
            "dead_zone": "Brak zasięgu",
            "in_meeting": "Na spotkaniu",
            "meeting_soon": "Spotkanie za chwilę",
            "do_not_disturb": "Nie przeszkadzać",
            "noisy_place": "Głośne miejsce",
            "weak_signal": "Słaby sygnał",
            "public_place": "Miejsce publiczne",
            "after_hours": "Poza godzinami pracy",
            "no_answer": "Nieodebrane (dzwoniło)",
        },
        states={
            "queued": "Wysyłanie",
            "sent": "Wysłano",
            "retrying": "Jeszcze nie wysłano, ponawiamy",
            "failed": "Nie udało się wysłać",
            "delivered": "Dostarczono",
            "undelivered": "Wysłano, ale nie dostarczono",
        },
        not_sent="Nie wysłano",
        not_sent_because="Nie wysłano: {why}",
        why={
            "no_texting_backend": "nie skonfigurowano wysyłania wiadomości",
            "anonymous": "numer zastrzeżony",
            "not_mobile": "to nie jest numer komórkowy",
            "cooldown": "niedawno już wysłano wiadomość",
            "hourly_cap": "osiągnięto godzinny limit wiadomości",
            "ringing": "połączenie przeszło",
            "no_answer": "połączenie przeszło",
            "late": "zgłoszone zbyt późno na wiadomość",
        },
        reminder=(
            "Teraz jest dobry moment, by oddzwonić ({calls}). "
            "Najpierw zapytaj, czy można teraz rozmawiać."
        ),
        reply="Odpowiedź",
        urgent="Pilne",
        time_named="Wskazana pora",
        urgent_title="Pilna odpowiedź: {name}",
        about="W sprawie: „{about}”",
    ),
}

# The voice menu's lines (issue #18): the caller pressed 1; what they said it is about.
_MENU_WORDS: Final[Mapping[Language, tuple[tuple[str, str], str]]] = {
    Language.EN: (("Urgent", "the caller pressed 1"), "About"),
    Language.RU: (("Срочно", "звонивший нажал 1"), "По какому вопросу"),
    Language.PL: (("Pilne", "dzwoniący wcisnął 1"), "W sprawie"),
}

# Characters that would start Markdown emphasis, links, code or HTML in free text.
_MARKDOWN: Final = re.compile(r"([\\`*_\[\]<>|~#])")


def ui_language(language: str) -> Language:
    """Home Assistant's language ("pl", "en-GB") as one there is wording in; else English."""
    base = language.split("-", maxsplit=1)[0].lower()
    return Language(base) if base in Language.__members__.values() else Language.EN


def display_name(name: str, number: str, language: str) -> str:
    """Show the caller: the name, or the readable number when there is no other name."""
    if name != number:
        return name
    if is_anonymous(number):
        return _WORDS[ui_language(language)].hidden
    return readable_number(number)


def calls_phrase(calls: int, language: str) -> str:
    """Count calls: "1 call", "2 calls"; "21 звонок", "22 звонка", "25 звонков"."""
    lang = ui_language(language)
    return plural(calls, lang, _WORDS[lang].calls)


def reminder_text(calls: int, language: str, about: str | None = None) -> str:
    """Word the reminder's message: what it's about, call back now, how many calls, ask first.

    ``about`` is what the caller said the call is about (or their voicemail), quoted
    as heard, shortened to ``ABOUT_CHARS``; the rest follows rule E12.
    """
    lang = ui_language(language)
    words = _WORDS[lang]
    text = words.reminder.format(calls=calls_phrase(calls, lang))
    said = " ".join((about or "").split())
    if not said:
        return text
    if len(said) > ABOUT_CHARS:
        said = said[: ABOUT_CHARS - 1].rstrip() + "…"
    return f"{words.about.format(about=said)}\n{text}"


def call_about(item: CallbackFacts) -> str | None:
    """Return what a call was about: the caller's spoken reason, their text back, or voicemail."""
    return item.reason_text or item.reply or item.transcript or item.transcription or None


def describe_callback(item: CallbackFacts, language: str, tz: tzinfo, now: datetime) -> str:
    """Describe a waiting callback for the to-do list: Markdown, one fact a line."""
    lang = ui_language(language)
    words = _WORDS[lang]
    # The card shows three lines: when they called, what was promised, whether they were told.
    facts = [
        (
            words.last_call,
            f"{_moment(item.last_call, tz, now, lang)} ({calls_phrase(item.calls, lang)})",
        )
    ]
    if item.promised_at is not None:
        facts.append((words.promised, _moment(item.promised_at, tz, now, lang)))
    facts.append((words.text, _text_state(item.text_status, words)))
    urgent, about = _MENU_WORDS[lang]
    if item.urgent:
        facts.insert(0, urgent)
    if item.reason_text:
        facts.append((about, _escape(item.reason_text)))
    facts.append((words.reason, _reasons(item.reasons, words)))
    facts.append((words.number, _number_link(item.number, words)))
    if item.recording_url:
        facts.append((words.voicemail, f"[{words.listen}]({_url(item.recording_url)})"))
    # The chosen speech-to-text entity's transcript, else the provider's (English only).
    if heard := item.transcript or item.transcription:
        facts.append((words.transcription, _escape(heard)))
    facts.extend(_reply_facts(item, words, tz, now, lang))
    return "\n".join(f"- **{label}:** {value}" for label, value in facts)


def _reply_facts(
    item: CallbackFacts, words: _Words, tz: tzinfo, now: datetime, language: Language
) -> list[tuple[str, str]]:
    """Return the lines of the client's last reply: what they wrote and the time it names."""
    if item.reply is None:
        return []
    said = _escape(item.reply)
    if item.reply_at is not None:
        said = f"{said} ({_moment(item.reply_at, tz, now, language)})"
    if item.reply_urgent:
        said = f"**{words.urgent}:** {said}"
    facts = [(words.reply, said)]
    if item.reply_time:
        facts.append((words.time_named, _escape(item.reply_time)))
    return facts


def urgent_title(name: str, number: str, language: str) -> str:
    """Return the title of the urgent-reply notification: "Urgent reply from Anna"."""
    lang = ui_language(language)
    return _WORDS[lang].urgent_title.format(name=display_name(name, number, lang))


def _escape(text: str) -> str:
    """Free text on one line, with nothing in it read as Markdown."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def _url(url: str) -> str:
    """Make a link target that nothing in it can end early."""
    return url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _number_link(number: str, words: _Words) -> str:
    """Show the readable number, a tel: link when it is a valid international number."""
    if is_anonymous(number):
        return words.hidden
    shown = readable_number(number)
    if shown == number or not number.startswith("+"):
        return _escape(number)
    return f"[{shown}](tel:{number})"


def _moment(moment: datetime, tz: tzinfo, now: datetime, language: Language) -> str:
    """Say a moment: "3 June, 10:00"; with the year when it is not this year's."""
    local = moment.astimezone(tz)
    date = day_and_month(local, language)
    if local.year != now.astimezone(tz).year:
        date = _WORDS[language].year.format(date=date, year=local.year)
    return f"{date}, {local.hour}:{local.minute:02d}"


def _reasons(codes: list[str], words: _Words) -> str:
    """Name the reasons in a sentence ("Driving, noisy place"); "—" when none."""
    names = [words.reasons.get(code, code) for code in codes]
    if not names:
        return "—"
    rest = [name[:1].lower() + name[1:] for name in names[1:]]
    return _escape(", ".join([names[0], *rest]))


def _text_state(status: str, words: _Words) -> str:
    """Say the polite text's state: sent, being sent, or why none was sent."""
    state, _, why = status.partition(":")
    if state in words.states:
        return words.states[state]
    if why in words.why:
        return words.not_sent_because.format(why=words.why[why])
    return words.not_sent
