"""The HTML report: figures embedded by relative path, numbers, methods from parameters, escaping."""

from __future__ import annotations

import html.parser

import matplotlib
import matplotlib.pyplot as plt
import pytest

from hftp import plot
from hftp.apps import report

matplotlib.use("Agg")

PARAMS = {
    "model": "SmolLM2-135M-Instruct",
    "seed": 7,
    "q": 0.05,
    "stimuli": {
        "language": "en",
        "designs": ["sentences", "within-shuffle", "random-words"],
        "n_sequences": 40,
        "unit_rate_hz": 4.0,
        "tagged_hz": {"sentence": 1.0, "phrase": 2.0},
    },
    "tagging": {
        "mode": "calibrated",
        "condition": "sentences",
        "control": "within-shuffle",
        "q": 0.05,
        "specificity": "permutation",
        "n_permutations": 1000,
    },
    "rsa": {
        "measure": "evoked",
        "brain_measure": "itc",
        "metric": "cosine",
        "comparison": "kendall",
        "n_permutations": 720,
        "permutation": "exact",
        "q_level": 0.05,
        "top_k": 100,
        "n_random": 20,
    },
}


class _Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.links = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a["src"])
        if tag == "a":
            self.links.append(a["href"])


def _figures(tmp_path):
    figdir = tmp_path / "figures"
    figdir.mkdir()
    out = {}
    for name in ("layer_profile", "alignment_simulated", "eeg_itpc_spectra"):
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([0, 1], [0, 1])
        out[name] = plot.save_figure(fig, figdir / name)
        plt.close(fig)
    return out


def test_methods_paragraph_reflects_parameters():
    text = report.methods_paragraph(PARAMS)
    for part in (
        "SmolLM2-135M-Instruct",
        "English",
        "sentences, within-shuffle, random-words",
        "40 sequences",
        "unit rate 4 Hz",
        "sentence 1 Hz, phrase 2 Hz",
        "calibrated mode",
        "against the control within-shuffle",
        "Benjamini–Hochberg FDR at q = 0.05",
        "cosine distance",
        "Kendall τ-a",
        "720 exact permutations",
        "top 100",
        "20 draws",
        "seed 7",
    ):
        assert part in text, part
    assert "simulated" not in text and "EEG (scalp)" not in text
    paper = report.methods_paragraph({"tagging": {"mode": "paper", "control": "within-shuffle"}})
    assert "no multiple-comparison correction" in paper


def test_methods_paragraph_labels_data_sources():
    text = report.methods_paragraph({"simulated_seeg": True, "eeg_scalp": True})
    assert "(simulated)" in text and "EEG (scalp)" in text and "Burroughs" in text
    with pytest.raises(TypeError, match="params"):
        report.methods_paragraph(["model"])


def test_build_report_embeds_figures_numbers_and_citations(tmp_path):
    figs = _figures(tmp_path)
    numbers = {
        "best_layer": 12,
        "S": 0.41234567,
        "eeg_scalp": {"phrase_rate_itpc_by_condition": {"anan": 0.31, "avav": 0.12}},
        "untrained_fraction_tagged": {"phrase": 0.02},
    }
    path = report.build_report(tmp_path, figs, numbers, PARAMS, notes="All good.")
    assert path == tmp_path / "report.html"
    page = path.read_text()
    p = _Collect()
    p.feed(page)
    assert p.imgs == [f"figures/{n}.png" for n in figs]
    assert {f"figures/{n}.svg" for n in figs} <= set(p.links)
    assert all((tmp_path / src).is_file() for src in p.imgs)
    # shown at half the pixel width of the 200-dpi PNG (its printed size), never upscaled
    px = int.from_bytes((tmp_path / p.imgs[0]).read_bytes()[16:20], "big")
    assert f'<img src="figures/layer_profile.png" width="{px // 2}"' in page
    assert "EEG ITPC spectra" in page
    assert "0.4123" in page and "12" in page and "anan" in page
    assert "Burroughs, Kazanina &amp; Houghton (2021)" in page
    assert "arXiv:2510.13255" in page and "Nature Neuroscience 19:158" in page
    assert 'class="badge sim">simulated' in page and 'class="badge eeg">EEG (scalp)' in page
    assert "Brain data (simulated)" in page  # inferred from the figure names
    assert "Baseline: an untrained copy" in page  # inferred from the numbers
    assert "All good." in page
    assert not list(tmp_path.glob(".*.part"))


def test_build_report_escapes_everything(tmp_path):
    figs = _figures(tmp_path)
    evil = "<script>alert(1)</script>"
    bad = {"model": evil, "tagging": {"mode": "calibrated", "control": '"x" & <y>'}}
    page = report.build_report(
        tmp_path, {"a<b": figs["layer_profile"]}, {evil: evil}, bad, notes=[evil], title=evil
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
