"""A report from saved result files: findings and methods come from the files' contents."""

from __future__ import annotations

import numpy as np

import hftp
from hftp.apps.report.files import KINDS, report_from_files


def _spectra(tmp_path, modality=None):
    """Model spectra (layer × neuron); brain spectra (channel) when ``modality`` is given."""
    rng = np.random.default_rng(1)
    t = np.arange(48) / 4.0
    shape, dims = ((12, 40), ("channel",)) if modality else ((12, 2, 20), ("layer", "neuron"))
    trials = {}
    for c, amp in (("sentences", 1.0), ("control", 0.0)):
        x = rng.normal(size=(*shape, 48))
        x[..., :5, :] += amp * np.cos(2 * np.pi * 1.0 * t)
        trials[c] = x
    s = hftp.make_spectra(
        trials,
        sfreq=4.0,
        tagged_hz={"sentence": 1.0},
        channel_dims=dims,
        kind="brain" if modality else "model",
    )
    if modality:
        s.attrs["modality"] = modality
    return s


def test_report_from_files_states_findings_and_real_parameters(tmp_path):
    spectra = _spectra(tmp_path)
    s_path = hftp.save(spectra, tmp_path / "model_spectra.nc")
    tagged = hftp.find_tagged(
        spectra,
        "sentences",
        "control",
        q=0.1,
        mode_params={"specificity": "permutation", "n_permutations": 300},
    )
    t_path = hftp.save(tagged, tmp_path / "tagged_run.nc")
    path, counts = report_from_files([s_path, t_path], tmp_path / "rep")
    page = path.read_text()
    assert counts == {"n_spectra": 1, "n_tagging": 1}
    found = page.split('<ol class="findings">')[1].split("</ol>")[0]
    assert "Tagged run: 25.0% of the 40 channels tagged (calibrated mode)" in found
    assert 'class="badge real">real · model' in found and 'href="#fig-tagged_run_profile"' in found
    methods = page.split('<section id="methods">')[1].split("<h2>Data and citation")[0]
    assert (
        "permutation test of condition labels over the pooled trials (300 permutations)" in methods
    )
    assert "q = 0.1" in methods and "Welch" not in methods
    assert "Stimuli: tagged rates: sentence 1 Hz." in methods
    assert "tagged_run" not in page.split("<body>")[1].replace('"#fig-tagged_run', "").replace(
        "figures/tagged_run", ""
    ).replace('id="fig-tagged_run', "")


def test_report_from_files_labels_simulated_results(tmp_path):
    spectra = _spectra(tmp_path, modality="iEEG (simulated)")
    tagged = hftp.find_tagged(spectra, "sentences")
    assert tagged.attrs["modality"] == "iEEG (simulated)"  # carried from the spectra
    t_path = hftp.save(tagged, tmp_path / "sim_tagged.nc")
    page = report_from_files([t_path], tmp_path / "rep")[0].read_text()
    found = page.split('<ol class="findings">')[1].split("</ol>")[0]
    assert 'class="badge simulated">simulated · iEEG (simulated)' in found
    # no layers in a brain result: no layer profile, and no link to one
    assert "<figure" not in page and "#fig-" not in page
    # the number table carries the finding's label, not one guessed from the name
    table = page.split('<section id="numbers">')[1]
    assert 'class="badge simulated">' in table and 'class="badge real">' not in table


def test_report_from_files_refuses_nothing_and_unknown_files(tmp_path):
    import pytest
    import xarray as xr

    assert set(KINDS) == {"spectra", "tagging", "alignment"}
    with pytest.raises(ValueError, match="'files'.*at least one"):
        report_from_files([], tmp_path / "rep")
    other = hftp.save(xr.Dataset({"a": ("x", [1.0])}), tmp_path / "other.nc")
    with pytest.raises(ValueError, match="'files'.*neither spectra"):
        report_from_files([other], tmp_path / "rep")


def test_brain_spectra_get_their_itpc_figure(tmp_path):
    s_path = hftp.save(_spectra(tmp_path, modality="EEG (scalp)"), tmp_path / "eeg.nc")
    path, counts = report_from_files([s_path], tmp_path / "rep")
    assert counts == {"n_spectra": 1}
    assert (tmp_path / "rep" / "figures" / "eeg_itpc.png").is_file()
    assert "data:image/png;base64," in path.read_text()


# ------------------------------------------------------------------------- issue 24


