"""The alignment of a model with a brain: :func:`align`, RSA of every model layer against every
brain channel, with the selection, the inference and the subjects of :mod:`hftp.rsa` put together.

The function is ``hftp.align``; this module holds it, the assembly of its result Dataset, and
:func:`alignment_summary`, the key numbers of that result. It is one idea (one function and the
record it returns) past 500 lines because ``align`` checks every input at the boundary, takes
the brain side as Spectra or as RDMs made elsewhere, and documents each choice; the steps
themselves live in the sibling modules.
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any

import numpy as np

from hftp._deprecate import renamed_kwarg
from hftp._provenance import brain_lineage, check_same_lineage
from hftp._validation import (
    InvalidValueError,
    check_fraction_open,
    check_int,
    check_option,
)
from hftp.rsa.comparison import COMPARISONS
from hftp.rsa.dissimilarity import METRICS, block_rdms, pair_coords
from hftp.rsa.exchange import as_brain_rdms, is_rdms, rdms_in_order
from hftp.rsa.features import (
    band_features,
    channel_blocks,
    channel_mask,
    check_band,
    check_rdm_spectra,
    default_band,
    group_labels,
    warn_empty_groups,
)
from hftp.rsa.inference import CORRECTIONS, run_inference
from hftp.rsa.selection import resolve_selection
from hftp.rsa.subjects import subject_inference

__all__ = ["align", "alignment_summary"]

logger = logging.getLogger("hftp")


def _match_conditions(model_spectra, brain_spectra) -> list[str]:
    m = [str(c) for c in model_spectra["condition"].values]
    b = [str(c) for c in brain_spectra["condition"].values]
    if set(m) != set(b) or len(m) != len(b):
        raise InvalidValueError(
            "Invalid value for 'brain_spectra': its conditions must match the model's by name. "
            f"model_spectra has {sorted(m)}; brain_spectra has {sorted(b)}. Only in the model: "
            f"{sorted(set(m) - set(b))}; only in the brain: {sorted(set(b) - set(m))}. Select or "
            "rename conditions so that both sets are equal."
        )
    return m


@renamed_kwarg(tagged="model_channels")
def align(
    model_spectra,
    brain_spectra,
    model_channels=None,
    *,
    verdict: str = "significant",
    measure: str = "evoked",
    brain_measure: str = "itc",
    metric: str = "cosine",
    comparison: str = "spearman",
    band: tuple[float, float] | None = None,
    top_k: int = 100,
    n_random: int = 100,
    n_boot: int = 1000,
    seed: int = 0,
    n_permutations: int | None = None,
    q: float = 0.05,
    ci: float = 0.95,
    correction: str = "maxT",
    selection: str | None = None,
    selection_spectra=None,
    subjects: str = "random-effect",
    n_flips: int | None = None,
    allow_mixed: bool = False,
):
    """RSA of every model layer against every brain channel, with permutation inference.

    Decisions (METHOD §6; see :mod:`hftp.rsa.selection` and :mod:`hftp.rsa.subjects`):

    - **Measures.** Model: evoked amplitude; brain: ITC. The model is deterministic given its
      input, so its trial-to-trial variation is stimulus content, and the evoked amplitude (the
      amplitude of the trial-averaged response) keeps the size of a neuron's locked response,
      which ITC discards (a neuron with a tiny but perfectly locked response has ITC 1). A brain
      channel's amplitude is dominated by its distance to the source, its reference and its
      impedance, none of which is syntax; ITC is scale-free and is what the frequency-tagging
      EEG/MEG literature reports. Both sides are scale-free within a channel after the RDM metric
      (cosine), so mixing the two measures compares the condition *profiles*, which is the
      question. Either can be changed; both are recorded in ``attrs``.
    - **Selection.** Neurons are selected on data independent of the RDMs (``selection``).
    - **Inference.** Family-wise (maxT) over layer × channel and layer × region by default.
    - **Subjects.** With several subjects, a random-effect analysis across subjects is added.

    Parameters
    ----------
    model_spectra : xarray.Dataset
        Model Spectra, dims ``(condition, layer, neuron, freq)``.
    brain_spectra : xarray.Dataset, xarray.DataArray or rsatoolbox.rdm.RDMs
        Brain Spectra, dims ``(condition, channel, freq)``; coords ``region``, ``hemisphere`` and
        ``subject`` on ``channel`` are used when present. Condition names must equal the model's
        (order may differ). Select channels beforehand (``.sel``/``.isel``) to restrict them.
        Or brain RDMs made elsewhere, dims ``(group, pair)``
        (:func:`hftp.rsa.exchange.read_rdm_csv` of a published matrix,
        :func:`hftp.rsa.exchange.from_rsatoolbox`), or an rsatoolbox ``RDMs`` itself: each
        RDM is then a brain "channel", compared as given (``brain_measure`` and ``metric`` do
        not apply to it), with the same permutation inference.
    model_channels : xarray.Dataset, xarray.DataArray or callable, optional
        The model neurons to use: ``hftp.find_tagged`` results (category not ``"none"``), a
        boolean mask over ``(layer, neuron)``, or a function ``spectra -> either`` that align
        applies to the selection data (e.g. ``lambda s: hftp.find_tagged(s, "sentences",
        "within-shuffle")`` for stimuli of the designs ``sentences`` and ``within-shuffle``).
        Default: all neurons (no random-neuron control). Called ``tagged`` before hftp 0.3 (the
        old keyword still works, with a FutureWarning).
    verdict : str
        Which neurons of a tagging result are used: ``"significant"`` (default; category not
        ``"none"``) or ``"selective"`` (tagged AND effect above δ: ``selective_category`` not
        ``"none"``, or the ``selective`` verdict at any level), or any other boolean verdict
        of the result by name (e.g. ``"replicated"``). See
        :func:`hftp.rsa.features.channel_mask`.
    measure, brain_measure : {"evoked", "itc", "amplitude", "power"}
        Spectral measures of the model (default ``"evoked"``) and the brain (default ``"itc"``).
    metric : {"cosine", "correlation", "euclidean"}
        RDM distance. Default ``"cosine"``.
    comparison : {"spearman", "kendall"}
        RDM comparison over the upper triangle: Spearman's rho or Kendall's tau-a.
    band : (float, float), optional
        Band in Hz for both sides. Default: 0.5 Hz to the model's highest tagged frequency.
    top_k : int
        Channels per layer in S(m,b). Default 100, capped at the number of channels.
    n_random : int
        Random-neuron draws (same count per layer as ``model_channels``). Default 100; 0 skips.
    n_boot : int
        Subject bootstrap resamples when several subjects exist. Default 1000; 0 skips.
    seed : int
        Seeds the sampled permutations, the random neurons and the bootstrap.
    n_permutations : int, optional
        Default: all n! relabelings when n <= 8 conditions, else 10000 sampled ones (the identity
        always included). A number below n! samples that many.
    q : float
        FDR level for ``significant``. Default 0.05.
    ci : float
        Confidence level of the bootstrap and of the group effect. Default 0.95.
    correction : {"maxT", "bh"}
        How ``significant`` (and ``{g}_significant``, ``group_significant``) correct for the many
        cells (``hftp.rsa.inference.CORRECTIONS``): ``"maxT"`` (default), family-wise error by
        the permutation maximum over the family's cells, which rejects with 720 permutations;
        ``"bh"``, Benjamini–Hochberg FDR (with 6 conditions it cannot reject over hundreds of
        cells). Both ``p_fwe`` and ``q`` are always returned.
    selection : {"split", "independent", "same-data"}, optional
        Where ``model_channels`` were selected (:mod:`hftp.rsa.selection`). Default: ``"split"``
        when ``model_spectra`` has a ``split`` dim (select on split 0, RDMs on split 1),
        ``"independent"`` when ``selection_spectra`` is given; with ``model_channels`` and
        neither, align refuses (same-data selection lets selection alone win the random-neuron
        control). ``"independent"`` alone asserts that ``model_channels`` came from other data;
        ``"same-data"`` accepts the bias by name.
    selection_spectra : xarray.Dataset, optional
        Model Spectra of the same design from independent trials (another stimulus seed), to
        select on. Random neurons are drawn from the neurons finite in it and in the RDM data.
    subjects : {"random-effect", "pooled"}
        With several subjects (a ``subject`` coord): ``"random-effect"`` (default) adds the
        across-subject analysis (``group_*``, ``noise_ceiling``; :mod:`hftp.rsa.subjects`);
        ``"pooled"`` adds the fixed-effect subject bootstrap of S instead.
    n_flips : int, optional
        Sign flips for the random-effect test. Default: all 2^n for n <= 12 subjects, else 10000.
    allow_mixed : bool
        Accept ``model_channels`` or ``selection_spectra`` from another model, stimulus set or
        schema than ``model_spectra`` (default False: refused, naming both provenances).

    Returns
    -------
    result : xarray.Dataset
        - ``rho``, ``p``, ``p_fwe``, ``q``, ``significant`` over ``(layer, channel)``: the
          comparison, its one-sided permutation p (P(null >= observed), identity included), the
          maxT family-wise p and BH q over layer × channel, and ``adjusted <= q`` by
          ``correction``; ``max_rho_null`` (permutation) holds the maxima. ``channel`` keeps the
          brain coords (``region``, ``hemisphere``, ``subject``, ``x``, ``y``, ``z``).
        - ``model_rdm`` (layer, pair), ``brain_rdm`` (channel, pair), ``n_neurons`` (layer).
        - ``S``, ``S_p``, ``S_null`` (permutation), ``S_null_mean`` and ``S_corrected`` (S minus
          its null mean: top-k makes S positive under the null); ``S_layer``, ``S_layer_p``.
        - Per region (dim ``regions``) and per hemisphere (dim ``hemispheres``), for ``g`` in
          ``region``/``hemisphere``: ``{g}_rho``, ``{g}_p``, ``{g}_p_fwe``, ``{g}_q`` and
          ``{g}_significant`` (layer × group: mean rho over the group's channels);
          ``S_{g}_null_mean``, ``S_{g}_corrected``; ``S_{g}``, ``S_{g}_p``, ``S_{g}_null``
          (S(m,b_r): the mean over layers of the mean of the group's channels among each layer's top k; layers where
          none of them is in the top k are skipped); ``S_layer_{g}`` and ``n_top_{g}``.
        - Random-neuron control (dim ``random``): ``random_S``, ``random_S_layer``, ``random_rho``,
          ``S_random_p``, ``S_layer_random_p``, ``rho_random_p`` ((1 + #random >= selected) /
          (1 + n_random)).
        - With several subjects (dim ``subjects``): ``S_subject`` (S within each subject).
          Random effect: ``subject_rho`` (subjects, layer, cell), ``group_rho``, ``group_t``,
          ``group_p``, ``group_p_fwe`` (maxT over layer × cell), ``group_significant``,
          ``group_ci`` (layer, cell, bound), ``group_n_subjects``, ``group_max_t_null`` (flip),
          ``noise_ceiling`` (cell, ceiling: lower, upper); a cell is a channel label shared by
          all subjects, else a region. Pooled: ``S_boot`` (boot), ``S_ci`` (bound).

        attrs record measure, brain_measure, metric, comparison, band, top_k, n_permutations,
        permutation ("exact"/"sampled"), correction, selection, subjects, seed and the others;
        ``tagged`` says whether all neurons or the selected ones built the model RDMs. The
        provenance of both sides travels with them: the model's (``model``, ``language``,
        ``stimulus_design``, ``stimulus_seed``) and the brain data's (``brain_source_kind``:
        ``"real"``, ``"simulated"`` or ``"unknown"``; ``brain_dataset``, ``brain_modality``,
        ``brain_source``).

    Examples
    --------
    A model and a brain whose first two conditions (of five: 120 relabelings) carry a
    sentence-rate response:

    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> conditions = ("a", "b", "c", "d", "e")
    >>> model_spectra = planted_spectra(  # 2 layers x 30 neurons
    ...     (2, 30), conditions=conditions, planted_in=("a", "b"), plant={"sentence": range(15)},
    ...     amplitude=0.5, seed=0)
    >>> brain_spectra = planted_spectra(  # 6 channels
    ...     (6,), conditions=conditions, planted_in=("a", "b"), plant={"sentence": [0, 1, 2]},
    ...     amplitude=0.5, seed=1)
    >>> result = hftp.align(model_spectra, brain_spectra, seed=0)
    >>> result["rho"].dims  # one Spearman rho per layer x channel
    ('layer', 'channel')
    >>> float(result["S"]) > float(result["S_null"].mean())
    True

    With a real model, select the tagged neurons on one half of the sequences and build the RDMs
    on the other (``brain``, a brain Spectra, must have the same conditions; with fewer than 4, no
    permutation p-value can fall below 0.05):

    >>> model, tokenizer = hftp.load_model()  # doctest: +SKIP
    >>> stim = hftp.make_stimuli(
    ...     "en", ["sentences", "within-shuffle", "random-words", "phrases"], n_sequences=40)
    >>> spectra = hftp.probe(model, tokenizer, stim, split=True)  # doctest: +SKIP
    >>> select = lambda s: hftp.find_tagged(s, "sentences", "within-shuffle")
    >>> result = hftp.align(spectra, brain, model_channels=select)  # doctest: +SKIP
    """
    from hftp.spectral.measures import MEASURES

    _check_lineage(model_spectra, model_channels, selection_spectra, allow_mixed)
    check_option("correction", correction, CORRECTIONS)
    check_option("subjects", subjects, ("random-effect", "pooled"))
    if n_flips is not None:
        n_flips = check_int("n_flips", n_flips, min_value=2)
    if selection_spectra is not None:
        check_rdm_spectra(selection_spectra, "selection_spectra")
    if "split" not in getattr(model_spectra, "dims", ()):
        check_rdm_spectra(model_spectra, "model_spectra")  # a clear error before selection
    prep = resolve_selection(
        model_spectra, model_channels, selection=selection, selection_spectra=selection_spectra
    )
    model_spectra, chosen = prep["rdm_spectra"], prep["model_channels"]
    mdims = check_rdm_spectra(model_spectra, "model_spectra")
    outside = is_rdms(brain_spectra)  # RDMs made elsewhere: rsatoolbox, a published CSV
    if outside:
        brain_spectra = as_brain_rdms(brain_spectra)
    bdims = ("channel",) if outside else check_rdm_spectra(brain_spectra, "brain_spectra")
    if "layer" not in mdims:
        raise InvalidValueError(
            f"Invalid value for 'model_spectra': expected channel dims (layer, neuron); got {mdims}. "
            "Pass the model's Spectra first and the brain's second."
        )
    if bdims != ("channel",):
        raise InvalidValueError(
            f"Invalid value for 'brain_spectra': expected channel dims (channel,); got {bdims}. "
            "Pass the model's Spectra first and the brain's second."
        )
    for name, value in (("measure", measure), ("brain_measure", brain_measure)):
        check_option(name, value, MEASURES)
    check_option("metric", metric, METRICS)
    check_option("comparison", comparison, COMPARISONS)
    top_k = check_int("top_k", top_k, min_value=1)
    n_random = check_int("n_random", n_random, min_value=0)
    n_boot = check_int("n_boot", n_boot, min_value=0)
    seed = check_int("seed", seed, min_value=0)
    if n_permutations is not None:
        n_permutations = check_int("n_permutations", n_permutations, min_value=2)
    q = check_fraction_open("q", q)
    ci = check_fraction_open("ci", ci)
    if outside:
        conditions = [str(c) for c in model_spectra["condition"].values]
        given_rdm = rdms_in_order(brain_spectra, conditions)
    else:
        conditions = _match_conditions(model_spectra, brain_spectra)
        brain_spectra = brain_spectra.sel(condition=conditions)
    model_band = brain_band = None
    if band is None:
        model_band = default_band(model_spectra, *(() if outside else (brain_spectra,)))
        brain_band = model_band
    else:
        model_band = brain_band = check_band(band)

    # model: per-layer blocks; brain: one group per channel
    labels = group_labels(model_spectra, "layer", mdims)
    mblocks = channel_blocks(
        band_features(model_spectra, measure, model_band, "model_spectra"), labels
    )
    mask = channel_mask(chosen, model_spectra, mdims, name="model_channels", verdict=verdict)
    pool = np.ones_like(mask)
    if prep["selection_spectra"] is not None and chosen is not None:
        sel_vals = band_features(
            prep["selection_spectra"], measure, model_band, "selection_spectra"
        )
        if sel_vals.shape[1] != mask.size:
            raise InvalidValueError(
                f"Invalid value for 'selection_spectra': expected the model's {mask.size} neurons; "
                f"got {sel_vals.shape[1]}. Probe the same model and layers."
            )
        pool = np.isfinite(sel_vals).all(axis=(0, 2))
    mblocks = mblocks._replace(valid=mblocks.valid & pool[mblocks.index])
    sel = mask[mblocks.index] & mblocks.valid
    counts = sel.sum(axis=-1)
    warn_empty_groups("layer", mblocks, counts)
    model_rdm = block_rdms(mblocks, sel.astype(float), metric)
    if outside:
        brain_rdm = given_rdm
    else:
        bvals = band_features(brain_spectra, brain_measure, brain_band, "brain_spectra")
        bblocks = channel_blocks(bvals, np.arange(bvals.shape[1]))
        bblocks = bblocks._replace(groups=np.asarray(brain_spectra["channel"].values))
        warn_empty_groups("channel", bblocks, bblocks.valid.sum(axis=-1))
        brain_rdm = block_rdms(bblocks, np.ones(bblocks.valid.shape), metric)

    n_perm_max = math.factorial(len(conditions))
    if n_perm_max * q < 1:
        warnings.warn(
            f"With {len(conditions)} conditions there are only {n_perm_max} relabelings, so no "
            f"permutation p can fall below 1/{n_perm_max} = {1 / n_perm_max:.3g} (q={q}). "
            "Add conditions (4 or more) for a test that can reach significance.",
            UserWarning,
            stacklevel=2,
        )
    k_eff = min(top_k, brain_spectra.sizes["channel"])
    if k_eff < top_k:
        logger.info("top_k=%d capped at the number of channels (%d).", top_k, k_eff)
    random_ok = chosen is not None and n_random > 0 and bool((counts < mblocks.valid.sum(-1)).any())
    if chosen is not None and n_random > 0 and not random_ok:
        logger.info("Random-neuron control skipped: every neuron of every layer is selected.")
    coords = {
        c: np.asarray(brain_spectra[c].values)
        for c in ("region", "hemisphere", "subject", "label")
        if c in brain_spectra.coords and brain_spectra[c].dims == ("channel",)
    }
    n_sub = np.unique(coords["subject"].astype(str)).size if "subject" in coords else 1
    random_effect = subjects == "random-effect" and n_sub > 1
    res = run_inference(
        model_rdm=model_rdm,
        brain_rdm=brain_rdm,
        comparison=comparison,
        n_conditions=len(conditions),
        n_permutations=n_permutations,
        top_k=k_eff,
        group_coords=coords,
        random={
            "rdm": lambda w: block_rdms(mblocks, w, metric),
            "counts": counts,
            "valid": mblocks.valid,
            "n": n_random,
        }
        if random_ok
        else None,
        n_boot=0 if random_effect else n_boot,
        ci=ci,
        q=q,
        seed=seed,
        correction=correction,
    )
    if random_effect:
        sub = subject_inference(
            model_rdm=model_rdm,
            brain_rdm=brain_rdm,
            coords=coords,
            channel_names=np.asarray(brain_spectra["channel"].values),
            comparison=comparison,
            correction=correction,
            n_flips=n_flips,
            ci=ci,
            q=q,
            seed=seed,
        )
        res["vars"].update(sub["vars"])
        res["coords"].update(sub["coords"])
        res["attrs"].update(sub["attrs"])
    else:
        res["attrs"]["subjects"] = "pooled" if n_sub > 1 else "single"
    return _assemble(
        res,
        model_spectra=model_spectra,
        brain_spectra=brain_spectra,
        model_rdm=model_rdm,
        brain_rdm=brain_rdm,
        counts=counts,
        layers=mblocks.groups,
        conditions=conditions,
        attrs={
            "kind": "alignment",
            "measure": measure,
            "brain_measure": brain_measure,
            "metric": metric,
            "comparison": comparison,
            "band": {"model": list(model_band), "brain": list(brain_band)},
            "top_k": k_eff,
            "top_k_requested": top_k,
            "n_random": n_random if random_ok else 0,
            "n_boot": n_boot,
            "seed": seed,
            "q_level": q,
            "ci_level": ci,
            "conditions": conditions,
            # brain_measure and the brain band do not apply to RDMs given from outside
            "brain_rdm_source": "given RDMs" if outside else "brain_spectra",
            "tagged": "all neurons" if chosen is None else "tagged neurons",
            "verdict": "none" if chosen is None else verdict,
            "selection": prep["selection"],
            "model": str(model_spectra.attrs.get("model", "")),
            **{
                k: str(model_spectra.attrs[k])
                for k in ("model_revision", "language", "stimulus_design", "stimulus_seed")
                if k in model_spectra.attrs
            },
            **brain_lineage(brain_spectra.attrs),
        },
    )


def _check_lineage(model_spectra, model_channels, selection_spectra, allow_mixed: bool) -> None:
    """Refuse model inputs made from different models, stimulus sets or schemas."""
    items = {"model_spectra": getattr(model_spectra, "attrs", {})}
    for name, obj in (("model_channels", model_channels), ("selection_spectra", selection_spectra)):
        if obj is not None and not callable(obj) and hasattr(obj, "attrs"):
            items[name] = obj.attrs
    parts = ("model", "schema")  # selection data may come from another stimulus seed
    check_same_lineage(items, allow_mixed=bool(allow_mixed), parts=parts, name="model_channels")


def _assemble(
    res: dict,
    *,
    model_spectra,
    brain_spectra,
    model_rdm,
    brain_rdm,
    counts,
    layers,
    conditions,
    attrs,
):
    import xarray as xr

    from hftp.io import provenance

    coords: dict[str, Any] = {"layer": layers, "channel": brain_spectra["channel"].values}
    for c in brain_spectra.coords:
        if c != "channel" and brain_spectra[c].dims == ("channel",):
            coords[c] = ("channel", brain_spectra[c].values)
    coords.update(pair_coords(conditions))
    for dim, values in res.pop("coords").items():
        coords[dim] = values
    data: dict[str, Any] = {
        "model_rdm": (("layer", "pair"), model_rdm),
        "brain_rdm": (("channel", "pair"), brain_rdm),
        "n_neurons": (("layer",), counts),
    }
    data.update(res.pop("vars"))
    attrs = {**attrs, **res.pop("attrs")}
    attrs.update(provenance())
    return xr.Dataset(data, coords=coords, attrs=attrs)


def alignment_summary(result) -> dict[str, Any]:
    """The key numbers of an :func:`hftp.align` result as a JSON-friendly dict.

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`hftp.align`.

    Returns
    -------
    summary : dict
        ``S``, ``S_p``, ``S_corrected`` (S − its null mean), ``best_layer`` (highest ``S_layer``) with its ``S_layer`` and p, the best
        layer × region cell (highest ``region_rho``) with its p and q when regions exist; with the
        random-effect analysis, the best layer × cell by group t (``group_best_*``: mean rho, CI,
        p, family-wise p, noise ceiling) and ``group_n_significant``; the count
        of significant layer × channel cells (``correction``, maxT by default), and, when present, ``S_random_p`` and
        ``S_ci``.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> conditions = ("a", "b", "c", "d", "e")
    >>> model_spectra = planted_spectra(  # 2 layers x 30 neurons
    ...     (2, 30), conditions=conditions, planted_in=("a", "b"), plant={"sentence": range(15)},
    ...     amplitude=0.5, seed=0)
    >>> brain_spectra = planted_spectra(  # 6 channels
    ...     (6,), conditions=conditions, planted_in=("a", "b"), plant={"sentence": [0, 1, 2]},
    ...     amplitude=0.5, seed=1)
    >>> summary = hftp.alignment_summary(hftp.align(model_spectra, brain_spectra, seed=0))
    >>> sorted(summary)[:5]
    ['S', 'S_corrected', 'S_null_mean', 'S_p', 'best_layer']
    """
    import xarray as xr

    from hftp._validation import check_type

    check_type("result", result, xr.Dataset, "an alignment result from hftp.align")
    if "rho" not in result or "S_layer" not in result:
        raise InvalidValueError(
            f"Invalid value for 'result': expected an alignment result from hftp.align; got a "
            f"Dataset with {sorted(result.data_vars)}."
        )

    def num(x) -> float | None:
        v = float(np.asarray(x))
        return v if np.isfinite(v) else None

    out: dict[str, Any] = {
        "S": num(result["S"]),
        "S_p": num(result["S_p"]),
        "n_permutations": int(result.attrs.get("n_permutations", 0)),
        "top_k": int(result.attrs.get("top_k", 0)),
        "n_significant": int(result["significant"].sum()),
        "correction": str(result.attrs.get("correction", "bh")),
        "q_level": float(result.attrs.get("q_level", 0.05)),
    }
    for key in ("S_corrected", "S_null_mean"):
        if key in result:
            out[key] = num(result[key])
    s_layer = np.asarray(result["S_layer"].values, dtype=float)
    if np.isfinite(s_layer).any():
        i = int(np.nanargmax(s_layer))
        out["best_layer"] = result["layer"].values[i].item()
        out["best_layer_S"] = num(s_layer[i])
        out["best_layer_p"] = num(result["S_layer_p"].values[i])
    if "region_rho" in result:
        r = np.asarray(result["region_rho"].values, dtype=float)
        if np.isfinite(r).any():
            li, ri = np.unravel_index(int(np.nanargmax(r)), r.shape)
            out["best_region_layer"] = result["layer"].values[li].item()
            out["best_region"] = str(result["regions"].values[ri])
            out["best_region_rho"] = num(r[li, ri])
            out["best_region_p"] = num(result["region_p"].values[li, ri])
            out["best_region_q"] = num(result["region_q"].values[li, ri])
            if "region_p_fwe" in result:
                out["best_region_p_fwe"] = num(result["region_p_fwe"].values[li, ri])
    if "S_random_p" in result:
        out["S_random_p"] = num(result["S_random_p"])
    if "S_ci" in result:
        out["S_ci"] = [num(v) for v in result["S_ci"].values]
    if "group_t" in result:
        t = np.asarray(result["group_t"].values, dtype=float)
        out["subjects"] = "random-effect"
        out["n_subjects"] = int(result.sizes["subjects"])
        out["cell_by"] = str(result.attrs.get("cell_by", ""))
        out["group_n_significant"] = int(result["group_significant"].sum())
        if np.isfinite(t).any():
            li, ci_ = np.unravel_index(int(np.nanargmax(t)), t.shape)
            out["group_best_layer"] = result["layer"].values[li].item()
            out["group_best_cell"] = str(result["cell"].values[ci_])
            out["group_best_rho"] = num(result["group_rho"].values[li, ci_])
            out["group_best_ci"] = [num(v) for v in result["group_ci"].values[li, ci_]]
            out["group_best_p"] = num(result["group_p"].values[li, ci_])
            out["group_best_p_fwe"] = num(result["group_p_fwe"].values[li, ci_])
            out["group_best_noise_ceiling"] = [num(v) for v in result["noise_ceiling"].values[ci_]]
    return out
