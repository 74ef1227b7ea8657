"""The models learn on a planted-class graph (seconds each)."""

import dataclasses

import pytest
import torch

from graphcl.eval import logreg_evaluate
from graphcl.hetero.layers import sample_neighbors
from graphcl.hetero.params import (
    AdaMEOWModel,
    AdaMEOWParams,
    AdaMEOWTrain,
    HeCoModel,
    HeCoParams,
    HeCoTrain,
    MEOWModel,
    MEOWParams,
    MEOWTrain,
)
from graphcl.hetero.train import build
from tests.hetero.synthetic import make_planted_hetero

PARAMS = {
    "meow": MEOWParams(model=MEOWModel(nei_max=[20, 40], num_clusters=[5, 10]), train=MEOWTrain(lr=5e-3)),
    "adameow": AdaMEOWParams(model=AdaMEOWModel(nei_max=[20, 40]), train=AdaMEOWTrain(lr=5e-3)),
    "heco": HeCoParams(model=HeCoModel(schema_types=["author", "subject"]), train=HeCoTrain(lr=5e-3)),
}


def _score(model, inputs, data):
    s = data["paper"]
    return logreg_evaluate(model.embed(inputs), s.y, s.train_idx_20, s.val_idx_20, s.test_idx_20, lr=0.05, repeats=3)[
        "macro_f1"
    ]


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_model_learns_planted_classes(name):
    torch.manual_seed(0)
    data = make_planted_hetero(num_papers=120, seed=1)
    model, inputs = build(name, data, PARAMS[name], seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=PARAMS[name].train.lr)
    losses = []
    for _ in range(15):
        opt.zero_grad()
        loss = model.loss(inputs)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0]
    assert _score(model, inputs, data) > 0.6  # chance is 1/3


def test_embeddings_have_one_row_per_target_node():
    data = make_planted_hetero(num_papers=40)
    model, inputs = build("meow", data, MEOWParams(model=MEOWModel(nei_max=[10, 10], num_clusters=[3, 5])), seed=0)
    z = model.embed(inputs)
    assert z.shape == (40, 64) and torch.isfinite(z).all()


def test_adameow_weights_stay_positive_and_chunking_matches():
    data = make_planted_hetero(num_papers=40)
    torch.manual_seed(0)
    full, inputs = build(
        "adameow",
        data,
        AdaMEOWParams(model=AdaMEOWModel(nei_max=[10, 10], dropout=0.0), train=AdaMEOWTrain(chunk_size=None)),
        seed=0,
    )
    torch.manual_seed(0)
    chunked, _ = build(
        "adameow",
        data,
        AdaMEOWParams(model=AdaMEOWModel(nei_max=[10, 10], dropout=0.0), train=AdaMEOWTrain(chunk_size=7)),
        seed=0,
    )
    chunked.load_state_dict(full.state_dict())
    full.eval(), chunked.eval()
    assert torch.allclose(full.loss(inputs), chunked.loss(inputs), atol=1e-5)


def test_sample_neighbors_without_and_with_replacement():
    ptr = torch.tensor([0, 3, 4, 9])
    col = torch.arange(9)
    out = sample_neighbors(ptr, col, 2, torch.Generator().manual_seed(0))
    assert out.shape == (3, 2)
    assert set(out[0].tolist()) <= {0, 1, 2} and out[0, 0] != out[0, 1]
    assert out[1].tolist() == [3, 3]  # one neighbour: sampled with replacement
    assert set(out[2].tolist()) <= set(range(4, 9))
    with pytest.raises(ValueError, match="no network-schema neighbour"):
        sample_neighbors(torch.tensor([0, 0, 1]), torch.tensor([0]), 1)


@pytest.mark.parametrize("name", ["meow", "adameow"])
def test_projected_embedding_is_the_unit_norm_projection_of_the_fused_one(name):
    data = make_planted_hetero(num_papers=60, seed=2)
    fused, inputs = build(name, data, PARAMS[name], seed=0)
    params = dataclasses.replace(PARAMS[name], model=dataclasses.replace(PARAMS[name].model, embedding="projected"))
    projected, _ = build(name, data, params, seed=0)
    projected.load_state_dict(fused.state_dict())
    z, p = fused.embed(inputs), projected.embed(inputs)
    assert projected.training and not torch.equal(z, p)  # embed leaves train mode on
    with torch.no_grad():
        expected = torch.nn.functional.normalize(torch.tanh(fused.project(z)), dim=1)
    torch.testing.assert_close(p, expected)
    torch.testing.assert_close(p.norm(dim=1), torch.ones(len(p)))


def test_unknown_embedding_choice_is_rejected():
    from graphcl.config import ConfigError, from_dict

    with pytest.raises(ConfigError, match="embedding.*fused.*projected"):
        from_dict(MEOWParams, {"model": {"embedding": "coarse"}})
    with pytest.raises(ValueError, match=r"embedding must be one of \('fused', 'projected'\)"):
        MEOWParams(model=MEOWModel(embedding="coarse"))


