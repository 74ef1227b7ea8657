"""graphcl data list|fetch|verify, on the toy dataset (injected registry) and on real ACM."""

import pytest

import graphcl.data.registry as registry_module
from graphcl.cli import main


@pytest.fixture
def toy_only(toy_registry, monkeypatch):
    """Make the toy registry the shipped one for the CLI."""
    monkeypatch.setattr(registry_module, "_shipped_registry", lambda: toy_registry)
    return toy_registry


def test_list_fetch_verify(toy_only, tmp_path, capsys):
    root = str(tmp_path / "root")
    assert main(["data", "list", "--data-root", root]) == 0
    out = capsys.readouterr().out
    assert "toy" in out and "missing" in out and "paper x8" in out
    assert main(["data", "fetch", "--data-root", root]) == 0
    assert "toy: ok" in capsys.readouterr().out
    assert main(["data", "list", "--data-root", root]) == 0
    assert "present" in capsys.readouterr().out
    assert main(["data", "verify", "toy", "--data-root", root]) == 0
    assert "toy: ok" in capsys.readouterr().out


def test_verify_reports_corruption(toy_only, tmp_path, capsys):
    root = tmp_path / "root"
    assert main(["data", "fetch", "toy", "--data-root", str(root)]) == 0
    path = root / "hgraph" / "toy" / "ps.txt"
    text = path.read_text()
    path.write_text(text.replace("0", "1", 1))  # same size, other bytes: only the hash can tell
    assert main(["data", "verify", "--data-root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "toy: FAILED" in out and "ps.txt" in out and "sha256" in out


def test_verify_checks_statistics(toy_only, tmp_path, capsys):
    toy_only["datasets"]["toy"]["statistics"]["edges"]["pa.txt"] = 11
    root = str(tmp_path / "root")
    assert main(["data", "fetch", "toy", "--data-root", root]) == 0
    assert main(["data", "verify", "toy", "--data-root", root]) == 1
    assert "edges.pa.txt: registry says 11, the files give 10" in capsys.readouterr().out


@pytest.mark.parametrize(
    "damage, message",
    [
        ("short-labels", "labels.npy: has shape (5,), expected (8,)"),
        ("overlapping-splits", "val_20.npy: overlaps train_20.npy"),
    ],
)
def test_verify_runs_the_loaders_checks_on_files_without_hashes(toy_only, tmp_path, capsys, damage, message):
    """A dataset registered without hashes is checked by content, as training would check it."""
    import numpy as np

    root = tmp_path / "root"
    assert main(["data", "fetch", "toy", "--data-root", str(root)]) == 0
    for meta in toy_only["datasets"]["toy"]["files"].values():
        meta["sha256"] = meta["size"] = None
    folder = root / "hgraph" / "toy"
    if damage == "short-labels":
        np.save(folder / "labels.npy", np.load(folder / "labels.npy")[:5])
    else:
        np.save(folder / "val_20.npy", np.load(folder / "train_20.npy"))
    capsys.readouterr()
    assert main(["data", "verify", "toy", "--data-root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "toy: FAILED" in out and message in out


def test_verify_skips_unfetched_unless_named(toy_only, tmp_path, capsys):
    root = str(tmp_path / "empty")
    assert main(["data", "verify", "--data-root", root]) == 0
    assert "toy: skipped" in capsys.readouterr().out
    assert main(["data", "verify", "toy", "--data-root", root]) == 1
    assert "graphcl data fetch toy" in capsys.readouterr().out


def test_fetch_failure_exit_status(toy_only, tmp_path, capsys):
    toy_only["datasets"]["toy"]["files"]["pa.txt"]["url"] = (tmp_path / "gone.txt").as_uri()
    assert main(["data", "fetch", "toy", "--data-root", str(tmp_path / "root")]) == 1
    assert "toy: FAILED" in capsys.readouterr().out


def test_unknown_name_is_usage_error(capsys):
    assert main(["data", "verify", "nosuch"]) == 2
    assert "known datasets" in capsys.readouterr().err


def test_verify_real_acm(real_root, capsys):
    assert main(["data", "verify", "acm", "ml-100k", "--data-root", str(real_root)]) == 0
    out = capsys.readouterr().out
    assert "acm: ok" in out and "ml-100k: ok" in out


def test_statistics_script_measures_toy(toy_only, tmp_path, capsys):
    import yaml

    from graphcl.data.statistics import main as stats_main
    from tests.data import toy_hetero as toy

    root = str(tmp_path / "root")
    assert main(["data", "fetch", "toy", "--data-root", root]) == 0
    capsys.readouterr()
    stats_main(["toy", "--data-root", root])
    stats = yaml.safe_load(capsys.readouterr().out)["toy"]["statistics"]
    assert stats["nodes"] == {"paper": 8, "author": 5, "subject": 3}
    assert stats["edges"] == {"pa.txt": 10, "ps.txt": 8} and stats["num_classes"] == 2
    pa = toy.incidence(toy.PA, 8, 5)
    ps = toy.incidence(toy.PS, 8, 3)
    assert stats["metapath_nnz"] == {
        "PAP": int(toy.binary_product(pa, pa.T).sum()),
        "PSP": int(toy.binary_product(ps, ps.T).sum()),
    }
    assert stats["pos_nnz"] == 8
