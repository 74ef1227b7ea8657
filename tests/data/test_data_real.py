"""Loaders on the real benchmark files (GRAPHCL_DATA); counts asserted against the registry.

ACM, AMiner and Beauty load in about a second and run in CI; DBLP (dense 14328 x 4231 paper
features and the 7M-entry APTPA built from pa.txt/pt.txt) is behind ``full_data``.
"""

import pytest
import torch

from graphcl.data import dataset_info, load_hetero, load_sequences
from graphcl.hetero.validation import check_hetero


def _check_against_registry(name, data):
    info = dataset_info(name)
    stats = info["statistics"]
    for t, n in stats["nodes"].items():
        assert data[t].num_nodes == n
        if "x" in data[t]:
            assert data[t].x.shape[0] == n
    for filename, count in stats["edges"].items():
        x, y = (info["node_types"][c] for c in filename[:2])
        assert data[x, "to", y].edge_index.shape[1] == count
    for mp, nnz in stats["metapath_nnz"].items():
        assert data.metapaths[mp]._nnz() == nnz
    assert data.pos._nnz() == stats["pos_nnz"]
    y = data[data.target].y
    assert int(y.max()) + 1 == stats["num_classes"] and y.dtype == torch.long
    for letter in info["schema"]:
        assert (data.target, "to", info["node_types"][letter]) in data.edge_types
    check_hetero(data)  # the hetero models' own validation accepts the layout


def test_acm(real_root):
    data = load_hetero("acm", real_root)
    assert data.target == "paper" and data["paper"].num_nodes == 4019
    assert data.featureless_types == ["subject"]
    assert len(data["paper"].train_idx_20) == 60  # 20 per class, 3 classes
    _check_against_registry("acm", data)


def test_aminer(real_root):
    data = load_hetero("aminer", real_root)
    assert data["paper"].num_nodes == 6564 and data.featureless_types == ["paper", "author", "reference"]
    _check_against_registry("aminer", data)


@pytest.mark.full_data
def test_dblp_builds_aptpa(real_root):
    data = load_hetero("dblp", real_root)
    assert data.target == "author" and data["author"].num_nodes == 4057
    assert data.metapath_names == ["APA", "APCPA", "APTPA"]
    aptpa = data.metapaths["APTPA"]
    assert torch.equal(aptpa.indices(), aptpa.t().coalesce().indices())  # symmetric
    _check_against_registry("dblp", data)


def test_beauty(real_root):
    seq = load_sequences("beauty", real_root)
    assert (seq.num_users, seq.num_items, seq.num_interactions) == (22363, 12101, 198502)
    assert seq.user_ids[0] == 1 and seq.sequences[0] == [1, 2, 3, 4, 5]
    assert seq.item_text is None


@pytest.mark.full_data
def test_sports(real_root):
    seq = load_sequences("sports", real_root)
    stats = dataset_info("sports")["statistics"]
    assert (seq.num_users, seq.num_items, seq.num_interactions) == (
        stats["users"],
        stats["items"],
        stats["interactions"],
    )
