"""The README's command-line block runs as written, in order, in a fresh folder.

Two things are swapped so that it runs in seconds, and only these:

- the model that ``--model default`` resolves to is a tiny random Llama (the real default,
  SmolLM2-135M, is exercised by the slow tests); the command line itself is unchanged;
- ``hftp demo`` (the whole pipeline on the real default model, minutes) is checked for its
  options with ``--help`` instead of being run; ``[--quick]`` is the README's optional flag.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hftp.apps.cli import app

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[list[str]]:
    """Every ``hftp ...`` line of the README's "Command line" bash block, as argv lists."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Command line\s+```bash\n(.*?)```", text, re.S)
    assert block, "the README has no 'Command line' bash block"
    lines = [ln.strip() for ln in block.group(1).splitlines() if ln.strip().startswith("hftp ")]
    return [shlex.split(ln)[1:] for ln in lines]


def test_readme_block_lists_every_command():
    names = [c[0] for c in readme_commands()]
    for cmd in ("stimuli", "probe", "tag", "ablate", "simulate-ieeg", "brain", "align", "report"):
        assert cmd in names, cmd
    assert "demo" in names


@pytest.mark.slow  # about a minute on 2 cores: 80 sequences through a model, a simulated BIDS set
def test_readme_commands_run_as_written(tmp_path, monkeypatch):
    import pandas as pd

    import hftp.models.load as load
    from hftp.stimuli.grammar import stimuli_dir
    from hftp.testing import tiny_tokenizer

    # a tokenizer that knows the English lexicon, about one token per word as in a real model
    # (a tokenizer of a few hundred bytes and merges would make every sequence several times longer)
    words = pd.read_csv(stimuli_dir() / "en" / "lexicon.tsv", sep="\t")["unit"].astype(str)
    tok = tiny_tokenizer([" ".join(words)] * 4, vocab_size=2000)
    real = load.load_model

    def fake_default(name=None, *a, **k):
        assert name is None, "--model default must mean the default model"
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM

        torch.manual_seed(0)
        size = dict(hidden_size=16, intermediate_size=24, num_hidden_layers=6)
        heads = dict(num_attention_heads=2, num_key_value_heads=1)
        tokens = dict(vocab_size=len(tok), pad_token_id=1, bos_token_id=0, eos_token_id=0)
        cfg = AutoConfig.for_model("llama", max_position_embeddings=4096, **size, **heads, **tokens)
        return AutoModelForCausalLM.from_config(cfg, dtype=torch.float32).eval(), tok

    monkeypatch.setattr(load, "load_model", fake_default)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for argv in readme_commands():
        if argv[0] == "demo":
            assert argv == ["demo", "--out", "hftp-demo", "[--quick]"]
            res = runner.invoke(app, ["demo", "--help"])
            assert res.exit_code == 0 and "--quick" in res.output and "--out" in res.output
            continue
        # stimuli: the Nyquist note of 2-unit phrases
        warns = {"stimuli": "Nyquist"}
        with pytest.warns(UserWarning, match=warns[argv[0]]) if argv[0] in warns else _nothing():
            res = runner.invoke(app, argv)
        assert res.exit_code == 0, (argv, res.output)
    assert (tmp_path / "report" / "report.html").is_file()
    assert real is not load.load_model


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def readme_api_calls() -> list[tuple[str, ast.Call]]:
    """Every call of an ``hftp.`` function in the README's python blocks: (dotted name, call)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    calls = []
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name.startswith("hftp."):
                    calls.append((name, node))
    return calls


def test_readme_python_examples_call_the_api_as_it_is():
    """Each ``hftp.*`` call of the README's python blocks names a real function and passes
    arguments its signature accepts (the blocks need weights and recordings to run)."""
    import inspect

    import hftp

    calls = readme_api_calls()
    assert len(calls) >= 10
    for name, call in calls:
        obj = hftp
        for part in name.split(".")[1:]:
            obj = getattr(obj, part, None)
            assert obj is not None, f"README calls {name}, which does not exist"
        sig = inspect.signature(obj)
        args = [None] * len(call.args)
        kwargs = {k.arg: None for k in call.keywords if k.arg is not None}
        try:
            sig.bind(*args, **kwargs)
        except TypeError as exc:
            pytest.fail(f"README's {ast.unparse(call)} does not fit {name}{sig}: {exc}")
