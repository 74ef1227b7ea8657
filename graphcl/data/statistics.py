"""Compute a dataset's statistics from its files (for the registry and ``graphcl data verify``).

Node counts are measured, not taken from the registry: the target type from ``labels.npy``, the
other types as the largest of (feature rows, highest id + 1 in any edge list or ``nei_*.npy``).

Run ``python -m graphcl.data.statistics NAME... [--data-root DIR]`` to print the block to paste
into ``datasets/registry.yaml``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import yaml

from graphcl.data.ensure import dataset_dir
from graphcl.data.metapath_build import build_metapath, incidence
from graphcl.data.readers import read_array, read_edges, read_matrix
from graphcl.data.registry import dataset_info


def _hetero(folder: Path, info: dict) -> dict:
    letters = {k.lower(): v for k, v in info["node_types"].items()}
    target = info["target"]
    labels = read_array(folder / "labels.npy")
    nodes = {t: 0 for t in letters.values()}
    nodes[target] = int(len(labels))
    for letter, filename in (info.get("features") or {}).items():
        nodes[letters[letter.lower()]] = max(
            nodes[letters[letter.lower()]], int(read_matrix(folder / filename).shape[0])
        )
    edges, lists = {}, {}
    for filename in info["files"]:
        stem = filename[:-4]
        if filename.endswith(".txt") and len(stem) == 2 and all(c in letters for c in stem):
            e = read_edges(folder / filename)
            edges[filename], lists[stem] = int(len(e)), e
            for col, letter in enumerate(stem):
                if len(e):
                    nodes[letters[letter]] = max(nodes[letters[letter]], int(e[:, col].max()) + 1)
    for letter in info.get("schema") or []:
        nei = read_array(folder / f"nei_{letter.lower()}.npy", allow_pickle=True)
        top = max((int(np.max(r)) for r in nei if np.size(r)), default=-1)
        nodes[letters[letter.lower()]] = max(nodes[letters[letter.lower()]], top + 1)
    relations = {(s[0], s[1]): incidence(e, nodes[letters[s[0]]], nodes[letters[s[1]]]) for s, e in lists.items()}
    derived = info.get("derived_metapaths") or {}
    nnz = {}
    for mp in info["metapaths"]:
        m = build_metapath(mp, relations) if mp in derived else read_matrix(folder / f"{mp.lower()}.npz")
        nnz[mp] = int(m.nnz)
    return {
        "num_classes": int(len(np.unique(labels))),
        "nodes": nodes,
        "edges": edges,
        "metapath_nnz": nnz,
        "pos_nnz": int(read_matrix(folder / "pos.npz").nnz),
    }


def _sequences(folder: Path, info: dict, name: str) -> dict:
    from graphcl.data.sequences import read_sequence_file

    seq = read_sequence_file(folder / info["sequence_file"], dataset=name)
    items = {i for s in seq.sequences for i in s}
    return {"users": len(seq.user_ids), "items": len(items), "interactions": sum(map(len, seq.sequences))}


def _builtin(info: dict) -> dict:
    from graphcl.data.sequences import load_ml100k

    seq = load_ml100k()
    return {"users": len(seq.user_ids), "items": seq.num_items, "interactions": sum(map(len, seq.sequences))}


def compute_statistics(name: str, root: str | Path | None = None, registry: dict | None = None) -> dict:
    """Statistics of dataset ``name`` measured from its files (which must be present).

    Args:
        name: dataset name in the registry.
        root: data root (``None``: ``$GRAPHCL_DATA``, then the user cache).
        registry: registry mapping to use instead of the shipped one (tests).
    """
    info = dataset_info(name, registry)
    folder = dataset_dir(name, root, registry)
    kind = info["kind"]
    if kind == "hetero":
        return _hetero(folder, info)
    if kind == "sequences":
        return _sequences(folder, info, name)
    if kind == "item_metadata":
        return {}  # product records, aligned and checked when used (rec.sracl.amazon_meta)
    return _builtin(info)


def compare_statistics(expected: dict, actual: dict, where: str = "") -> list[str]:
    """Differences between registered and measured statistics, one message each.

    Args:
        expected: the registry's ``statistics`` (only its keys are compared).
        actual: measured statistics from :func:`compute_statistics`.
        where: key prefix for the messages (used when recursing into nested mappings).
    """
    problems = []
    for key, value in (expected or {}).items():
        path = f"{where}.{key}" if where else key
        if key not in actual:
            problems.append(f"{path}: registered {value!r}, not measured")
        elif isinstance(value, dict) and isinstance(actual[key], dict):
            problems.extend(compare_statistics(value, actual[key], path))
        elif value != actual[key]:
            problems.append(f"{path}: registry says {value!r}, the files give {actual[key]!r}")
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+")
    parser.add_argument("--data-root")
    args = parser.parse_args(argv)
    out = {name: {"statistics": compute_statistics(name, args.data_root)} for name in args.names}
    print(yaml.safe_dump(out, sort_keys=False), end="")


if __name__ == "__main__":
    main()
