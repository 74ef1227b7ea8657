import pytest
import torch
from torch_geometric.data import HeteroData

from graphcl.hetero.metapath import (
    gcn_normalize,
    mean_over_contexts,
    metapath_contexts,
    metapath_counts,
    metapath_edge_types,
    metapath_types,
    pathsim_topk,
)
from tests.hetero.synthetic import make_planted_hetero


def _sparse(dense):
    return torch.tensor(dense, dtype=torch.float).to_sparse()


def test_pathsim_topk_keeps_most_similar_neighbours():
    # counts: node 0 shares 2 paths with node 1 (PathSim 2*2/(4+2)=0.67) and 1 with node 2
    # (2*1/(4+1)=0.4); itself has PathSim 1
    c = _sparse([[4, 2, 1], [2, 2, 0], [1, 0, 1]])
    top = pathsim_topk(c, 2).to_dense()
    assert top.tolist() == [[4, 2, 0], [2, 2, 0], [1, 0, 1]]


def test_pathsim_prefers_similar_over_frequent():
    # node 0-2: 3 paths but node 2 is a hub (c_22 = 30): PathSim 6/32 < node 0-1: 2 paths, 4/6
    c = _sparse([[2, 2, 3], [2, 4, 0], [3, 0, 30]])
    top = pathsim_topk(c, 2).to_dense()
    assert top[0].tolist() == [2, 2, 0]


def test_pathsim_does_not_mutate_input():
    c = _sparse([[4, 2, 1], [2, 2, 0], [1, 0, 1]])
    before = c.to_dense().clone()
    pathsim_topk(c, 1)
    assert torch.equal(c.to_dense(), before)


def test_gcn_normalize_matches_dense_formula():
    a = torch.tensor([[1.0, 1, 0], [1, 1, 1], [0, 1, 1]])
    d = a.sum(1).pow(-0.5)
    expected = d[:, None] * a * d[None, :]
    assert torch.allclose(gcn_normalize(a.to_sparse()).to_dense(), expected)
    with_loops = gcn_normalize(torch.zeros(3, 3).to_sparse(), add_self_loops=True).to_dense()
    assert torch.allclose(with_loops, torch.eye(3))


def test_metapath_types_and_counts_from_edge_lists():
    data = make_planted_hetero(num_papers=30)
    assert metapath_types(data, "PAP") == ["paper", "author", "paper"]
    counts = metapath_counts(data, "PAP", "paper").to_dense()
    inc = torch.zeros(30, data["author"].num_nodes)
    ei = data["paper", "to", "author"].edge_index
    inc[ei[0], ei[1]] = 1
    assert torch.equal(counts, inc @ inc.t())
    assert torch.equal(counts > 0, data.metapaths["PAP"].to_dense() > 0)


def test_contexts_and_mean_aggregation():
    data = make_planted_hetero(num_papers=30)
    ctx = metapath_contexts(data, "PAP")
    assert [t for t, _ in ctx] == ["author"]
    x = torch.randn(data["author"].num_nodes, 4)
    ei = data["paper", "to", "author"].edge_index
    agg = mean_over_contexts(ctx[0][1], x)
    for paper in range(5):
        authors = ei[1][ei[0] == paper]
        assert torch.allclose(agg[paper], x[authors].mean(0), atol=1e-6)


def test_long_metapath_contexts_follow_meow_dblp_layout():
    data = HeteroData()
    data["author"].num_nodes, data["paper"].num_nodes, data["conference"].num_nodes = 3, 4, 2
    data["paper", "to", "author"].edge_index = torch.tensor([[0, 1, 2, 3], [0, 0, 1, 2]])
    data["paper", "to", "conference"].edge_index = torch.tensor([[0, 1, 2, 3], [0, 1, 0, 1]])
    ctx = metapath_contexts(data, "APCPA")
    assert [t for t, _ in ctx] == ["paper", "conference", "paper"]
    x = torch.arange(4, dtype=torch.float)[:, None]
    # author 0 wrote papers 0 (conf 0) and 1 (conf 1): APCP reaches papers {0,2} via conf 0, {1,3} via conf 1
    assert mean_over_contexts(ctx[2][1], x)[0].item() == (0 + 2 + 1 + 3) / 4


PAP_EDGES = [("paper", "to", "author"), ("author", "to", "paper")]


def test_edge_types_and_shorthand_give_the_same_metapath():
    data = make_planted_hetero(num_papers=30)
    # only ("paper", "to", "author") is stored: the second step reads it transposed
    assert metapath_edge_types(data, "PAP") == PAP_EDGES
    assert metapath_types(data, PAP_EDGES) == ["paper", "author", "paper"]
    torch.testing.assert_close(
        metapath_counts(data, PAP_EDGES, "paper").to_dense(), metapath_counts(data, "PAP", "paper").to_dense()
    )


def _two_p_types():
    """Papers and professors share the letter P; papers cite papers and professors write papers."""
    data = HeteroData()
    data["paper"].num_nodes, data["prof"].num_nodes = 4, 2
    data["paper", "cites", "paper"].edge_index = torch.tensor([[0, 1, 2], [1, 2, 3]])
    data["prof", "writes", "paper"].edge_index = torch.tensor([[0, 0, 1, 1], [0, 1, 2, 3]])
    return data


def test_types_sharing_a_letter_are_told_apart_by_edge_types():
    data = _two_p_types()
    with pytest.raises(KeyError, match="letter 'P' matches node types.*give this meta-path as edge types"):
        metapath_types(data, "PPP")
    by_prof = [("paper", "writes", "prof"), ("prof", "writes", "paper")]  # the reverse is stored
    assert metapath_types(data, by_prof) == ["paper", "prof", "paper"]
    counts = metapath_counts(data, by_prof, "paper").to_dense()
    assert counts.tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]
    assert metapath_counts(data, [("paper", "cites", "paper")] * 2, "paper").to_dense()[0].tolist() == [0, 0, 1, 0]


def test_broken_edge_type_chains_are_named():
    data = _two_p_types()
    with pytest.raises(ValueError, match="ends at 'prof' but the next one"):
        metapath_types(data, [("paper", "writes", "prof"), ("paper", "cites", "paper")])
    with pytest.raises(KeyError, match="neither .*'reads'.* nor its reverse"):
        metapath_types(data, [("paper", "reads", "prof"), ("prof", "writes", "paper")])
