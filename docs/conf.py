"""Sphinx configuration of the hftp documentation site (``make docs`` → ``docs/_build/html``).

The build runs offline (no intersphinx: other projects are linked by plain URL) and with
``-W --keep-going``, so every warning fails it. Three things are generated at build time so that
they cannot drift from the code:

- the API reference pages, from each package's ``__all__`` (``sphinxext/api_pages.py``);
- the CLI reference, from the typer app's click tree (``sphinxext/cli_command.py``, sphinx-click);
- the example gallery, by running ``examples/*.py`` (sphinx-gallery).

The notebooks are rendered with the outputs they were committed with, never executed here.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "sphinxext"))

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from api_pages import alias_map, documented_records, write_api_pages  # noqa: E402
from cli_pages import write_cli_page  # noqa: E402
from copy_notebooks import copy_notebooks  # noqa: E402

from hftp._version import __version__  # noqa: E402

# -- project -------------------------------------------------------------------------------------

project = "hftp"
author = "The hftp developers"
copyright = "2025–2026, the hftp developers (BSD-3-Clause)"
release = __version__
version = ".".join(__version__.split(".")[:2])

# -- extensions ----------------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "mathml",  # sphinxext/mathml.py: math as MathML, rendered without JavaScript or network
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "across_models",  # the cross-model script's CSV results (docs/across_models.py)
    "auto_examples/*.ipynb",  # sphinx-gallery's notebook downloads, not pages
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "**.ipynb_checkpoints",
    "sg_execution_times.rst",  # sphinx-gallery's timing tables: build diagnostics, not pages
    "auto_examples/sg_execution_times.rst",
]
html_math_renderer = "mathml"
default_role = "py:obj"
nitpicky = False

# -- generated pages -----------------------------------------------------------------------------

write_api_pages(HERE / "api")
write_cli_page(HERE / "cli.rst")
copy_notebooks(ROOT / "notebooks", HERE / "notebooks")

# -- autodoc, autosummary, numpydoc ---------------------------------------------------------------

autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False, "inherited-members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections give the types
autodoc_member_order = "bysource"
add_module_names = True

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
# The build fails when a public function or class lacks a docstring (GL08), a one-line summary
# (SS01), a Parameters entry for one of its parameters (PR01) or a Returns section (RT01).
numpydoc_validation_checks = {"GL08", "SS01", "PR01", "RT01"}
numpydoc_validation_exclude = {
    r"\.__init__$",  # parameters are documented on the class
    r"\.__(call|repr|eq|hash|len|iter|getitem)__$",
    # the xarray accessor: users reach it as ``spectra.hftp``; xarray passes the Dataset
    r"^hftp\.spectral\.SpectraAccessor$",
}
# A generator documents what it yields: RT01 (which numpydoc derives from the source) does not
# apply to a docstring with a Yields section.
numpydoc_validation_overrides = {"RT01": [r"\n\s*Yields\n\s*-{3,}"]}
# A record (dataclass or NamedTuple) whose docstring lists every field under Attributes has
# documented its constructor's parameters: PR01 does not apply to it.
numpydoc_validation_exclude |= {rf"^{re.escape(name)}$" for name in documented_records()}

# -- sphinx-gallery ------------------------------------------------------------------------------

sphinx_gallery_conf = {
    # HFTP_DOCS_EXAMPLES: another folder of examples (a quick build of the pages alone)
    "examples_dirs": [os.environ.get("HFTP_DOCS_EXAMPLES", "../examples")],
    "gallery_dirs": ["auto_examples"],
    # every script runs (an example that is not named plot_*.py still runs); helper modules
    # named _*.py are imported by the examples, not shown.
    "filename_pattern": r"\.py$",
    "ignore_pattern": r"((^|[/\\])_[^/\\]*|__init__)\.py$",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("hftp",),
    "backreferences_dir": "api/generated/backreferences",
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
    "download_all_examples": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    # a figure's title or axes returned by the last line of a block is not output worth showing
    "ignore_repr_types": r"matplotlib[.](text|axes|axis|legend|figure|collections|lines|image)",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
}


def _remove_stale_gallery_pages(gallery: Path, examples: Path, ignore: str) -> None:
    """Remove the generated pages of examples that are gone (or now ignored): sphinx-gallery
    regenerates changed examples but never deletes, and a stale page would be an orphan."""
    if not gallery.is_dir():
        return
    for page in gallery.glob("*.rst"):
        if page.stem in ("index", "sg_execution_times"):
            continue
        source = examples / f"{page.stem}.py"
        if not source.is_file() or re.search(ignore, str(source)):
            for stale in gallery.glob(f"{page.stem}.*"):
                stale.unlink()


_remove_stale_gallery_pages(
    HERE / sphinx_gallery_conf["gallery_dirs"][0],
    (HERE / sphinx_gallery_conf["examples_dirs"][0]).resolve(),
    sphinx_gallery_conf["ignore_pattern"],
)

# -- myst-nb -------------------------------------------------------------------------------------

nb_execution_mode = "off"  # the notebooks are committed with their outputs (make notebooks)
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = [
    # tqdm progress widgets in the committed outputs have no static rendering; the text
    # fallback beside them is shown instead.
    "mystnb.unknown_mime_type",
]

# -- HTML ----------------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"hftp {release}"
html_static_path = ["_static"]
html_css_files = ["hftp.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
# pages without children of their own: no empty "Section Navigation" column
html_sidebars = {
    page: []
    for page in ("index", "getting_started", "cli", "glossary", "methods", "changelog", "citing",
                 "contributing", "notebooks")
}

# -- one page per object: other spellings of a documented name point to its page ----------------

_ALIASES = alias_map()


def _resolve_alias(app, env, node, contnode):
    """Resolve ``hftp.tagging.find_tagged`` (or ``find_tagged`` inside hftp.tagging) to the page
    of the one documented name, ``hftp.find_tagged``."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    module = node.get("py:module") or ""
    cls = node.get("py:class") or ""
    candidates = [target]
    if module:
        candidates += [f"{module}.{cls}.{target}" if cls else None, f"{module}.{target}"]
    domain = env.get_domain("py")
    for cand in filter(None, candidates):
        parts = cand.split(".")
        for cut in range(len(parts), 1, -1):  # the longest prefix that is an alias
            head = ".".join(parts[:cut])
            if head in _ALIASES:
                new = ".".join([_ALIASES[head], *parts[cut:]])
                typ = node.get("reftype", "obj")
                found = domain.resolve_xref(
                    env, node["refdoc"], app.builder, typ, new, node, contnode
                )
                if found is None and typ != "obj":
                    found = domain.resolve_xref(
                        env, node["refdoc"], app.builder, "obj", new, node, contnode
                    )
                if found is not None:
                    return found
    # a bare name (numpydoc's See Also, ``:func:`read_subjects``` in a module docstring): the one
    # documented hftp object of that name, if there is exactly one
    short = target.split(".")[-1]
    if target.count(".") <= 1 and not target.startswith("hftp."):
        matches = [
            name
            for name, obj in domain.objects.items()
            if name.startswith("hftp.") and name.rsplit(".", 1)[-1] == short
            and obj.objtype in ("function", "class", "data", "method", "attribute")
        ]
        if len(matches) == 1:
            typ = node.get("reftype", "obj")
            return domain.resolve_xref(
                env, node["refdoc"], app.builder, "obj", matches[0], node, contnode
            )
    return None


