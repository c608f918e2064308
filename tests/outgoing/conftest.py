"""Fixtures of the outgoing-call tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from custom_components.client_etiquette.outgoing import holidays


@pytest.fixture(autouse=True)
def fresh_holidays() -> Iterator[None]:
    """Each test loads the holidays it needs, whatever ran before it."""
    holidays._holiday_cache.clear()
    yield
    holidays._holiday_cache.clear()
