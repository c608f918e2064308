"""Table-driven tests for the polite texts in ``core/messages`` (issue #3 "The polite text").

Calendar facts: Wed 2026-06-03 (Warsaw +02:00, New York -04:00); Fri 2026-06-05;
Mon 2026-06-08. New York springs forward Sun 2026-03-08; Warsaw falls back Sun 2026-10-25.
"""

# ruff: noqa: RUF001
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import re
from zoneinfo import ZoneInfo

import pytest

from custom_components.client_etiquette.core.messages.texts import (
    TEMPLATE_VARIABLES,
    ask_first_text,
    build_text,
    callback_phrase,
    excuse,
    sms_segments,
    template_variables,
)
from custom_components.client_etiquette.core.messages.times import (
    format_callback_time,
    format_within,
    round_up,
)
from custom_components.client_etiquette.core.models import Language, Reason, Tier

WAW = ZoneInfo("Europe/Warsaw")
NY = ZoneInfo("America/New_York")
EN, RU, PL = Language.EN, Language.RU, Language.PL
NOW = datetime(2026, 6, 3, 10, 0, tzinfo=WAW)  # Wednesday


def waw(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WAW)


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


# Words that would say where the freelancer is or what they are doing there (rule E2-E5:
# a party is "somewhere I can't talk properly", never "a party").
PLACE_WORDS = {
    EN: [
        "party",
        "bar",
        "pub",
        "cafe",
        "café",
        "restaurant",
        "lunch",
        "friends",
        "metro",
        "subway",
        "train",
        "bus",
        "lift",
        "elevator",
        "tunnel",
        "drive",
        "driving",
        "car",
        "road",
        "wheel",
        "doctor",
        "queue",
        "meeting",
        "public",
        "noisy",
        "loud",
        "music",
        "zone",
        "here",
        "place",
    ],
    RU: [
        "вечерин",
        "бар",
        "кафе",
        "ресторан",
        "обед",
        "друз",
        "метро",
        "поезд",
        "электрич",
        "автобус",
        "лифт",
        "тоннел",
        "за рул",
        "рулём",
        "машин",
        "еду",
        "дорог",
        "врач",
        "очеред",
        "совещан",
        "встреч",
        "шумн",
        "музык",
        "людн",
        "зон",
        "здесь",
        "мест",
    ],
    PL: [
        "impre",
        "bar",
        "kawiarn",
        "restaurac",
        "obiad",
        "znajom",
        "metr",
        "pociąg",
        "autobus",
        "wind",
        "tunel",
        "prowadz",
        "samoch",
        "jadę",
        "drodz",
        "lekarz",
        "kolejce",
        "spotkani",
        "zebrani",
        "głośn",
        "muzyk",
        "strefi",
        "tutaj",
        "miejsc",
    ],
}
CALLBACKS = {
    "unknown": None,
    "today": waw("2026-06-03 15:30"),
    "tomorrow": waw("2026-06-04 09:00"),
    "weekday": waw("2026-06-08 09:00"),
    "date": waw("2026-06-17 09:00"),
}


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("reason", list(Reason))
def test_texts_never_reveal_the_place(reason: Reason, language: Language) -> None:
    for tier in (None, Tier.NEW, Tier.REGULAR, Tier.VIP):
        for callback_at in CALLBACKS.values():
            text = build_text(
                reason,
                language,
                callback_at,
                NOW,
                WAW,
                tier=tier,
                sender_name="Jan",
                outside_hours=True,
            )
            plain = words(text)
            for word in PLACE_WORDS[language]:
                if " " in word:
                    assert word not in plain, (word, text)
                else:
                    assert not any(token.startswith(word) for token in plain.split()), (word, text)


@pytest.mark.parametrize("language", list(Language))
def test_every_reason_has_its_own_polite_excuse(language: Language) -> None:
    excuses = {reason: excuse(reason, language) for reason in Reason}
    for text in excuses.values():
        assert text
        assert text == text.strip()
        assert not text.endswith((".", "!", "?"))
        assert text[0].islower() or text.startswith(("I ", "I'"))
    # Reception problems may share wording; otherwise most excuses differ.
    assert len(set(excuses.values())) >= 8


