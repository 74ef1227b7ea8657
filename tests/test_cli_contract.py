"""The exit-code contract of ``graphcl``, one row per case: input -> exit code -> first line of stderr.

Bad input exits 2 with ``graphcl: error: <one line>`` (no traceback, no quotes around the
message) and, for ``train``, leaves no run folder behind; a real crash exits 1 with its traceback.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from graphcl.cli import main

REPO = Path(__file__).resolve().parents[1]
SHARED_ACM = Path("/work/shared/data/hgraph/acm")
ERROR = "graphcl: error: "

# (id, argv with {tmp} placeholders, exit code, text the first stderr line must contain)
CASES = [
    ("unknown-config", ["train", "hetero/nope"], 2, "no config file 'hetero/nope'"),
    ("unknown-key", ["config", "show", "hetero/meow_acm", "--set", "params.lrr=1"], 2, "unknown key(s) ['lrr']"),
    ("bad-value", ["train", "hetero/meow_acm", "--set", "params.train.epochs=0"], 2, "epochs must be >= 1"),
    ("duplicate-yaml-key", ["train", "{tmp}/dup.yaml"], 2, "duplicate key 'seed' (lines 4 and 5)"),
    ("unknown-model", ["train", "hetero/meow_acm", "--set", "model=meoow"], 2, "unknown model 'meoow'"),
    ("unknown-dataset", ["train", "hetero/meow_acm", "--set", "dataset=acn"], 2, "unknown dataset 'acn'"),
    (
        "rec-model-graph-data",
        ["train", "rec/sasrec_beauty", "--set", "dataset=acm"],
        2,
        "dataset 'acm' is a hetero dataset; rec model 'sasrec' trains on",
    ),
    (
        "graph-model-rec-data",
        ["train", "hetero/meow_acm", "--set", "dataset=beauty"],
        2,
        "dataset 'beauty' is a sequences dataset; hetero model 'meow' trains on",
    ),
    (
        "task-mismatch",
        ["train", "rec/sasrec_beauty", "--set", "task=hetero"],
        2,
        "task: 'hetero' does not match model 'sasrec', which is a 'rec' model",
    ),
    ("device-typo", ["train", "hetero/meow_acm", "--set", "device=gpu0"], 2, "device 'gpu0' is not a device"),
    (
        "unknown-metapath",
        ["train", "hetero/meow_acm", "--set", "params.model.metapaths=[PXP]"],
        2,
        "meta-path 'PXP' is not available on acm",
    ),
    (
        "nei_max-length",
        ["train", "hetero/meow_acm", "--set", "params.model.nei_max=[10,20,30]"],
        2,
        "nei_max has 3 entries but there are 2 meta-paths",
    ),
    (
        "adj_mask-length",
        ["train", "hetero/meow_acm", "--set", "params.model.adj_mask=[0.1,0.1,0.1]"],
        2,
        "adj_mask has 3 entries but there are 2 meta-paths",
    ),
    (
        "heco-sample-rate",
        [
            "train",
            "hetero/heco_acm",
            "--set",
            "params.model.schema_types=null",
            "--set",
            "params.model.sample_rate=[7]",
        ],
        2,
        "sample_rate [7] needs one entry per network-schema type",
    ),
    (
        "clusters-above-nodes",
        ["train", "hetero/meow_acm", "--set", "params.model.num_clusters=[100,5000]"],
        2,
        "num_clusters [5000] exceed the 4019 paper nodes of acm",
    ),
    (
        "inf-float",
        ["train", "hetero/meow_acm", "--set", "params.train.lr=.inf"],
        2,
        "params.train.lr: inf is not a finite number",
    ),
    (
        "nan-float",
        ["train", "hetero/meow_acm", "--set", "params.model.tau=.nan"],
        2,
        "params.model.tau: nan is not a finite number",
    ),
    ("out-dir-is-a-file", ["train", "hetero/meow_acm", "--out-dir", "{tmp}/file.txt"], 2, "is a file, not a folder"),
    (
        "params-null",
        ["train", "hetero/meow_acm", "--set", "params=null"],
        2,
        "override 'params=null' would drop every value of section 'params'",
    ),
    (
        "data-root-twice",
        ["train", "hetero/meow_acm", "--set", "data_root=/a", "--data-root", "/b"],
        2,
        "--set data_root=/a and --data-root /b both set data_root",
    ),
    (
        "out-dir-twice",
        ["train", "hetero/meow_acm", "--set", "out_dir=/a", "--out-dir", "/b"],
        2,
        "--set out_dir=/a and --out-dir /b both set out_dir",
    ),
    (
        "config-show-checks-too",
        ["config", "show", "hetero/meow_acm", "--set", "params.model.nei_max=[1,2,3]"],
        2,
        "nei_max has 3 entries",
    ),
    ("eval-missing-folder", ["eval", "{tmp}/no-such-run"], 2, "run folder {tmp}/no-such-run does not exist"),
    ("eval-not-a-run-folder", ["eval", "{tmp}"], 2, "is not a run folder (no config.yaml)"),
    (
        "corrupt-data",
        ["train", "hetero/meow_acm", "--data-root", "{tmp}/data"],
        2,
        "labels.npy of dataset 'acm' has 100 bytes, the registry expects 32280",
    ),
    ("unknown-dataset-verify", ["data", "verify", "acn"], 2, "unknown dataset 'acn'"),
]
if not torch.cuda.is_available():
    CASES.append(
        (
            "cuda-without-cuda",
            ["train", "hetero/meow_acm", "--set", "device=cuda"],
            2,
            "device 'cuda' requested but CUDA is not available",
        )
    )


def load_data_then_stop(run, run_dir, report=None):
    """Stands in for training: reads the data as training would, then stops the test (a bad
    input that got this far was not refused)."""
    from graphcl.data import load_hetero

    load_hetero(run.dataset, run.data_root)
    raise AssertionError("training started although the input is bad")


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A run folder parent, a file where a folder is expected, a YAML file with a key twice, and
    a data root whose ACM labels are truncated; training itself is replaced by a data read."""
    import graphcl.runner

    monkeypatch.setattr(graphcl.runner, "train_function", lambda model: load_data_then_stop)
    monkeypatch.chdir(tmp_path)  # a case that wrongly starts a run writes its folder here
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "file.txt").write_text("not a folder\n")
    (tmp_path / "dup.yaml").write_text("task: hetero\nmodel: meow\ndataset: acm\nseed: 0\nseed: 1\n")
    if SHARED_ACM.is_dir():
        acm = tmp_path / "data" / "hgraph" / "acm"
        shutil.copytree(SHARED_ACM, acm)
        (acm / "labels.npy").write_bytes((acm / "labels.npy").read_bytes()[:100])
    return tmp_path


