"""The shipped blueprints: installed without overwriting, valid, and working when used."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)

from custom_components.client_etiquette.blueprint_install import (
    SHIPPED,
    async_install_blueprints,
    shipped_blueprints,
)
from custom_components.client_etiquette.const import (
    DOMAIN,
    EVENT_CALL_SCREENED,
    EVENT_CALLBACK_DUE,
    EVENT_CALLBACK_OVERDUE,
    EVENT_SENT_TO_VOICEMAIL,
)

from . import DRIVING, MODE, READY, make_entry, setup_entry
from .telephony import ANNA, BOB, entry_with_clients

NAMES = [
    "android_missed_call.yaml",
    "android_quiet_while_busy.yaml",
    "callback_reminder.yaml",
    "fritzbox_deflection_while_busy.yaml",
    "fritzbox_incoming_call.yaml",
    "ha_sip_incoming_call.yaml",
]
CALLER = "+48601234567"
EVENT_ENTITY = "event.my_phone_client_call"
CALL_MONITOR = "sensor.fritz_box_call_monitor_phonebook"
LAST_NOTIFICATION = "sensor.pixel_8_last_notification"

type ClientFactory = Callable[[], Awaitable[TestClient[Any, Any]]]


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Return a fresh configuration folder for this test."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path


async def settle(hass: HomeAssistant) -> None:
    """Let the automations run, and the screener's follow-ups after them."""
    for _ in range(3):
        await hass.async_block_till_done()
        await asyncio.sleep(0)


def installed(config_dir: Path) -> Path:
    """Where the blueprints go."""
    return config_dir / "blueprints" / "automation" / DOMAIN


async def test_install_copies_the_shipped_files(hass: HomeAssistant, config_dir: Path) -> None:
    """Check that all six are copied, byte for byte; a second run copies nothing."""
    assert [path.name for path in shipped_blueprints()] == NAMES
    assert await async_install_blueprints(hass) == NAMES
    for name in NAMES:
        assert (installed(config_dir) / name).read_bytes() == (SHIPPED / name).read_bytes()
    assert await async_install_blueprints(hass) == []


async def test_install_never_overwrites(hass: HomeAssistant, config_dir: Path) -> None:
    """Check that an edited copy is kept; a deleted one comes back."""
    await async_install_blueprints(hass)
    edited = installed(config_dir) / "callback_reminder.yaml"
    edited.write_text("# my own version\n", encoding="utf-8")
    (installed(config_dir) / "fritzbox_incoming_call.yaml").unlink()
    assert await async_install_blueprints(hass) == ["fritzbox_incoming_call.yaml"]
    assert edited.read_text(encoding="utf-8") == "# my own version\n"


async def test_install_failure_is_logged(
    hass: HomeAssistant, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Check that a folder that can't be created is a warning, not a failed set-up."""
    (config_dir / "blueprints" / "automation").mkdir(parents=True)
    (config_dir / "blueprints" / "automation" / DOMAIN).write_text("a file", encoding="utf-8")
    assert await async_install_blueprints(hass) == []
    assert "Could not install the Client Etiquette blueprints" in caplog.text


@pytest.mark.parametrize("name", NAMES)
async def test_blueprint_is_valid(name: str) -> None:
    """Each file is a valid automation blueprint with 2024.10+ syntax and a source URL."""
    data = load_yaml_dict(str(SHIPPED / name))
    blueprint = Blueprint(data, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA)
    assert blueprint.validate() is None
    assert blueprint.metadata["source_url"].endswith(f"/client_etiquette/{name}")
    assert blueprint.metadata["source_url"].startswith(
        "https://github.com/client-etiquette/client-etiquette/blob/main/"
    )
    text = (SHIPPED / name).read_text(encoding="utf-8")
    assert "\ntriggers:" in text
    assert "\nactions:" in text
    assert "platform:" not in text
    assert "service:" not in text


async def use(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """Set up one automation from an installed blueprint and check it loaded."""
    await async_install_blueprints(hass)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": name,
                "alias": name,
                "use_blueprint": {"path": f"{DOMAIN}/{name}", "input": inputs},
            }
        },
    )
    await settle(hass)
    states = hass.states.async_all("automation")
    assert len(states) == 1
    assert states[0].state == "on"