GOLDEN = [
    (
        EN,
        Reason.ON_CALL,
        "today",
        "Jan",
        "Hi, it's Jan. Sorry, I'm on another call. I'll call you back at 15:30.",
    ),
    (
        EN,
        Reason.NOISY_PLACE,
        "unknown",
        "",
        "Hi! Sorry, I can't talk properly right now. I'll call you back within about 30 minutes.",
    ),
    (
        RU,
        Reason.ON_CALL,
        "today",
        "Ян",
        "Здравствуйте, это Ян. Извините, я на другой линии. Перезвоню в 15:30.",
    ),
    (
        RU,
        Reason.PUBLIC_PLACE,
        "unknown",
        "Ян",
        "Извините, не могу говорить свободно. Перезвоню в течение 30 минут. Ян",
    ),
    (
        RU,
        Reason.DEAD_ZONE,
        "tomorrow",
        "",
        "Здравствуйте! Извините, плохая связь. Перезвоню завтра в 9:00.",
    ),
    (
        PL,
        Reason.IN_MEETING,
        "weekday",
        "",
        "Przepraszam, nie mogę się oderwać. Oddzwonię w poniedziałek o 9:00.",
    ),
    (
        PL,
        Reason.NOISY_PLACE,
        "unknown",
        "Jan",
        "Przepraszam, trudno mi teraz mówić. Oddzwonię w ciągu 30 minut. Jan",
    ),
    (
        PL,
        Reason.DRIVING,
        "date",
        "Jan",
        "Przepraszam, nie mogę odebrać. Oddzwonię 17 czerwca o 9:00. Jan",
    ),
]


@pytest.mark.parametrize(("language", "reason", "when", "sender", "expected"), GOLDEN)
def test_golden_texts(
    language: Language, reason: Reason, when: str, sender: str, expected: str
) -> None:
    text = build_text(
        reason, language, CALLBACKS[when], NOW, WAW, tier=Tier.REGULAR, sender_name=sender
    )
    assert text == expected
    assert sms_segments(text) == 1


SENDERS = {EN: ("", "Jan"), RU: ("", "Ян", "Jan"), PL: ("", "Jan")}


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("reason", list(Reason))
def test_typical_texts_take_one_sms_segment(reason: Reason, language: Language) -> None:
    """Without a name or with a short one, a callback within minutes, today or tomorrow."""
    for sender in SENDERS[language]:
        for when in ("unknown", "today", "tomorrow"):
            text = build_text(
                reason,
                language,
                CALLBACKS[when],
                NOW,
                WAW,
                tier=Tier.REGULAR,
                sender_name=sender,
            )
            assert sms_segments(text) == 1, text
            assert excuse(reason, language) in text


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("when", ["unknown", "tomorrow", "weekday", "date"])
def test_after_hours_texts_take_one_sms_segment(language: Language, when: str) -> None:
    """After hours the promise is the next opening, often "on Monday at 9:00"."""
    for sender in SENDERS[language]:
        text = build_text(
            Reason.AFTER_HOURS,
            language,
            CALLBACKS[when],
            NOW,
            WAW,
            tier=Tier.REGULAR,
            sender_name=sender,
        )
        assert sms_segments(text) == 1, text


def test_long_texts_still_fall_back_to_the_full_form() -> None:
    # Nothing fits one segment: the greeting stays (2 segments either way).
    text = build_text(
        Reason.PUBLIC_PLACE,
        RU,
        CALLBACKS["weekday"],
        NOW,
        WAW,
        tier=Tier.REGULAR,
        sender_name="Екатерина Александровна",
    )
    assert text.startswith("Здравствуйте, это Екатерина Александровна.")
    assert sms_segments(text) == 2


@pytest.mark.parametrize("language", list(Language))
def test_spoken_text_always_has_the_greeting(language: Language) -> None:
    """``compact=False`` (a voicemail greeting): never the signed SMS form."""
    reason = Reason.PUBLIC_PLACE
    spoken = build_text(
        reason, language, None, NOW, WAW, tier=Tier.REGULAR, sender_name="Jan", compact=False
    )
    texted = build_text(reason, language, None, NOW, WAW, tier=Tier.REGULAR, sender_name="Jan")
    greeting = {EN: "Hi, it's Jan.", RU: "Здравствуйте, это Jan.", PL: "Dzień dobry, tu Jan."}
    assert spoken.startswith(greeting[language])
    assert not spoken.endswith(" Jan")
    # English fits one segment with the greeting; Russian and Polish are shortened.
    assert (texted == spoken) is (language is EN)
    assert sms_segments(texted) == 1


