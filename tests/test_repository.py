"""The repository stays valid for HACS and hassfest, and its translations stay complete.

Everything here walks the files as they are (manifest, hacs.json, brand images, services.yaml,
translations, icons.json and the integration's source), so the checks keep holding as keys,
services and entities are added.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.util.yaml import load_yaml_dict
from PIL import Image
import pytest

REPO = Path(__file__).resolve().parent.parent
CUSTOM_COMPONENTS = REPO / "custom_components"
INTEGRATION = CUSTOM_COMPONENTS / "client_etiquette"
TRANSLATIONS = INTEGRATION / "translations"
BRAND = INTEGRATION / "brand"
LANGUAGES = ("en", "ru", "pl")

# hassfest: "domain" and "name" first, every other key in alphabetical order.
MANIFEST_REQUIRED = {
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "requirements",
    "version",
}
# HACS's HACS_MANIFEST_JSON_SCHEMA (extra keys are refused) and the type of each key.
HACS_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "content_in_root": bool,
    "country": (str, list),
    "filename": str,
    "hacs": str,
    "hide_default_branch": bool,
    "homeassistant": str,
    "persistent_directory": str,
    "render_readme": bool,
    "zip_release": bool,
}
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?==[A-Za-z0-9.+!_-]+$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
REFERENCE = re.compile(r"\[%key:[^%]+%\]")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these checks read files and need no Home Assistant."""


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = _json(INTEGRATION / "manifest.json")
    return data


def _translation(language: str) -> dict[str, Any]:
    data: dict[str, Any] = _json(TRANSLATIONS / f"{language}.json")
    return data


