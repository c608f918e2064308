"""Check the integration against the newest Home Assistant release, by reading its source.

Downloads the ``homeassistant`` wheel from PyPI (``pip download``, nothing installed,
so no Python 3.14 is needed) or takes an unpacked one (``--source``) or a wheel file
(``--wheel``), then reports:

- every ``homeassistant.*`` name the integration uses (imported names, attributes of
  imported Home Assistant modules) that the release no longer has;
- every deprecation report in the code we call: a ``report_usage(...)`` call, anything
  with ``breaks_in_ha_version=``, a ``DeprecatedConstant``/``DeprecatedAlias``, a
  ``deprecated_class``/``deprecated_function`` decorator or a ``DeprecationWarning``,
  in a function or class we use, in a method of it we define or call, or mentioning
  (in backquotes) a name or keyword argument we pass; and the entries of
  ``_DEPRECATED_*`` tables whose key is a keyword argument we pass to that module.

It reads; it can't see behaviour that changed without such a report (entity renames,
the to-do list's copies) or anything outside ``homeassistant`` (aiohttp). Exit status:
0 nothing found, 1 something found, 2 the release could not be had.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
import re
import subprocess
import sys
import tempfile
import zipfile

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "client_etiquette"
HA = "homeassistant"
# Calls that report a deprecation at run time, and the wrappers that define one.
REPORTERS = frozenset({"report_usage", "_report_usage"})
DEFINERS = frozenset(
    {
        "DeprecatedConstant",
        "DeprecatedConstantEnum",
        "DeprecatedAlias",
        "deprecated_class",
        "deprecated_function",
        "deprecated_substitute",
        "deprecated_hass_argument",
    }
)
# Methods every entity runs: a report in one of them is on our code path.
# Bases that give a class no members of their own to look up (enums: ``Platform.SENSOR``).
PLAIN_BASES = frozenset({"Enum", "StrEnum", "IntEnum", "IntFlag", "Flag", "str", "int", "object"})
LIFECYCLE = frozenset({"__init__", "__new__", "__post_init__", "__init_subclass__"})
VERSION = re.compile(r"^\d{4}\.\d+(\.\d+)?$")
BACKQUOTED = re.compile(r"`([A-Za-z_][A-Za-z0-9_.]*)`")


@dataclass(frozen=True)
class Use:
    """A ``homeassistant.*`` name the integration uses, and where."""

    module: str
    name: str | None  # None: the module itself
    where: str


@dataclass
class Usage:
    """What the integration uses of Home Assistant."""

    names: set[Use] = field(default_factory=set)
    # Keyword arguments passed to Home Assistant callables: (module, callable) -> keywords.
    keywords: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # Every attribute and method name the integration reads, calls or defines.
    attributes: set[str] = field(default_factory=set)
    # Every method name the integration calls on something (``x.name(...)``), and the
    # keyword arguments passed to it.
    calls: set[str] = field(default_factory=set)
    method_keywords: dict[str, set[str]] = field(default_factory=dict)
    # Home Assistant classes we subclass -> the names our subclasses use on ``self``.
    subclassed: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # Our classes: name -> (Home Assistant bases, our own bases, names used on ``self``).
    classes: dict[str, tuple[set[tuple[str, str]], set[str], set[str]]] = field(
        default_factory=dict
    )


@dataclass(frozen=True)
class Report:
    """A deprecation found in Home Assistant's source."""

    file: str
    line: int
    scope: str
    text: str
    breaks_in: str | None

    def __str__(self) -> str:
        """One line: where, what, and from which release it breaks."""
        breaks = f" (breaks in {self.breaks_in})" if self.breaks_in else ""
        return f"{self.file}:{self.line} {self.scope}: {self.text}{breaks}"


# --- what the integration uses -------------------------------------------------------------


def integration_usage(root: Path) -> Usage:
    """Collect the Home Assistant names, keywords and attributes used by ``*.py`` under ``root``."""
    usage = Usage()
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        _collect(tree, path.relative_to(root).as_posix(), usage)
    for name, (_, _, used) in usage.classes.items():
        for base in _ha_ancestors(usage, name, set()):
            usage.subclassed.setdefault(base, set()).update(used)
    return usage


def _ha_ancestors(usage: Usage, name: str, seen: set[str]) -> set[tuple[str, str]]:
    """Return the Home Assistant classes an own class derives from, through our own classes."""
    if name in seen or name not in usage.classes:
        return set()
    seen.add(name)
    ha_bases, own_bases, _ = usage.classes[name]
    found = set(ha_bases)
    for base in own_bases:
        found |= _ha_ancestors(usage, base, seen)
    return found


