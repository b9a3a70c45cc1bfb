"""Write the API reference pages from each package's ``__all__``, at build time.

``docs/conf.py`` calls :func:`write_api_pages` before Sphinx reads the sources, so the lists of
documented names cannot drift from the code: a name added to an ``__all__`` gets its page on the
next build, and a name removed loses it. Each public function and class gets one page
(autosummary stubs under ``api/generated/``); constants and registries are documented inline on
their package's page with the ``#:`` comment that describes them in the source.

A name that is also part of the top-level API (``hftp.find_tagged`` is
``hftp.tagging.find_tagged``) has one page, under its top-level name; :func:`alias_map` tells
conf.py's ``missing-reference`` handler where every other spelling of it points.
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from pathlib import Path

# (package, title, what it holds); the order of the API reference, which is the pipeline's.
PACKAGES: list[tuple[str, str, str]] = [
    ("hftp", "hftp (top level)", "The names most analyses need, grouped by stage."),
    ("hftp.stimuli", "hftp.stimuli", "Stage 1: frequency-tagged stimulus streams."),
    ("hftp.models", "hftp.models", "Stage 2: language models and their MLP neurons."),
    ("hftp.brain", "hftp.brain", "Stage 2 for brains: recordings into the same Spectra."),
    ("hftp.spectral", "hftp.spectral", "The Spectra container, its bins and measures."),
    ("hftp.tagging", "hftp.tagging", "Stage 3: which channels follow the tagged rates."),
    ("hftp.rsa", "hftp.rsa", "Stage 4: model–brain alignment by RSA."),
    ("hftp.plot", "hftp.plot", "The figures."),
    ("hftp.io", "hftp.io", "Files: save, load, provenance, atomic writes."),
    ("hftp.datasets", "hftp.datasets", "Public data sets: the eeg-phrases adapter and the fetcher."),
    ("hftp.testing", "hftp.testing", "Tiny models and simulated data for tests and examples."),
]

# Where a package has no __all__ of its own, the submodules whose __all__ make its public face.
SUBMODULES = {"hftp.datasets": ["hftp.datasets.eeg_phrases", "hftp.datasets.fetch"]}

# The top-level page groups its names by the stage (subpackage) that defines them.
STAGE_TITLES = {
    "stimuli": "Stimuli",
    "models": "Models",
    "spectral": "Spectra",
    "tagging": "Tagging",
    "brain": "Brain recordings",
    "rsa": "Alignment (RSA)",
    "io": "Files",
    "_validation": "Errors",
}


def _get(mod, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(mod, name)


def _kind(obj) -> str:
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def public_names(package: str) -> list[tuple[str, object, str]]:
    """(module the name is public in, object, name) for every name a package makes public.

    Parameters
    ----------
    package : str
        A dotted package name from :data:`PACKAGES`.

    Returns
    -------
    list of tuple
        ``(public_module, obj, name)`` in ``__all__`` order, submodules and ``__version__``
        left out.
    """
    modules = SUBMODULES.get(package, [package])
    out = []
    for modname in modules:
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", []):
            obj = _get(mod, name)
            if name.startswith("__") or inspect.ismodule(obj):
                continue
            out.append((modname, obj, name))
    return out


def _top_level() -> dict[int, str]:
    """id(obj) → name for the objects of the top-level API."""
    return {id(obj): name for _, obj, name in public_names("hftp") if _kind(obj) != "data"}


def canonical(public_module: str, obj, name: str, top: dict[int, str]) -> str:
    """The one documented path of a public object: ``hftp.NAME`` where it is top level."""
    if _kind(obj) != "data" and id(obj) in top:
        return f"hftp.{top[id(obj)]}"
    return f"{public_module}.{name}"


def alias_map() -> dict[str, str]:
    """Every other path of a documented object → its documented path.

    Returns
    -------
    dict of str to str
        Keys such as ``hftp.tagging.find_tagged`` and ``hftp.tagging.pipeline.find_tagged``,
        values such as ``hftp.find_tagged``.
    """
    top = _top_level()
    out: dict[str, str] = {}
    for package, _, _ in PACKAGES:
        for modname, obj, name in public_names(package):
            target = canonical(modname, obj, name, top)
            keys = {f"{modname}.{name}", f"{package}.{name}"}
            if _kind(obj) != "data" and getattr(obj, "__module__", None):
                keys.add(f"{obj.__module__}.{obj.__qualname__}")
            for key in keys - {target}:
                out.setdefault(key, target)
    return out


def _first_sentence(text: str | None) -> str:
    para = " ".join((text or "").strip().split("\n\n")[0].split())
    return para[:-1] if para.endswith("::") else para  # no literal block in a table cell


def _data_doc(obj, name: str, public_module: str) -> str:
    """The ``#:`` comment of a constant, from the module that defines it."""
    from sphinx.pycode import ModuleAnalyzer

    pkg = importlib.import_module(public_module)
    candidates = [public_module]
    path = getattr(pkg, "__path__", None)
    if path:
        import pkgutil

        candidates += [f"{public_module}.{m.name}" for m in pkgutil.iter_modules(path)]
    for modname in candidates:
        try:
            mod = importlib.import_module(modname)
        except Exception:  # noqa: BLE001 - an optional dependency missing: no doc from there
            continue
        if getattr(mod, name, None) is not obj:
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # noqa: BLE001
            continue
        lines = docs.get(("", name))
        if lines:
            return "\n".join(line for line in lines).strip()
    return ""