def _pair(seed=0, n_cond=4):
    """Model and brain Spectra of the same conditions (small, for alignments)."""
    rng = np.random.default_rng(seed)
    t = np.arange(48) / 4.0
    conds = [f"c{i}" for i in range(n_cond)]

    def spectra(shape, dims, kind):
        trials = {
            c: rng.normal(size=(6, *shape, 48)) + (i + 1) * np.cos(2 * np.pi * t)
            for i, c in enumerate(conds)
        }
        return hftp.make_spectra(
            trials, sfreq=4.0, tagged_hz={"sentence": 1.0}, channel_dims=dims, kind=kind
        )

    model = spectra((2, 5), ("layer", "neuron"), "model").assign_attrs(model="tiny")
    brain = spectra((6,), ("channel",), "brain")
    return model, brain


def _methods(page):
    return page.split('<section id="methods">')[1].split("<h2>Data and citation")[0]


def test_methods_findings_and_captions_follow_each_alignments_attrs(tmp_path):
    import re

    model, brain = _pair()
    sim = brain.assign_attrs(modality="iEEG (simulated)", source="/d/sim", dataset="sim set")
    real = brain.assign_attrs(source_kind="real", source="/d/rec.edf", dataset="my lab")
    a = hftp.align(model, sim, n_boot=0, n_permutations=24, correction="maxT")
    b = hftp.align(model, real, n_boot=0, n_permutations=24, correction="bh")
    pa = hftp.save(a, tmp_path / "simulated_run.nc")  # the names say nothing true:
    pb = hftp.save(b, tmp_path / "eeg_simulated.nc")  # the attrs decide
    page = report_from_files([pa, pb], tmp_path / "rep")[0].read_text()
    maxt, bh = "family-wise p &lt; 0.05 (maxT", "Benjamini–Hochberg FDR at q = 0.05"
    methods = _methods(page)
    assert maxt in methods and bh in methods
    assert "(simulated_run)" in methods and "(eeg_simulated)" in methods
    assert "Subject-level bootstrap" not in methods and "Burroughs" not in methods
    assert "simulated_run: iEEG (simulated), simulated, from sim set" in methods
    assert "eeg_simulated: brain data, real, from my lab" in methods
    found = page.split('<ol class="findings">')[1].split("</ol>")[0]
    assert f"significant at {maxt}" in found and f"significant at {bh}" in found
    figs = dict(re.findall(r'<figure id="fig-(\w+?)_heatmap">(.*?)</figure>', page, re.S))
    assert maxt in figs["simulated_run"] and bh in figs["eeg_simulated"]
    assert 'badge real">real' in figs["eeg_simulated"]
    assert 'badge simulated">simulated' in figs["simulated_run"]
    assert 'src="figures/' not in page


def test_results_of_two_models_are_refused_unless_allowed(tmp_path):
    import pytest

    model, _ = _pair()
    a = hftp.save(model, tmp_path / "a.nc")
    b = hftp.save(model.assign_attrs(model="other"), tmp_path / "b.nc")
    with pytest.raises(ValueError, match="different model.*'tiny'.*'other'.*allow_mixed"):
        report_from_files([a, b], tmp_path / "rep")
    assert not (tmp_path / "rep").exists()  # refused before anything is written
    path, summary = report_from_files([a, b], tmp_path / "rep", allow_mixed=True)
    assert summary["models"] == ["other", "tiny"]
    assert "Model: other and tiny." in _methods(path.read_text())


def test_the_report_writes_only_its_own_files_into_out(tmp_path):
    import pytest

    from hftp._paths import foreign_files

    model, _ = _pair()
    s = hftp.save(model, tmp_path / "spectra.nc")
    out = tmp_path / "shared"
    (out / "figures").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    (out / "figures" / "spectra_itpc.png").write_text("mine too")  # not a name the report uses
    report_from_files([s], out)
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(foreign_files(out)) == ["figures/spectra_itpc.png", "notes.txt"]
    with pytest.raises(ValueError, match="already holds a report.html.*overwrite"):
        report_from_files([s], out)
    report_from_files([s], out, overwrite=True)  # hftp's own report: replaced
    (out / "report.html").write_text("<p>the user's own page</p>")
    (out / ".hftp-manifest.json").unlink()
    with pytest.raises(ValueError, match="report.html that hftp did not write"):
        report_from_files([s], out, overwrite=True)
    assert (out / "report.html").read_text() == "<p>the user's own page</p>"
