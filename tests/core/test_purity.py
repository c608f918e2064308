"""The pure modules stay pure: core/ imports only core, twiml and signature only core.

Read from the source with ``ast`` (nothing is imported), so an import inside a function
or under ``TYPE_CHECKING`` counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path
import sys

import pytest

PACKAGE = "custom_components.client_etiquette"
ROOT = Path(__file__).parents[2] / "custom_components" / "client_etiquette"
CORE = f"{PACKAGE}.core"

# Third-party packages each pure area may use, beside the standard library.
CORE_LIBRARIES = frozenset({"phonenumbers", "holidays"})
TELEPHONY_LIBRARIES = frozenset({"cryptography"})

# Each pure module: the libraries it may import beside the standard library and core.
PURE_MODULES: dict[Path, frozenset[str]] = {
    **dict.fromkeys(sorted((ROOT / "core").rglob("*.py")), CORE_LIBRARIES),
    ROOT / "telephony" / "signature.py": TELEPHONY_LIBRARIES,
    ROOT / "telephony" / "twiml.py": TELEPHONY_LIBRARIES,
}


def module_name(path: Path) -> str:
    """Return the dotted name of a module file under the integration."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def imported_modules(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Return the absolute names of every module ``source`` imports, wherever it does."""
    package = module if is_package else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from . import hours" imports the module core.hours.
            names.extend(
                f"{base}.{alias.name}" if node.module is None else base for alias in node.names
            )
    return names


def forbidden_imports(
    source: str, module: str, libraries: frozenset[str], *, is_package: bool = False
) -> list[str]:
    """Return the imports of ``source`` that leave the pure area: not stdlib, core or allowed."""
    bad = []
    for name in imported_modules(source, module, is_package=is_package):
        top = name.partition(".")[0]
        if name == CORE or name.startswith(f"{CORE}."):
            continue
        if top == "__future__" or top in sys.stdlib_module_names or top in libraries:
            continue
        bad.append(name)
    return bad


def test_the_pure_modules_are_all_found() -> None:
    """Check that the check looks at every core module and at twiml and signature."""
    names = {module_name(path) for path in PURE_MODULES}
    expected = {"models", "phone", "hours", "readiness", "screening", "planning", "messages"}
    expected |= {f"messages.{name}" for name in ("texts", "times", "plurals", "templates", "todo")}
    assert {f"{CORE}.{name}" for name in expected} <= names
    assert f"{PACKAGE}.telephony.twiml" in names
    assert all(path.is_file() for path in PURE_MODULES)


@pytest.mark.parametrize(
    ("path", "libraries"),
    list(PURE_MODULES.items()),
    ids=[str(path.relative_to(ROOT)) for path in PURE_MODULES],
)
def test_pure_module_imports_no_home_assistant(path: Path, libraries: frozenset[str]) -> None:
    """A pure module imports only the standard library, core and its own few libraries."""
    source = path.read_text(encoding="utf-8")
    module = module_name(path)
    bad = forbidden_imports(source, module, libraries, is_package=path.name == "__init__.py")
    assert bad == [], f"{module} imports outside its pure area: {bad}"


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("import homeassistant.core", f"{CORE}.hours", ["homeassistant.core"]),
        ("from homeassistant.util import dt", f"{CORE}.hours", ["homeassistant.util"]),
        ("from ..const import DOMAIN", f"{CORE}.hours", [f"{PACKAGE}.const"]),
        ("from .. import entity", f"{CORE}.hours", [f"{PACKAGE}.entity"]),
        ("from ..sources import states", f"{CORE}.hours", [f"{PACKAGE}.sources"]),
        (
            "def f():\n    from ..telephony.screener import CallScreener\n",
            f"{CORE}.hours",
            [f"{PACKAGE}.telephony.screener"],
        ),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..runtime import X\n",
            f"{CORE}.hours",
            [f"{PACKAGE}.runtime"],
        ),
        (
            "from .screener import CallScreener",
            f"{PACKAGE}.telephony.twiml",
            [f"{PACKAGE}.telephony.screener"],
        ),
        ("from .models import Reason\nfrom . import hours", f"{CORE}.readiness", []),
        ("from ..core.models import Reason", f"{PACKAGE}.telephony.twiml", []),
        ("import phonenumbers\nfrom datetime import UTC", f"{CORE}.phone", []),
    ],
)
def test_forbidden_imports_are_told_apart(source: str, module: str, expected: list[str]) -> None:
    """The check catches Home Assistant and every way out of core, and lets core through."""
    assert forbidden_imports(source, module, CORE_LIBRARIES) == expected