def _autosummary(entries: list[str]) -> list[str]:
    lines = [".. autosummary::", "   :toctree: generated/", "   :nosignatures:", ""]
    lines += [f"   {e}" for e in entries]
    return lines + [""]


def _heading(text: str, char: str) -> list[str]:
    return [text, char * len(text), ""]


def _package_page(package: str, title: str, blurb: str, top: dict[int, str]) -> str:
    names = public_names(package)
    lines = [
        f".. This page is generated by docs/sphinxext/api_pages.py from {package}'s __all__:",
        "   edit the code, not this file.",
        "",
        *_heading(title, "="),
        f".. automodule:: {package}",
        "   :no-members:",
        "",
    ]
    if package == "hftp":
        groups: dict[str, list[str]] = {}
        for modname, obj, name in names:
            mod = getattr(obj, "__module__", "") or ""
            stage = mod.split(".")[1] if mod.count(".") >= 1 else "io"
            groups.setdefault(stage, []).append(canonical(modname, obj, name, top))
        order = [s for s in STAGE_TITLES if s in groups] + [s for s in groups if s not in STAGE_TITLES]
        lines += [".. currentmodule:: hftp", ""]
        for stage in order:
            lines += _heading(STAGE_TITLES.get(stage, stage), "-")
            lines += _autosummary([p.split(".", 1)[1] for p in groups[stage]])
        return "\n".join(lines)

    top_level: list[str] = []
    callables: dict[str, list[str]] = {}
    data = []
    for modname, obj, name in names:
        if _kind(obj) == "data":
            data.append((modname, obj, name))
            continue
        path = canonical(modname, obj, name, top)
        if path.count(".") == 1:  # documented once, as hftp.NAME
            top_level.append(path.split(".")[1])
        else:
            key = (modname, getattr(obj, "__module__", modname))
            callables.setdefault(key, []).append(name)
    if top_level:
        lines += _heading("In the top-level API", "-")
        lines += [
            f"These names of ``{package}`` are also top-level names (``hftp.NAME``) and are",
            "documented under that name.",
            "",
            ".. currentmodule:: hftp",
            "",
        ]
        lines += _autosummary(top_level)
    if callables:
        lines += _heading("More functions and classes" if top_level else "Functions and classes", "-")
        for (public, mod), entries in callables.items():
            doc = _first_sentence(importlib.import_module(mod).__doc__)
            lines += _heading(f"{mod}", "~")
            if doc:
                lines += [doc, ""]
            lines += [f".. currentmodule:: {public}", ""]
            lines += _autosummary(entries)
    mods = submodules(package)
    if mods:
        lines += _heading("Modules", "-")
        lines += [
            "Each module's page holds its docstring: what it computes and why (the reasons",
            "behind the defaults, with the simulations that chose them).",
            "",
            ".. list-table::",
            "   :widths: 35 65",
            "",
        ]
        for m in mods:
            doc = _first_sentence(importlib.import_module(m).__doc__) or " "
            lines += [f"   * - :doc:`{m} <modules/{m}>`", f"     - {doc}"]
        lines += ["", ".. toctree::", "   :hidden:", "", *[f"   modules/{m}" for m in mods], ""]
    if data:
        lines += _heading("Constants and registries", "-")
        lines += [f".. currentmodule:: {package}", ""]
        for modname, obj, name in data:
            if modname != package:
                lines += [f".. currentmodule:: {modname}", ""]
            lines += [f".. py:data:: {name}", f"   :type: {type(obj).__name__}", ""]
            doc = _data_doc(obj, name, modname)
            if doc:
                lines += ["   " + line if line else "" for line in doc.splitlines()]
                lines += [""]
            if isinstance(obj, dict) and obj:
                keys = ", ".join(f"``{k}``" for k in list(obj)[:30])
                more = f" (and {len(obj) - 30} more)" if len(obj) > 30 else ""
                lines += [f"   Keys: {keys}{more}.", ""]
            elif isinstance(obj, str | int | float | tuple) and len(repr(obj)) < 200:
                lines += [f"   Value: ``{obj!r}``", ""]
    return "\n".join(lines)


def submodules(package: str) -> list[str]:
    """The public submodules of a package (no ``_private`` ones), recursively, sorted.

    Parameters
    ----------
    package : str
        A dotted package name.

    Returns
    -------
    list of str
        Dotted module names; empty for a plain module.
    """
    import pkgutil

    mod = importlib.import_module(package)
    path = getattr(mod, "__path__", None)
    if not path:
        return []
    out = []
    for info in pkgutil.iter_modules(path):
        if info.name.startswith("_"):
            continue
        name = f"{package}.{info.name}"
        out.append(name)
        if info.ispkg:
            out += submodules(name)
    return sorted(out)


