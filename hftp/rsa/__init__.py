"""Representational similarity between model layers and brain channels or regions (RSA).

The stage after tagging, one module per idea:

- :mod:`hftp.rsa.features`: feature vectors (a spectral measure over a band) and their
  per-channel sufficient statistics, shared by the RDMs and the alignment;
- :mod:`hftp.rsa.dissimilarity`: the distance metrics (``METRICS``) and :func:`rdms`;
- :mod:`hftp.rsa.comparison`: the rank comparisons of RDMs (``COMPARISONS``) and
  :func:`compare_rdms`;
- :mod:`hftp.rsa.inference`: condition-label permutations, S(m,b), maxT and BH, the
  random-neuron control and the subject bootstrap;
- :mod:`hftp.rsa.selection`: independent selection of the model neurons;
- :mod:`hftp.rsa.subjects`: subjects as a random effect, the noise ceiling;
- :mod:`hftp.rsa.alignment`: :func:`align`, which runs them all (also ``hftp.align``), and
  :func:`alignment_summary`, the key numbers of its result;
- :mod:`hftp.rsa.exchange`: RDMs to and from rsatoolbox (:func:`to_rsatoolbox`,
  :func:`from_rsatoolbox`) and from a CSV of a published matrix (:func:`read_rdm_csv`); such
  RDMs can be the brain side of :func:`align`.

Method (METHOD §6), the decisions a reviewer asks about:

- **Measures.** Model side evoked amplitude, brain side ITC (defaults). A model is deterministic,
  so its evoked amplitude keeps the size of a neuron's locked response (ITC would call a tiny
  but perfectly locked response maximal); a brain channel's amplitude mostly reflects distance,
  reference and impedance, while ITC is scale-free and is what frequency-tagging M/EEG reports.
  Both are recorded; either can be changed.
- **Independent selection.** Neurons are selected on data that do not build the RDMs: split 0
  of a Spectra with a ``split`` dim (RDMs on split 1), or ``selection_spectra`` (another stimulus
  seed). Same-data selection is refused unless named (``selection="same-data"``). Random
  neurons come from the same candidate pool, the same count per layer.
- **Family-wise inference.** maxT (Westfall–Young; Nichols & Holmes 2002) over layer × channel
  and over layer × region with the same condition permutations (all n! for n <= 8). It rejects
  with 6 conditions (720 permutations) where BH over hundreds of cells cannot; BH stays by name
  (``correction="bh"``).
- **Bias.** S(m,b) is a top-k mean, positive under the null; ``S_corrected`` = S − E_null[S]
  (and per region) is reported beside S and its null.
- **Subjects.** With several subjects, one comparison per subject and layer × cell (electrode
  label, or region where channels differ), a sign-flip test across subjects with maxT over
  cells, the group mean with a t CI and the noise ceiling (rsatoolbox; Nili et al. 2014). The
  pooled fixed-effect analysis stays by name (``subjects="pooled"``).
- **Items.** Where events say which stream each trial played (events.tsv ``item`` or
  ``stim_file``), RDMs can be over items (:func:`hftp.brain.item_epochs`,
  :func:`hftp.stimuli.by_item`); permutations of item labels are then sampled, identity
  included. eeg-phrases does not record that mapping (its stimulus file numbers do not match the
  trial codes), so its alignment is per condition.
"""

from hftp.rsa.alignment import align, alignment_summary
from hftp.rsa.comparison import COMPARISONS, compare_rdms
from hftp.rsa.dissimilarity import METRICS, rdms
from hftp.rsa.exchange import from_rsatoolbox, read_rdm_csv, to_rsatoolbox
from hftp.rsa.features import default_band

__all__ = [
    "rdms",
    "compare_rdms",
    "align",
    "alignment_summary",
    "to_rsatoolbox",
    "from_rsatoolbox",
    "read_rdm_csv",
    "METRICS",
    "COMPARISONS",
    "default_band",
]
