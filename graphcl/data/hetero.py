"""Load a HeCo-format heterogeneous graph as a ``torch_geometric.data.HeteroData``.

Format of Wang et al., "Self-supervised Heterogeneous Graph Neural Network with Co-contrastive
Learning" (HeCo, KDD 2021; https://github.com/liun-online/HeCo), also used by MEOW/AdaMEOW.
The layout of the result is fixed in ``docs/architecture.md`` ("Data") and ``docs/data.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch_geometric.data import HeteroData

from graphcl.data.ensure import ensure_dataset
from graphcl.data.errors import CorruptDataError
from graphcl.data.metapath_build import build_metapath, incidence
from graphcl.data.readers import check_ids, check_shape, corrupt, read_array, read_edges, read_matrix, to_sparse_tensor
from graphcl.data.registry import dataset_info

RATIOS = (20, 40, 60)


def _node_counts(name: str, info: dict) -> dict[str, int]:
    nodes = (info.get("statistics") or {}).get("nodes") or {}
    missing = [t for t in info["node_types"].values() if t not in nodes]
    if missing:
        raise CorruptDataError(
            f"registry entry {name!r} lacks statistics.nodes for {missing}; fix datasets/registry.yaml"
        )
    return {t: int(nodes[t]) for t in info["node_types"].values()}


def _labels(path: Path, n: int) -> torch.Tensor:
    y = read_array(path)
    check_shape(path, y.shape, (n,))
    if not np.all(np.isfinite(y)) or not np.array_equal(y, np.round(y)) or y.min() < 0:
        raise corrupt(path, "labels must be non-negative integers")
    return torch.from_numpy(y.astype(np.int64))


def _split(folder: Path, n: int, ratio: int) -> dict[str, torch.Tensor]:
    out, seen = {}, {}
    for part in ("train", "val", "test"):
        path = folder / f"{part}_{ratio}.npy"
        idx = read_array(path).astype(np.int64).reshape(-1)
        check_ids(path, idx, n, "node")
        if len(np.unique(idx)) != len(idx):
            raise corrupt(path, "lists some nodes more than once")
        for other, other_idx in seen.items():
            both = np.intersect1d(idx, other_idx)
            if both.size:
                raise corrupt(
                    path,
                    f"overlaps {other}_{ratio}.npy in {both.size} nodes (e.g. {both[:5].tolist()}); "
                    "train/val/test splits must be disjoint",
                )
        seen[part] = idx
        out[part] = torch.from_numpy(idx)
    return out


def _features(path: Path, n: int) -> torch.Tensor:
    m = read_matrix(path)
    if m.ndim != 2 or m.shape[0] != n:
        raise corrupt(path, f"has shape {tuple(m.shape)}, expected {n} rows (one per node)")
    # cast while still sparse: densifying float64 first and casting after costs twice the time
    dense = m.astype(np.float32).toarray() if hasattr(m, "toarray") else np.asarray(m, dtype=np.float32)
    return torch.from_numpy(dense)


def _neighbours(path: Path, n_target: int, n_type: int) -> np.ndarray:
    """Network-schema edges ``[2, E]`` (target id, neighbour id) from a ``nei_<t>.npy`` file."""
    nei = read_array(path, allow_pickle=True)
    if len(nei) != n_target:
        raise corrupt(path, f"has {len(nei)} neighbour lists, expected one per target node ({n_target})")
    lists = [np.asarray(row, dtype=np.int64).reshape(-1) for row in nei]
    col = np.concatenate(lists) if lists else np.zeros(0, np.int64)
    row = np.repeat(np.arange(n_target), [len(x) for x in lists])
    check_ids(path, col, n_type, "neighbour")
    return np.vstack([row, col])


def _same_edges(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(np.unique(a, axis=1), np.unique(b, axis=1))


def load_hetero(name: str, root: str | Path | None = None, *, registry: dict | None = None) -> HeteroData:
    """Load heterogeneous graph ``name`` (``acm``, ``dblp``, ``aminer``, ...).

    Files are checked (and fetched if missing) by :func:`graphcl.data.ensure_dataset`. Node
    types without a feature file get no ``x`` and are listed in ``data.featureless_types``:
    models use a learnable embedding per node there, which equals HeCo's identity (one-hot)
    features times a weight matrix without materialising an ``N x N`` identity.

    Args:
        name: dataset name in the registry (kind ``hetero``).
        root: data root (``None``: ``$GRAPHCL_DATA``, then the user cache).
        registry: registry mapping to use instead of the shipped one (tests).
    """
    info = dataset_info(name, registry)
    if info["kind"] != "hetero":
        raise ValueError(f"dataset {name!r} is of kind {info['kind']!r}; load_hetero needs a 'hetero' dataset")
    folder = ensure_dataset(name, root, registry=registry)
    letters = {k.lower(): v for k, v in info["node_types"].items()}
    counts = _node_counts(name, info)
    target = info["target"]
    n = counts[target]
    data = HeteroData()
    data.name, data.target = name, target
    data.metapath_names = list(info["metapaths"])
    for t in letters.values():
        data[t].num_nodes = counts[t]
    features = {k.lower(): v for k, v in (info.get("features") or {}).items()}
    for letter, filename in features.items():
        data[letters[letter]].x = _features(folder / filename, counts[letters[letter]])
    data.featureless_types = [t for k, t in letters.items() if k not in features]
    data[target].y = _labels(folder / "labels.npy", n)
    for ratio in RATIOS:
        for part, idx in _split(folder, n, ratio).items():
            data[target][f"{part}_idx_{ratio}"] = idx
    relations = {}
    for filename in info["files"]:
        stem = filename[:-4]
        if filename.endswith(".txt") and len(stem) == 2 and all(c in letters for c in stem):
            x, y = stem[0], stem[1]
            edges = read_edges(folder / filename)
            check_ids(folder / filename, edges[:, 0], counts[letters[x]], f"{letters[x]} (first column)")
            check_ids(folder / filename, edges[:, 1], counts[letters[y]], f"{letters[y]} (second column)")
            data[(letters[x], "to", letters[y])].edge_index = torch.from_numpy(np.ascontiguousarray(edges.T))
            relations[(x, y)] = incidence(edges, counts[letters[x]], counts[letters[y]])
    for letter in info.get("schema") or []:
        t = letters[letter.lower()]
        path = folder / f"nei_{letter.lower()}.npy"
        edge_index = _neighbours(path, n, counts[t])
        key = (target, "to", t)
        if key in data.edge_types and not _same_edges(data[key].edge_index.numpy(), edge_index):
            raise corrupt(path, f"disagrees with the edge list of {key}; both come from the same HeCo release")
        data[key].edge_index = torch.from_numpy(edge_index)
    derived = info.get("derived_metapaths") or {}
    data.metapaths = {}
    for mp in info["metapaths"]:
        if mp in derived:
            m = build_metapath(mp, relations)
            path = folder / f"({mp} from {', '.join(derived[mp])})"
        else:
            path = folder / f"{mp.lower()}.npz"
            m = read_matrix(path)
        check_shape(path, m.shape, (n, n))
        data.metapaths[mp] = to_sparse_tensor(m)
    pos = read_matrix(folder / "pos.npz")
    check_shape(folder / "pos.npz", pos.shape, (n, n))
    data.pos = to_sparse_tensor(pos)
    return data
