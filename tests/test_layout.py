"""The package's structure holds (DESIGN.md, layout version 3).

Rooms cut by idea: module size with a stated reason above 500 lines, one-way imports between
stages, no cycles (imports inside functions included), no module importing another module's
private names, no `# fmt: skip` squeezing, module names that say what they hold, and a test file
for every module.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "hftp"
TESTS = Path(__file__).resolve().parent
MAX_LINES = 800
#: above this many lines, the module docstring must say why the module is one idea
EXPLAIN_LINES = 500
STAGES = ("stimuli", "models", "spectral", "tagging", "brain", "rsa", "plot", "datasets", "apps")
#: stage → stages it may never import
FORBIDDEN = {
    "spectral": ("models", "brain", "tagging", "rsa", "plot", "apps", "datasets", "stimuli"),
    "tagging": ("models", "brain", "rsa", "apps", "datasets"),
    "rsa": ("models", "brain", "apps", "datasets"),
    "stimuli": ("models", "brain", "tagging", "rsa", "apps", "datasets"),
    "models": ("brain", "tagging", "rsa", "apps", "datasets"),
    "brain": ("models", "tagging", "rsa", "apps", "datasets"),
    "plot": ("models", "apps", "datasets"),
    "io": ("models", "brain", "tagging", "rsa", "plot", "apps", "datasets"),
    "_validation": ("spectral", "models", "brain", "tagging", "rsa", "plot", "apps", "datasets"),
    "_version": STAGES + ("io", "_validation"),
}
#: third-party packages a stage never imports (the container stays light)
FORBIDDEN_THIRD_PARTY = {"spectral": ("torch", "mne", "transformers")}
#: module names that say nothing about what they hold
VAGUE_NAMES = {"core", "base", "utils", "util", "misc", "helpers", "common", "stuff"}


def _modules() -> dict[str, Path]:
    out = {}
    for f in PKG.rglob("*.py"):
        parts = list(f.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path, mods: dict[str, Path]) -> set[str]:
    """Every hftp module ``path`` imports, anywhere in the file (functions included)."""
    found = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hftp"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("hftp"))
    return {m for m in found if m in mods}


def _stage(mod: str) -> str:
    return mod.split(".")[1] if mod.count(".") else ""


def test_no_module_over_the_limit_and_long_ones_say_why():
    bad = []
    for mod, f in _modules().items():
        n = len(f.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            bad.append(f"{mod}: {n} lines (over {MAX_LINES}: cut it where its ideas divide)")
        elif n > EXPLAIN_LINES:
            doc = ast.get_docstring(_tree(f)) or ""
            if "one idea" not in doc.lower():
                bad.append(
                    f"{mod}: {n} lines; its docstring must say why it is one idea "
                    "(a sentence with 'one idea')"
                )
    assert not bad, "\n".join(bad)


def test_imports_run_one_way():
    mods = _modules()
    bad = []
    for mod, f in mods.items():
        for dep in _imports(f, mods):
            if _stage(dep) in FORBIDDEN.get(_stage(mod), ()):
                bad.append(f"{mod} imports {dep}")
            if mod == "hftp":  # the top level only names the subpackages, lazily
                continue
            if _stage(dep) in ("apps", "datasets") and _stage(mod) not in ("apps", _stage(dep)):
                bad.append(f"{mod} imports {dep}")
    assert not bad, "\n".join(bad)


def test_stages_never_import_the_package_face():
    """``from hftp import x`` is allowed only for a subpackage or module, never for a public name
    (the face imports the stages, so a stage importing the face is a cycle in disguise)."""
    mods = _modules()
    bad = []
    for mod, f in mods.items():
        if mod == "hftp":
            continue
        for node in ast.walk(_tree(f)):
            if isinstance(node, ast.ImportFrom) and node.module == "hftp":
                bad += [
                    f"{mod}: from hftp import {a.name}"
                    for a in node.names
                    if f"hftp.{a.name}" not in mods
                ]
    assert not bad, "\n".join(bad)


def test_third_party_imports_stay_out_of_light_stages():
    bad = []
    for mod, f in _modules().items():
        banned = FORBIDDEN_THIRD_PARTY.get(_stage(mod), ())
        for node in ast.walk(_tree(f)):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            bad += [f"{mod} imports {n}" for n in names if n.split(".")[0] in banned]
    assert not bad, "\n".join(bad)


def test_no_import_cycles():
    """Between modules (a package's __init__ re-exports are edges too), imports inside functions
    included."""
    mods = _modules()
    graph = {m: {d for d in _imports(f, mods) if d != m} for m, f in mods.items()}
    # a module importing its own package's __init__ is how subpackages are entered, not a cycle
    for m in graph:
        graph[m] = {d for d in graph[m] if not m.startswith(d + ".")}
    state: dict[str, int] = {}
    cycles = []

    def visit(u, stack):
        state[u] = 1
        stack.append(u)
        for v in sorted(graph[u]):
            if state.get(v) == 1:
                cycles.append(" -> ".join([*stack[stack.index(v) :], v]))
            elif v not in state:
                visit(v, stack)
        stack.pop()
        state[u] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    assert not cycles, "\n".join(cycles)


def test_no_module_imports_another_modules_private_names():
    """A helper two modules need is public in the module that owns the idea."""
    mods = _modules()
    bad = []
    for mod, f in mods.items():
        for node in ast.walk(_tree(f)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hftp"):
                if node.module == mod:
                    continue
                for a in node.names:
                    private = a.name.startswith("_") and not a.name.startswith("__")
                    if private and f"{node.module}.{a.name}" not in mods:
                        bad.append(f"{mod}: from {node.module} import {a.name}")
    assert not bad, "\n".join(bad)


def test_no_fmt_skip_squeezing():
    """`# fmt: skip` is allowed only on a line whose comment says it is a table."""
    bad = []
    for mod, f in _modules().items():
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if "# fmt: skip" in line and "table" not in line.lower():
                bad.append(f"{mod}:{i}")
    assert not bad, "lines squeezed with `# fmt: skip`:\n" + "\n".join(bad)


def test_module_names_say_what_they_hold():
    mods = _modules()
    bad = []
    for mod, f in mods.items():
        stem = mod.rsplit(".", 1)[-1]
        if f.name == "__init__.py":
            continue
        if stem in VAGUE_NAMES:
            bad.append(f"{mod}: a vague module name")
        exported = _all(f)
        tree = _tree(f)
        funcs = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        if stem in exported and stem in funcs:
            bad.append(f"{mod}: shares its name with the function it exports")
    assert not bad, "\n".join(bad)


def _all(path: Path) -> list[str]:
    for node in _tree(path).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            try:
                return list(ast.literal_eval(node.value))
            except ValueError:
                return []
    return []


@pytest.mark.parametrize("room", STAGES)
def test_every_stage_is_a_subpackage(room):
    assert (PKG / room / "__init__.py").is_file()


def _expected_test_file(f: Path) -> Path:
    rel = f.relative_to(PKG)
    stem = rel.stem.lstrip("_")
    return TESTS.joinpath(*rel.parent.parts, f"test_{stem}.py")


def test_every_module_has_its_own_test_file():
    missing = []
    for f in sorted(PKG.rglob("*.py")):
        if f.name.startswith("__") or "testing" in f.relative_to(PKG).parts[:1]:
            continue
        want = _expected_test_file(f)
        if not want.is_file():
            missing.append(f"{f.relative_to(PKG.parent)} -> {want.relative_to(TESTS.parent)}")
    assert not missing, "modules without their own test file:\n" + "\n".join(missing)


def test_module_docstrings_describe_today():
    bad = []
    for mod, f in _modules().items():
        doc = ast.get_docstring(_tree(f))
        if not doc:
            bad.append(f"{mod}: no module docstring")
        elif re.search(r"split (out )?from|hftp 0\.1's|moved from", doc, re.IGNORECASE):
            bad.append(f"{mod}: the docstring tells history, not what the module holds")
    assert not bad, "\n".join(bad)