# Docstrings are written to read well in help() too, where |X| is an amplitude. In reST a bare
# |X| is a substitution reference, so such bars are escaped (outside ``literals`` and math).
_LITERAL = re.compile(r"(``[\s\S]+?``|:math:`[^`]*`|`[^`]*`)")
_BAR = re.compile(r"(?<=\S)\||\|(?=\S)")
# ``(*channels, freq)``: Python's star notation in a dims tuple, never emphasis
_STAR = re.compile(r"(?<=[(\[,] )\*(?=[A-Za-z_])|(?<=[(\[])\*(?=[A-Za-z_])")


def _escape_markup(app, what, name, obj, options, lines):
    """Escape the bars and stars of a docstring that reST would read as markup.

    The whole docstring is processed at once (a ``literal`` may span two lines) and the number of
    lines is kept, so that warnings still point at the right line.
    """
    text = "\n".join(lines)
    if "|" not in text and "*" not in text:
        return
    parts = _LITERAL.split(text)
    text = "".join(
        p if j % 2 else _STAR.sub(r"\\*", _BAR.sub(r"\\|", p)) for j, p in enumerate(parts)
    )
    lines[:] = text.split("\n")


def _guard_numpydoc_def_line():
    """numpydoc looks for the ``def`` line of an object's source and raises StopIteration (not
    the OSError it handles) when the source it finds has none, e.g. while a module is being
    rewritten on disk during a long build. The line only places a validation message."""
    from numpydoc.validate import Validator

    prop = Validator.source_file_def_line

    def source_file_def_line(self):
        try:
            return prop.fget(self)
        except StopIteration:
            return None

    Validator.source_file_def_line = property(source_file_def_line)


def setup(app):
    _guard_numpydoc_def_line()
    app.connect("missing-reference", _resolve_alias)
    app.connect("autodoc-process-docstring", _escape_markup, priority=100)
    # sphinx-gallery runs the examples in this process: their warnings are theirs to fix, and a
    # third-party deprecation must not fail the site.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
