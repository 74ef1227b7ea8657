"""Check a HeteroData and extract what the hetero models need (features, splits, meta-paths).

:func:`check_hetero` raises with the problem and the fix for missing node types, meta-paths,
labels or overlapping splits; :func:`node_features` returns per-type feature matrices.
"""
from __future__ import annotations

import torch

RATIOS = (20, 40, 60)


def check_hetero(data, metapaths: list[str] | None = None, need_labels: bool = True) -> list[str]:
    """Validate ``data`` for the hetero models and return the meta-path names to use.

    Args:
        data: a ``HeteroData`` in the layout of ``graphcl.data.load_hetero``.
        metapaths: requested meta-path names (``None``: ``data.metapath_names``).
        need_labels: require labels and non-overlapping 20/40/60 splits.
    """
    target = getattr(data, "target", None)
    if target is None:
        raise ValueError("data.target is not set; it must name the node type to embed (e.g. 'paper')")
    if target not in data.node_types:
        raise KeyError(f"target node type {target!r} is not in the graph's node types {data.node_types}")
    if metapaths is None:
        metapaths = list(getattr(data, "metapath_names", None) or sorted(getattr(data, "metapaths", None) or {}))
    if not metapaths:
        raise ValueError("no meta-paths: set params.metapaths or load a dataset with data.metapath_names")
    from graphcl.hetero.metapath import metapath_types, relation_chain

    known = getattr(data, "metapaths", None) or {}
    for name in metapaths:
        types = metapath_types(data, name)  # raises for unknown letters / node types
        if name not in known and relation_chain(data, types) is None:
            raise KeyError(
                f"meta-path {name!r} is not available: data.metapaths has {sorted(known)} and the edge "
                f"lists {data.edge_types} do not connect {types}; choose from {sorted(known)}"
            )
    if need_labels:
        check_labels_and_splits(data)
    return list(metapaths)


def check_labels_and_splits(data) -> None:
    """Labels must exist for the target and the train/val/test splits of each ratio must be disjoint."""
    store = data[data.target]
    y = getattr(store, "y", None)
    if y is None:
        raise ValueError(f"data[{data.target!r}].y is missing: evaluation needs labels of the target nodes")
    n = store.num_nodes
    if y.numel() != n:
        raise ValueError(f"data[{data.target!r}].y has {y.numel()} labels for {n} nodes")
    for r in RATIOS:
        parts = {}
        for split in ("train", "val", "test"):
            idx = getattr(store, f"{split}_idx_{r}", None)
            if idx is None:
                raise ValueError(f"data[{data.target!r}].{split}_idx_{r} is missing (HeCo splits: 20/40/60 per class)")
            idx = torch.as_tensor(idx).long()
            if idx.numel() == 0:
                raise ValueError(f"{split}_idx_{r} is empty; every split needs at least one node")
            if idx.numel() and (idx.min() < 0 or idx.max() >= n):
                raise ValueError(f"{split}_idx_{r} has node ids outside [0, {n})")
            parts[split] = set(idx.tolist())
        for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
            both = parts[a] & parts[b]
            if both:
                raise ValueError(
                    f"splits {a}_idx_{r} and {b}_idx_{r} overlap in {len(both)} nodes (e.g. {sorted(both)[:5]}); "
                    "the evaluation needs disjoint train/validation/test nodes"
                )


def splits(data) -> dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    store = data[data.target]
    return {r: tuple(torch.as_tensor(getattr(store, f"{s}_idx_{r}")).long() for s in ("train", "val", "test"))
            for r in RATIOS}


def node_features(data, types: list[str], normalize: bool = True,
                  ignore: list[str] = ()) -> dict[str, torch.Tensor | None]:
    """Feature matrix per node type (``None`` where a type has none: the model learns an
    embedding table, i.e. a linear map of one-hot features). Dense identity matrices are also
    returned as ``None`` to avoid an ``N x N`` matmul.

    Args:
        normalize: row-normalise non-negative features (HeCo/MEOW ``preprocess_features``).
        ignore: types whose features are dropped (``None``: learned embedding instead).
    """
    unknown = sorted(set(ignore) - set(data.node_types))
    if unknown:
        raise KeyError(f"ignore_features names unknown node types {unknown}; the graph has {data.node_types}")
    out: dict[str, torch.Tensor | None] = {}
    for t in types:
        if t not in data.node_types:
            raise KeyError(f"node type {t!r} is not in the graph's node types {data.node_types}")
        x = getattr(data[t], "x", None)
        if x is None or t in ignore:
            out[t] = None
            continue
        if x.is_sparse:
            x = x.to_dense()
        x = x.float()
        n = data[t].num_nodes
        if x.shape == (n, n) and torch.equal(x, torch.eye(n)):
            out[t] = None
            continue
        if normalize and bool((x >= 0).all()):
            s = x.sum(dim=1, keepdim=True)
            x = torch.where(s > 0, x / s.clamp_min(1e-12), x)
        out[t] = x
    return out