def test_meow_heco_positives_use_pos_npz_in_the_infonce():
    """positives="heco" feeds data.pos as the InfoNCE positive mask; "self" keeps the diagonal."""
    from graphcl.core import ClusterNegativeWeights

    data = make_planted_hetero(num_papers=60, seed=2)
    heco_params = MEOWParams(
        model=MEOWModel(nei_max=[20, 40], num_clusters=[5, 10], lam_proto=0.0, dropout=0.0, positives="heco")
    )
    model, inputs = build("meow", data, heco_params, seed=0)
    plain, plain_inputs = build(
        "meow",
        data,
        MEOWParams(model=MEOWModel(nei_max=[20, 40], num_clusters=[5, 10], lam_proto=0.0, dropout=0.0)),
        seed=0,
    )
    plain.load_state_dict(model.state_dict())
    assert plain_inputs.pos_mask is None
    torch.testing.assert_close(inputs.pos_mask.to_dense(), data.pos.to_dense())
    torch.manual_seed(0)
    loss_heco = model.loss(inputs)
    torch.manual_seed(0)
    loss_self = plain.loss(plain_inputs)
    assert not torch.isclose(loss_heco, loss_self)
    # reference: the same cluster assignments, the positive mask given explicitly
    anchor, cand, _ = model._views(inputs)
    from graphcl.core import kmeans

    p = model.params.model
    assignments = [
        kmeans(cand.detach(), k, n_iter=p.kmeans_iters, seed=model.seed + 1000 * 0 + i, n_init=p.kmeans_restarts)[0]
        for i, k in enumerate(p.num_clusters)
    ]
    expected = model.info(anchor, cand, pos_mask=data.pos, neg_weights=ClusterNegativeWeights(assignments))
    torch.testing.assert_close(loss_heco, expected)


def test_meow_heco_positives_learn_and_need_pos():
    torch.manual_seed(0)
    data = make_planted_hetero(num_papers=120, seed=1)
    params = MEOWParams(
        model=MEOWModel(nei_max=[20, 40], num_clusters=[5, 10], positives="heco"), train=MEOWTrain(lr=5e-3)
    )
    model, inputs = build("meow", data, params, seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=params.train.lr)
    for _ in range(15):
        opt.zero_grad()
        model.loss(inputs).backward()
        opt.step()
    assert _score(model, inputs, data) > 0.6
    del data.pos
    with pytest.raises(ValueError, match="positives='heco' needs data.pos"):
        build("meow", data, params, seed=0)


def test_unknown_positives_choice_is_rejected():
    from graphcl.config import ConfigError, from_dict

    with pytest.raises(ConfigError, match="positives"):
        from_dict(MEOWParams, {"positives": "cluster"})
    with pytest.raises(ValueError, match="positives must be"):
        MEOWParams(model=MEOWModel(positives="cluster"))


def test_heco_positive_mask_keeps_the_diagonal_and_is_binary():
    from graphcl.hetero.inputs import positive_mask

    data = make_planted_hetero(num_papers=20, seed=3)
    dense = data.pos.to_dense()
    dense.fill_diagonal_(0)
    dense[0, 1] = 3.0  # counts, not 0/1
    data.pos = dense.to_sparse()
    mask = positive_mask(data, "heco").to_dense()
    expected = (dense > 0).float()
    expected.fill_diagonal_(1)
    torch.testing.assert_close(mask, expected)
    assert positive_mask(data, "self") is None
    with pytest.raises(ValueError, match="positives must be one of"):
        positive_mask(data, "cluster")


def test_meow_without_prototype_weight_is_the_cluster_weighted_infonce_alone(monkeypatch):
    """lam_proto 0 (ACM's shipped config): the loss of lam_proto 1 less its ProtoNCE term, which never runs."""
    data = make_planted_hetero(num_papers=60, seed=2)
    full, inputs = build("meow", data, PARAMS["meow"], seed=0)
    no_proto = dataclasses.replace(PARAMS["meow"], model=dataclasses.replace(PARAMS["meow"].model, lam_proto=0.0))
    bare, _ = build("meow", data, no_proto, seed=0)
    bare.load_state_dict(full.state_dict())
    monkeypatch.setattr(full.proto, "forward", lambda *a: torch.zeros(()))
    torch.manual_seed(0)  # same dropout draws in both forwards
    expected = full.loss(inputs)
    monkeypatch.setattr(bare.proto, "forward", lambda *a: pytest.fail("ProtoNCE ran with lam_proto 0"))
    monkeypatch.setattr("graphcl.hetero.meow.cluster_concentration", lambda *a, **k: pytest.fail("concentrations"))
    torch.manual_seed(0)
    torch.testing.assert_close(bare.loss(inputs), expected)
    assert bare.epoch == full.epoch == 1  # the same k-means seeds were drawn
