"""The HTML report: findings → figures → methods → all numbers; links resolve; human labels only."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import pytest

from hftp.apps import report


class _Page(html.parser.HTMLParser):
    """Images, links, ids, visible text and the order of findings, figures and number tables."""

    def __init__(self):
        super().__init__()
        self.imgs, self.links, self.ids, self.text = [], [], set(), []
        self.events: list[str] = []  # "finding", "figure", "table" in document order
        self._skip = 0
        self._in_findings = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag == "img":
            self.imgs.append(a["src"])
        if tag == "a":
            self.links.append(a["href"])
        if tag == "ol" and "findings" in (a.get("class") or ""):
            self._in_findings = True
        if tag == "li" and self._in_findings:
            self.events.append("finding")
        if tag == "figure":
            self.events.append("figure")
        if tag == "details":
            self.events.append("table")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag == "ol":
            self._in_findings = False

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(self.text)


def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text())
    return p


def _keys(d) -> set[str]:
    out = set()
    if isinstance(d, dict):
        for k, v in d.items():
            out.add(str(k))
            out |= _keys(v)
    return out


def _assert_resolves(page: _Page, root: Path) -> None:
    for ref in page.imgs:  # figures are embedded: the page alone is complete
        assert ref.startswith("data:image/"), ref[:40]
    for ref in page.links:
        if ref.startswith("#"):
            assert ref[1:] in page.ids, f"anchor {ref} has no target"
        else:
            assert not re.match(r"^[a-z]+:", ref), f"absolute URL {ref}"
            assert (root / ref).is_file(), f"{ref} does not resolve from {root}"


def test_report_order_links_and_labels(tmp_path, figures, numbers, params):
    (tmp_path / "summary.json").write_text("{}")
    path = report.build_report(tmp_path, figures, numbers, params, notes="All good.")
    assert path == tmp_path / "report.html"
    page = _parse(path)
    # every image and link resolves (files relative to the report, anchors to ids)
    _assert_resolves(page, tmp_path)
    import base64

    embedded = [base64.b64decode(ref.split(",", 1)[1]) for ref in page.imgs]
    assert embedded == [(tmp_path / f"figures/{n}.png").read_bytes() for n in figures]
    assert {f"figures/{n}.svg" for n in figures} <= set(page.links)
    assert "summary.json" in page.links
    assert any(link.startswith("#fig-") for link in page.links)
    # findings first, then figures, then the number tables
    ev = page.events
    assert ev.count("finding") >= 8 and ev.count("figure") == len(figures) and "table" in ev
    last = {k: max(i for i, e in enumerate(ev) if e == k) for k in set(ev)}
    first = {k: min(i for i, e in enumerate(ev) if e == k) for k in set(ev)}
    assert last["finding"] < first["figure"] and last["figure"] < first["table"]
    # no raw snake_case key of the numbers or parameters is visible
    text = page.visible
    for key in _keys(numbers) | _keys(params):
        if "_" in key and key != "IFG_L":
            assert not re.search(rf"(?<![\w.{{]){re.escape(key)}(?!\w)", text), key
    assert "IFG_L" in text  # data values are shown as they are
    # a list of 30 numbers is a small table, never one cell
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", path.read_text())
    assert cells and max(c.count(",") for c in cells) < 4
    snr = numbers["eeg_scalp"]["model_phrase_snr_by_layer_condition"]["anan"]
    assert f'<td class="num">{snr[29]:.3g}</td>' in path.read_text()
    assert "All good." in text and "Burroughs, Kazanina & Houghton (2021)" in text
    # the methods, one paragraph per part, describe the parameters given
    methods = path.read_text().split('<section id="methods">')[1].split("<h2>")[1]
    assert methods.count('<p class="methods">') >= 5
    assert "one-sided Welch t-test" in methods and "720 exact permutations" in methods
    assert not list(tmp_path.glob(".*.part"))


def test_findings_are_sentences_labelled_and_linked(tmp_path, figures, numbers, params):
    page = report.build_report(tmp_path, figures, numbers, params).read_text()
    items = re.findall(r'<ol class="findings">(.*?)</ol>', page, re.S)[0].split("<li>")[1:]
    for it in items:
        assert re.search(r'class="badge (real|simulated)"', it), it
    by_text = "\n".join(items)
    # effect sizes, baselines, nulls and intervals in words
    assert "86.7% of the 46,080 MLP neurons of SmolLM2-135M-Instruct" in by_text
    assert "sentence (1 Hz) or phrase rate (2 Hz)" in by_text
    assert "training adds 86.2 percentage points" in by_text
    assert "within the FDR level q = 0.05" in by_text
    assert "95% CI 0.158 to 0.171, subject bootstrap" in by_text
    assert "720 exact permutations" in by_text
    assert "planted cell was recovered, though it is not significant at" in by_text
    assert "t(19) = 2.50" in by_text and "d_z = 0.56" in by_text
    # each labelled: model results real, simulator results simulated
    sim = [it for it in items if "simulated" in it.split("</span>")[0]]
    assert sim and all("sEEG" in it or "contacts" in it for it in sim)
    assert any("real · EEG (scalp)" in it for it in items)
    # each linked to its figure, by number
    assert '<a href="#fig-layer_profile">Fig. 1</a>' in items[0]
    assert '<a href="#fig-eeg_itpc_spectra">Fig. 8</a>' in by_text


def test_findings_without_figures_or_numbers(tmp_path, numbers, params):
    """No figure: no link (never a dangling anchor); no numbers: a plain note, no error."""
    page = report.build_report(tmp_path, {}, numbers, params)
    p = _parse(page)
    assert not [link for link in p.links if link.startswith("#")]
    empty = report.build_report(tmp_path, {}, {}, {}).read_text()
    assert "No finding could be stated" in empty and "No numbers were given" in empty


def test_figures_have_titles_captions_and_source_labels(tmp_path, figures, numbers, params):
    page = report.build_report(
        tmp_path, figures, numbers, params, captions={"tagged_spectra": "My caption."}
    ).read_text()
    px = int.from_bytes((tmp_path / "figures/layer_profile.png").read_bytes()[16:20], "big")
    assert re.search(rf'<img src="data:image/png;base64,[^"]+" width="{px // 2}"', page)
    assert "Figure 1. Tagged neurons per layer.</strong> Per-layer percentage" in page
    assert "Spectra of the most tagged neurons.</strong> My caption." in page
    fig = re.findall(r'<figure id="fig-alignment_simulated">.*?</figure>', page, re.S)[0]
    assert 'class="badge simulated">simulated · sEEG' in fig
    fig = re.findall(r'<figure id="fig-eeg_alignment">.*?</figure>', page, re.S)[0]
    assert 'class="badge real">real · EEG (scalp)' in fig


def test_numbers_use_context_labels_and_link_files(tmp_path, numbers, params):
    truth = tmp_path / "sim" / "ground_truth.json"
    truth.parent.mkdir()
    truth.write_text("{}")
    numbers["simulated_ground_truth"] = str(truth)
    page = report.build_report(tmp_path, {}, numbers, params).read_text()
    assert '<a href="sim/ground_truth.json">ground_truth.json</a>' in page
    null = re.findall(r"Null check: random words.*?</details>", page, re.S)[0]
    assert "Sentence rate</th>" in null and "only" not in null
    assert "Confidence interval of S (subject bootstrap)" in page and "0.158 to 0.171" in page
    # paired tests: one row per compared condition, one column per statistic
    assert "<th>avav</th>" in page and "p (one-sided Wilcoxon)" in page


def test_build_report_escapes_everything(tmp_path, figures):
    evil = "<script>alert(1)</script>"
    bad = {"model": evil, "tagging": {"mode": "calibrated", "control": '"x" & <y>'}}
    page = report.build_report(
        tmp_path, {"a<b": figures["layer_profile"]}, {evil: evil}, bad, notes=[evil], title=evil
    ).read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;x&quot; &amp; &lt;y&gt;" in page
    assert 'id="fig-a&lt;b"' in page


def test_build_report_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="figures"):
        report.build_report(tmp_path, {"x": tmp_path / "missing.png"}, {}, {})
    with pytest.raises(TypeError, match="figures"):
        report.build_report(tmp_path, {"x": 3}, {}, {})
    with pytest.raises(TypeError, match="numbers"):
        report.build_report(tmp_path, {}, [1, 2], {})
    with pytest.raises(TypeError, match="out_dir"):
        report.build_report(None, {}, {}, {})
    with pytest.raises(TypeError, match="labels"):
        report.build_report(tmp_path, {}, {}, {}, labels=["x"])
    with pytest.raises(TypeError, match="findings"):
        report.build_report(tmp_path, {}, {}, {}, findings=[len])
