"""params.model.featureless: structural inputs for node types without features (issue #18, item 4)."""

import pytest
import torch
from torch_geometric.data import HeteroData

from graphcl.config import ConfigError, from_dict
from graphcl.hetero import HeCoModel, HeCoParams, MEOWModel, MEOWParams
from graphcl.hetero.augment import mask_features
from graphcl.hetero.featureless import AddFeaturelessFeatures, metapath_walks, propagated_features
from graphcl.hetero.inputs import ToHeCoInputs, ToMEOWInputs
from graphcl.hetero.params import Metapath2Vec
from graphcl.hetero.train import build

from .synthetic import make_planted_hetero

SMALL = {"dim": 8, "walk_length": 6, "walks_per_node": 2, "window": 2, "epochs": 1, "batch_size": 512}


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """metapath2vec caches in the user cache: every test gets an empty one of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _params(**model):
    base = {"nei_max": [5, 5], "num_clusters": [4, 6], "kmeans_restarts": 1, "mp2vec": Metapath2Vec(**SMALL)}
    return MEOWParams(model=MEOWModel(**{**base, **model}))


def _toy() -> HeteroData:
    """3 papers (featureless), authors a0 = [1, 0], a1 = [0, 2], featureless subjects s0, s1."""
    data = HeteroData()
    data["paper"].num_nodes = 3
    data["author"].x = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    data["subject"].num_nodes = 2
    data[("paper", "to", "author")].edge_index = torch.tensor([[0, 0, 1], [0, 1, 1]])
    data[("paper", "to", "subject")].edge_index = torch.tensor([[0, 1, 2], [0, 0, 1]])
    return data


def test_propagated_features_match_the_hand_computed_means():
    data = _toy()
    out = propagated_features(data, ["paper", "subject"], {"author": data["author"].x})
    # paper: [mean of its authors' features | row-normalised one-hot subjects]; p2 has no author
    expected_paper = torch.tensor([[0.5, 1.0, 1.0, 0.0], [0.0, 2.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    assert out["paper"].is_sparse and torch.equal(out["paper"].to_dense(), expected_paper)
    # subject (edges stored paper -> subject, read transposed): mean of one-hot papers
    assert torch.equal(out["subject"].to_dense(), torch.tensor([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]))


def test_propagated_inputs_of_meow_are_the_mean_of_the_neighbours_normalised_features():
    data = make_planted_hetero()
    shipped = data["paper"].x.clone()
    inputs = ToMEOWInputs(_params(featureless="propagated"), "paper")(data)
    assert torch.equal(data["paper"].x, shipped) and "x" not in data["subject"]  # the graph is not modified
    x = shipped / shipped.sum(1, keepdim=True)  # normalize_features, as node_features
    ei = data[("paper", "to", "subject")].edge_index
    inc = torch.zeros(data["subject"].num_nodes, data["paper"].num_nodes)
    inc[ei[1], ei[0]] = 1.0
    expected = (inc / inc.sum(1, keepdim=True).clamp_min(1)) @ x
    assert torch.allclose(inputs.x["subject"], expected, atol=1e-6)
    assert inputs.in_dims["subject"] == x.size(1)


def test_the_default_keeps_embedding_tables():
    assert MEOWModel().featureless == HeCoModel().featureless == "embedding"
    inputs = ToMEOWInputs(_params(), "paper")(make_planted_hetero())
    assert inputs.x["subject"] is None and inputs.in_dims["subject"] is None


def test_metapath2vec_shapes_and_types_visited_by_several_metapaths():
    data = make_planted_hetero()
    inputs = ToMEOWInputs(_params(featureless="metapath2vec", ignore_features=["paper"]), "paper")(data)
    n = {t: data[t].num_nodes for t in data.node_types}
    assert inputs.x["subject"].shape == (n["subject"], 8)  # visited by PSP only
    assert inputs.x["paper"].shape == (n["paper"], 16)  # PAP | PSP, concatenated
    assert inputs.x_masked.shape == (n["paper"], 16)
    assert inputs.x["author"].shape[1] == data["author"].x.shape[1]  # shipped features stay


def test_metapath2vec_is_deterministic_under_a_seed_and_leaves_the_global_rng_alone():
    data = make_planted_hetero()
    params = _params(featureless="metapath2vec", mp2vec=Metapath2Vec(**SMALL, cache=False))
    state = torch.get_rng_state()
    a = ToMEOWInputs(params, "paper", seed=3)(data).x["subject"]
    assert torch.equal(torch.get_rng_state(), state)
    b = ToMEOWInputs(params, "paper", seed=3)(data).x["subject"]
    c = ToMEOWInputs(params, "paper", seed=4)(data).x["subject"]
    assert torch.equal(a, b) and not torch.equal(a, c)


def _cache_files(tmp_path):
    return sorted((tmp_path / "cache" / "graphcl" / "metapath2vec").glob("*.pt"))


def test_metapath2vec_vectors_are_cached_per_graph_settings_and_seed(tmp_path, monkeypatch):
    import graphcl.hetero.featureless as featureless

    data = make_planted_hetero()
    params = _params(featureless="metapath2vec")
    first = ToMEOWInputs(params, "paper", seed=3)(data).x["subject"]
    assert len(_cache_files(tmp_path)) == 2  # one file per meta-path (PAP, PSP)

    def no_training(*args, **kwargs):
        raise AssertionError("a cached meta-path was recomputed")

    with monkeypatch.context() as patched:
        patched.setattr(featureless, "_train_skipgram", no_training)
        assert torch.equal(ToMEOWInputs(params, "paper", seed=3)(data).x["subject"], first)
    ToMEOWInputs(params, "paper", seed=4)(data)  # another seed: new files
    other = Metapath2Vec(**{**SMALL, "window": 1})
    ToMEOWInputs(_params(featureless="metapath2vec", mp2vec=other), "paper", seed=3)(data)
    assert len(_cache_files(tmp_path)) == 6
    data["paper", "to", "subject"].edge_index = data["paper", "to", "subject"].edge_index[:, 1:]
    ToMEOWInputs(params, "paper", seed=3)(data)  # an edge fewer: PSP is recomputed, PAP read
    assert len(_cache_files(tmp_path)) == 7


def test_a_corrupt_metapath2vec_cache_is_recomputed_with_a_warning(tmp_path, caplog):
    data = make_planted_hetero()
    params = _params(featureless="metapath2vec")
    expected = ToMEOWInputs(params, "paper", seed=3)(data).x["subject"]
    for file in _cache_files(tmp_path):
        file.write_bytes(b"not a torch file")
    with caplog.at_level("WARNING", logger="graphcl.hetero.featureless"):
        assert torch.equal(ToMEOWInputs(params, "paper", seed=3)(data).x["subject"], expected)
    assert "is unreadable" in caplog.text and "recomputing" in caplog.text
    assert all(file.stat().st_size > 100 for file in _cache_files(tmp_path))  # overwritten


def test_metapath2vec_cache_off_writes_nothing(tmp_path):
    params = _params(featureless="metapath2vec", mp2vec=Metapath2Vec(**SMALL, cache=False))
    ToMEOWInputs(params, "paper", seed=3)(make_planted_hetero())
    assert _cache_files(tmp_path) == []


def test_metapath_walks_follow_the_metapath():
    data = _toy()
    path = [("paper", "to", "subject"), ("subject", "to", "paper")]
    walks = metapath_walks(data, path, 3, 4, torch.Generator().manual_seed(0))
    assert walks.shape == (9, 5)
    ps = {(0, 0), (1, 0), (2, 1)}
    for w in walks.tolist():
        assert all((w[j], w[j + 1]) in ps for j in range(0, 4, 2))  # paper -> subject
        assert all((w[j + 1], w[j]) in ps for j in range(1, 4, 2))  # subject -> paper


@pytest.mark.parametrize("mode", ["propagated", "metapath2vec"])
def test_a_model_built_with_the_option_reads_the_features(mode):
    data = make_planted_hetero()
    net, inputs = build("meow", data, _params(featureless=mode))
    enc = net.encoder.fc["subject"]
    assert enc.embed is None and enc.linear.in_features == inputs.x["subject"].shape[1]
    before = net.embed(inputs)
    inputs.x["subject"] = inputs.x["subject"] + 1.0
    assert not torch.allclose(before, net.embed(inputs))  # the embeddings depend on these inputs
    loss = net.loss(inputs)
    loss.backward()
    assert torch.isfinite(loss) and enc.linear.weight.grad is not None


def test_sparse_propagated_target_features_train_meow_and_heco():
    data = make_planted_hetero()
    net, inputs = build("meow", data, _params(featureless="propagated", ignore_features=["paper"]))
    assert inputs.x["paper"].is_sparse and inputs.x_masked.is_sparse
    assert torch.isfinite(net.loss(inputs))
    params = HeCoParams(model=HeCoModel(featureless="propagated", sample_rate=[3, 1]))
    heco, inputs = build("heco", data, params)
    assert heco.fc["subject"].linear.in_features == inputs.x["subject"].shape[1] == data["paper"].x.shape[1]
    assert torch.isfinite(heco.loss(inputs))


def test_heco_inputs_get_metapath2vec_features():
    params = HeCoParams(model=HeCoModel(featureless="metapath2vec", sample_rate=[3, 1], mp2vec=Metapath2Vec(**SMALL)))
    inputs = ToHeCoInputs(params, "paper")(make_planted_hetero())
    assert inputs.x["subject"].shape[1] == 8


def test_masking_sparse_features_masks_the_entries_of_the_dense_form():
    x = (torch.rand(20, 7, generator=torch.Generator().manual_seed(0)) < 0.4).float()
    dense = mask_features(x, 0.3, torch.Generator().manual_seed(1))
    sparse = mask_features(x.to_sparse(), 0.3, torch.Generator().manual_seed(1))
    assert sparse.is_sparse and torch.equal(sparse.to_dense(), dense)


def test_the_transform_does_not_modify_its_input():
    data = _toy()
    out = AddFeaturelessFeatures("propagated")(data)
    assert "x" not in data["paper"] and "x" not in data["subject"]
    assert out["paper"].x.shape == (3, 4) and out["subject"].x.shape == (2, 3)
    assert torch.equal(out["author"].x, data["author"].x)


@pytest.mark.parametrize("cls", [MEOWParams, HeCoParams])
def test_an_invalid_featureless_value_names_the_field_and_the_choices(cls):
    with pytest.raises(ConfigError, match=r"featureless.*'onehot'.*embedding.*metapath2vec.*propagated"):
        from_dict(cls, {"model": {"featureless": "onehot"}})
    with pytest.raises(ValueError, match=r"featureless must be one of \('embedding', 'metapath2vec', 'propagated'\)"):
        cls.__dataclass_fields__["model"].default_factory().__class__(featureless="onehot")
    with pytest.raises(ValueError, match="featureless must be one of"):
        AddFeaturelessFeatures("onehot")


def test_invalid_metapath2vec_settings_name_the_field():
    with pytest.raises(ConfigError, match=r"mp2vec\.dim must be >= 1"):
        from_dict(MEOWParams, {"model": {"mp2vec": {"dim": 0}}})
    with pytest.raises(ConfigError, match=r"mp2vec\.window 30 exceeds walk_length 20"):
        from_dict(MEOWParams, {"model": {"mp2vec": {"window": 30}}})
