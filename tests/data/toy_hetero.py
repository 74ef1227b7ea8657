"""A tiny HeCo-format dataset written to disk, with the values the loader must reproduce."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

N_PAPER, N_AUTHOR, N_SUBJECT = 8, 5, 3
# paper-author and paper-subject edges (paper id, other id)
PA = np.array([[0, 0], [0, 1], [1, 1], [2, 2], [3, 2], [3, 3], [4, 3], [5, 4], [6, 4], [7, 0]])
PS = np.array([[p, p % 3] for p in range(N_PAPER)])
LABELS = np.array([0, 1, 0, 1, 0, 1, 0, 1])
SPLITS = {"train": [0, 1], "val": [2, 3, 4], "test": [5, 6, 7]}


def binary_product(*mats: np.ndarray) -> np.ndarray:
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return (out > 0).astype(np.float32)


def incidence(edges: np.ndarray, n_src: int, n_dst: int) -> np.ndarray:
    m = np.zeros((n_src, n_dst))
    m[edges[:, 0], edges[:, 1]] = 1
    return m


def write_toy_hetero(folder: Path) -> dict:
    """Write the toy files to ``folder``; return its registry entry (files without hashes).

    PSP is not shipped: it is listed in ``derived_metapaths`` and must be built from ps.txt.
    """
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "labels.npy", LABELS)
    feat = sp.csr_matrix(np.arange(N_PAPER * 4, dtype=np.float64).reshape(N_PAPER, 4) % 3)
    sp.save_npz(folder / "p_feat.npz", feat)
    np.savetxt(folder / "pa.txt", PA, fmt="%d")
    np.savetxt(folder / "ps.txt", PS, fmt="%d")
    pa = incidence(PA, N_PAPER, N_AUTHOR)
    sp.save_npz(folder / "pap.npz", sp.coo_matrix(binary_product(pa, pa.T) > 0))
    nei_a = np.empty(N_PAPER, dtype=object)
    for p in range(N_PAPER):
        nei_a[p] = PA[PA[:, 0] == p, 1]
    np.save(folder / "nei_a.npy", nei_a, allow_pickle=True)
    np.save(folder / "nei_s.npy", PS[:, 1:2])
    sp.save_npz(folder / "pos.npz", sp.coo_matrix(np.eye(N_PAPER)))
    for ratio in (20, 40, 60):
        for part, idx in SPLITS.items():
            np.save(folder / f"{part}_{ratio}.npy", np.array(idx))
    files = sorted(p.name for p in folder.iterdir())
    return {
        "kind": "hetero",
        "folder": "hgraph/toy",
        "target": "paper",
        "node_types": {"p": "paper", "a": "author", "s": "subject"},
        "metapaths": ["PAP", "PSP"],
        "derived_metapaths": {"PSP": ["ps.txt"]},
        "schema": ["a", "s"],
        "features": {"p": "p_feat.npz"},
        "files": {f: {} for f in files},
        "statistics": {
            "num_classes": 2,
            "nodes": {"paper": N_PAPER, "author": N_AUTHOR, "subject": N_SUBJECT},
            "edges": {"pa.txt": len(PA), "ps.txt": len(PS)},
        },
    }
