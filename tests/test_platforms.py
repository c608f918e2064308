"""Each platform's entities as registered and as shown, against committed syrupy snapshots.

One platform at a time (``snapshot_platform`` wants that), on an entry whose ids never
change, at a frozen moment, after a call while driving: the snapshots pin unique ids,
translation keys, devices' sub-entries, states and attributes. ``--snapshot-update``
rewrites them after an intended change.
"""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.client_etiquette import PLATFORMS
from custom_components.client_etiquette.const import DOMAIN

from . import DRIVING, entry_with_fixed_ids, on_snapshot_release, setup_entry

SNAPSHOTTED = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.TODO,
]


def test_every_platform_has_its_snapshot() -> None:
    """Check that a platform added to the integration gets a snapshot test too."""
    assert sorted(PLATFORMS) == sorted(SNAPSHOTTED)


@on_snapshot_release
@pytest.mark.freeze_time("2025-06-03 10:00:00+02:00")  # a Tuesday, in Anna's office hours
@pytest.mark.parametrize("platform", SNAPSHOTTED)
async def test_platform_entities(
    hass: HomeAssistant,
    sources: None,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Check the platform's registry entries and states against the snapshot.

    After a call from Anna while driving (busy, a callback queued, the event fired).
    """
    with patch("custom_components.client_etiquette.PLATFORMS", [platform]):
        entry = await setup_entry(hass, entry_with_fixed_ids())
        hass.states.async_set(DRIVING, "in_vehicle")
        await hass.services.async_call(
            DOMAIN, "incoming_call", {"number": "+48601234567"}, blocking=True
        )
        await hass.async_block_till_done()
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
