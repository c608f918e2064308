"""Outgoing calls (issue #5): the good-time-to-call sensors, plan_call and ask_before_calling.

Through public surfaces only: states, the registries, actions with their responses, and
texts arriving at a Twilio-like server on 127.0.0.1.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_platform, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.client_etiquette.const import DOMAIN
from custom_components.client_etiquette.core.messages.texts import ask_first_text
from custom_components.client_etiquette.core.models import Language
from custom_components.client_etiquette.outgoing import holidays

from .. import DRIVING, setup_entry
from ..texting import FROM, SID, TOKEN, FakeTwilio
from . import ANNA, ANNA_DATA, CARLA, client, jump, make_entry, settle

ANNA_2 = "+48602000111"
NOBODY = "+80012345678"  # international freephone: no country
ANNA_SENSOR = "binary_sensor.anna_kowalska_good_time_to_call"
BOB_SENSOR = "binary_sensor.bob_smith_good_time_to_call"
CARLA_SENSOR = "binary_sensor.carla_texts_only_good_time_to_call"
# 30 October 2030, 23:30 UTC: holidays are needed up to 2030; from midnight UTC up to 2031.
NIGHT_BEFORE_HORIZON = "2030-10-31 00:30:00+01:00"
ANNAS_NEXT_OPENING = "2030-10-31 09:00:00+01:00"  # a Thursday


def twilio_options(fake: FakeTwilio, **options: Any) -> dict[str, Any]:
    return {
        "texting_backend": "twilio",
        "twilio_account_sid": SID,
        "twilio_auth_token": TOKEN,
        "twilio_from_number": FROM,
        "twilio_api_base": fake.base,
        **options,
    }


async def plan(hass: HomeAssistant, who: str, **fields: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "plan_call", {"client": who, **fields}, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def ask(hass: HomeAssistant, who: str, **fields: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "ask_before_calling",
        {"client": who, **fields},
        blocking=True,
        return_response=True,
    )
    await settle(hass)
    assert response is not None
    return dict(response)


def sub_id(entry: MockConfigEntry, title: str) -> str:
    return next(s for s, sub in entry.subentries.items() if sub.title == title)


# --- the sensors ----------------------------------------------------------------------


async def test_sensor_per_client_on_its_own_device(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that each client gets a sensor on a device of its own, under the entry's device."""
    freezer.move_to("2025-06-03 10:00:00+02:00")  # a Tuesday morning in Warsaw
    entry = await setup_entry(hass, make_entry())
    anna = sub_id(entry, "Anna Kowalska")
    entity = er.async_get(hass).async_get(ANNA_SENSOR)
    assert entity is not None
    assert entity.unique_id == f"{entry.entry_id}_{anna}_good_time_to_call"
    assert entity.config_subentry_id == anna
    assert entity.translation_key == "good_time_to_call"
    devices = dr.async_get(hass)
    device = devices.async_get(entity.device_id or "")
    parent = devices.async_get_device(identifiers={(DOMAIN, entry.entry_id)})
    assert device is not None
    assert parent is not None
    assert device.identifiers == {(DOMAIN, anna)}
    assert device.name == "Anna Kowalska"
    assert device.via_device_id == parent.id
    assert device.entry_type is dr.DeviceEntryType.SERVICE

    state = hass.states.get(ANNA_SENSOR)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["client_local_time"] == "2025-06-03T10:00:00+02:00"
    assert state.attributes["next_good_time"] == "2025-06-03T10:00:00+02:00"
    assert state.attributes["channel"] == "call"
    assert state.attributes["not_now"] == []
    bob = hass.states.get(BOB_SENSOR)
    assert bob is not None
    assert bob.state == "on"
    assert bob.attributes["client_local_time"] == "2025-06-03T09:00:00+01:00"
    carla = hass.states.get(CARLA_SENSOR)
    assert carla is not None
    assert carla.state == "off"
    assert carla.attributes["channel"] == "text"
    assert carla.attributes["not_now"] == ["channel"]
    assert carla.attributes["next_good_time"] is None


