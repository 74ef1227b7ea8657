"""k-means clustering quality of embeddings (NMI / ARI), as MEOW and HeCo report it."""
from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


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
    return {"nmi": float(np.mean(nmi)), "ari": float(np.mean(ari)),
            "nmi_std": float(np.std(nmi)), "ari_std": float(np.std(ari))}
