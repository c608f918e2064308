"""The ``text_failed`` event names the client, for polite texts and ask-first texts alike."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.client_etiquette.const import DOMAIN

from .. import DRIVING, setup_entry
from ..outgoing import ANNA, ANNA_DATA, client, make_entry

EVENT = "event.my_phone_client_call"


@pytest.fixture
def refusing_sms(hass: HomeAssistant) -> list[ServiceCall]:
    """Return a ``notify.sms`` that refuses every text (a permanent failure)."""
    calls: list[ServiceCall] = []

    async def refuse(call: ServiceCall) -> None:
        calls.append(call)
        raise vol.Invalid("the gateway refused the text")

    hass.services.async_register("notify", "sms", refuse)
    return calls


def entry() -> MockConfigEntry:
    """Anna, with texts through the refusing ``notify.sms``."""
    return make_entry(
        [client("Anna Kowalska", **ANNA_DATA)],
        texting_backend="notify",
        notify_action="notify.sms",
    )


def failure(hass: HomeAssistant) -> dict[str, Any]:
    state = hass.states.get(EVENT)
    assert state is not None
    assert state.attributes["event_type"] == "text_failed"
    return dict(state.attributes)


async def test_failed_polite_text_names_the_client(
    hass: HomeAssistant, sources: None, refusing_sms: list[ServiceCall]
) -> None:
    """Check that a refused polite text fires text_failed with the caller's client name."""
    loaded = await setup_entry(hass, entry())
    hass.states.async_set(DRIVING, "in_vehicle")
    await hass.services.async_call(DOMAIN, "incoming_call", {"number": ANNA}, blocking=True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(refusing_sms) == 1
    attributes = failure(hass)
    assert attributes["client_name"] == "Anna Kowalska"
    assert attributes["final"] is True
    assert "refused" in attributes["error"]
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"texts_failing_{loaded.entry_id}")
    assert issue is not None


async def test_failed_ask_first_text_names_the_client(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
    refusing_sms: list[ServiceCall],
) -> None:
    """Check that a failed ask-before-calling text still names the client.

    It has no callback item: the client is named from the text's key, so an automation can
    still say whom the text didn't reach.
    """
    freezer.move_to("2025-06-03 10:00:00+02:00")  # Anna's office hours
    await setup_entry(hass, entry())
    await hass.services.async_call(
        DOMAIN, "ask_before_calling", {"client": "Anna Kowalska"}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(refusing_sms) == 1
    attributes = failure(hass)
    assert attributes["client_name"] == "Anna Kowalska"
    assert attributes["final"] is True