def _strings(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every leaf of a translation tree, with its path of keys."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _strings(value, (*path, key))
    else:
        yield path, tree


def _lookup(tree: dict[str, Any], *path: str) -> Any:
    node: Any = tree
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


# ---------------------------------------------------------------- the tests' own layout

TESTS = REPO / "tests"


def _module_name(path: Path) -> str:
    """Return the dotted name a file under the repository is imported as."""
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_in(source: str, package: list[str]) -> Iterator[tuple[int, str]]:
    """Return every module some source imports (line, dotted name).

    Relative imports are resolved against ``package``; for ``from module import name`` both
    the module and ``module.name``.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every module a file under the repository imports (line, dotted name)."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    yield from _imports_in(path.read_text(encoding="utf-8"), package)


def _is_test_module(name: str) -> bool:
    """Whether a dotted name is one of the repository's test modules (tests/**/test_*.py)."""
    path = REPO.joinpath(*name.split(".")).with_suffix(".py")
    return path.name.startswith("test_") and path.is_file() and TESTS in path.parents


def test_no_test_module_imports_another() -> None:
    """Check that no file under tests/ imports a test module.

    Shared helpers live in tests/**/__init__.py and fixtures in conftest.py; an imported test
    module's tests would run twice, and its fixtures leak by name.
    """
    found = [
        f"{path.relative_to(REPO)}:{line} imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, name in _imported_modules(path)
        if _is_test_module(name)
    ]
    assert found == []


def test_the_import_check_sees_every_spelling() -> None:
    """Check that the check above finds a test module however it is imported.

    Absolute, relative, or as a name imported from its package; helpers and package-level
    names are not test modules.
    """
    source = (
        "import tests.test_entities\n"
        "from . import test_webhooks, Setup\n"
        "from ..flows.test_options import open_step\n"
        "from .. import BASE_OPTIONS\n"
        "from ..flow_text import shown_texts\n"
    )
    names = {name for _, name in _imports_in(source, ["tests", "telephony"])}
    assert {name for name in names if _is_test_module(name)} == {
        "tests.test_entities",
        "tests.telephony.test_webhooks",
        "tests.flows.test_options",
    }
    assert _module_name(TESTS / "telephony" / "__init__.py") == "tests.telephony"
    assert _module_name(TESTS / "telephony" / "test_calls.py") == "tests.telephony.test_calls"


def test_test_directories_mirror_the_packages() -> None:
    """Check that the test directories mirror the integration's sub-packages.

    tests/<name>/ exists for each sub-package of the integration, with an __init__.py; the
    only other directories are tests/browser (run by scripts/browser-test only), syrupy's
    tests/snapshots, tests/fixtures (stored data of earlier versions) and tests/traces
    (recorded days replayed through Home Assistant).
    """
    packages = {path.parent.name for path in INTEGRATION.glob("*/__init__.py")}
    directories = {
        path.name
        for path in TESTS.iterdir()
        if path.is_dir() and not path.name.startswith((".", "__"))
    }
    assert directories == packages | {"browser", "snapshots", "fixtures", "traces"}
    assert all((TESTS / name / "__init__.py").is_file() for name in packages)
    assert not (TESTS / "browser" / "__init__.py").exists()


# ---------------------------------------------------------------- manifest and HACS


def test_exactly_one_integration_folder() -> None:
    """HACS manages one integration per repository: the one the manifest names."""
    folders = sorted(
        path.name
        for path in CUSTOM_COMPONENTS.iterdir()
        if path.is_dir() and not path.name.startswith((".", "__"))
    )
    assert folders == [INTEGRATION.name]
    assert _manifest()["domain"] == INTEGRATION.name


def test_manifest_keys_required_and_ordered() -> None:
    """Required keys are present; domain and name lead, the rest are sorted (hassfest)."""
    manifest = _manifest()
    keys = list(manifest)
    assert set(keys) >= MANIFEST_REQUIRED, MANIFEST_REQUIRED - set(keys)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "helper"
    assert manifest["iot_class"] == "calculated"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    assert all(owner.startswith("@") for owner in manifest["codeowners"])


def test_manifest_requirements_pinned_and_mirrored() -> None:
    """Check that every runtime requirement is pinned with == and listed in requirements.txt too."""
    requirements = _manifest()["requirements"]
    assert requirements, "phonenumbers at least"
    unpinned = [req for req in requirements if not PINNED.fullmatch(req)]
    assert not unpinned
    mirrored = {
        line.split("#", 1)[0].strip()
        for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    }
    assert set(requirements) <= mirrored


def test_hacs_json_keys_are_accepted_by_hacs() -> None:
    """Only keys HACS's schema allows, each of its type; the minimum HA has subentries."""
    hacs = _json(REPO / "hacs.json")
    assert set(hacs) <= set(HACS_KEYS), set(hacs) - set(HACS_KEYS)
    for key, value in hacs.items():
        assert isinstance(value, HACS_KEYS[key]), key
    assert hacs["name"] == _manifest()["name"]
    assert hacs["render_readme"] is True
    # The oldest release the whole suite passes on (run against 2025.7.4, 2025.8.3, 2025.9.0
    # and 2025.9.4): OptionsFlowWithReload came in 2025.8, and the client reconfigure flow's
    # ConfigSubentryFlow.async_update_reload_and_abort in 2025.9.
    assert _version_tuple(hacs["homeassistant"]) >= (2025, 9, 0)
    major, minor, _ = _version_tuple(hacs["homeassistant"])
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"You need Home Assistant {major}.{minor} or newer" in readme
    assert not hacs.get("zip_release") or "filename" in hacs


# ---------------------------------------------------------------- brand images


@dataclass(frozen=True)
class BrandImage:
    """One file of Home Assistant's brand image set and the sizes it may have."""

    name: str
    min_short: int
    max_short: int
    square: bool


BRAND_IMAGES = [
    BrandImage(f"{prefix}{kind}{scale}.png", size, size, True)
    for prefix in ("", "dark_")
    for kind in ("icon",)
    for scale, size in (("", 256), ("@2x", 512))
] + [
    BrandImage(f"{prefix}logo{scale}.png", low, high, False)
    for prefix in ("", "dark_")
    for scale, low, high in (("", 128, 256), ("@2x", 256, 512))
]


@pytest.mark.parametrize("spec", BRAND_IMAGES, ids=lambda spec: spec.name)
def test_brand_image(spec: BrandImage) -> None:
    """PNG with transparency, the right size, trimmed to the artwork."""
    path = BRAND / spec.name
    assert path.is_file(), f"missing {path.relative_to(REPO)}"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.mode == "RGBA"
        width, height = image.size
        short = min(width, height)
        assert spec.min_short <= short <= spec.max_short
        if spec.square:
            assert width == height
        else:
            assert width >= height, "a landscape logo is preferred"
        alpha = image.getchannel("A")
        low, high = alpha.getextrema()
        assert low == 0, "the background is transparent"
        assert high == 255
        box = alpha.getbbox()
        assert box is not None
        left, top, right, bottom = box
        if spec.square:
            # The artwork spans the whole square in its longer direction.
            assert (left, right) == (0, width) or (top, bottom) == (0, height)
        else:
            assert box == (0, 0, width, height)


def test_dark_brand_images_differ_and_pair_up() -> None:
    """Check that each dark_ image is a real dark variant of the same size as its light image."""
    for light in sorted(BRAND.glob("*.png")):
        if light.name.startswith("dark_"):
            continue
        dark = BRAND / f"dark_{light.name}"
        assert dark.is_file(), dark.name
        with Image.open(light) as one, Image.open(dark) as other:
            assert one.size == other.size
            assert one.tobytes() != other.tobytes()


def test_hdpi_images_are_twice_the_size() -> None:
    """Check that x@2x.png is exactly twice x.png."""
    for hdpi in sorted(BRAND.glob("*@2x.png")):
        normal = BRAND / hdpi.name.replace("@2x", "")
        with Image.open(hdpi) as big, Image.open(normal) as small:
            assert abs(big.width - 2 * small.width) <= 1
            assert big.height == 2 * small.height


# ---------------------------------------------------------------- translations


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_translation_has_the_same_keys_as_english(language: str) -> None:
    """Recursively the same keys, nested the same way."""
    english = dict(_strings(_translation("en")))
    other = dict(_strings(_translation(language)))
    assert sorted(set(english) - set(other)) == [], "missing"
    assert sorted(set(other) - set(english)) == [], "not in en.json"
    for path, value in english.items():
        assert isinstance(other[path], type(value)), path


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_strings_keep_placeholders(language: str) -> None:
    """Every string is non-empty and keeps English's {placeholders} and [%key:…%] references."""
    english = dict(_strings(_translation("en")))
    for path, value in _strings(_translation(language)):
        if not isinstance(value, str):
            continue
        assert value.strip() or not english[path].strip(), path
        assert set(PLACEHOLDER.findall(value)) == set(PLACEHOLDER.findall(english[path])), path
        assert set(REFERENCE.findall(value)) == set(REFERENCE.findall(english[path])), path


def test_translation_files_are_the_supported_languages() -> None:
    """No stray or missing language files."""
    assert sorted(path.stem for path in TRANSLATIONS.glob("*.json")) == sorted(LANGUAGES)


# ---------------------------------------------------------------- services


def _services() -> dict[str, Any]:
    return dict(load_yaml_dict(INTEGRATION / "services.yaml"))


def _service_fields(service: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """(field, its definition, the section it is in) for every field, sections included."""
    for key, field in (service.get("fields") or {}).items():
        if field and "fields" in field:
            for inner, definition in field["fields"].items():
                yield inner, definition or {}, key
        else:
            yield key, field or {}, None


def _selector_translation_keys(node: Any) -> Iterator[tuple[str, list[str]]]:
    if isinstance(node, dict):
        select = node.get("select")
        if isinstance(select, dict) and "translation_key" in select:
            options = [
                option["value"] if isinstance(option, dict) else str(option)
                for option in select.get("options", [])
            ]
            yield select["translation_key"], options
        for value in node.values():
            yield from _selector_translation_keys(value)


def test_services_yaml_has_services() -> None:
    """Check that the file parses and declares the documented actions."""
    assert {"snooze", "incoming_call"} <= set(_services())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_service_and_field_is_translated(language: str) -> None:
    """Name and description for each action and each of its fields, sections named too."""
    strings = _translation(language)
    for name, definition in _services().items():
        service = definition or {}
        translated = _lookup(strings, "services", name)
        assert isinstance(translated, dict), f"services.{name}"
        assert translated.get("name"), name
        assert translated.get("description"), name
        for field, _definition, section in _service_fields(service):
            entry = _lookup(translated, "fields", field)
            assert isinstance(entry, dict), f"services.{name}.fields.{field}"
            assert entry.get("name"), f"{name}.{field}"
            assert entry.get("description"), f"{name}.{field}"
            if section is not None:
                assert _lookup(translated, "sections", section, "name"), f"{name}/{section}"
        for key, options in _selector_translation_keys(service):
            translated_options = _lookup(strings, "selector", key, "options") or {}
            assert set(options) <= set(translated_options), f"selector.{key}"


def test_every_service_has_an_icon() -> None:
    """Check that icons.json names an icon for each action in services.yaml."""
    icons = _json(INTEGRATION / "icons.json")
    for name in _services():
        assert _lookup(icons, "services", name, "service"), name


# ---------------------------------------------------------------- keys used in the code


@dataclass(frozen=True)
class KeyUse:
    """A translation key the source code uses, and where."""

    kind: str  # "entity", "exceptions", "issues" or "selector"
    key: str
    platform: str | None
    where: str
    placeholders: frozenset[str] | None = None


PLATFORMS = frozenset(
    {
        "binary_sensor",
        "button",
        "calendar",
        "event",
        "number",
        "select",
        "sensor",
        "switch",
        "text",
        "time",
        "todo",
    }
)


def _modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for path in sorted(INTEGRATION.rglob("*.py"))
    ]


def _constants(modules: list[tuple[Path, ast.Module]]) -> dict[str, str]:
    """Module-level NAME = "text" assignments of the whole package."""
    found: dict[str, str] = {}
    for _path, module in modules:
        for node in module.body:
            target: ast.expr | None = None
            value: ast.expr | None = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                found[target.id] = value.value
    return found


def _texts(node: ast.expr, constants: dict[str, str]) -> list[str]:
    """Return the string values an expression can have: literals, constants, both arms of an if."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.Attribute) and node.attr in constants:
        return [constants[node.attr]]
    if isinstance(node, ast.IfExp):
        return _texts(node.body, constants) + _texts(node.orelse, constants)
    return []


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _entity_classes(modules: list[tuple[Path, ast.Module]]) -> set[str]:
    """Classes that take (entry, key) and use the key as their translation key."""
    bases: dict[str, set[str]] = {}
    for _path, module in modules:
        for node in ast.walk(module):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {
                    base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                    for base in node.bases
                }
    keyed = {
        node.name
        for _path, module in modules
        for node in ast.walk(module)
        if isinstance(node, ast.ClassDef)
        and any(
            isinstance(stmt, ast.Assign)
            and any(
                isinstance(target, ast.Attribute) and target.attr == "_attr_translation_key"
                for target in stmt.targets
            )
            and isinstance(stmt.value, ast.Name)
            for stmt in ast.walk(node)
        )
    }
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            if name not in keyed and parents & keyed:
                keyed.add(name)
                changed = True
    return keyed


def _placeholders(call: ast.Call) -> frozenset[str] | None:
    """Return the placeholder names a call gives; None when they can't be read from the source."""
    for keyword in call.keywords:
        if keyword.arg != "translation_placeholders":
            continue
        if isinstance(keyword.value, ast.Dict) and all(
            isinstance(key, ast.Constant) for key in keyword.value.keys
        ):
            return frozenset(
                str(key.value) for key in keyword.value.keys if isinstance(key, ast.Constant)
            )
        return None
    return frozenset()


def _assignment_uses(
    node: ast.AST, constants: dict[str, str], platform: str | None, here: str
) -> list[KeyUse]:
    """translation_key = "x" and _attr_translation_key = "x", as class or instance attributes."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign):
        targets = [node.target]
    else:
        return []
    names = {
        target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
        for target in targets
    }
    if not names & {"translation_key", "_attr_translation_key"} or node.value is None:
        return []
    return [
        KeyUse("entity", key, platform, f"{here}:{node.lineno}")
        for key in _texts(node.value, constants)
    ]


def _constructor_uses(
    call: ast.Call,
    module: ast.Module,
    context: tuple[dict[str, str], set[str]],
    platform: str | None,
    here: str,
) -> list[KeyUse]:
    """SomeEntity(entry, "key") and super().__init__(entry, "key") inside an entity class."""
    constants, entity_classes = context
    callee = _callee(call)
    if len(call.args) < 2:
        return []
    if callee == "__init__":
        inside = any(
            isinstance(cls, ast.ClassDef)
            and cls.name in entity_classes
            and cls.lineno <= call.lineno <= (cls.end_lineno or cls.lineno)
            for cls in ast.walk(module)
        )
        if not inside:
            return []
    elif callee not in entity_classes:
        return []
    return [
        KeyUse("entity", key, platform, f"{here}:{call.lineno}")
        for key in _texts(call.args[1], constants)
    ]


def _keyword_uses(
    call: ast.Call, constants: dict[str, str], platform: str | None, here: str
) -> list[KeyUse]:
    """translation_key=... given to an error, a repair issue, a selector or a description."""
    callee = _callee(call)
    if callee.endswith(("Error", "Exception")):
        kind = "exceptions"
    elif callee.endswith("create_issue"):
        kind = "issues"
    elif "Selector" in callee:
        kind = "selector"
    elif callee.endswith("EntityDescription"):
        kind = "entity"
    else:
        return []
    return [
        KeyUse(kind, key, platform, f"{here}:{call.lineno}", _placeholders(call))
        for keyword in call.keywords
        if keyword.arg == "translation_key"
        for key in _texts(keyword.value, constants)
    ]


def _key_uses() -> list[KeyUse]:
    """Every translation key the integration's source code uses."""
    modules = _modules()
    constants = _constants(modules)
    entity_classes = _entity_classes(modules)
    uses: list[KeyUse] = []
    for path, module in modules:
        platform = path.stem if path.stem in PLATFORMS else None
        here = str(path.relative_to(REPO))
        for node in ast.walk(module):
            uses.extend(_assignment_uses(node, constants, platform, here))
            if isinstance(node, ast.Call):
                uses.extend(
                    _constructor_uses(node, module, (constants, entity_classes), platform, here)
                )
                uses.extend(_keyword_uses(node, constants, platform, here))
    return uses


def test_the_code_scan_finds_the_known_keys() -> None:
    """The scan itself works: it sees keys that are known to be used."""
    found = {(use.kind, use.key, use.platform) for use in _key_uses()}
    assert ("entity", "call_ready", "binary_sensor") in found
    assert ("entity", "readiness_reason", "sensor") in found
    assert ("exceptions", "invalid_duration", None) in found
    assert ("issues", "missing_source", None) in found


def test_entity_translation_keys_are_translated_and_have_icons() -> None:
    """Check that every entity translation key in the code has a name in en.json and an icon."""
    strings = _translation("en")
    icons = _json(INTEGRATION / "icons.json")
    uses = [use for use in _key_uses() if use.kind == "entity"]
    assert uses
    for use in uses:
        platforms = [use.platform] if use.platform else sorted(strings["entity"])
        assert any(
            _lookup(strings, "entity", platform, use.key, "name") for platform in platforms
        ), f"{use.where}: entity.{use.platform}.{use.key} not in en.json"
        assert any(
            _lookup(icons, "entity", platform, use.key, "default") for platform in platforms
        ), f"{use.where}: entity.{use.platform}.{use.key} not in icons.json"


def test_icons_only_for_translated_entities() -> None:
    """Check that icons.json names no entity that en.json doesn't know."""
    strings = _translation("en")
    icons = _json(INTEGRATION / "icons.json")
    for platform, keys in icons.get("entity", {}).items():
        for key in keys:
            assert _lookup(strings, "entity", platform, key) is not None, f"{platform}.{key}"


@pytest.mark.parametrize("kind", ["exceptions", "issues"])
def test_error_and_issue_keys_are_translated(kind: str) -> None:
    """Raised errors and repair issues use keys that exist, with the placeholders they give."""
    strings = _translation("en")
    uses = [use for use in _key_uses() if use.kind == kind]
    assert uses
    for use in uses:
        entry = _lookup(strings, kind, use.key)
        assert isinstance(entry, dict), f"{use.where}: {kind}.{use.key} not in en.json"
        if use.placeholders is None:
            continue
        wanted = {
            name
            for _path, text in _strings(entry)
            if isinstance(text, str)
            for name in PLACEHOLDER.findall(text)
        }
        assert wanted <= use.placeholders, f"{use.where}: {kind}.{use.key} needs {wanted}"


def test_selector_keys_are_translated() -> None:
    """Check that selectors with a literal translation key have options in en.json."""
    strings = _translation("en")
    for use in _key_uses():
        if use.kind == "selector":
            assert _lookup(strings, "selector", use.key, "options"), f"{use.where}: {use.key}"
