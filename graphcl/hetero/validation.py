"""Checks of a ``HeteroData`` for the hetero models: target type, meta-paths, labels and splits.

Each raises with the problem and the fix. :func:`splits` reads the HeCo-format label splits
that the evaluation uses.
"""

from __future__ import annotations

import torch

from graphcl.hetero.metapath import MetaPath, check_metapath

RATIOS = (20, 40, 60)


def check_metapaths(data, metapaths: list[MetaPath] | None, target: str) -> list[MetaPath]:
    """Validate ``target`` and the meta-paths asked for; return them (``None``: the loader's
    ``data.metapath_names``)."""
    if target not in data.node_types:
        raise KeyError(f"target node type {target!r} is not in the graph's node types {data.node_types}")
    if metapaths is None:
        metapaths = list(getattr(data, "metapath_names", None) or sorted(getattr(data, "metapaths", None) or {}))
    if not metapaths:
        raise ValueError(
            "no meta-paths: set params.model.metapaths, e.g. [[[paper, to, author], [author, to, paper]]] "
            "or the shorthand [PAP]"
        )
    for mp in metapaths:
        check_metapath(data, mp, target)
    return list(metapaths)


def check_hetero(
    data, target: str | None = None, metapaths: list[MetaPath] | None = None, need_labels: bool = True
) -> list[MetaPath]:
    """Validate ``data`` for the hetero models and return the meta-paths to use.

    Args:
        data: a ``HeteroData``.
        target: the node type to embed (``None``: ``data.target``, set by ``graphcl.data.load_hetero``).
        metapaths: requested meta-paths (``None``: ``data.metapath_names``).
        need_labels: require labels and non-overlapping 20/40/60 splits (for the evaluation).
    """
    target = target_type(data, target)
    metapaths = check_metapaths(data, metapaths, target)
    if need_labels:
        check_labels_and_splits(data, target)
    return metapaths


def target_type(data, target: str | None = None) -> str:
    """``target``, or the loader's ``data.target`` when it is ``None``."""
    target = target if target is not None else getattr(data, "target", None)
    if target is None:
        raise ValueError("no target node type: pass target='paper' (the node type to embed)")
    return target


def check_labels_and_splits(data, target: str) -> None:
    """Labels must exist for the target and the train/val/test splits of each ratio must be disjoint."""
    store = data[target]
    y = getattr(store, "y", None)
    if y is None:
        raise ValueError(f"data[{target!r}].y is missing: evaluation needs labels of the target nodes")
    n = store.num_nodes
    if y.numel() != n:
        raise ValueError(f"data[{target!r}].y has {y.numel()} labels for {n} nodes")
    for r in RATIOS:
        parts = {}
        for split in ("train", "val", "test"):
            idx = getattr(store, f"{split}_idx_{r}", None)
            if idx is None:
                raise ValueError(f"data[{target!r}].{split}_idx_{r} is missing (HeCo splits: 20/40/60 per class)")
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


def splits(data, target: str) -> dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """``{ratio: (train_idx, val_idx, test_idx)}`` of the target nodes for ratios 20, 40 and 60."""
    store = data[target]
    return {
        r: tuple(torch.as_tensor(getattr(store, f"{s}_idx_{r}")).long() for s in ("train", "val", "test"))
        for r in RATIOS
    }
