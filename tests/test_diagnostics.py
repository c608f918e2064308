"""Diagnostics: useful, and without locations, calendar contents or phone numbers."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from custom_components.client_etiquette.const import DOMAIN

from . import CALENDAR, DRIVING, TRACKER, entry_with_fixed_ids, on_snapshot_release, setup_entry


async def test_diagnostics_redacted(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """Check that the verdict and sources are there; private values are redacted."""
    assert await async_setup_component(hass, "diagnostics", {})
    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(
        TRACKER, "not_home", {"latitude": 52.1234, "longitude": 21.5678, "gps_accuracy": 5}
    )
    hass.states.async_set(
        CALENDAR,
        "on",
        {"message": "Call Anna +48 601 234 567", "description": "secret", "all_day": False},
    )
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert result["readiness"]["ready"] is False
    assert result["readiness"]["reasons"] == ["driving", "in_meeting"]
    assert result["readiness"]["sources"]["driving"] == [DRIVING]
    assert result["override"]["mode"] == "auto"
    assert result["entry"]["options"]["driving_entities"] == [DRIVING]
    tracker = result["sources"][TRACKER]["attributes"]
    assert tracker["latitude"] == "**REDACTED**"
    assert tracker["longitude"] == "**REDACTED**"
    calendar = result["sources"][CALENDAR]["attributes"]
    assert calendar["message"] == "**REDACTED**"
    text = json.dumps(result)
    for secret in ("52.1234", "21.5678", "601 234 567", "secret"):
        assert secret not in text


async def test_diagnostics_missing_source(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """Check that a source with no state is shown as None."""
    assert await async_setup_component(hass, "diagnostics", {})
    hass.states.async_remove(DRIVING)
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert result["sources"][DRIVING] is None
    assert DRIVING in result["readiness"]["unavailable_sources"]


async def test_secrets_clients_and_callbacks_redacted(
    hass: HomeAssistant, sources: None, hass_client: ClientSessionGenerator
) -> None:
    """Check that webhook ids, tokens, numbers, e-mails and texts never appear in diagnostics."""
    from homeassistant.config_entries import ConfigSubentryData

    from . import BASE_OPTIONS, setup_entry

    secrets = {
        "twilio_auth_token": "tok-secret-123",
        "pbx_secret": "pbx-secret-456",
        "voice_webhook_id": "voice-id-789",
        "pbx_webhook_id": "pbx-id-000",
        "forward_number": "+48600100200",
    }
    entry = MockConfigEntry(
        domain="client_etiquette",
        title="My phone",
        options={**BASE_OPTIONS, **secrets},
        subentries_data=[
            ConfigSubentryData(
                data={"numbers": ["+48601234567"], "email": "anna@example.com"},
                subentry_type="client",
                title="Anna",
                unique_id=None,
            )
        ],
    )
    assert await async_setup_component(hass, "diagnostics", {})
    await hass.config.async_update(external_url="https://jan.example.com")
    await setup_entry(hass, entry)
    hass.states.async_set(DRIVING, "in_vehicle")
    await hass.services.async_call(
        "client_etiquette", "incoming_call", {"number": "+48601234567"}, blocking=True
    )
    await hass.async_block_till_done()
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(result)
    for value in [*secrets.values(), "+48601234567", "anna@example.com"]:
        assert value not in text
    assert result["clients"][0]["title"] == "Anna"
    assert result["callbacks"][0]["reasons"] == ["driving"]
    assert result["webhooks"] == {
        "voice_url": "https://jan.example.com/api/webhook/**REDACTED**",
        "pbx_url": "https://jan.example.com/api/webhook/**REDACTED**",
        "voice_cloudhook_url": None,  # no Home Assistant Cloud here
    }


async def test_unknown_callers_numbers_in_names_and_transcriptions_redacted(
    hass: HomeAssistant,
    sources: None,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Check that no number, in any spelling, is in the diagnostics download.

    Hundreds of unknown callers, caller names and titles with numbers in them, voicemail
    transcriptions with numbers.
    """
    from homeassistant.config_entries import ConfigSubentryData

    from . import BASE_OPTIONS, setup_entry
    from .telephony import TELEPHONY, VOICE_PATH, sign

    external = "https://ha.example.com"
    entry = MockConfigEntry(
        domain="client_etiquette",
        title="Jan 601 999 000",
        options={
            **BASE_OPTIONS,
            **TELEPHONY,
            "sender_name": "Jan (601 999 001)",
            "template_en": "Call me back on +48 601 999 002",
        },
        subentries_data=[
            ConfigSubentryData(
                data={"numbers": ["+48601999003"]},
                subentry_type="client",
                title="Anna 601999003",
                unique_id=None,
            ),
            ConfigSubentryData(
                data={"numbers": ["+48601999004"]},
                subentry_type="client",
                title="Bob",
                unique_id=None,
            ),
        ],
    )
    assert await async_setup_component(hass, "diagnostics", {})
    assert await async_setup_component(hass, "webhook", {})
    await hass.config.async_update(external_url=external)
    await setup_entry(hass, entry)
    client = await hass_client_no_auth()
    hass.states.async_set(DRIVING, "in_vehicle")
    numbers = [f"+48602{index:06d}" for index in range(200)]
    for index, number in enumerate(numbers):
        name = {"name": f"Caller {number[3:]}"} if index % 2 else {}
        await hass.services.async_call(
            "client_etiquette",
            "incoming_call",
            {"number": number, "call_id": f"CA{index}", **name},
            blocking=True,
        )
    for index, number in enumerate(numbers[:20]):
        form = {
            "CallSid": f"CA{index}",
            "From": number,
            "RecordingUrl": f"https://api.example.com/R{number[1:]}",
            "TranscriptionStatus": "completed",
            "TranscriptionText": f"Call me on {number[3:6]} {number[6:9]} {number[9:]}",
        }
        path = f"{VOICE_PATH}?step=transcription"
        response = await client.post(
            path, data=form, headers={"X-Twilio-Signature": sign(external + path, form)}
        )
        assert response.status == 200
    await hass.async_block_till_done()
    items = entry.runtime_data.callbacks.items
    assert len(items) == 200
    assert sum(1 for item in items if item.transcription) == 20
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(result)
    for number in [*numbers, *(f"+4860199900{digit}" for digit in range(5))]:
        national = number[3:]
        for spelling in (number, number[1:], national, national[:3] + " " + national[3:6]):
            assert spelling not in text
    assert "CA1" not in text
    assert {item["key"] for item in result["callbacks"]} == {"**REDACTED**"}
    assert {item["name"] for item in result["callbacks"]} == {"**REDACTED**"}
    assert [client["title"] for client in result["clients"]] == ["**REDACTED**", "Bob"]
    assert result["entry"]["title"] == "**REDACTED**"
    assert result["entry"]["options"]["sender_name"] == "**REDACTED**"
    assert result["calls"] == {"numbers_in_history": 200, "call_ids_remembered": 200}


