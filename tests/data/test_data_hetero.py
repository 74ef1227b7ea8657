"""load_hetero on the tiny synthetic dataset: layout, values, derived meta-paths, bad files."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from graphcl.data import CorruptDataError, load_hetero
from graphcl.data.metapath_build import build_metapath, incidence
from tests.data import toy_hetero as toy
from tests.data.conftest import registry_for


def _dense(t):
    return t.to_dense().numpy()


def test_layout_and_values(toy_registry, tmp_path):
    data = load_hetero("toy", tmp_path / "root", registry=toy_registry)
    assert data.target == "paper" and data.metapath_names == ["PAP", "PSP"]
    assert data["paper"].num_nodes == toy.N_PAPER and data["author"].num_nodes == toy.N_AUTHOR
    assert data["paper"].x.dtype == torch.float32 and data["paper"].x.shape == (toy.N_PAPER, 4)
    assert data.featureless_types == ["author", "subject"]
    assert "x" not in data["author"]
    assert data["paper"].y.tolist() == toy.LABELS.tolist()
    for ratio in (20, 40, 60):
        assert data["paper"][f"train_idx_{ratio}"].tolist() == toy.SPLITS["train"]
        assert data["paper"][f"test_idx_{ratio}"].dtype == torch.long
    assert data["paper", "to", "author"].edge_index.shape == (2, len(toy.PA))
    assert data["paper", "to", "subject"].edge_index.tolist() == [list(range(8)), [p % 3 for p in range(8)]]
    pa = toy.incidence(toy.PA, toy.N_PAPER, toy.N_AUTHOR)
    ps = toy.incidence(toy.PS, toy.N_PAPER, toy.N_SUBJECT)
    assert data.metapaths["PAP"].is_sparse and data.metapaths["PAP"].dtype == torch.float32
    np.testing.assert_array_equal(_dense(data.metapaths["PAP"]), toy.binary_product(pa, pa.T))
    np.testing.assert_array_equal(_dense(data.metapaths["PSP"]), toy.binary_product(ps, ps.T))  # derived
    np.testing.assert_array_equal(_dense(data.pos), np.eye(toy.N_PAPER))


def test_aptpa_by_hand():
    # papers 0..2, authors 0..2, terms 0..1; author 2's only paper shares no term with the others
    pa = np.array([[0, 0], [1, 1], [2, 2]])
    pt = np.array([[0, 0], [1, 0], [2, 1]])
    rel = {("p", "a"): incidence(pa, 3, 3), ("p", "t"): incidence(pt, 3, 2)}
    got = build_metapath("APTPA", rel).toarray()
    expected = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=np.float32)
    np.testing.assert_array_equal(got, expected)
    # brute force over all instances a-p-t-p'-a'
    brute = np.zeros((3, 3))
    for p1, a1 in pa:
        for p1b, t in pt:
            for p2, t2 in pt:
                for p2b, a2 in pa:
                    if p1 == p1b and t == t2 and p2 == p2b:
                        brute[a1, a2] = 1
    np.testing.assert_array_equal(got, brute)


def test_build_metapath_errors():
    with pytest.raises(KeyError, match="'c'"):
        build_metapath("APCPA", {("p", "a"): sp.csr_matrix((2, 2))})
    with pytest.raises(ValueError, match="start and end"):
        build_metapath("AP", {})


def _with(toy_source, tmp_path, edit):
    """Registry and root for a toy copy whose files were changed by ``edit(folder)``."""
    source, entry = toy_source
    edit(source)
    return registry_for("toy", entry, source, source.resolve().as_uri()), tmp_path / "root"


def test_overlapping_splits(toy_source, tmp_path):
    registry, root = _with(toy_source, tmp_path, lambda f: np.save(f / "val_40.npy", np.array([1, 2, 3])))
    with pytest.raises(CorruptDataError, match=r"val_40.npy.*overlaps train_40.npy in 1 nodes"):
        load_hetero("toy", root, registry=registry)


def test_split_index_out_of_range(toy_source, tmp_path):
    registry, root = _with(toy_source, tmp_path, lambda f: np.save(f / "test_20.npy", np.array([5, 99])))
    with pytest.raises(CorruptDataError, match=r"test_20.npy.*outside \[0, 8\)"):
        load_hetero("toy", root, registry=registry)


def test_labels_length_mismatch(toy_source, tmp_path):
    registry, root = _with(toy_source, tmp_path, lambda f: np.save(f / "labels.npy", np.zeros(5, int)))
    with pytest.raises(CorruptDataError, match=r"labels.npy.*shape \(5,\), expected \(8,\)"):
        load_hetero("toy", root, registry=registry)


def test_truncated_npz_names_file(toy_source, tmp_path):
    def truncate(f):
        data = (f / "pap.npz").read_bytes()
        (f / "pap.npz").write_bytes(data[: len(data) // 2])

    registry, root = _with(toy_source, tmp_path, truncate)
    with pytest.raises(CorruptDataError, match=r"pap.npz.*delete it"):
        load_hetero("toy", root, registry=registry)


def test_edge_id_out_of_range(toy_source, tmp_path):
    registry, root = _with(toy_source, tmp_path, lambda f: np.savetxt(f / "pa.txt", np.array([[0, 7]]), fmt="%d"))
    with pytest.raises(CorruptDataError, match=r"pa.txt.*author \(second column\) ids"):
        load_hetero("toy", root, registry=registry)


def test_schema_disagreeing_with_edge_list(toy_source, tmp_path):
    def shift(f):
        nei = np.load(f / "nei_a.npy", allow_pickle=True)
        nei[0] = np.array([4])
        np.save(f / "nei_a.npy", nei, allow_pickle=True)

    registry, root = _with(toy_source, tmp_path, shift)
    with pytest.raises(CorruptDataError, match="nei_a.npy.*disagrees"):
        load_hetero("toy", root, registry=registry)


def test_wrong_kind(toy_registry):
    toy_registry["datasets"]["toy"]["kind"] = "sequences"
    with pytest.raises(ValueError, match="'hetero'"):
        load_hetero("toy", registry=toy_registry)
