"""HeCo's meta-path positives built from the graph (``metapath_positives``, ``AddMetapathPositives``)."""

import numpy as np
import pytest
import torch

from graphcl.hetero import AddMetapathPositives, HeCo, HeCoModel, HeCoParams, ToHeCoInputs
from graphcl.hetero.metapath import metapath_counts, metapath_positives
from tests.hetero.synthetic import make_planted_hetero


def _heco_scores(data, metapaths):
    """HeCo's data/pos.py score, written densely: sum over meta-paths of the row-normalised 0/1 graph."""
    total = 0
    for mp in metapaths:
        a = (metapath_counts(data, mp, "paper").to_dense() > 0).double().numpy()
        total = total + a / a.sum(axis=1, keepdims=True)
    return total


def _rows(pos, n):
    dense = pos.to_dense().numpy() > 0
    return [set(np.flatnonzero(dense[i])) for i in range(n)]


@pytest.mark.parametrize("num_pos", [1, 4, 30])
def test_positives_are_each_rows_top_scores(num_pos):
    data = make_planted_hetero(num_papers=60)
    scores = _heco_scores(data, ["PAP", "PSP"])
    chosen = _rows(metapath_positives(data, ["PAP", "PSP"], "paper", num_pos), 60)
    for i, picked in enumerate(chosen):
        row = scores[i]
        candidates = np.flatnonzero(row > 0)
        assert len(picked) == min(num_pos, len(candidates))
        kth = np.sort(row[candidates])[::-1][len(picked) - 1]
        assert set(np.flatnonzero(row > kth + 1e-12)) <= picked  # every strictly better node is in
        assert all(row[j] >= kth - 1e-12 for j in picked)  # and nothing worse than the k-th


def test_ties_are_broken_by_the_seed_not_by_node_id():
    data = make_planted_hetero(num_papers=60)
    a = metapath_positives(data, ["PSP"], "paper", 3, seed=0)
    assert torch.equal(a.to_dense(), metapath_positives(data, ["PSP"], "paper", 3, seed=0).to_dense())
    b = metapath_positives(data, ["PSP"], "paper", 3, seed=1)
    assert not torch.equal(a.to_dense(), b.to_dense())  # PSP is 0/1 within a subject: all ties
    # by node id, every row would pick the lowest ids of its subject; random picks spread out
    cols = a.coalesce().indices()[1]
    assert cols.float().mean() > 15


def test_transform_adds_pos_without_touching_the_graph_and_heco_trains_on_it():
    data = make_planted_hetero(num_papers=60)
    del data.pos
    with pytest.raises(ValueError, match="AddMetapathPositives"):
        ToHeCoInputs(HeCoParams(model=HeCoModel(metapaths=["PAP", "PSP"], sample_rate=[3, 1])), "paper")(data)
    out = AddMetapathPositives(["PAP", "PSP"], "paper", num_pos=5)(data)
    assert getattr(data, "pos", None) is None and out.pos.shape == (60, 60)
    assert (torch.sparse.sum(out.pos, 1).to_dense() <= 5).all()
    params = HeCoParams(model=HeCoModel(metapaths=["PAP", "PSP"], sample_rate=[3, 1], hidden_dim=8))
    inputs = ToHeCoInputs(params, "paper")(out)
    loss = HeCo(params, inputs).loss(inputs)
    assert torch.isfinite(loss)
    loss.backward()


def test_shipped_positives_are_not_replaced_by_accident():
    data = make_planted_hetero(num_papers=30)
    with pytest.raises(ValueError, match="overwrite=True"):
        AddMetapathPositives(["PAP"], "paper")(data)
    out = AddMetapathPositives(["PAP"], "paper", num_pos=2, overwrite=True)(data)
    assert not torch.equal(out.pos.to_dense(), data.pos.to_dense())


@pytest.mark.parametrize("bad", [0, -3])
def test_num_pos_must_be_positive(bad):
    with pytest.raises(ValueError, match="num_pos must be >= 1"):
        AddMetapathPositives(["PAP"], "paper", num_pos=bad)


def test_meow_builds_the_same_pairs_from_its_metapaths_as_from_the_transform():
    from graphcl.hetero import MEOWModel, MEOWParams, ToMEOWInputs

    data = make_planted_hetero(num_papers=60)
    del data.pos

    def inputs(positives, graph):
        model = MEOWModel(metapaths=["PAP", "PSP"], nei_max=[5, 5], positives=positives, pos_num=4, num_clusters=[3, 6])
        return ToMEOWInputs(MEOWParams(model=model), "paper", seed=2)(graph)

    built = inputs("metapath", data).pos_mask.to_dense()
    via_file = inputs("heco", AddMetapathPositives(["PAP", "PSP"], "paper", num_pos=4, seed=2)(data)).pos_mask
    assert torch.equal(built, via_file.to_dense())
    assert torch.equal(built.diagonal(), torch.ones(60))  # the own view stays a positive
    with pytest.raises(ValueError, match="positives='metapath'"):
        inputs("heco", data)
    with pytest.raises(ValueError, match="pos_num must be >= 1"):
        MEOWModel(positives="metapath", pos_num=0)
