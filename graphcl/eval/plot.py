"""2-D picture of node embeddings coloured by label (PCA or scikit-learn t-SNE)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def project_2d(embeds: torch.Tensor, method: str = "pca", seed: int = 0) -> np.ndarray:
    """``[N, 2]`` coordinates of ``embeds`` by ``"pca"`` or ``"tsne"``."""
    x = embeds.detach().float().cpu().numpy()
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(x)
    if method == "tsne":
        from sklearn.manifold import TSNE

        return TSNE(n_components=2, init="pca", random_state=seed).fit_transform(x)
    raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}")


def plot_embeddings(
    embeds: torch.Tensor,
    labels: torch.Tensor,
    path: str | Path,
    method: str = "pca",
    title: str | None = None,
    seed: int = 0,
) -> Path:
    """Scatter plot of the 2-D projection coloured by label, written to ``path`` (PNG/PDF/SVG).

    Args:
        embeds: ``[N, D]`` embeddings.
        labels: ``[N]`` class ids.
        path: output file.
        method: ``"pca"`` or ``"tsne"``.
        title: figure title (default: the method).
        seed: random state of the projection.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xy = project_2d(embeds, method, seed)
    y = torch.as_tensor(labels).cpu().numpy()
    fig, ax = plt.subplots(figsize=(5, 5))
    for c in np.unique(y):
        sel = y == c
        ax.scatter(xy[sel, 0], xy[sel, 1], s=3, label=str(c))
    ax.legend(title="label", markerscale=4, fontsize=7)
    ax.set_title(title or method.upper())
    ax.set_xticks([])
    ax.set_yticks([])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path
