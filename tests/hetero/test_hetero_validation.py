import pytest
import torch

from graphcl.hetero.inputs import node_features
from graphcl.hetero.params import HeCoModel, HeCoParams, MEOWModel, MEOWParams
from graphcl.hetero.train import build
from graphcl.hetero.validation import check_hetero
from tests.hetero.synthetic import make_planted_hetero


def test_valid_graph_passes():
    assert check_hetero(make_planted_hetero(num_papers=90)) == ["PAP", "PSP"]


def test_missing_metapath_is_named():
    with pytest.raises(KeyError, match="PCP"):
        check_hetero(make_planted_hetero(num_papers=30), metapaths=["PAP", "PCP"])


def test_metapath_without_edges_or_matrix():
    data = make_planted_hetero(num_papers=30)
    del data.metapaths["PSP"]
    del data["paper", "to", "subject"]
    with pytest.raises(KeyError, match="PSP"):
        check_hetero(data, metapaths=["PSP"])


def test_metapath_must_return_to_the_target():
    with pytest.raises(KeyError, match="must start and end at the target type 'paper'"):
        check_hetero(make_planted_hetero(num_papers=30), metapaths=["PA"])


def test_missing_target_type():
    data = make_planted_hetero(num_papers=30)
    with pytest.raises(KeyError, match="movie"):
        check_hetero(data, target="movie")


def test_target_is_needed_when_the_loader_set_none():
    data = make_planted_hetero(num_papers=90)
    del data.target
    with pytest.raises(ValueError, match="target='paper'"):
        check_hetero(data)
    assert check_hetero(data, target="paper") == ["PAP", "PSP"]


def test_missing_labels():
    data = make_planted_hetero(num_papers=30)
    del data["paper"].y
    with pytest.raises(ValueError, match="labels"):
        check_hetero(data)


def test_overlapping_splits():
    data = make_planted_hetero(num_papers=60)
    data["paper"].test_idx_40 = torch.cat([data["paper"].test_idx_40, data["paper"].train_idx_40[:2]])
    with pytest.raises(ValueError, match="overlap"):
        check_hetero(data)


def test_heco_needs_positives():
    data = make_planted_hetero(num_papers=30)
    del data.pos
    with pytest.raises(ValueError, match="pos"):
        build("heco", data, HeCoParams(model=HeCoModel(schema_types=["author", "subject"])))


def test_too_many_clusters():
    with pytest.raises(ValueError, match="num_clusters"):
        build("meow", make_planted_hetero(num_papers=30), MEOWParams(model=MEOWModel(num_clusters=[10, 300])))


def test_node_features_do_not_mutate_and_are_row_normalised():
    data = make_planted_hetero(num_papers=30)
    before = data["paper"].x.clone()
    x = node_features(data, ["paper", "subject"])
    assert torch.equal(data["paper"].x, before)
    assert torch.allclose(x["paper"].sum(1), torch.ones(30))
    assert x["subject"] is None  # featureless: embedding table