def _class_uses(node: ast.ClassDef, bound: dict[str, tuple[str, str | None]], usage: Usage) -> None:
    """Record an own class: its bases, and the names it uses on ``self`` or defines."""
    ha_bases: set[tuple[str, str]] = set()
    own_bases: set[str] = set()
    for base in node.bases:
        callee = _callee(base, bound)
        if callee is not None:
            ha_bases.add(callee)
        elif isinstance(base, ast.Name):
            own_bases.add(base.id)
    used = {
        sub.attr
        for sub in ast.walk(node)
        if isinstance(sub, ast.Attribute)
        and isinstance(sub.value, ast.Name)
        and sub.value.id == "self"
    }
    used |= {
        sub.name for sub in node.body if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    usage.classes[node.name] = (ha_bases, own_bases, used)


def _collect(tree: ast.AST, file: str, usage: Usage) -> None:
    bound = _imports(tree, file, usage)
    for node in ast.walk(tree):
        where = f"{file}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute):
            usage.attributes.add(node.attr)
            target = bound.get(node.value.id) if isinstance(node.value, ast.Name) else None
            if target is not None:
                usage.names.add(Use(_joined(*target), node.attr, where))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            usage.attributes.add(node.name)
        elif isinstance(node, ast.ClassDef):
            _class_uses(node, bound, usage)
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                usage.calls.add(node.func.attr)
                passed = usage.method_keywords.setdefault(node.func.attr, set())
                passed.update(kw.arg for kw in node.keywords if kw.arg)
            callee = _callee(node.func, bound)
            if callee is not None and node.keywords:
                names = {kw.arg for kw in node.keywords if kw.arg}
                usage.keywords.setdefault(callee, set()).update(names)


def _imports(tree: ast.AST, file: str, usage: Usage) -> dict[str, tuple[str, str | None]]:
    """Return the Home Assistant imports of a file: local name -> (module, name or None)."""
    bound: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(tree):
        where = f"{file}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == HA:
            for alias in node.names:
                usage.names.add(Use(str(node.module), alias.name, where))
                bound[alias.asname or alias.name] = (str(node.module), alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == HA:
                    usage.names.add(Use(alias.name, None, where))
                    bound[alias.asname or alias.name] = (alias.name, None)
    return bound


def _joined(module: str, name: str | None) -> str:
    return f"{module}.{name}" if name else module


def _callee(func: ast.expr, bound: dict[str, tuple[str, str | None]]) -> tuple[str, str] | None:
    """Return (module, callable) of a call of a Home Assistant name, else None."""
    if isinstance(func, ast.Name) and func.id in bound:
        module, name = bound[func.id]
        return (module, name) if name else None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        target = bound.get(func.value.id)
        if target is not None:
            return _joined(*target), func.attr
    return None


# --- Home Assistant's source ---------------------------------------------------------------


# Python 3.14 (PEP 758) allows ``except A, B:``; older parsers need the parentheses.
BARE_EXCEPT_TUPLE = re.compile(r"^(\s*except\*?\s+)([^():\n]+,[^():\n]+):", re.MULTILINE)


def parse(text: str, filename: str) -> ast.Module | None:
    """Parse a module, rewriting newer Python 3.14 syntax first; None if unreadable."""
    try:
        return ast.parse(text, filename)
    except SyntaxError:
        pass
    try:
        return ast.parse(BARE_EXCEPT_TUPLE.sub(r"\1(\2):", text), filename)
    except SyntaxError:
        return None


class Source:
    """An unpacked ``homeassistant`` package, read with ``ast`` (never imported)."""

    def __init__(self, root: Path) -> None:
        """``root`` holds the ``homeassistant`` folder."""
        self.root = root
        self._trees: dict[Path, ast.Module | None] = {}

    def version(self) -> str:
        """Return the release, from ``homeassistant/const.py``."""
        const = self.tree(self.file(f"{HA}.const"))
        values: dict[str, str] = {}
        for node in const.body if const else []:
            if isinstance(node, ast.AnnAssign | ast.Assign):
                target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
                if isinstance(target, ast.Name) and isinstance(node.value, ast.Constant):
                    values[target.id] = str(node.value.value)
        parts = (values.get(key) for key in ("MAJOR_VERSION", "MINOR_VERSION", "PATCH_VERSION"))
        return ".".join(part or "?" for part in parts)

    def file(self, module: str) -> Path | None:
        """Return the file of a module (a package's ``__init__.py``), if there is one."""
        base = self.root.joinpath(*module.split("."))
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return path
        return None

    def tree(self, path: Path | None) -> ast.Module | None:
        """Return the parsed file, cached."""
        if path is None:
            return None
        if path not in self._trees:
            self._trees[path] = parse(path.read_text(encoding="utf-8"), str(path))
        return self._trees[path]

    def relative(self, path: Path) -> str:
        """``path`` from the folder holding ``homeassistant``."""
        return path.relative_to(self.root).as_posix()

    def definition(self, module: str, name: str, depth: int = 0) -> tuple[Path, ast.AST] | None:
        """Where ``module.name`` is defined, following re-exports; None when it isn't.

        A submodule gives its file's tree; a name re-exported from a module that can't
        be read gives the import itself.
        """
        path = self.file(module)
        tree = self.tree(path)
        if path is None or tree is None or depth > 5:
            return None
        for node in _top_level(tree.body):
            if not _defines(node, name):
                continue
            if isinstance(node, ast.ImportFrom):
                origin = _absolute(module, path.name == "__init__.py", node)
                return self.definition(origin, _original(node, name), depth + 1) or (path, node)
            return path, node
        return self._module(f"{module}.{name}")

    def _module(self, module: str) -> tuple[Path, ast.AST] | None:
        path = self.file(module)
        tree = self.tree(path)
        return (path, tree) if path is not None and tree is not None else None

    def lookup(self, module: str, name: str) -> tuple[Path, ast.AST] | None:
        """``module.name`` where ``module`` may end in a class (``Platform.SENSOR``)."""
        if self.file(module) is not None:
            return self.definition(module, name)
        owner, _, cls = module.rpartition(".")
        found = self.definition(owner, cls) if owner else None
        while found is not None and _alias_of(found[1]) is not None:  # Platform = EntityPlatforms
            found = self.definition(_module_of(self, found[0]), str(_alias_of(found[1])))
        if found is None or not isinstance(found[1], ast.ClassDef):
            return None
        members = [node for node in found[1].body if _defines(node, name)]
        if members:
            return found[0], members[0]
        bases = {base.id if isinstance(base, ast.Name) else "" for base in found[1].bases}
        if bases - PLAIN_BASES:  # members of other bases are not followed: taken as there
            return found[0], found[1]
        return None


def _alias_of(node: ast.AST) -> str | None:
    """Return the name a plain ``A = B`` assignment makes ``A`` another name for."""
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
        return node.value.id
    return None


def _module_of(source: Source, path: Path) -> str:
    """Return the dotted module of a file of ``source``."""
    parts = path.relative_to(source.root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, with those under ``if``/``try`` (``TYPE_CHECKING``…)."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level(node.body)
            for handler in node.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(node.orelse)


def _defines(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name == name
    if isinstance(node, ast.Assign):
        return any(_binds(target, name) for target in node.targets)
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return _binds(node.target, name)
    if isinstance(node, ast.TypeAlias):
        return isinstance(node.name, ast.Name) and node.name.id == name
    if isinstance(node, ast.Import | ast.ImportFrom):
        return any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names)
    return False


def _binds(target: ast.expr, name: str) -> bool:
    if isinstance(target, ast.Name):
        return target.id == name
    if isinstance(target, ast.Tuple | ast.List):
        return any(_binds(element, name) for element in target.elts)
    return False


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """Return the module an ``ImportFrom`` reads from, made absolute."""
    if not node.level:
        return str(node.module)
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    base = ".".join(parts[:keep])
    return f"{base}.{node.module}" if node.module else base


def _original(node: ast.ImportFrom, name: str) -> str:
    for alias in node.names:
        if (alias.asname or alias.name) == name:
            return alias.name
    return name


# --- deprecation reports -------------------------------------------------------------------


def _strings(node: ast.AST) -> str:
    """Return the literal text in a node (f-string parts included), joined."""
    texts = [
        sub.value
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
    ]
    return " ".join(" ".join(texts).split())


def _name_of(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _breaks_in(call: ast.Call) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "breaks_in_ha_version":
            return _strings(keyword.value) or "?"
    found = [
        arg.value
        for arg in call.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and VERSION.match(arg.value)
    ]
    return found[0] if found else None


def _is_deprecation(call: ast.Call) -> bool:
    name = _name_of(call.func)
    if name in REPORTERS or name in DEFINERS:
        return True
    if any(
        keyword.arg == "breaks_in_ha_version"
        and isinstance(keyword.value, ast.Constant)
        and isinstance(keyword.value.value, str)
        for keyword in call.keywords
    ):
        return True  # a literal release: not one passed through
    return name == "warn" and "DeprecationWarning" in ast.dump(call)


def _sites(
    tree: ast.AST,
    scope: str = "",
    params: frozenset[str] = frozenset(),
    guards: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, ast.Call, frozenset[str]]]:
    """(qualified scope, call, guarding parameters) for every deprecation call under ``tree``.

    The guarding parameters are those of the enclosing function that an enclosing ``if``
    tests (``if run_immediately is not UNDEFINED:``): the report needs them passed.
    """
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            inner = f"{scope}.{node.name}" if scope else node.name
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and _is_deprecation(decorator):
                    yield inner, decorator, frozenset()
            names = _parameters(node) if not isinstance(node, ast.ClassDef) else frozenset()
            yield from _sites(node, inner, names, frozenset())
        elif isinstance(node, ast.Call) and _is_deprecation(node):
            yield scope, node, guards
            yield from _sites(node, scope, params, guards)
        elif isinstance(node, ast.If):
            tested = {sub.id for sub in ast.walk(node.test) if isinstance(sub, ast.Name)}
            inner_guards = guards | (tested & params)
            yield from _sites(node.test, scope, params, guards)
            for child in node.body:
                yield from _sites(
                    ast.Module(body=[child], type_ignores=[]), scope, params, inner_guards
                )
            for child in node.orelse:
                yield from _sites(ast.Module(body=[child], type_ignores=[]), scope, params, guards)
        else:
            yield from _sites(node, scope, params, guards)


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    arguments = node.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    return frozenset(arg.arg for arg in every if arg.arg not in ("self", "cls", "hass"))


def _applies(guards: frozenset[str], passed: set[str]) -> bool:
    """Whether a report guarded by ``guards`` can be reached with the keywords we pass."""
    return not guards or bool(guards & passed)


def _tables(tree: ast.Module) -> Iterator[tuple[int, str, str, str]]:
    """(line, table, key, text) of module-level ``_DEPRECATED_*`` dict entries."""
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        if not (isinstance(target, ast.Name) and "DEPRECATED" in target.id):
            continue
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield node.lineno, target.id, key.value, _strings(item)


@dataclass
class Check:
    """The outcome: names missing from the release, and the deprecations we meet."""

    version: str
    missing: list[Use] = field(default_factory=list)
    reports: dict[Report, set[str]] = field(default_factory=dict)
    checked: int = 0


def check(source: Source, usage: Usage) -> Check:
    """Every name of ``usage`` looked up in ``source``, and the deprecations on our paths."""
    result = Check(source.version())
    used_objects: dict[str, set[str]] = {}  # "module.name" -> where
    modules: dict[str, set[str]] = {}  # module -> where
    for use in sorted(usage.names, key=lambda use: (use.module, use.name or "", use.where)):
        result.checked += 1
        if use.name is None:
            if source.file(use.module) is None:
                result.missing.append(use)
            continue
        if source.lookup(use.module, use.name) is not None:
            used_objects.setdefault(_joined(use.module, use.name), set()).add(use.where)
            if source.file(use.module) is not None:
                modules.setdefault(use.module, set()).add(use.where)
        elif (found := source.definition(use.module, f"_DEPRECATED_{use.name}")) is not None:
            line = getattr(found[1], "lineno", 0)
            text = f"{use.name} is a deprecated constant: {_strings(found[1])}"
            report = Report(source.relative(found[0]), line, use.module, text, None)
            result.reports.setdefault(report, set()).add(use.where)
        else:
            result.missing.append(use)
    _object_reports(source, usage, used_objects, result)
    _module_reports(source, usage, modules, result)
    return result


def _object_reports(source: Source, usage: Usage, used: dict[str, set[str]], result: Check) -> None:
    """Report inside the functions and classes we use (their methods we define or call)."""
    for qualified, wheres in used.items():
        module, _, name = qualified.rpartition(".")
        found = source.lookup(module, name)
        if found is None:
            continue
        path, node = found
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        # The methods on our path: those our subclasses use, else any name we use.
        methods = usage.subclassed.get((module, name), usage.attributes)
        for scope, call, guards in _sites(ast.Module(body=[node], type_ignores=[])):
            method = scope.split(".")[1] if "." in scope else None
            passed = usage.keywords.get((module, name), set())
            if method is not None:
                passed = usage.method_keywords.get(method, set())
            if not _applies(guards, passed):
                continue
            if method is None or method in LIFECYCLE or method in methods:
                report = Report(
                    source.relative(path), call.lineno, scope, _strings(call), _breaks_in(call)
                )
                result.reports.setdefault(report, set()).update(wheres)


def _module_reports(
    source: Source, usage: Usage, modules: dict[str, set[str]], result: Check
) -> None:
    """Report anywhere in a module we import from that name what we use or pass."""
    for module, wheres in modules.items():
        path = source.file(module)
        tree = source.tree(path)
        if path is None or tree is None:
            continue
        ours = {use.name for use in usage.names if use.module == module and use.name}
        keywords = set().union(
            *(names for (owner, _), names in usage.keywords.items() if owner == module)
        )
        subclassed = {name for owner, name in usage.subclassed if owner == module}
        for scope, call, guards in _sites(tree):
            text = _strings(call)
            # A method of a class of the module, called by name on an instance we got
            # from it (``dr.async_get(hass).async_get_device(...)``); the classes we
            # subclass are looked at more closely by ``_object_reports``.
            owner, _, method = scope.partition(".")
            called = (
                method in usage.calls
                and "." not in method
                and method not in LIFECYCLE
                and owner not in subclassed
                and _applies(guards, usage.method_keywords.get(method, set()))
            )
            if set(BACKQUOTED.findall(text)) & keywords or _defined_name(call) in ours or called:
                report = Report(source.relative(path), call.lineno, scope, text, _breaks_in(call))
                result.reports.setdefault(report, set()).update(wheres)
        for line, table, key, text in _tables(tree):
            if key in keywords or key in ours:
                report = Report(source.relative(path), line, table, f"{key}: {text}", None)
                result.reports.setdefault(report, set()).update(wheres)


def _defined_name(call: ast.Call) -> str | None:
    """Return the constant a ``DeprecatedConstant(...)`` assignment stands for (its new name)."""
    if _name_of(call.func) in DEFINERS and len(call.args) > 1:
        second = call.args[1]
        if isinstance(second, ast.Constant) and isinstance(second.value, str):
            return second.value
    return None


# --- getting the release -------------------------------------------------------------------


def download(version: str | None, into: Path) -> Path:
    """Return the ``homeassistant`` wheel from PyPI (newest, or ``version``), not installed."""
    wanted = f"{HA}=={version}" if version else HA
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.99",  # any release, whatever Python it requires
        "--dest",
        str(into),
        wanted,
    ]
    subprocess.run(command, check=True)
    return next(into.glob(f"{HA}-*.whl"))


def unpack(wheel: Path, into: Path) -> Path:
    """Return the ``homeassistant`` package of a wheel, unpacked under ``into``."""
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith(f"{HA}/")]
        archive.extractall(into, members)
    return into


def render(result: Check, usage: Usage) -> str:
    """Return the report, as printed."""
    lines = [f"Home Assistant {result.version}"]
    if result.missing:
        lines.append(f"Missing names ({len(result.missing)} of {result.checked} uses):")
        lines += [f"  {_joined(use.module, use.name)}  ({use.where})" for use in result.missing]
    else:
        lines.append(f"Every homeassistant.* name we use exists ({result.checked} uses).")
    if result.reports:
        lines.append(f"Deprecations on our code paths ({len(result.reports)}):")
        for report, wheres in sorted(result.reports.items(), key=lambda item: str(item[0])):
            lines.append(f"  {report}")
            lines.append(f"    used at {', '.join(sorted(wheres)[:3])}")
    else:
        lines.append("No deprecation report on our code paths.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Download (or take) a release, check it, print the report; 1 when something's found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", nargs="?", help="a release (default: the newest on PyPI)")
    given = parser.add_mutually_exclusive_group()
    given.add_argument("--source", type=Path, help="a folder holding the homeassistant package")
    given.add_argument("--wheel", type=Path, help="a homeassistant wheel file")
    parser.add_argument("--integration", type=Path, default=INTEGRATION, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    usage = integration_usage(args.integration)
    with tempfile.TemporaryDirectory() as temp:
        if args.source is not None:
            root = args.source
        else:
            try:
                wheel = args.wheel or download(args.version, Path(temp))
            except (subprocess.CalledProcessError, StopIteration):
                print("Could not download the homeassistant wheel.", file=sys.stderr)
                return 2
            try:
                root = unpack(wheel, Path(temp) / "unpacked")
            except (OSError, zipfile.BadZipFile) as err:
                print(f"Can't read {wheel}: {err}", file=sys.stderr)
                return 2
        if not (root / HA).is_dir():
            print(f"No {HA} package in {root}.", file=sys.stderr)
            return 2
        result = check(Source(root), usage)
    print(render(result, usage))
    return 1 if result.missing or result.reports else 0


if __name__ == "__main__":
    sys.exit(main())
