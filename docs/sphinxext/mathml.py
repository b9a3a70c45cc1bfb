"""Render math as MathML at build time (latex2mathml), so that pages show it without JavaScript.

Sphinx's default, MathJax, typesets math in the reader's browser from a CDN: a site opened
offline (a local build, a headless check) shows raw TeX. Browsers render MathML natively, so this
renderer converts each formula once, when the site is built, with no network.
"""

from __future__ import annotations

from docutils import nodes
from latex2mathml.converter import convert


def _inline(self, node):
    self.body.append(f'<span class="math">{convert(node.astext(), display="inline")}</span>')
    raise nodes.SkipNode


def _block(self, node):
    latex = node["latex"] if "latex" in node else node.astext()
    number = node.get("number")
    self.body.append(self.starttag(node, "div", CLASS="math-block"))
    if number:
        self.body.append(f'<span class="eqno">({number})</span>')
    for part in latex.split("\n\n"):  # Sphinx: blank lines separate equations
        self.body.append(convert(part.strip(), display="block"))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    """Register the ``mathml`` HTML math renderer (``html_math_renderer = "mathml"``)."""
    app.add_html_math_renderer("mathml", (_inline, None), (_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