# ---------------------------------------------------------------------------
# E-mail invitation for new clients after hours (rule E9)

INVITES = {
    EN: ("please e-mail me the details", "please send the details to jan@example.com"),
    RU: ("прислать на почту", "пришлите, пожалуйста, на jan@example.com"),
    PL: ("przesłać mailem", "przesłać na jan@example.com"),
}


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize(
    ("tier", "reason", "outside_hours", "invited"),
    [
        (Tier.NEW, Reason.AFTER_HOURS, False, True),
        (Tier.NEW, Reason.ON_CALL, True, True),  # after hours behind a higher reason
        (Tier.NEW, Reason.ON_CALL, False, False),
        (Tier.REGULAR, Reason.AFTER_HOURS, True, False),
        (Tier.VIP, Reason.AFTER_HOURS, True, False),
        (None, Reason.AFTER_HOURS, True, False),
    ],
)
def test_email_invitation_for_new_clients_after_hours(
    language: Language, tier: Tier | None, reason: Reason, outside_hours: bool, invited: bool
) -> None:
    plain = build_text(
        reason, language, CALLBACKS["weekday"], NOW, WAW, tier=tier, outside_hours=outside_hours
    )
    with_email = build_text(
        reason,
        language,
        CALLBACKS["weekday"],
        NOW,
        WAW,
        tier=tier,
        outside_hours=outside_hours,
        reply_email="jan@example.com",
    )
    generic, named = INVITES[language]
    assert (generic in plain) is invited
    assert (named in with_email) is invited
    if invited:
        assert sms_segments(with_email) <= 3
        assert plain.index(excuse(reason, language)) < plain.index(generic)


# ---------------------------------------------------------------------------
# Callback times


@pytest.mark.parametrize(
    ("callback_at", "now", "tz", "expected"),
    [
        (waw("2026-06-03 15:30"), NOW, WAW, ("at 15:30", "в 15:30", "o 15:30")),
        (waw("2026-06-03 15:27"), NOW, WAW, ("at 15:30", "в 15:30", "o 15:30")),
        (waw("2026-06-03 15:30:00.000001"), NOW, WAW, ("at 15:35", "в 15:35", "o 15:35")),
        (waw("2026-06-03 23:58"), NOW, WAW, ("tomorrow at 0:00", "завтра в 0:00", "jutro o 0:00")),
        (waw("2026-06-04 09:00"), NOW, WAW, ("tomorrow at 9:00", "завтра в 9:00", "jutro o 9:00")),
        (
            waw("2026-06-05 14:05"),
            NOW,
            WAW,
            ("on Friday at 14:05", "в пятницу в 14:05", "w piątek o 14:05"),
        ),
        (
            waw("2026-06-09 09:00"),
            NOW,
            WAW,
            ("on Tuesday at 9:00", "во вторник в 9:00", "we wtorek o 9:00"),
        ),
        (
            waw("2026-06-10 09:00"),
            NOW,
            WAW,
            ("on 10 June at 9:00", "10 июня в 9:00", "10 czerwca o 9:00"),
        ),
        # Monday 9:00 in New York, said in New York time, while it is Friday in Warsaw.
        (
            ny("2026-06-08 09:00"),
            waw("2026-06-05 20:00"),
            NY,
            ("on Monday at 9:00", "в понедельник в 9:00", "w poniedziałek o 9:00"),
        ),
        # 1:00 on Thursday in Warsaw is still Wednesday 19:00 in New York: "today".
        (waw("2026-06-04 01:00"), NOW, NY, ("at 19:00", "в 19:00", "o 19:00")),
        # 22:00 in New York is 4:00 the next day in Warsaw.
        (ny("2026-06-03 22:00"), NOW, WAW, ("tomorrow at 4:00", "завтра в 4:00", "jutro o 4:00")),
        # Over the autumn change in Warsaw: 25 October 2026 has 25 hours.
        (
            waw("2026-10-26 09:00"),
            waw("2026-10-24 12:00"),
            WAW,
            ("on Monday at 9:00", "в понедельник в 9:00", "w poniedziałek o 9:00"),
        ),
        # New York springs forward on 8 March 2026: still 9:00 local on Monday.
        (
            datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
            datetime(2026, 3, 6, 21, 0, tzinfo=UTC),
            NY,
            ("on Monday at 9:00", "в понедельник в 9:00", "w poniedziałek o 9:00"),
        ),
        (
            datetime(2026, 6, 4, 4, 0, tzinfo=UTC),
            NOW,
            timezone(timedelta(hours=5, minutes=45)),
            ("tomorrow at 9:45", "завтра в 9:45", "jutro o 9:45"),
        ),
        # Unknown and past times: "within about N minutes".
        (None, NOW, WAW, ("within about 30 minutes", "в течение 30 минут", "w ciągu 30 minut")),
        (NOW, NOW, WAW, ("within about 30 minutes", "в течение 30 минут", "w ciągu 30 minut")),
        (
            NOW - timedelta(minutes=1),
            NOW,
            WAW,
            ("within about 30 minutes", "в течение 30 минут", "w ciągu 30 minut"),
        ),
    ],
)
def test_format_callback_time(
    callback_at: datetime | None, now: datetime, tz: timezone | ZoneInfo, expected: tuple[str, ...]
) -> None:
    for language, phrase in zip(Language, expected, strict=True):
        assert format_callback_time(callback_at, now, tz, language) == phrase