@pytest.fixture
async def entry(hass: HomeAssistant, sources: None, config_dir: Path) -> MockConfigEntry:
    """Return the integration, loaded."""
    assert await async_setup_component(hass, "homeassistant", {})
    return await setup_entry(hass, make_entry())


async def snooze(hass: HomeAssistant) -> None:
    """Not ready for the next half hour."""
    await hass.services.async_call(
        DOMAIN, "snooze", {"duration": {"minutes": 30}, "reason": "in_meeting"}, blocking=True
    )
    assert hass.states.get(READY).state == "off"


async def back_to_ready(hass: HomeAssistant) -> None:
    """Set the mode back to automatic: ready again."""
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE, "option": "auto"}, blocking=True
    )
    await settle(hass)
    assert hass.states.get(READY).state == "on"


async def test_fritzbox_incoming_call(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Check that the call monitor ringing screens the call; outgoing calls and idle do not."""
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    hass.states.async_set(CALL_MONITOR, "idle")
    await use(hass, "fritzbox_incoming_call.yaml", {"call_monitor": CALL_MONITOR})
    await snooze(hass)
    hass.states.async_set(CALL_MONITOR, "dialing", {"type": "outgoing", "to": CALLER})
    hass.states.async_set(CALL_MONITOR, "idle")
    await settle(hass)
    assert screened == []
    hass.states.async_set(
        CALL_MONITOR,
        "ringing",
        {"type": "incoming", "from": CALLER, "from_name": "Anna Kowalska", "to": "123"},
    )
    await settle(hass)
    assert [event.data["action"] for event in screened] == ["voicemail"]
    items = entry.runtime_data.callbacks.items
    assert [(item.number, item.name) for item in items] == [(CALLER, "Anna Kowalska")]


async def test_fritzbox_incoming_call_with_entry_and_unknown_name(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Check that with the entry named and the name "unknown", the number stands for the caller."""
    hass.states.async_set(CALL_MONITOR, "idle")
    await use(
        hass,
        "fritzbox_incoming_call.yaml",
        {"call_monitor": CALL_MONITOR, "config_entry": entry.entry_id},
    )
    await snooze(hass)
    hass.states.async_set(CALL_MONITOR, "ringing", {"from": CALLER, "from_name": "unknown"})
    await settle(hass)
    assert [item.name for item in entry.runtime_data.callbacks.items] == [CALLER]


def phone_device(hass: HomeAssistant) -> str:
    """Return a companion-app phone named "Pixel 8" in the device registry."""
    mobile = MockConfigEntry(domain="mobile_app", title="Pixel 8")
    mobile.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=mobile.entry_id, identifiers={("mobile_app", "pixel-8")}, name="Pixel 8"
    )
    return device.id


def commands(calls: list[ServiceCall]) -> list[tuple[str, str]]:
    """(message, command) of the notification commands sent."""
    return [(call.data["message"], call.data["data"]["command"]) for call in calls]


