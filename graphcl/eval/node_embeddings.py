"""All metrics of a set of node embeddings: classification at 20/40/60 labels and k-means
clustering quality (NMI / ARI, as MEOW and HeCo report it)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from graphcl.eval.logreg import logreg_evaluate


def kmeans_nmi_ari(embeds: torch.Tensor, labels: torch.Tensor, runs: int = 10, seed: int = 0) -> dict[str, float]:
    """Mean NMI and ARI of ``runs`` scikit-learn k-means clusterings (k = number of classes)
    against ``labels`` (official ``run_kmeans``: 10 runs, arithmetic NMI).

    Args:
        embeds: ``[N, D]`` embeddings.
        labels: ``[N]`` class ids.
        runs: number of k-means runs (different seeds ``seed .. seed + runs - 1``).
        seed: first seed.
    """
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    x = embeds.detach().float().cpu().numpy()
    y = torch.as_tensor(labels).cpu().numpy()
    k = int(np.unique(y).size)
    nmi, ari = [], []
    for r in range(runs):
        pred = KMeans(n_clusters=k, n_init=10, random_state=seed + r).fit_predict(x)
        nmi.append(normalized_mutual_info_score(y, pred, average_method="arithmetic"))
        ari.append(adjusted_rand_score(y, pred))
    return {
        "nmi": float(np.mean(nmi)),
        "ari": float(np.mean(ari)),
        "nmi_std": float(np.std(nmi)),
        "ari_std": float(np.std(ari)),
    }


def evaluate_embeddings(
    embeds: torch.Tensor,
    labels: torch.Tensor,
    splits: dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
    lr: float = 0.01,
    weight_decay: float = 0.0,
    repeats: int = 50,
    kmeans_runs: int = 10,
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """``{"val": {...}, "test": {...}}`` with keys ``macro_f1_R``, ``micro_f1_R``, ``auc_R``
    (R in ``splits``), their ``_std``, and ``nmi``/``ari`` (test only; ``kmeans_runs=0`` skips).

    Args:
        embeds: ``[N, D]`` embeddings.
        labels: ``[N]`` class ids.
        splits: ``{ratio: (train_idx, val_idx, test_idx)}``.
        lr, weight_decay, repeats: see :func:`logreg_evaluate`.
        kmeans_runs: k-means runs for NMI/ARI.
        seed: seed of the classifiers and clusterings.
    """
    val, test = {}, {}
    for r, (tr, va, te) in sorted(splits.items()):
        m = logreg_evaluate(embeds, labels, tr, va, te, lr=lr, weight_decay=weight_decay, repeats=repeats, seed=seed)
        val[f"macro_f1_{r}"] = m["val_macro_f1"]
        val[f"micro_f1_{r}"] = m["val_micro_f1"]
        for key in ("macro_f1", "micro_f1", "auc"):
            test[f"{key}_{r}"] = m[key]
            test[f"{key}_{r}_std"] = m[f"{key}_std"]
    if kmeans_runs:
        test.update(kmeans_nmi_ari(embeds, labels, runs=kmeans_runs, seed=seed))
    return {"val": val, "test": test}