def _module_page(modname: str, top: dict[int, str]) -> str:
    """A page for one module: its docstring (the reasons behind its code) and its public names."""
    mod = importlib.import_module(modname)
    lines = [
        ".. This page is generated by docs/sphinxext/api_pages.py: edit the module's docstring.",
        "",
        *_heading(modname, "="),
        f".. automodule:: {modname}",
        "   :no-members:",
        "",
    ]
    names = [n for n in getattr(mod, "__all__", []) if not n.startswith("__")]
    documented = []
    for name in names:
        obj = _get(mod, name)
        if inspect.ismodule(obj):
            continue
        path = _DOCUMENTED.get(id(obj)) if _kind(obj) != "data" else None
        if path:
            documented.append(f"- :obj:`{path}`")
    if documented:
        lines += _heading("Public names documented in the API reference", "^")
        lines += documented + [""]
    return "\n".join(lines)


_DOCUMENTED: dict[int, str] = {}


def write_api_pages(api_dir: str | Path) -> list[str]:
    """Write ``api/<package>.rst`` for every package of :data:`PACKAGES`.

    Parameters
    ----------
    api_dir : path
        The ``docs/api`` folder.

    Returns
    -------
    list of str
        The page names written, in order (for the API index's toctree).
    """
    api_dir = Path(api_dir)
    api_dir.mkdir(parents=True, exist_ok=True)
    top = _top_level()
    _DOCUMENTED.clear()
    for package, _, _ in PACKAGES:
        for modname, obj, name in public_names(package):
            if _kind(obj) != "data":
                _DOCUMENTED.setdefault(id(obj), canonical(modname, obj, name, top))
    mod_dir = api_dir / "modules"
    mod_dir.mkdir(exist_ok=True)
    module_pages = []
    for package, _, _ in PACKAGES:
        if package == "hftp":  # its subpackages have their own pages
            continue
        for modname in submodules(package):
            text = _module_page(modname, top)
            page = mod_dir / f"{modname}.rst"
            if not page.exists() or page.read_text() != text:
                page.write_text(text)
            module_pages.append(modname)
    for old in mod_dir.glob("*.rst"):
        if old.stem not in module_pages:
            old.unlink()
    written = []
    for package, title, blurb in PACKAGES:
        text = _package_page(package, title, blurb, top)
        page = api_dir / f"{package}.rst"
        if not page.exists() or page.read_text() != text:  # unchanged pages keep their mtime
            page.write_text(text)
        written.append(package)
    index = [
        ".. This page is generated by docs/sphinxext/api_pages.py: edit the code, not this file.",
        "",
        ".. _api:",
        "",
        *_heading("API reference", "="),
        "Every public name of hftp, one page each, generated from each package's ``__all__``.",
        "Start with the top-level API: it holds the names most analyses need. The packages",
        "follow in the order of the pipeline.",
        "",
        ".. list-table::",
        "   :widths: 25 75",
        "",
    ]
    for package, _title, blurb in PACKAGES:
        index += [f"   * - :doc:`{package}`", f"     - {blurb}"]
    index += ["", ".. toctree::", "   :hidden:", "", *[f"   {p}" for p in written], ""]
    text = "\n".join(index)
    page = api_dir / "index.rst"
    if not page.exists() or page.read_text() != text:
        page.write_text(text)
    _remove_stale_stubs(api_dir / "generated", top)
    return written


def _remove_stale_stubs(folder: Path, top: dict[int, str]) -> None:
    """Remove autosummary stubs of names that are no longer public (renamed or removed)."""
    keep = set()
    for package, _, _ in PACKAGES:
        for modname, obj, name in public_names(package):
            if _kind(obj) != "data":
                keep.add(canonical(modname, obj, name, top))
    for stub in folder.glob("*.rst") if folder.is_dir() else []:
        if stub.stem not in keep:
            stub.unlink()


def documented_records() -> list[str]:
    """The documented paths of the records whose docstring lists every field as an Attribute.

    Returns
    -------
    list of str
        Paths such as ``hftp.StimulusSet`` (and the module path of each), for the dataclasses
        and NamedTuples of the public API whose ``Attributes`` section names every parameter
        of their constructor.
    """
    import dataclasses

    from numpydoc.docscrape import ClassDoc

    top = _top_level()
    out = []
    for package, _, _ in PACKAGES:
        for modname, obj, name in public_names(package):
            if not inspect.isclass(obj):
                continue
            is_record = dataclasses.is_dataclass(obj) or hasattr(obj, "_fields")
            if not is_record:
                continue
            try:
                params = [p for p in inspect.signature(obj).parameters if p != "self"]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    doc = ClassDoc(obj, config={"show_class_members": False})
            except (TypeError, ValueError):
                continue
            named = set()
            for section in ("Attributes", "Parameters"):
                for p in doc[section]:
                    named |= {n.strip().lstrip("*") for n in p.name.split(",")}
            if params and set(params) <= named:
                out += [canonical(modname, obj, name, top), f"{obj.__module__}.{obj.__qualname__}"]
    return sorted(set(out))
