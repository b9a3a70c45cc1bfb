"""``hftp report``: a report from saved files; unknown files and an existing report refused."""

from __future__ import annotations

import hftp
from hftp.apps.cli import app


def test_report_from_files(tmp_path, spectra_file, runner, summary):
    tagged = tmp_path / "tagged.nc"
    runner.invoke(
        app,
        ["tag", "--spectra", str(spectra_file), "--condition", "sentences", "--out", str(tagged)],
    )
    res = runner.invoke(
        app, ["report", str(spectra_file), str(tagged), "--out", str(tmp_path / "rep"), "--json"]
    )
    assert res.exit_code == 0, res.output
    html = (tmp_path / "rep" / "report.html").read_text()
    assert "data:image/png;base64," in html and "figures/tagged_profile.svg" in html
    assert 'src="figures/' not in html  # embedded: the page alone is complete
    assert (tmp_path / "rep" / "figures" / "tagged_profile.png").is_file()
    assert summary(res)["n_tagging"] == 1


def test_report_rejects_unknown_file(tmp_path, runner):
    import xarray as xr

    p = hftp.save(xr.Dataset({"a": ("x", [1.0])}), tmp_path / "other.nc")
    res = runner.invoke(app, ["report", str(p), "--out", str(tmp_path / "rep")])
    assert res.exit_code == 2
    assert "'files'" in res.output and "hftp probe" in res.output


def test_report_refuses_to_replace_a_report_without_overwrite(tmp_path, spectra_file, runner):
    rep = tmp_path / "rep"
    assert runner.invoke(app, ["report", str(spectra_file), "--out", str(rep)]).exit_code == 0
    res = runner.invoke(app, ["report", str(spectra_file), "--out", str(rep)])
    assert res.exit_code == 2 and "already holds a report.html" in res.output
    res = runner.invoke(app, ["report", str(spectra_file), "--out", str(rep), "--overwrite"])
    assert res.exit_code == 0, res.output
