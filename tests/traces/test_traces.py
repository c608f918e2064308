"""Every recorded day in tests/traces/ replays with the verdicts and texts it expects."""

from __future__ import annotations

from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
import pytest

from . import load, replay, trace_files


@pytest.mark.parametrize("path", trace_files(), ids=lambda path: path.stem)
async def test_trace(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, texts: list[ServiceCall], path: Path
) -> None:
    """The verdict timeline and the texts sent are the ones the trace records."""
    trace = load(path)
    assert trace.origin.strip(), "a trace says where its shape comes from"
    assert trace.expect, "a trace checks verdicts"
    problems = await replay(hass, freezer, trace, texts)
    assert not problems, "\n".join([f"trace {trace.name}:", *problems])


def test_there_are_traces() -> None:
    """Check that the traces of issue #16 are here: drives, the metro, a signal, meetings."""
    names = {path.stem for path in trace_files()}
    expected = {"city_drive", "passenger", "metro_dead_zone", "weak_signal_walk", "back_to_back"}
    assert expected <= names
