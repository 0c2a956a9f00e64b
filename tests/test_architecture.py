"""The house rules of docs/architecture.md, checked on the source: each folder imports only
folders below it, no import circles between modules, no module reads another's private names,
and the wheel's package list names every folder."""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# lowest first: a folder may import its own modules and any folder before it
FLOORS = ["core", "schema", "ingest", "normalize", "extract", "pipeline", "outputs", "bench", "cli"]
TOP = {"__init__", "__main__"}  # the public API and `python -m kehoach` sit above everything


def source_modules() -> dict[str, Path]:
    """Given nothing, return {dotted name below kehoach: file} for every package module."""
    found = {"cli": ROOT / "cli.py", "__init__": ROOT / "__init__.py", "__main__": ROOT / "__main__.py"}
    for folder in FLOORS[:-1]:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = source_modules()


def package_of(name: str, path: Path) -> list[str]:
    parts = name.split(".") if name not in TOP else []
    return parts if path.name == "__init__.py" and name not in TOP else parts[:-1]


def imports_of(name: str) -> list[tuple[str, list[str], int]]:
    """Given a module, return (imported module below kehoach, names taken, line) per import."""
    path = MODULES[name]
    tree = ast.parse(path.read_text("utf-8"))
    pkg = package_of(name, path)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - (node.level - 1)] if node.level > 1 else pkg
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("kehoach"):
                target = node.module.removeprefix("kehoach").lstrip(".")
            else:
                continue
            for alias in node.names:  # `from . import units` imports a module
                sub = f"{target}.{alias.name}" if target else alias.name
                if sub in MODULES:
                    out.append((sub, [], node.lineno))
                else:
                    out.append((target, [alias.name], node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("kehoach."):
                    out.append((alias.name.removeprefix("kehoach."), [], node.lineno))
    return out


def floor(name: str) -> int:
    if name in TOP or name == "":
        return len(FLOORS)
    return FLOORS.index(name.split(".")[0])


def test_every_module_has_a_floor():
    strays = [n for n in MODULES if n not in TOP and n.split(".")[0] not in FLOORS]
    assert not strays


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n not in TOP))
def test_imports_only_its_floor_or_below(name):
    upward = [f"line {line}: {target}" for target, _, line in imports_of(name)
              if floor(target) > floor(name)]
    assert not upward, f"{name} imports a floor above it: {upward}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_private_names_read_across_modules(name):
    private = [f"line {line}: {target}.{n}" for target, names, line in imports_of(name)
               for n in names if n.startswith("_") and not n.startswith("__") and target != name]
    assert not private, f"{name} reads private names of other modules: {private}"


def module_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        targets = set()
        for target, _, _ in imports_of(name):
            while target and target not in MODULES:  # `from .x import name` of a package
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
        graph[name] = targets
    return graph


def test_no_import_circles():
    graph = module_graph()
    # a package's __init__ re-exporting its modules is not a circle with them
    def edges(n):
        return {t for t in graph[n] if not (MODULES[t].name == "__init__.py" and n.startswith(t + "."))}
    index, low, stack, on, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v); on.add(v)
        for w in edges(v):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"import circles: {cycles}"


def test_wheel_lists_every_package_folder():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {"kehoach"} | {"kehoach." + ".".join(p.parent.relative_to(ROOT).parts)
                             for f in FLOORS[:-1] for p in (ROOT / f).rglob("__init__.py")}
    assert listed == folders


def test_no_stage_folder_is_importable_at_top_level_from_the_package():
    """Inside the package every import of a sibling stage is relative or `kehoach.`: a bare
    `import extract` would pick up any module of that name on the user's path."""
    bare = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            mods = ([node.module] if isinstance(node, ast.ImportFrom) and not node.level and node.module
                    else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            bare += [f"{name}: {m}" for m in mods if m.split(".")[0] in FLOORS]
    assert not bare


def _guards_own_import(handler: ast.ExceptHandler, body: list[ast.stmt]) -> bool:
    names = [handler.type] if not isinstance(handler.type, ast.Tuple) else handler.type.elts
    catches = any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError") for n in names)
    own = any(isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").startswith("kehoach"))
              for stmt in body for n in ast.walk(stmt))
    return catches and own


def test_no_import_of_the_package_s_own_modules_is_guarded():
    """A broken install must fail loudly, not turn into a record that silently lacks a
    stage: ``except ImportError`` only around third-party imports (optional extras)."""
    guarded = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Try):
                guarded += [f"{name}: line {h.lineno}" for h in node.handlers
                            if _guards_own_import(h, node.body)]
    assert not guarded


# each external tool is wrapped by one module, which turns its failures into project errors
TOOL_MODULES = {"pytesseract": {"ingest.ocr"}, "pdfplumber": {"ingest.pdf_text"},
                "pdfminer": {"ingest.pdf_text"}, "docx": {"ingest.word"}}


@pytest.mark.parametrize("tool", sorted(TOOL_MODULES))
def test_each_tool_is_imported_by_its_one_wrapper(tool):
    users = set()
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            mods = ([node.module] if isinstance(node, ast.ImportFrom) and not node.level and node.module
                    else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if any(m.split(".")[0] == tool for m in mods):
                users.add(name)
    assert users == TOOL_MODULES[tool]


def test_the_folder_holding_the_clone_is_not_on_sys_path():
    """A sibling of the clone named like a dependency must not shadow it in the tests."""
    import sys

    assert str(ROOT.parent) not in sys.path
