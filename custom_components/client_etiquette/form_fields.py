"""Form pieces shared by the config, options and client flows."""

from __future__ import annotations

from collections.abc import Sequence

from homeassistant.helpers import selector


def select(
    options: Sequence[str], key: str | None = None, *, multiple: bool = False
) -> selector.SelectSelector:
    """A drop-down of ``options`` (a list of check boxes when ``multiple``).

    ``key`` names the options' translations under ``selector.<key>``; None shows them
    as they are (time zones).
    """
    config = selector.SelectSelectorConfig(
        options=list(options),
        multiple=multiple,
        mode=selector.SelectSelectorMode.LIST if multiple else selector.SelectSelectorMode.DROPDOWN,
    )
    if key is not None:
        config["translation_key"] = key
    return selector.SelectSelector(config)


def email_error(email: str | None) -> str | None:
    """``invalid_email`` unless ``email`` is empty or looks like ``name@domain.tld``."""
    if not email:
        return None
    text = email.strip()
    local, _, domain = text.partition("@")
    host, dot, tld = domain.rpartition(".")
    valid = bool(local and host and dot and tld) and not any(c.isspace() for c in text)
    return None if valid and "@" not in domain else "invalid_email"