def test_every_weekday_in_every_language() -> None:
    expected = {
        EN: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        RU: [
            "в понедельник",
            "во вторник",
            "в среду",
            "в четверг",
            "в пятницу",
            "в субботу",
            "в воскресенье",
        ],
        PL: [
            "w poniedziałek",
            "we wtorek",
            "w środę",
            "w czwartek",
            "w piątek",
            "w sobotę",
            "w niedzielę",
        ],
    }
    monday = waw("2026-06-08 09:00")
    for language in Language:
        at = "at" if language is EN else "в" if language is RU else "o"
        for offset, name in enumerate(expected[language]):
            day = monday + timedelta(days=offset)
            said = f"on {name}" if language is EN else name
            for ahead in range(2, 7):
                phrase = format_callback_time(day, day - timedelta(days=ahead), WAW, language)
                assert phrase == f"{said} {at} 9:00"
            # A week ahead is said as a date, not the same weekday.
            later = format_callback_time(day, day - timedelta(days=7), WAW, language)
            assert name not in later
            assert str(day.day) in later


@pytest.mark.parametrize(
    ("minutes", "en", "ru", "pl"),
    [
        (1, "within about a minute", "в течение минуты", "w ciągu minuty"),
        (2, "within about 2 minutes", "в течение 2 минут", "w ciągu 2 minut"),
        (5, "within about 5 minutes", "в течение 5 минут", "w ciągu 5 minut"),
        (11, "within about 11 minutes", "в течение 11 минут", "w ciągu 11 minut"),
        (15, "within about 15 minutes", "в течение 15 минут", "w ciągu 15 minut"),
        (21, "within about 21 minutes", "в течение 21 минуты", "w ciągu 21 minut"),
        (22, "within about 22 minutes", "в течение 22 минут", "w ciągu 22 minut"),
        (45, "within about 45 minutes", "в течение 45 минут", "w ciągu 45 minut"),
        (90, "within about 90 minutes", "в течение 90 минут", "w ciągu 90 minut"),
        (101, "within about 101 minutes", "в течение 101 минуты", "w ciągu 101 minut"),
        (111, "within about 111 minutes", "в течение 111 минут", "w ciągu 111 minut"),
        (60, "within about an hour", "в течение часа", "w ciągu godziny"),
        (120, "within about 2 hours", "в течение 2 часов", "w ciągu 2 godzin"),
        (300, "within about 5 hours", "в течение 5 часов", "w ciągu 5 godzin"),
        (1260, "within about 21 hours", "в течение 21 часа", "w ciągu 21 godzin"),
    ],
)
def test_plural_forms(minutes: int, en: str, ru: str, pl: str) -> None:
    assert format_within(minutes, EN) == en
    assert format_within(minutes, RU) == ru
    assert format_within(minutes, PL) == pl
    assert format_callback_time(None, NOW, WAW, RU, within_minutes=minutes) == ru