@pytest.mark.parametrize("argv, code, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_exit_code_and_first_line(workspace, capsys, argv, code, message):
    if "{tmp}/data" in argv and not SHARED_ACM.is_dir():
        pytest.skip("needs the ACM files of the shared data folder")
    before = sorted(p.name for p in workspace.iterdir())
    argv = [a.replace("{tmp}", str(workspace)) for a in argv]
    if argv[0] == "train" and "--out-dir" not in argv and not any(a.startswith("out_dir=") for a in argv):
        argv += ["--out-dir", str(workspace / "runs")]
    assert main(argv) == code
    err = capsys.readouterr().err
    first = err.splitlines()[0] if err else ""
    assert first.startswith(ERROR), err
    assert message.replace("{tmp}", str(workspace)) in first
    assert "Traceback" not in err and not first[len(ERROR) :].startswith(("'", '"'))
    if argv[0] == "train" and "--data-root" not in argv:  # (data files are read once the run started)
        assert sorted(p.name for p in workspace.iterdir()) == before, "a refused run left a folder behind"


def test_a_crash_exits_1_with_its_traceback(tmp_path):
    """A bug in a model is not a user error: Python's traceback and exit status 1."""
    config = tmp_path / "crash.yaml"
    config.write_text("task: rec\nmodel: toy\ndataset: ml-100k\nparams: {epochs: 1}\n")
    code = (
        "import dataclasses, sys; from graphcl import registry; from graphcl.cli import main; "
        "from tests.toy_model import ENTRY; from tests.test_cli_contract import crashing_train; "
        "registry.MODELS['toy'] = dataclasses.replace(ENTRY, train=crashing_train); "
        f"sys.exit(main(['train', {str(config)!r}, '--out-dir', {str(tmp_path / 'runs')!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ZeroDivisionError: a bug" in done.stderr


def crashing_train(run, run_dir, report=None):
    raise ZeroDivisionError("a bug")