async def test_registry_entries_of_an_entry_with_clients(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Every entity's ids and every device's identifiers, exactly as they were stored."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    entry = await setup_entry(hass, make_entry())
    eid = entry.entry_id
    anna, bob, carla = (
        sub_id(entry, name) for name in ("Anna Kowalska", "Bob Smith", "Carla (texts only)")
    )
    devices = dr.async_get(hass)
    parent = devices.async_get_device(identifiers={(DOMAIN, eid)})
    assert parent is not None
    entities = {
        entity.entity_id: (
            entity.unique_id,
            entity.translation_key,
            entity.config_subentry_id,
            next(iter(devices.async_get(entity.device_id or "").identifiers)),  # type: ignore[union-attr]
        )
        for entity in er.async_entries_for_config_entry(er.async_get(hass), eid)
    }
    on_entry = (DOMAIN, eid)
    assert entities == {
        "binary_sensor.my_phone_client_call_ready": (
            f"{eid}_call_ready",
            "call_ready",
            None,
            on_entry,
        ),
        "sensor.my_phone_reason": (f"{eid}_readiness_reason", "readiness_reason", None, on_entry),
        "sensor.my_phone_ready_again": (f"{eid}_ready_again", "ready_again", None, on_entry),
        "select.my_phone_mode": (f"{eid}_mode", "mode", None, on_entry),
        "event.my_phone_client_call": (f"{eid}_client_call", "client_call", None, on_entry),
        "todo.my_phone_callbacks": (f"{eid}_callbacks", "callbacks", None, on_entry),
        ANNA_SENSOR: (f"{eid}_{anna}_good_time_to_call", "good_time_to_call", anna, (DOMAIN, anna)),
        BOB_SENSOR: (f"{eid}_{bob}_good_time_to_call", "good_time_to_call", bob, (DOMAIN, bob)),
        CARLA_SENSOR: (
            f"{eid}_{carla}_good_time_to_call",
            "good_time_to_call",
            carla,
            (DOMAIN, carla),
        ),
    }
    shown = {
        next(iter(device.identifiers)): (
            device.name,
            device.manufacturer,
            device.model,
            device.entry_type,
            device.via_device_id,
        )
        for device in dr.async_entries_for_config_entry(devices, eid)
    }
    service = dr.DeviceEntryType.SERVICE
    assert shown == {
        (DOMAIN, eid): ("My phone", "Client Etiquette", "Client-call readiness", service, None),
        (DOMAIN, anna): ("Anna Kowalska", "Client Etiquette", "Client", service, parent.id),
        (DOMAIN, bob): ("Bob Smith", "Client Etiquette", "Client", service, parent.id),
        (DOMAIN, carla): ("Carla (texts only)", "Client Etiquette", "Client", service, parent.id),
    }


async def test_client_devices_hang_under_the_entry_without_via_device(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Check that the link to the entry's device needs no ``via_device`` (deprecated in 2026.9).

    Home Assistant 2027.8 refuses ``via_device`` as an unexpected keyword argument of
    ``async_get_or_create``; so does the registry here.
    """
    create = dr.DeviceRegistry.async_get_or_create

    def without_via_device(self: dr.DeviceRegistry, **kwargs: Any) -> dr.DeviceEntry:
        if "via_device" in kwargs:
            msg = "async_get_or_create() got unexpected keyword arguments 'via_device'"
            raise TypeError(msg)
        return create(self, **kwargs)

    monkeypatch.setattr(dr.DeviceRegistry, "async_get_or_create", without_via_device)
    freezer.move_to("2025-06-03 10:00:00+02:00")
    entry = await setup_entry(hass, make_entry())
    devices = dr.async_get(hass)
    parent = devices.async_get_device(identifiers={(DOMAIN, entry.entry_id)})
    assert parent is not None
    for sensor in (ANNA_SENSOR, BOB_SENSOR):
        entity = er.async_get(hass).async_get(sensor)
        assert entity is not None
        device = devices.async_get(entity.device_id or "")
        assert device is not None
        assert device.via_device_id == parent.id
        assert hass.states.get(sensor) is not None


async def test_contact_hours_edges_move_the_sensor(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """The sensor turns off when the client's hours end and on when they begin, by itself."""
    freezer.move_to("2025-06-06 16:59:00+02:00")  # Friday, a minute before Anna's hours end
    await setup_entry(hass, make_entry())
    assert hass.states.get(ANNA_SENSOR).state == "on"  # type: ignore[union-attr]

    await jump(hass, freezer, "2025-06-06 17:00:00+02:00")
    state = hass.states.get(ANNA_SENSOR)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["not_now"] == ["outside_hours"]
    assert state.attributes["channel"] == "text"  # E7: out of hours, text instead
    assert state.attributes["next_good_time"] == "2025-06-09T09:00:00+02:00"  # Monday

    # Midnight in London wakes Bob's sensor: his local date moves on.
    await jump(hass, freezer, "2025-06-07 00:00:00+01:00")
    bob = hass.states.get(BOB_SENSOR)
    assert bob is not None
    assert bob.attributes["client_local_time"] == "2025-06-07T00:00:00+01:00"

    await jump(hass, freezer, "2025-06-09 09:00:00+02:00")
    assert hass.states.get(ANNA_SENSOR).state == "on"  # type: ignore[union-attr]


async def test_public_holiday_of_the_clients_country(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that 11 November is a holiday in Poland, not in the United Kingdom."""
    freezer.move_to("2025-11-11 10:00:00+01:00")  # a Tuesday
    await setup_entry(hass, make_entry())
    anna = hass.states.get(ANNA_SENSOR)
    assert anna is not None
    assert anna.state == "off"
    assert anna.attributes["not_now"] == ["holiday"]
    assert anna.attributes["next_good_time"] == "2025-11-12T09:00:00+01:00"
    assert hass.states.get(BOB_SENSOR).state == "on"  # type: ignore[union-attr]


async def test_country_from_the_subentry_the_options_or_home_assistant(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check which country's holidays count for a client.

    A chosen country wins over the number's; a number with no country falls back to the
    entry's default region, then to Home Assistant's country; an unknown country has no
    holidays.
    """
    freezer.move_to("2025-11-11 10:00:00+01:00")
    hass.config.country = "PL"
    entry = make_entry(
        [
            client("Anna Kowalska", **{**ANNA_DATA, "country": "gb"}),
            client("Free Phone", numbers=[NOBODY], time_zone="Europe/Warsaw"),
            client("Zed", numbers=[ANNA_2], time_zone="Europe/Warsaw", country="ZZ"),
        ]
    )
    await setup_entry(hass, entry)
    assert hass.states.get(ANNA_SENSOR).state == "on"  # type: ignore[union-attr]
    free = hass.states.get("binary_sensor.free_phone_good_time_to_call")
    assert free is not None
    assert free.attributes["not_now"] == ["holiday"]  # Home Assistant's country: PL
    assert hass.states.get("binary_sensor.zed_good_time_to_call").state == "on"  # type: ignore[union-attr]


async def test_no_country_anywhere_means_no_holidays(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """No country from the number, the options or Home Assistant: no holidays at all."""
    freezer.move_to("2025-11-11 10:00:00+01:00")
    hass.config.country = None
    entry = make_entry([client("Free Phone", numbers=[NOBODY], time_zone="Europe/Warsaw")])
    await setup_entry(hass, entry)
    assert hass.states.get("binary_sensor.free_phone_good_time_to_call").state == "on"  # type: ignore[union-attr]


async def test_default_region_option_before_home_assistants_country(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that the entry's default region counts before Home Assistant's country."""
    freezer.move_to("2025-11-11 10:00:00+01:00")
    hass.config.country = "GB"
    entry = make_entry(
        [client("Free Phone", numbers=[NOBODY], time_zone="Europe/Warsaw")],
        default_region="PL",
    )
    await setup_entry(hass, entry)
    free = hass.states.get("binary_sensor.free_phone_good_time_to_call")
    assert free is not None
    assert free.attributes["not_now"] == ["holiday"]


async def test_readiness_changes_reach_the_sensor(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Not ready: off with not_ready; a snooze's end is the next good time."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    await setup_entry(hass, make_entry())
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    state = hass.states.get(ANNA_SENSOR)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["not_now"] == ["not_ready"]
    assert state.attributes["next_good_time"] is None  # nobody knows when the drive ends
    assert state.attributes["channel"] == "text"

    hass.states.async_set(DRIVING, "still")
    await hass.services.async_call(DOMAIN, "snooze", {"duration": {"minutes": 30}}, blocking=True)
    await settle(hass)
    state = hass.states.get(ANNA_SENSOR)
    assert state is not None
    assert state.attributes["next_good_time"] == "2025-06-03T10:30:00+02:00"

    await jump(hass, freezer, "2025-06-03 10:30:00+02:00")
    assert hass.states.get(ANNA_SENSOR).state == "on"  # type: ignore[union-attr]


async def test_renamed_sensor_keeps_its_device_and_follows(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """A renamed good-time-to-call sensor stays on the client's device and still follows."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    await setup_entry(hass, make_entry())
    registry = er.async_get(hass)
    renamed = "binary_sensor.anna"
    registry.async_update_entity(ANNA_SENSOR, new_entity_id=renamed)
    await settle(hass)
    assert hass.states.get(ANNA_SENSOR) is None
    device = registry.async_get(renamed).device_id  # type: ignore[union-attr]
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    assert hass.states.get(renamed).attributes["not_now"] == ["not_ready"]  # type: ignore[union-attr]

    platform = next(
        platform
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        if platform.domain == "binary_sensor"
    )
    sensor = next(e for e in platform.entities.values() if e.entity_id == renamed)
    sensor.async_entity_id_changed(ANNA_SENSOR)  # what Home Assistant 2026.11 calls
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    assert hass.states.get(renamed).state == "on"  # type: ignore[union-attr]
    assert registry.async_get(renamed).device_id == device  # type: ignore[union-attr]


async def test_holidays_of_a_new_year_range_are_loaded_when_the_clock_gets_there(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that from 31 October (UTC) the next year's holidays are built in time.

    The search horizon reaches the next year: at the next timer its holidays are built (in
    the executor) before the sensor answers.
    """
    freezer.move_to(NIGHT_BEFORE_HORIZON)
    await setup_entry(hass, make_entry())
    before = set(holidays._holiday_cache)
    await jump(hass, freezer, ANNAS_NEXT_OPENING)
    assert ("PL", 2029, 2032) in set(holidays._holiday_cache) - before
    assert hass.states.get(ANNA_SENSOR).state == "on"  # type: ignore[union-attr]
    await jump(hass, freezer, "2030-11-01 09:00:00+01:00")
    state = hass.states.get(ANNA_SENSOR)
    assert state is not None
    assert state.attributes["not_now"] == ["holiday"]  # All Saints' Day
    assert state.attributes["next_good_time"] == "2030-11-04T09:00:00+01:00"


async def test_readiness_change_while_holidays_load(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that a readiness change while the new holidays are loading waits for them."""
    freezer.move_to(NIGHT_BEFORE_HORIZON)
    await setup_entry(hass, make_entry())
    freezer.move_to(ANNAS_NEXT_OPENING)
    async_fire_time_changed(hass)
    hass.states.async_set(DRIVING, "in_vehicle")  # same turn: the load has not finished
    await settle(hass)
    state = hass.states.get(ANNA_SENSOR)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["not_now"] == ["not_ready"]


async def test_unload_while_holidays_load_leaves_nothing_behind(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that unloading cancels the timers and a pending holiday load."""
    freezer.move_to(NIGHT_BEFORE_HORIZON)
    entry = await setup_entry(hass, make_entry())
    freezer.move_to(ANNAS_NEXT_OPENING)
    async_fire_time_changed(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    assert hass.states.get(ANNA_SENSOR).state == "unavailable"  # type: ignore[union-attr]


async def test_holiday_cache_stays_bounded(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Old entries make room for new ones, and each sensor still gets its own country's."""
    monkeypatch.setattr(holidays, "HOLIDAY_CACHE_SIZE", 1)
    freezer.move_to("2025-11-11 10:00:00+01:00")
    await setup_entry(hass, make_entry())
    assert len(holidays._holiday_cache) == 1
    assert hass.states.get(ANNA_SENSOR).attributes["not_now"] == ["holiday"]  # type: ignore[union-attr]
    assert hass.states.get(BOB_SENSOR).state == "on"  # type: ignore[union-attr]


# --- plan_call ------------------------------------------------------------------------


async def test_plan_call_by_name_or_subentry_id(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """A client by name in any letter case or by sub-entry id; the text in their language."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    entry = await setup_entry(hass, make_entry())
    response = await plan(hass, "  anna   KOWALSKA ", topic="projekt logo")
    assert response == {
        "client": "Anna Kowalska",
        "ok_to_call": True,
        "channel": "call",
        "client_local_time": "2025-06-03T10:00:00+02:00",
        "next_good_time": "2025-06-03T10:00:00+02:00",
        "not_now": [],
        "suggested_text": response["suggested_text"],
    }
    assert "projekt logo" in response["suggested_text"]
    assert "Jan" in response["suggested_text"]
    by_id = await plan(
        hass, sub_id(entry, "Anna Kowalska"), config_entry_id=entry.entry_id, topic="projekt logo"
    )
    assert by_id == response


async def test_plan_call_out_of_hours_for_a_landline_client_says_email(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Not ready, and Bob has only a landline: write an e-mail (E11's plan B)."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    await setup_entry(hass, make_entry())
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    response = await plan(hass, "Bob Smith")
    assert response["ok_to_call"] is False
    assert response["channel"] == "email"
    assert response["not_now"] == ["not_ready"]
    assert response["next_good_time"] is None
    assert response["suggested_text"] == ask_first_text(Language.EN, sender_name="Jan")


async def test_plan_call_unknown_and_ambiguous_clients(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that an unknown client and a name two clients share are translated errors."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    await setup_entry(
        hass,
        make_entry(
            [
                client("Anna Kowalska", **ANNA_DATA),
                client("ANNA kowalska", numbers=[ANNA_2], time_zone="Europe/Warsaw"),
            ]
        ),
    )
    with pytest.raises(ServiceValidationError) as unknown:
        await plan(hass, "Zofia")
    assert unknown.value.translation_key == "client_not_found"
    assert unknown.value.translation_placeholders == {"client": "Zofia"}
    assert "Zofia" in str(unknown.value)
    with pytest.raises(ServiceValidationError) as ambiguous:
        await plan(hass, "anna kowalska")
    assert ambiguous.value.translation_key == "client_ambiguous"


# --- ask_before_calling ---------------------------------------------------------------


async def test_ask_before_calling_texts_through_twilio(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
    twilio: FakeTwilio,
) -> None:
    """Check that the ask-first text reaches Twilio in the client's language, once.

    A second one within the cooldown is refused, and so is the polite text of a screened call.
    """
    freezer.move_to("2025-06-03 10:00:00+02:00")
    await setup_entry(hass, make_entry(**twilio_options(twilio)))
    response = await ask(hass, "Anna Kowalska", topic="projekt logo")
    assert response["sent"] is True
    assert "projekt logo" in response["text"]
    assert len(twilio.sent) == 1
    assert twilio.sent[0].form["To"] == ANNA
    assert twilio.sent[0].form["From"] == FROM
    assert twilio.sent[0].form["Body"] == response["text"]

    with pytest.raises(ServiceValidationError) as cooldown:
        await ask(hass, "anna kowalska")
    assert cooldown.value.translation_key == "text_cooldown"
    assert cooldown.value.translation_placeholders == {"client": "Anna Kowalska", "hours": "12"}

    # The other direction: a call sent to voicemail gets no polite text within the cooldown.
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    screened = await hass.services.async_call(
        DOMAIN, "incoming_call", {"number": ANNA}, blocking=True, return_response=True
    )
    assert screened is not None
    assert screened["action"] == "voicemail"
    assert screened["no_text_reason"] == "cooldown"

    freezer.tick(timedelta(hours=12))
    await ask(hass, "Anna Kowalska")
    assert len(twilio.sent) == 2


async def test_polite_text_then_ask_shares_the_cooldown(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
    twilio: FakeTwilio,
) -> None:
    """After a polite text for a missed call, asking first is refused for the cooldown."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    await setup_entry(hass, make_entry(**twilio_options(twilio)))
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    await hass.services.async_call(DOMAIN, "incoming_call", {"number": ANNA}, blocking=True)
    await settle(hass)
    assert len(twilio.sent) == 1
    with pytest.raises(ServiceValidationError) as cooldown:
        await ask(hass, "Anna Kowalska")
    assert cooldown.value.translation_key == "text_cooldown"


async def test_ask_before_calling_hourly_cap_and_no_response(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
    twilio: FakeTwilio,
) -> None:
    """The hourly cap counts ask-first texts too; the action can run without a response."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    await setup_entry(hass, make_entry(**twilio_options(twilio, max_texts_per_hour=1)))
    assert (
        await hass.services.async_call(
            DOMAIN, "ask_before_calling", {"client": "Carla (texts only)"}, blocking=True
        )
        is None
    )
    await settle(hass)
    assert [received.form["To"] for received in twilio.sent] == [CARLA]
    with pytest.raises(ServiceValidationError) as cap:
        await ask(hass, "Anna Kowalska")
    assert cap.value.translation_key == "texts_hourly_cap"
    assert cap.value.translation_placeholders == {"limit": "1"}
    freezer.tick(timedelta(hours=1))
    await ask(hass, "Anna Kowalska")
    assert [received.form["To"] for received in twilio.sent] == [CARLA, ANNA]


async def test_ask_before_calling_needs_a_backend_and_a_mobile(
    hass: HomeAssistant,
    sources: None,
    freezer: FrozenDateTimeFactory,
    twilio: FakeTwilio,
) -> None:
    """No texting backend, or a client with only a landline: translated errors, no text."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    plain = await setup_entry(hass, make_entry())
    with pytest.raises(ServiceValidationError) as no_backend:
        await ask(hass, "Anna Kowalska", config_entry_id=plain.entry_id)
    assert no_backend.value.translation_key == "no_texting_backend"

    texting = make_entry(**twilio_options(twilio))
    texting.add_to_hass(hass)
    assert await hass.config_entries.async_setup(texting.entry_id)
    await settle(hass)
    with pytest.raises(ServiceValidationError) as landline:
        await ask(hass, "Bob Smith", config_entry_id=texting.entry_id)
    assert landline.value.translation_key == "client_not_mobile"
    assert landline.value.translation_placeholders == {"client": "Bob Smith"}
    assert twilio.sent == []


async def test_sensors_follow_clients_added_later(
    hass: HomeAssistant, sources: None, freezer: FrozenDateTimeFactory
) -> None:
    """Check that a client added later gets a sensor once the entry reloads."""
    freezer.move_to("2025-06-03 10:00:00+02:00")
    entry = await setup_entry(hass, make_entry([]))
    assert hass.states.get(ANNA_SENSOR) is None
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=ANNA_DATA, subentry_type="client", title="Anna Kowalska", unique_id=None
        ),
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert hass.states.get(ANNA_SENSOR).state == "on"  # type: ignore[union-attr]
