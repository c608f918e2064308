"""Every script the docs name works from a fresh clone: it does its own set-up.

A fresh clone has no .venv, and a real Home Assistant started from it needs packages the
tests don't (the frontend's, the web UI's): the scripts that start one ask scripts/setup
for them (`--hass`, through scripts/hass_requirements.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import re
import stat
import subprocess
import sys

import homeassistant.components
import pytest

from bench.soak import write_config

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SCRIPT = re.compile(r"\bscripts/([a-z][a-z0-9_.-]*[a-z0-9])")
# Runs scripts/setup on every run: a line of its own, not after `||` or `&&`.
SETUP = re.compile(
    r'^[ \t]*bash "?(?:\$repo/)?scripts/setup"?( --hass)?(?:[ \t]*>[^|&;\n]*)?$', re.MULTILINE
)
# Scripts that start a real Home Assistant (bench/soak.py runs `hass --skip-pip`).
STARTS_HASS = {"develop", "browser-test", "soak"}
# Run by other scripts, never by hand: scripts/develop and scripts/setup.
HELPERS = {"bootstrap_dev.py", "hass_requirements.py"}
COMPONENTS = Path(homeassistant.components.__file__).parent


def named_scripts() -> list[str]:
    """Return the scripts a reader is told to run, as README.md and docs/*.md name them."""
    names = {name for doc in DOCS for name in SCRIPT.findall(doc.read_text(encoding="utf-8"))}
    return sorted(names - HELPERS - {"setup"})


def pinned(domain: str) -> list[str]:
    """Return the requirements Home Assistant's manifest of ``domain`` pins."""
    manifest = json.loads((COMPONENTS / domain / "manifest.json").read_text(encoding="utf-8"))
    return list(manifest["requirements"])


def listed(*configurations: Path) -> list[str]:
    """Return what scripts/hass_requirements.py --list prints for the configurations."""
    result = subprocess.run(
        [sys.executable, REPO / "scripts" / "hass_requirements.py", "--list", *configurations],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return result.stdout.split()


def test_the_docs_name_the_scripts() -> None:
    """Check that the scan finds the scripts the docs are known to name."""
    assert {"test", "develop", "browser-test", "soak", "test-oldest", "bench"} <= set(
        named_scripts()
    )


@pytest.mark.parametrize("name", named_scripts())
def test_named_script_does_its_own_setup(name: str) -> None:
    """Check that each named script is executable and runs scripts/setup itself, every time."""
    path = REPO / "scripts" / name
    assert path.is_file()
    assert path.stat().st_mode & stat.S_IXUSR
    setups = SETUP.findall(path.read_text(encoding="utf-8"))
    assert setups, f"scripts/{name} does not run scripts/setup on every run"
    if name in STARTS_HASS:
        assert " --hass" in setups, f"scripts/{name} starts hass without setup --hass"


def test_docs_run_benchmarks_through_scripts_bench() -> None:
    """No doc tells a reader to run .venv's Python on a benchmark (no .venv in a clone)."""
    found = [
        doc.name
        for doc in DOCS
        if re.search(r"\.venv/bin/(?:python -m bench|pyinstrument)", doc.read_text("utf-8"))
    ]
    assert not found


def test_helpers_exist() -> None:
    """Check that the scripts that other scripts run are there."""
    assert all((REPO / "scripts" / name).is_file() for name in HELPERS)
    assert os.access(REPO / "scripts" / "setup", os.X_OK)


@pytest.fixture(scope="module")
def setup_hass_packages() -> list[str]:
    """Return what `scripts/setup --hass` installs: the packages for config/configuration.yaml."""
    return listed(REPO / "config" / "configuration.yaml")


def test_hass_packages_include_the_frontend_and_the_web_ui(
    setup_hass_packages: list[str],
) -> None:
    """Check what a real Home Assistant of config/ needs.

    The frontend (else recovery mode) and the packages of the components the web UI's
    action list imports.
    """
    packages = setup_hass_packages
    assert set(pinned("frontend")) <= set(packages)
    assert set(pinned("conversation")) <= set(packages)
    assert set(pinned("camera")) <= set(packages)


def test_soak_needs_nothing_that_setup_leaves_out(
    tmp_path: Path, setup_hass_packages: list[str]
) -> None:
    """Check that the soak's Home Assistant needs only packages `scripts/setup --hass` installs.

    That is bench/soak.py's configuration, started with --skip-pip; the frontend's packages
    are among them.
    """
    write_config(tmp_path, 8123, "http://127.0.0.1:9")
    soak = listed(tmp_path / "configuration.yaml")
    assert set(pinned("frontend")) <= set(soak)
    assert set(soak) <= set(setup_hass_packages)
