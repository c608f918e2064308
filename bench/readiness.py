"""Readiness update cost per source state change, against a ``template`` binary sensor.

One real Home Assistant core holds both: the Client Etiquette entry watches one set of
stand-in phone/calendar/zone entities ("a"), a template binary sensor computes the same
verdict from an identical second set ("b"), and a third identical set ("c") is watched
by nobody. Flipping a source of set "a" therefore costs the bus plus our update, one of
set "b" the bus plus the template's, one of set "c" the bus alone. Each flip is timed
from ``hass.states.async_set`` until ``async_block_till_done`` returns, i.e. until every
entity that reacts has written its state. The variants are interleaved round by round,
and the ratio is taken per round on the marginal costs (variant minus bare bus).

Before timing, the two verdicts are checked to agree on random combinations of inputs.

Run: ``.venv/bin/python -m bench.readiness [--quick] [--profile]``
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import random
import time

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.client_etiquette.const import DOMAIN

from ._harness import Stats, machine, options, real_hass, set_calm, set_value, table

TARGET = 5.0
TEMPLATE_ENTITY = "binary_sensor.template_call_ready"

# Values each source takes in the agreement check (calm value first).
VOCABULARY = {
    "sensor.{p}_detected_activity": ["still", "in_vehicle", "walking", "unknown"],
    "sensor.{p}_phone_state": ["idle", "offhook", "ringing", "unavailable"],
    "sensor.{p}_do_not_disturb": ["off", "priority_only", "total_silence", "unknown"],
    "sensor.{p}_signal_strength": ["-85", "-115", "-110", "unavailable"],
    "calendar.{p}_work": ["off", "on", "on_all_day"],
    "device_tracker.{p}_phone": ["not_home", "home", "Metro", "Jazz Bar", "City Library"],
}

TEMPLATE = """
{%- set p = 'PREFIX' -%}
{%- macro usable(e) -%}{{ states(e) not in ['unavailable', 'unknown'] }}{%- endmacro -%}
{%- set act = 'sensor.' ~ p ~ '_detected_activity' -%}
{%- set call = 'sensor.' ~ p ~ '_phone_state' -%}
{%- set dnd = 'sensor.' ~ p ~ '_do_not_disturb' -%}
{%- set sig = 'sensor.' ~ p ~ '_signal_strength' -%}
{%- set cal = 'calendar.' ~ p ~ '_work' -%}
{%- set trk = 'device_tracker.' ~ p ~ '_phone' -%}
{%- set driving = states(act) | lower in ['on', 'true', 'in_vehicle', 'automotive',
    'driving'] -%}
{%- set on_call = states(call) | lower in ['on', 'true', 'ringing', 'offhook', 'in_call',
    'in_communication'] -%}
{%- set quiet = usable(dnd) == 'True' and states(dnd) | lower != 'off' -%}
{%- set s = states(sig) -%}
{%- set weak = usable(sig) == 'True' and ((s | float <= -110) if s | is_number
    else s | lower in ['no connection', 'no_connection', 'none', 'no service']) -%}
{%- set meeting = is_state(cal, 'on') and not state_attr(cal, 'all_day') -%}
{%- set ns = namespace(zone=false) -%}
{%- if usable(trk) == 'True' -%}
  {%- for z in ['zone.' ~ p ~ '_metro', 'zone.' ~ p ~ '_jazz_bar',
      'zone.' ~ p ~ '_library'] -%}
    {%- if usable(z) == 'True' and (trk in (state_attr(z, 'persons') or [])
        or states(trk) == state_attr(z, 'friendly_name')) -%}
      {%- set ns.zone = true -%}
    {%- endif -%}
  {%- endfor -%}
{%- endif -%}
{{ not (driving or on_call or quiet or weak or meeting or ns.zone) }}
"""


async def add_entry(hass: HomeAssistant, prefix: str, *, only_call_ready: bool = False) -> str:
    """Our entry watching set ``prefix``; the entity id of its call-ready sensor.

    ``only_call_ready``: every other entity of the entry is disabled, so its output is
    the same single binary sensor the template produces.
    """
    entry = MockConfigEntry(domain=DOMAIN, title=f"Phone {prefix}", options=options(prefix))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    entities = er.async_entries_for_config_entry(registry, entry.entry_id)
    if only_call_ready:
        for item in entities:
            if item.domain != "binary_sensor":
                registry.async_update_entity(
                    item.entity_id, disabled_by=er.RegistryEntryDisabler.USER
                )
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    return next(item.entity_id for item in entities if item.domain == "binary_sensor")


async def add_template(hass: HomeAssistant, prefix: str) -> None:
    """Add the template binary sensor computing the verdict of set ``prefix``."""
    config = {
        "template": [
            {
                "binary_sensor": [
                    {"name": "Template call ready", "state": TEMPLATE.replace("PREFIX", prefix)}
                ]
            }
        ]
    }
    assert await async_setup_component(hass, "template", config)
    await hass.async_block_till_done()


async def check_agreement(hass: HomeAssistant, ours: dict[str, str], cases: int) -> int:
    """Drive every set with the same random inputs; every verdict must agree.

    ``ours``: set prefix to the call-ready sensor of the entry watching it.
    """
    rng = random.Random(6)
    disagreements = 0
    for _ in range(cases):
        for pattern, values in VOCABULARY.items():
            value = rng.choice(values)
            for prefix in (*ours, "b"):
                set_value(hass, pattern, prefix, value)
        await hass.async_block_till_done()
        verdicts = {
            getattr(hass.states.get(entity_id), "state", None) for entity_id in ours.values()
        }
        verdicts.add(getattr(hass.states.get(TEMPLATE_ENTITY), "state", None))
        if len(verdicts) != 1 or None in verdicts:
            disagreements += 1
    for prefix in (*ours, "b"):
        set_calm(hass, prefix)
    await hass.async_block_till_done()
    return disagreements


async def flips(hass: HomeAssistant, entity_id: str, values: tuple[str, str], n: int) -> float:
    """Seconds per flip, over ``n`` flips each awaited until every reaction is written."""
    gc.collect()
    start = time.perf_counter()
    for i in range(n):
        hass.states.async_set(entity_id, values[i & 1])
        await hass.async_block_till_done()
    return (time.perf_counter() - start) / n


# Variant name -> the set of stand-in sources flipped. Set "c" is watched by nobody.
VARIANTS = {
    "bare bus": "c",
    "ours: call-ready only": "d",
    "ours: all entities": "a",
    "template": "b",
}
SCENARIOS = {
    # The verdict changes on every flip: all of our entities write a new state.
    "verdict flips (phone_state idle/offhook)": ("sensor.{p}_phone_state", ("offhook", "idle")),
    # Signal-strength jitter: the verdict holds; nothing new to write.
    "verdict holds (signal -85/-86 dBm)": ("sensor.{p}_signal_strength", ("-86", "-85")),
}


async def measure(hass: HomeAssistant, rounds: int, n: int) -> dict[str, dict[str, list[float]]]:
    """Per scenario and variant: the per-flip time of every round."""
    results: dict[str, dict[str, list[float]]] = {}
    variants = VARIANTS
    for scenario, (pattern, values) in SCENARIOS.items():
        per_variant: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(2):  # warm-up
            for prefix in variants.values():
                await flips(hass, pattern.format(p=prefix), values, n)
        for index in range(rounds):
            order = list(variants.items())
            shift = index % len(order)
            order = order[shift:] + order[:shift]
            for name, prefix in order:
                per_variant[name].append(await flips(hass, pattern.format(p=prefix), values, n))
        results[scenario] = per_variant
    return results


def report(results: dict[str, dict[str, list[float]]], rounds: int, n: int) -> bool:
    """Print the table; True when the like-for-like target is met in every scenario."""
    rows = []
    met = True
    for scenario, per in results.items():
        bare = per["bare bus"]
        theirs = [t - b for t, b in zip(per["template"], bare, strict=True)]
        rows.append([scenario, "bare bus (no listener)", Stats(bare).fmt(1e6), "", "", ""])
        rows.append(["", "template", Stats(theirs).fmt(1e6), "1.0x", "", ""])
        for name in ("ours: call-ready only", "ours: all entities"):
            ours = [o - b for o, b in zip(per[name], bare, strict=True)]
            ratio = Stats(
                [t / o if o > 0 else float("inf") for o, t in zip(ours, theirs, strict=True)]
            )
            verdict = "met" if ratio.median >= TARGET else "MISSED"
            if name == "ours: call-ready only":
                met = met and ratio.median >= TARGET
            rows.append(
                [
                    "",
                    name,
                    Stats(ours).fmt(1e6),
                    f"{ratio.median:.1f}x",
                    f"{ratio.q1:.1f}-{ratio.q3:.1f}",
                    verdict,
                ]
            )
    print(
        table(
            [
                "scenario",
                "variant",
                "us/flip median [IQR]",
                "template/ours",
                "ratio IQR",
                f">= {TARGET:.0f}x",
            ],
            rows,
        )
    )
    print(
        f"{rounds} rounds x {n} flips per variant, interleaved; the bare bus row is the whole "
        "flip, the other rows are the marginal cost over it (paired per round); the ratio is "
        "template marginal / our marginal, per round."
    )
    return met


async def profile(hass: HomeAssistant, n: int) -> None:
    """Where the time of our update and of the template's goes (cProfile, cumulative)."""
    pattern, values = SCENARIOS["verdict flips (phone_state idle/offhook)"]
    for name, prefix in (("ours: all entities", "a"), ("template", "b")):
        profiler = cProfile.Profile()
        profiler.enable()
        await flips(hass, pattern.format(p=prefix), values, n)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(r"client_etiquette|template|entity\.py|core\.py", 25)
        print(f"--- profile: {name}, {n} flips ---")
        print(out.getvalue())


async def main(args: argparse.Namespace) -> None:
    """Set up both in one core, check they agree, time the flips, print the table."""
    rounds, n, cases = (5, 100, 50) if args.quick else (30, 400, 500)
    print(machine())
    async with real_hass() as hass:
        for prefix in "abcd":
            set_calm(hass, prefix)
        ours = {
            "a": await add_entry(hass, "a"),
            "d": await add_entry(hass, "d", only_call_ready=True),
        }
        await add_template(hass, "b")
        disagreements = await check_agreement(hass, ours, cases)
        print(f"verdict agreement: {cases - disagreements}/{cases} random input combinations")
        if disagreements:
            raise SystemExit("the template and the integration disagree; the comparison is void")
        results = await measure(hass, rounds, n)
        met = report(results, rounds, n)
        print(
            f"target (ours >= {TARGET:.0f}x cheaper, like for like): {'met' if met else 'MISSED'}"
        )
        if args.profile:
            await profile(hass, n)


def run() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few-seconds smoke run")
    parser.add_argument("--profile", action="store_true", help="print cProfile breakdowns")
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    run()