# Frozen before Home Assistant starts, so the download's access token is valid at that moment.
@on_snapshot_release
@pytest.mark.freeze_time("2025-06-03 10:00:00+02:00")
async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    sources: None,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    texts: list[ServiceCall],
) -> None:
    """Check the whole download of a full entry against the committed snapshot.

    The entry has clients, webhooks, texting and two callbacks: every field is there, every
    private value redacted.
    """
    assert await async_setup_component(hass, "diagnostics", {})
    await hass.config.async_update(external_url="https://jan.example.com")
    entry = await setup_entry(
        hass,
        entry_with_fixed_ids(
            voice_webhook_id="voice-id-789",
            pbx_webhook_id="pbx-id-000",
            pbx_secret="pbx-secret-456",
            twilio_auth_token="tok-secret-123",
            forward_number="+48600100200",
            texting_backend="notify",
            notify_action="notify.sms",
            sender_name="Jan",
            template_en="Call me back on +48 600 100 200",
        ),
    )
    hass.states.async_set(DRIVING, "in_vehicle")
    hass.states.async_set(
        TRACKER, "not_home", {"latitude": 52.1234, "longitude": 21.5678, "gps_accuracy": 5}
    )
    hass.states.async_set(CALENDAR, "off", {"message": "Call Anna +48 601 234 567"})
    for fields in (
        {"number": "+48601234567", "call_id": "CA1"},
        {"number": "+48602000111", "call_id": "CA2", "name": "Caller 602 000 111"},
    ):
        await hass.services.async_call(DOMAIN, "incoming_call", fields, blocking=True)
    await hass.async_block_till_done()
    assert len(texts) == 2
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    # A callback's uid is random (uuid4): the snapshot keeps only that it is a string.
    assert result == snapshot(matcher=path_type({r"callbacks\.\d+\.uid": (str,)}, regex=True))