@pytest.mark.parametrize("minutes", [0, -5])
def test_within_needs_a_positive_count(minutes: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        format_within(minutes, EN)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (waw("2026-06-03 15:30"), waw("2026-06-03 15:30")),
        (waw("2026-06-03 15:30:01"), waw("2026-06-03 15:35")),
        (waw("2026-06-03 15:31"), waw("2026-06-03 15:35")),
        (waw("2026-06-03 15:34:59.999999"), waw("2026-06-03 15:35")),
        (waw("2026-06-03 23:59"), waw("2026-06-04 00:00")),
        # 2:58 UTC+1 on 29 March 2026 is right before Warsaw springs forward to 3:00 CEST.
        (datetime(2026, 3, 29, 0, 58, tzinfo=UTC), waw("2026-03-29 03:00")),
    ],
)
def test_round_up(moment: datetime, expected: datetime) -> None:
    result = round_up(moment, WAW)
    assert result == expected
    assert result.tzinfo is WAW


@pytest.mark.parametrize(
    ("language", "asap"),
    [(EN, "as soon as I can"), (RU, "как только смогу"), (PL, "możliwie szybko")],
)
def test_after_hours_without_a_time_promises_no_minutes(language: Language, asap: str) -> None:
    assert callback_phrase(Reason.AFTER_HOURS, language, None, NOW, WAW) == asap
    assert callback_phrase(Reason.AFTER_HOURS, language, NOW, NOW, WAW) == asap
    text = build_text(Reason.AFTER_HOURS, language, None, NOW, WAW, tier=Tier.REGULAR)
    assert asap in text
    # Any other reason promises minutes; after hours with a time promises the time.
    assert "30" in callback_phrase(Reason.MANUAL, language, None, NOW, WAW)
    assert callback_phrase(Reason.AFTER_HOURS, language, CALLBACKS["tomorrow"], NOW, WAW) == (
        format_callback_time(CALLBACKS["tomorrow"], NOW, WAW, language)
    )


def test_template_variables() -> None:
    variables = template_variables(
        Reason.NOISY_PLACE,
        PL,
        CALLBACKS["weekday"],
        NOW,
        WAW,
        client_name="Anna Kowalska",
        sender_name="Jan",
        within_minutes=20,
    )
    assert tuple(variables) == TEMPLATE_VARIABLES
    assert variables == {
        "client_name": "Anna Kowalska",
        "reason": "noisy_place",
        "reason_text": "trudno mi teraz mówić",
        "callback_time": "w poniedziałek o 9:00",
        "sender_name": "Jan",
    }
    unknown = template_variables(Reason.MANUAL, EN, None, NOW, WAW, within_minutes=20)
    assert unknown["callback_time"] == "within about 20 minutes"
    assert unknown["client_name"] == unknown["sender_name"] == ""


# ---------------------------------------------------------------------------
# Ask-first texts (rule E12)


@pytest.mark.parametrize(
    ("language", "topic", "sender", "expected"),
    [
        (EN, None, "", "Hi! Is now a good time for a quick call?"),
        (
            EN,
            "the logo",
            "Jan",
            "Hi, it's Jan. Is now a good time for a quick call about the logo?",
        ),
        (
            EN,
            "  the   new logo?  ",
            "",
            "Hi! Is now a good time for a quick call about the new logo?",
        ),
        (EN, "   ", "", "Hi! Is now a good time for a quick call?"),
        (RU, None, "Ян", "Здравствуйте, это Ян. Вам удобно сейчас коротко созвониться?"),
        (RU, "логотип", "", "Здравствуйте! Вам удобно сейчас коротко созвониться? Тема: логотип."),
        (PL, None, "", "Dzień dobry! Czy możemy teraz chwilę porozmawiać?"),
        (
            PL,
            "logo.",
            "Jan",
            "Dzień dobry, tu Jan. Czy możemy teraz chwilę porozmawiać? Temat: logo.",
        ),
    ],
)
def test_ask_first_text(language: Language, topic: str | None, sender: str, expected: str) -> None:
    text = ask_first_text(language, topic=topic, sender_name=sender)
    assert text == expected
    assert sms_segments(text) == 1


# ---------------------------------------------------------------------------
# SMS segments


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters take two septets
        ("€" * 81, 2),
        ("Ж" * 70, 1),
        ("Ж" * 71, 2),
        ("Ж" * 134, 2),
        ("Ж" * 135, 3),
        ("ą" + "a" * 69, 1),  # one Polish letter makes it UCS-2
        ("ą" + "a" * 70, 2),
        ("🙂" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("🙂" * 36, 2),
    ],
)
def test_sms_segments(text: str, segments: int) -> None:
    assert sms_segments(text) == segments
