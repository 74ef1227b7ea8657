"""``graphcl data list|fetch|verify`` (``args.action``, ``args.names``, ``args.data_root``)."""

from __future__ import annotations

from graphcl.data.ensure import ensure_dataset, missing_files
from graphcl.data.errors import DataError
from graphcl.data.registry import dataset_info, dataset_names
from graphcl.data.root import resolve_data_root
from graphcl.data.sequences import load_sequences
from graphcl.data.statistics import compare_statistics, compute_statistics


def _summary(info: dict) -> str:
    stats = info.get("statistics") or {}
    if info["kind"] == "hetero":
        nodes = stats.get("nodes") or {}
        return (
            f"{info['target']} x{nodes.get(info['target'], '?')}, {len(nodes)} node types, "
            f"{stats.get('num_classes', '?')} classes, meta-paths {'/'.join(info['metapaths'])}"
        )
    if info["kind"] == "item_metadata":
        return f"item text for {info['for_dataset']} ({info['meta_file']}, ids from {info['reviews_file']})"
    users, items, interactions = (stats.get(k, "?") for k in ("users", "items", "interactions"))
    return f"{users} users, {items} items, {interactions} interactions"


def _status(name: str, info: dict, root) -> str:
    if info["kind"] == "recbole_builtin":
        return "bundled with recbole" if not missing_files(name, root) else "missing from recbole"
    missing = missing_files(name, root)
    if not missing:
        return "present"
    return (
        "missing" if len(missing) == len(info["files"]) else f"incomplete ({len(missing)}/{len(info['files'])} missing)"
    )


def cmd_list(names: list[str], root) -> int:
    rows = [("name", "kind", "status", "contents")]
    for name in names:
        info = dataset_info(name)
        rows.append((name, info["kind"], _status(name, info, root), _summary(info)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print(f"data root: {resolve_data_root(root)}")
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r[:3], widths)) + "  " + r[3])
    return 0


def cmd_fetch(names: list[str], root) -> int:
    failed = 0
    for name in names:
        try:
            folder = ensure_dataset(name, root, download=True)
            print(f"{name}: ok ({folder})")
        except DataError as exc:
            failed += 1
            print(f"{name}: FAILED: {exc}")
    return 1 if failed else 0


def verify_one(name: str, root) -> list[str]:
    """Problems found in ``name`` (empty: fine): the hashes and content checks of loading it for
    training (label count, id ranges, disjoint splits ...), then its statistics re-measured."""
    try:
        ensure_dataset(name, root, download=False)
        load_as_training_does(name, root)
        return compare_statistics(dataset_info(name).get("statistics") or {}, compute_statistics(name, root))
    except DataError as exc:
        return [str(exc)]


def load_as_training_does(name: str, root) -> None:
    """Run the loader a training run uses, for its checks (datasets registered without hashes
    are verified by these content checks and their statistics only)."""
    kind = dataset_info(name)["kind"]
    if kind == "hetero":
        from graphcl.data.hetero import load_hetero

        load_hetero(name, root)
    elif kind in ("sequences", "recbole_builtin"):
        load_sequences(name, root)


def cmd_verify(names: list[str], root, explicit: bool) -> int:
    failed = checked = 0
    for name in names:
        info = dataset_info(name)
        if not explicit and info["kind"] != "recbole_builtin" and len(missing_files(name, root)) == len(info["files"]):
            print(f"{name}: skipped (not fetched under {resolve_data_root(root)})")
            continue
        checked += 1
        problems = verify_one(name, root)
        if problems:
            failed += 1
            print(f"{name}: FAILED")
            for p in problems:
                print(f"  - {p}")
        else:
            print(f"{name}: ok")
    print(f"verified {checked - failed}/{checked} datasets under {resolve_data_root(root)}")
    return 1 if failed else 0


def run(args) -> int:
    """Entry point of ``graphcl data``; returns the exit status."""
    explicit = bool(args.names)
    names = list(args.names) if explicit else dataset_names()
    for name in names:
        dataset_info(name)  # unknown names fail before any work, listing the known ones
    root = getattr(args, "data_root", None)
    if args.action == "list":
        return cmd_list(names, root)
    if args.action == "fetch":
        return cmd_fetch(names, root)
    return cmd_verify(names, root, explicit)
