"""Install the pinned packages that a real Home Assistant started from .venv needs.

pytest needs none of them, so `scripts/setup` installs them only when asked (`--hass`):
`scripts/develop`, `scripts/browser-test` and `scripts/soak` ask. Without them a fresh
clone's Home Assistant goes into recovery mode (`hass --skip-pip` without the frontend's
package, as in bench/soak.py), or its web UI hangs on "Loading data" (the action list
imports base components such as camera and conversation, whose packages are missing).

The packages are the manifest requirements of the integrations every start loads
(bootstrap's core, critical and default integrations), of the base components the action
list imports, and of the integrations the given configuration.yaml files name, each with
its dependencies; pinned as the manifests pin them, under Home Assistant's constraints.

    .venv/bin/python scripts/hass_requirements.py [--list | --missing] [CONFIGURATION ...]

Without an option it installs what is missing; `--list` prints every package, `--missing`
those not installed (exit status 1 when there are any).
"""

from __future__ import annotations

import argparse
import ast
from importlib import metadata
import inspect
import json
from pathlib import Path
import re
import subprocess
import sys
from typing import Any

from homeassistant import bootstrap
import homeassistant.components
from homeassistant.helpers import service
from packaging.requirements import Requirement

COMPONENTS = Path(homeassistant.components.__file__).parent
CONSTRAINTS = COMPONENTS.parent / "package_constraints.txt"
# A top-level key of configuration.yaml: `frontend:`, `automation demo:` (a domain, then
# an optional label of a second block of the same integration).
TOP_LEVEL_KEY = re.compile(r"^([a-z0-9_]+)(?:[ \t]+[^:#\n]*)?:", re.MULTILINE)


def manifest(domain: str) -> dict[str, Any]:
    """Return the manifest of a built-in integration; empty for a key that is not one."""
    path = COMPONENTS / domain / "manifest.json"
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def startup_domains() -> set[str]:
    """Return the integrations every start of Home Assistant sets up."""
    return (
        set(bootstrap.CORE_INTEGRATIONS)
        | set(bootstrap.CRITICAL_INTEGRATIONS)
        | set(bootstrap.DEFAULT_INTEGRATIONS)
    )


def action_list_domains() -> set[str]:
    """Return the base components the web UI's action list imports (helpers.service)."""
    tree = ast.parse(inspect.getsource(service._base_components))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "homeassistant.components"
        for alias in node.names
    }


def configured_domains(configuration: Path) -> set[str]:
    """Return the integrations a configuration.yaml names at its top level."""
    return set(TOP_LEVEL_KEY.findall(configuration.read_text(encoding="utf-8")))


def with_dependencies(domains: set[str]) -> set[str]:
    """``domains`` and everything they depend on, built-in integrations only."""
    found: set[str] = set()
    pending = list(domains)
    while pending:
        domain = pending.pop()
        if domain in found or not (data := manifest(domain)):
            continue
        found.add(domain)
        pending.extend(data.get("dependencies", []))
    return found


def requirements(configurations: list[Path]) -> list[str]:
    """Return the pinned packages of everything such a Home Assistant loads, sorted."""
    domains = startup_domains() | action_list_domains()
    for configuration in configurations:
        domains |= configured_domains(configuration)
    wanted: set[str] = set()
    for domain in with_dependencies(domains):
        wanted.update(manifest(domain).get("requirements", []))
    return sorted(wanted, key=str.lower)


def installed(requirement: str) -> bool:
    """Return True when a version that satisfies ``requirement`` is installed."""
    parsed = Requirement(requirement)
    try:
        version = metadata.version(parsed.name)
    except metadata.PackageNotFoundError:
        return False
    return parsed.specifier.contains(version, prereleases=True)


def main() -> int:
    """List, check or install the packages; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="print every package")
    mode.add_argument("--missing", action="store_true", help="print the missing ones")
    parser.add_argument("configurations", nargs="*", type=Path, metavar="CONFIGURATION")
    args = parser.parse_args()
    wanted = requirements(args.configurations)
    if args.list:
        print("\n".join(wanted))
        return 0
    missing = [requirement for requirement in wanted if not installed(requirement)]
    if args.missing:
        print("\n".join(missing))
        return 1 if missing else 0
    if missing:
        names = " ".join(missing)
        print(f"[setup] installing what a real Home Assistant needs: {names}", file=sys.stderr)
        command = [sys.executable, "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS)]
        subprocess.run([*command, *missing], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
