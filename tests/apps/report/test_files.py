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
