"""The form pieces shared by the flows: one e-mail check, one select builder."""

from __future__ import annotations

import pytest

from custom_components.client_etiquette.flows.fields import email_error, select


@pytest.mark.parametrize(
    "email",
    [None, "", "jan@example.com", " jan.kowalski@mail.example.pl ", "a+b@x.io"],
)
def test_good_or_no_email(email: str | None) -> None:
    """Check that no address, or one shaped like name@domain.tld, is accepted."""
    assert email_error(email) is None


@pytest.mark.parametrize(
    "email",
    [
        "nobody",
        "anna@",
        "@example.com",
        "an na@x.pl",
        "jan@example",
        "jan@.pl",
        "jan@x.",
        "a@b@c.pl",
    ],
)
def test_bad_email(email: str) -> None:
    """Check that anything else is the flows' invalid_email error."""
    assert email_error(email) == "invalid_email"


def test_select_single_and_multiple() -> None:
    """A translated drop-down, a translated list of check boxes, or untranslated options."""
    single = select(("a", "b"), "tier").config
    assert (single["mode"], single["multiple"], single["translation_key"]) == (
        "dropdown",
        False,
        "tier",
    )
    multiple = select(["x"], "reason", multiple=True).config
    assert (multiple["mode"], multiple["multiple"]) == ("list", True)
    assert "translation_key" not in select(["Europe/Warsaw"]).config
