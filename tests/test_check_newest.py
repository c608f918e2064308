"""scripts/check_newest.py, offline: its analysis of a tiny Home Assistant made here.

The download needs the network and is not tested; everything after it is: a release
given as a folder (``--source``) or as a wheel (``--wheel``), an integration of two
files, and the report with its exit status.
"""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys
from textwrap import dedent
import zipfile

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_newest.py"

RELEASE = {
    "homeassistant/__init__.py": "",
    "homeassistant/const.py": """
        from .generated.platforms import Platforms

        MAJOR_VERSION: Final = 2099
        MINOR_VERSION: Final = 1
        PATCH_VERSION: Final = "0"
        Platform = Platforms
        _DEPRECATED_OLD_UNIT = DeprecatedConstant("x", "NEW_UNIT", "2099.6")
    """,
    "homeassistant/generated/__init__.py": "",
    "homeassistant/generated/platforms.py": """
        class Platforms(StrEnum):
            SENSOR = "sensor"
    """,
    "homeassistant/helpers/__init__.py": "",
    "homeassistant/helpers/devices.py": """
        _DEPRECATED_PARAMETERS = {"old_link": ("2099.8.0", "new_link")}

        def register(**kwargs):
            try:
                pass
            except KeyError, ValueError:  # Python 3.14 syntax
                pass

        def unlink():
            report_usage("calls `unlink`", breaks_in_ha_version="2099.3")

        def untouched():
            report_usage("calls `untouched`", breaks_in_ha_version="2099.4")

        def passes_through(version):
            create_issue(breaks_in_ha_version=version)

        class Thing:
            def __init__(self):
                report_usage("makes a Thing", breaks_in_ha_version="2099.5")

            def used(self):
                warnings.warn("used is old", DeprecationWarning)

            def unused(self):
                report_usage("calls `unused`", breaks_in_ha_version="2099.7")

        class Registry:
            def lookup(self):
                report_usage("calls `lookup`", breaks_in_ha_version="2099.9")

            def update(self, *, old_arg=None, new_arg=None):
                if old_arg is not None:
                    report_usage("passes `old_arg`", breaks_in_ha_version="2099.10")

        def get():
            return Registry()
    """,
    "homeassistant/helpers/reexport.py": "from .devices import Thing as Thing\n",
}

OLD_INTEGRATION = {
    "__init__.py": """
        from homeassistant.const import OLD_UNIT, Platform
        from homeassistant.helpers import devices as dev
        from homeassistant.helpers.devices import register, unlink, gone
        from homeassistant.helpers.reexport import Thing

        PLATFORMS = [Platform.SENSOR, Platform.LIGHT_SABER]

        def setup():
            register(old_link=("x", "y"))
            unlink()
            dev.vanished()
            Thing().used()
            dev.get().lookup()
            dev.get().update(old_arg=1)
    """,
    "other.py": "import homeassistant.nowhere\n",
}

NEW_INTEGRATION = {
    "__init__.py": """
        from homeassistant.const import Platform
        from homeassistant.helpers.devices import get, passes_through, register

        PLATFORMS = [Platform.SENSOR]

        def setup():
            register(new_link="y")
            passes_through("2099.1")
            get().update(new_arg=1)
    """,
}


def write(root: Path, files: dict[str, str]) -> Path:
    """Return the files under ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    return root


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Return the script, as a developer runs it."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_old_integration_gets_every_problem_reported(tmp_path: Path) -> None:
    """Missing names, deprecated parameters, calls, constants and methods on our path."""
    release = write(tmp_path / "release", RELEASE)
    integration = write(tmp_path / "integration", OLD_INTEGRATION)
    result = run("--source", str(release), "--integration", str(integration))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == "Home Assistant 2099.1.0"
    missing = out.split("Missing names")[1].split("Deprecations")[0]
    assert "homeassistant.helpers.devices.gone  (__init__.py:4)" in missing
    assert "homeassistant.helpers.devices.vanished  (__init__.py:12)" in missing
    assert "homeassistant.const.Platform.LIGHT_SABER  (__init__.py:7)" in missing
    assert "homeassistant.nowhere  (other.py:1)" in missing
    assert "Platform.SENSOR" not in missing
    assert "OLD_UNIT" not in missing
    reports = out.split("Deprecations on our code paths")[1]
    assert "_DEPRECATED_PARAMETERS: old_link: 2099.8.0 new_link" in reports
    assert "devices.py:11 unlink: calls `unlink` 2099.3 (breaks in 2099.3)" in reports
    assert "Thing.__init__: makes a Thing" in reports
    assert "Thing.used: used is old" in reports
    assert "OLD_UNIT is a deprecated constant" in reports
    assert "Registry.lookup: calls `lookup`" in reports  # a method of an instance we got
    assert "Registry.update: passes `old_arg`" in reports  # guarded by a keyword we pass
    assert "untouched" not in reports
    assert "unused" not in reports


def test_up_to_date_integration_passes(tmp_path: Path) -> None:
    """Nothing missing or deprecated: exit 0, and a version passed through is no report."""
    release = write(tmp_path / "release", RELEASE)
    integration = write(tmp_path / "integration", NEW_INTEGRATION)
    result = run("--source", str(release), "--integration", str(integration))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "Home Assistant 2099.1.0",
        "Every homeassistant.* name we use exists (5 uses).",
        "No deprecation report on our code paths.",
    ]


def test_wheel_is_read_without_installing(tmp_path: Path) -> None:
    """Check that a wheel file is unpacked and read like a folder."""
    release = write(tmp_path / "release", RELEASE)
    wheel = tmp_path / "homeassistant-2099.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in RELEASE:
            archive.write(release / name, name)
    integration = write(
        tmp_path / "integration",
        {"__init__.py": "from homeassistant.generated.platforms import Platforms\n"},
    )
    result = run("--wheel", str(wheel), "--integration", str(integration))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "Home Assistant 2099.1.0",
        "Every homeassistant.* name we use exists (1 uses).",
        "No deprecation report on our code paths.",
    ]


@pytest.mark.parametrize("given", ["--source", "--wheel"])
def test_not_a_release(tmp_path: Path, given: str) -> None:
    """A folder without the package, or a broken wheel: exit 2 with a reason."""
    target = tmp_path / "nothing.whl"
    if given == "--wheel":
        target.write_bytes(b"not a zip")
    else:
        target.mkdir()
    result = run(given, str(target))
    assert result.returncode == 2
    assert result.stderr.strip()
