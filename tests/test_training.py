"""`assistant train`: the shipped heads are what the corpus makes, and a retrain that is not says
which figure moved."""

import json
import shutil
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.cli.train_verbs import compare_metrics

ROOT = Path(__file__).resolve().parent.parent


def test_compare_metrics_names_every_figure_that_moved():
    shipped = {"date": "2026-01-01", "reply": {"no_blame": {"test": {"macro_f1": 0.80}}, "mode": "or"}}
    fresh = {"date": "2026-02-02", "reply": {"no_blame": {"test": {"macro_f1": 0.75}}, "mode": "head"}}
    assert compare_metrics(shipped, fresh) == [
        "reply.mode: shipped 'or', retrained 'head'",
        "reply.no_blame.test.macro_f1: shipped 0.8, retrained 0.75",
    ]
    assert compare_metrics(shipped, json.loads(json.dumps(shipped)) | {"date": "later"}) == []


def test_training_without_the_corpus_says_where_to_run_it(tmp_path, capsys):
    assert main(["train", "--corpus", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_heads(tmp_path, monkeypatch, capsys):
    """The whole training from the real corpus, in a temporary folder (several minutes)."""
    monkeypatch.chdir(ROOT)
    shipped = tmp_path / "shipped"
    shutil.copytree(ROOT / "assistant" / "heads" / "weights", shipped)
    code = main(["train", "--check", "--out", str(shipped)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "reproduces every figure" in out
