import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from graphcl.eval import evaluate_embeddings, logreg_evaluate


def _toy(n=300, noise=1.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    centers = torch.tensor([[3.0, 0], [0, 3.0], [-3.0, -3.0]])
    x = centers[y] + noise * torch.randn(n, 2, generator=g)
    perm = torch.randperm(n, generator=g)
    return x, y, perm[:30], perm[30:130], perm[130:]


def test_close_to_sklearn_logistic_regression():
    x, y, tr, va, te = _toy()
    ours = logreg_evaluate(x, y, tr, va, te, lr=0.05, repeats=5)
    clf = LogisticRegression().fit(x[tr].numpy(), y[tr].numpy())
    ref = f1_score(y[te].numpy(), clf.predict(x[te].numpy()), average="macro")
    assert abs(ours["macro_f1"] - ref) < 0.05
    assert ours["auc"] > 0.95 and 0 <= ours["macro_f1_std"] < 0.1


def test_random_embeddings_score_near_chance():
    x, y, tr, va, te = _toy()
    noise = torch.randn_like(x)
    out = logreg_evaluate(noise, y, tr, va, te, lr=0.05, repeats=3)
    assert out["macro_f1"] < 0.5 and abs(out["auc"] - 0.5) < 0.1


def test_repeats_are_seeded_and_validated():
    x, y, tr, va, te = _toy()
    assert logreg_evaluate(x, y, tr, va, te, repeats=2, seed=3) == logreg_evaluate(x, y, tr, va, te, repeats=2, seed=3)
    with pytest.raises(ValueError, match="repeats"):
        logreg_evaluate(x, y, tr, va, te, repeats=0)


def test_evaluate_embeddings_keys():
    x, y, tr, va, te = _toy()
    out = evaluate_embeddings(x, y, {20: (tr, va, te), 40: (tr, va, te)}, repeats=2, kmeans_runs=2)
    assert {"macro_f1_20", "micro_f1_40", "auc_20", "nmi", "ari"} <= set(out["test"])
    assert set(out["val"]) == {"macro_f1_20", "macro_f1_40", "micro_f1_20", "micro_f1_40"}
    assert out["test"]["nmi"] > 0.7  # well separated blobs


def test_without_a_test_split_only_validation_is_scored():
    x, y, tr, va, te = _toy()
    full = logreg_evaluate(x, y, tr, va, te, repeats=3, seed=1)
    val_only = logreg_evaluate(x, y, tr, va, None, repeats=3, seed=1)
    assert val_only == {"val_macro_f1": full["val_macro_f1"], "val_micro_f1": full["val_micro_f1"]}
