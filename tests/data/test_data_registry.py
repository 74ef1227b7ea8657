"""The shipped registry: shape, consistency with the loaders' file conventions and, when the
benchmark folder is available, with its SHA256SUMS."""

from pathlib import Path

import pytest

from graphcl.data import UnknownDatasetError, dataset_info, dataset_names
from graphcl.data.registry import validate_registry

SPLITS = [f"{p}_{r}.npy" for p in ("train", "val", "test") for r in (20, 40, 60)]


def test_known_names():
    assert {"acm", "dblp", "aminer", "beauty", "sports", "toys", "yelp", "ml-100k"} <= set(dataset_names())


def test_unknown_name_lists_known():
    with pytest.raises(UnknownDatasetError) as info:
        dataset_info("acmm")
    assert "'acmm'" in str(info.value) and "acm" in str(info.value) and "beauty" in str(info.value)
    assert isinstance(info.value, KeyError)  # the CLI reports KeyErrors as usage errors


@pytest.mark.parametrize("name", [n for n in dataset_names() if dataset_info(n)["kind"] == "hetero"])
def test_hetero_entries_name_every_file_the_loader_reads(name):
    info = dataset_info(name)
    files = set(info["files"])
    needed = {"labels.npy", "pos.npz", *SPLITS}
    needed |= {f"{mp.lower()}.npz" for mp in info["metapaths"] if mp not in (info.get("derived_metapaths") or {})}
    needed |= {f"nei_{t}.npy" for t in info["schema"]} | set((info.get("features") or {}).values())
    assert needed <= files, sorted(needed - files)
    assert info["target"] in info["node_types"].values()
    letters = [t[0] for t in info["node_types"].values()]
    assert len(set(letters)) == len(letters), "node type names must start with distinct letters"
    assert set(info["statistics"]["nodes"]) == set(info["node_types"].values())


@pytest.mark.parametrize("name", ["acm", "dblp", "aminer"])
def test_heco_urls_pinned(name):
    for meta in dataset_info(name)["files"].values():
        assert "liun-online/HeCo/20e8ca2042838877b2c815279920218b6bbea1db/data/" in meta["url"]
        assert len(meta["sha256"]) == 64 and meta["size"] > 0


def test_unhashed_sets_have_statistics():
    for name in ("toys", "yelp"):
        info = dataset_info(name)
        assert all(m["sha256"] is None for m in info["files"].values())
        assert set(info["statistics"]) == {"users", "items", "interactions"}


def test_registry_hashes_match_shared_sums(real_root):
    sums = {}
    for line in (real_root / "SHA256SUMS").read_text().splitlines():
        digest, path = line.split()
        sums[path.removeprefix("./")] = digest
    seen = 0
    for name in dataset_names():
        info = dataset_info(name)
        for f, meta in info["files"].items():
            rel = f"{info['folder']}/{f}"
            if rel in sums:
                assert meta["sha256"] == sums[rel], rel
                seen += 1
    assert seen == len(sums)


def test_validate_registry_rejects_bad_kind():
    with pytest.raises(ValueError, match="kind"):
        validate_registry({"datasets": {"x": {"kind": "graph", "files": {"a": {}}}}})
    with pytest.raises(ValueError, match="datasets"):
        validate_registry({"sets": {}})


def test_registry_file_is_shipped():
    from graphcl.utils.resources import datasets_dir

    assert (Path(datasets_dir()) / "registry.yaml").is_file()


def test_dataset_info_returns_a_copy():
    info = dataset_info("acm")
    info["files"].clear()
    info["statistics"]["nodes"]["paper"] = -1
    assert dataset_info("acm")["files"] and dataset_info("acm")["statistics"]["nodes"]["paper"] == 4019