async def test_android_quiet_while_busy(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Not ready: vibrate and priority only; ready again: the previous modes back."""
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    hass.states.async_set("sensor.pixel_8_ringer_mode", "normal")
    hass.states.async_set("sensor.pixel_8_do_not_disturb_sensor", "alarms_only")
    await use(
        hass,
        "android_quiet_while_busy.yaml",
        {
            "ready_sensor": READY,
            "phone": phone_device(hass),
            "ringer_sensor": "sensor.pixel_8_ringer_mode",
            "dnd_sensor": "sensor.pixel_8_do_not_disturb_sensor",
        },
    )
    await snooze(hass)
    # The automation now waits for "ready" (so block_till_done would wait for it too).
    for _ in range(100):
        if len(notify) == 2:
            break
        await asyncio.sleep(0.01)
    assert commands(notify) == [
        ("command_ringer_mode", "vibrate"),
        ("command_dnd", "priority_only"),
    ]
    hass.states.async_set("sensor.pixel_8_ringer_mode", "vibrate")
    hass.states.async_set("sensor.pixel_8_do_not_disturb_sensor", "priority_only")
    await back_to_ready(hass)
    assert commands(notify)[2:] == [
        ("command_dnd", "alarms_only"),
        ("command_ringer_mode", "normal"),
    ]


async def test_android_unknown_previous_modes_are_not_restored(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Check that when the phone's modes were unknown, nothing is "restored"."""
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    hass.states.async_set("sensor.pixel_8_ringer_mode", "unavailable")
    await use(
        hass,
        "android_quiet_while_busy.yaml",
        {
            "ready_sensor": READY,
            "phone": phone_device(hass),
            "ringer_sensor": "sensor.pixel_8_ringer_mode",
            "dnd_sensor": "sensor.pixel_8_do_not_disturb_sensor",
            "ringer_mode": "silent",
            "dnd_mode": "total_silence",
        },
    )
    await snooze(hass)
    await back_to_ready(hass)
    assert commands(notify) == [
        ("command_ringer_mode", "silent"),
        ("command_dnd", "total_silence"),
    ]


async def test_fritzbox_deflection(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Check that the deflection is on while not ready and off when ready again."""
    turn_on = async_mock_service(hass, "switch", "turn_on")
    turn_off = async_mock_service(hass, "switch", "turn_off")
    switches = ["switch.fritz_box_call_deflection_0", "switch.fritz_box_call_deflection_1"]
    await use(
        hass, "fritzbox_deflection_while_busy.yaml", {"ready_sensor": READY, "deflection": switches}
    )
    await snooze(hass)
    await settle(hass)
    assert [call.data["entity_id"] for call in turn_on] == [switches]
    assert turn_off == []
    await back_to_ready(hass)
    assert [call.data["entity_id"] for call in turn_off] == [switches]


async def test_ha_sip_incoming_call(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client_no_auth: ClientFactory
) -> None:
    """Not ready: ha-sip answers with the polite text and hangs up; ready: it rings."""
    assert await async_setup_component(hass, "webhook", {})
    stdin = async_mock_service(hass, "hassio", "addon_stdin")
    screened = async_capture_events(hass, EVENT_CALL_SCREENED)
    await use(hass, "ha_sip_incoming_call.yaml", {"webhook_id": "ha-sip-calls"})
    client = await hass_client_no_auth()
    call = {
        "event": "incoming_call",
        "caller": f"<sip:{CALLER}@fritz.box>",
        "parsed_caller": CALLER,
        "internal_id": 7,
    }
    other = {**call, "caller": "<sip:+48601000222@fritz.box>", "parsed_caller": "+48601000222"}
    await client.post("/api/webhook/ha-sip-calls", json=other)
    await settle(hass)
    assert [event.data["action"] for event in screened] == ["ring"]
    assert stdin == []

    await snooze(hass)
    await client.post("/api/webhook/ha-sip-calls", json={**call, "internal_id": 8})
    await client.post("/api/webhook/ha-sip-calls", json={"event": "call_disconnected"})
    await settle(hass)
    assert [event.data["action"] for event in screened] == ["ring", "voicemail"]
    assert len(stdin) == 1
    data = stdin[0].data
    assert data["addon"] == "c7744bff_ha-sip"
    assert data["input"]["command"] == "answer"
    assert str(data["input"]["number"]) == "8"
    assert data["input"]["menu"]["post_action"] == "hangup"
    assert data["input"]["menu"]["language"] == "en"
    assert "I'm tied up right now" in data["input"]["menu"]["message"]


async def test_callback_reminder(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """callback_due sends a notification with a tel: button; other events do not."""
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    await use(
        hass,
        "callback_reminder.yaml",
        {"call_event": EVENT_ENTITY, "phone": phone_device(hass), "include_overdue": False},
    )
    events = entry.runtime_data.events
    events.fire(EVENT_SENT_TO_VOICEMAIL, {"client_name": "Anna Kowalska", "number": CALLER})
    await settle(hass)
    assert notify == []
    events.fire(
        EVENT_CALLBACK_DUE,
        {"client_name": "Anna Kowalska", "number": CALLER, "callback_at": None},
    )
    await settle(hass)
    assert len(notify) == 1
    data = notify[0].data
    assert data["title"] == "Call back Anna Kowalska"
    assert "Ask if they can talk now" in data["message"]
    assert data["data"]["actions"] == [
        {"action": "URI", "title": "Call Anna Kowalska", "uri": f"tel:{CALLER}"}
    ]
    events.fire(EVENT_CALLBACK_OVERDUE, {"client_name": "Anna Kowalska", "number": CALLER})
    await settle(hass)
    assert len(notify) == 1


async def test_callback_reminder_overdue(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Check that overdue callbacks remind again (the default), named as overdue."""
    notify = async_mock_service(hass, "notify", "mobile_app_pixel_8")
    await use(
        hass, "callback_reminder.yaml", {"call_event": EVENT_ENTITY, "phone": phone_device(hass)}
    )
    entry.runtime_data.events.fire(EVENT_CALLBACK_OVERDUE, {"client_name": None, "number": CALLER})
    await settle(hass)
    assert [call.data["title"] for call in notify] == [f"Overdue: call back {CALLER}"]
    assert notify[0].data["data"]["actions"][0]["uri"] == f"tel:{CALLER}"


def notification(title: str, text: str, package: str, **extra: Any) -> dict[str, Any]:
    """Return the Last notification sensor's attributes for a notification posted now.

    As the Android companion app sets them (companion.home-assistant.io,
    docs/core/sensors.md, "Last Notification"): the extras, package and post time.
    """
    return {
        "android.title": title,
        "android.text": text,
        "package": package,
        "post_time": int(dt_util.utcnow().timestamp() * 1000),
        "is_ongoing": False,
        "category": "missed_call",
        **extra,
    }


async def test_android_missed_call(
    hass: HomeAssistant,
    sources: None,
    config_dir: Path,
    texts: list[ServiceCall],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A dialer's missed-call notification: callback queued and texted once; others ignored."""
    assert await async_setup_component(hass, "homeassistant", {})
    entry = await setup_entry(hass, entry_with_clients())
    hass.states.async_set(LAST_NOTIFICATION, "unknown")
    await use(
        hass,
        "android_missed_call.yaml",
        {"notification_sensor": LAST_NOTIFICATION, "config_entry": entry.entry_id},
    )
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    assert hass.states.get(READY).state == "off"
    whatsapp = notification("Missed call", "Anna Kowalska", "com.whatsapp")
    hass.states.async_set(LAST_NOTIFICATION, "Anna Kowalska", whatsapp)
    ringing = notification(
        "Incoming call", "+48 601 234 567", "com.google.android.dialer", is_ongoing=True
    )
    hass.states.async_set(LAST_NOTIFICATION, "+48 601 234 567", ringing)
    await settle(hass)
    assert entry.runtime_data.callbacks.items == []
    missed = notification("Missed call", "+48 601 234 567", "com.google.android.dialer")
    hass.states.async_set(LAST_NOTIFICATION, "+48 601 234 567", missed)
    await settle(hass)
    # The app posts the same notification again: the same call, not texted twice.
    hass.states.async_set(LAST_NOTIFICATION, "+48 601 234 567", {**missed, "is_clearable": True})
    await settle(hass)
    assert [call.data["target"] for call in texts] == [[ANNA]]
    items = entry.runtime_data.callbacks.items
    assert [(item.number, item.name) for item in items] == [(ANNA, "Anna Kowalska")]
    # Samsung shows the contact name; a name that is no client's is left alone.
    for name in ("Mum", "Bob Smith"):
        samsung = notification(name, "Missed call", "com.samsung.android.dialer")
        hass.states.async_set(LAST_NOTIFICATION, "Missed call", samsung)
        await settle(hass)
    assert [item.number for item in entry.runtime_data.callbacks.items] == [ANNA, BOB]
    assert len(texts) == 2  # Bob (VIP) is told too
    assert "Error" not in caplog.text
