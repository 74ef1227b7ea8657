"""Dense float64 building blocks of the golden tests, written from the papers, not from graphcl."""

from __future__ import annotations

import torch
from torch_geometric.data import HeteroData


def tiny_graph(num_papers: int, author_dim: int, paper_author: list, paper_subject: list, seed: int) -> HeteroData:
    """Papers (target, 6 features) - authors (``author_dim`` features) - 3 featureless subjects."""
    g = torch.Generator().manual_seed(seed)
    data = HeteroData()
    data["paper"].x = torch.rand(num_papers, 6, generator=g)
    data["author"].x = torch.rand(5, author_dim, generator=g)
    data["subject"].num_nodes = 3
    data["paper", "to", "author"].edge_index = torch.tensor(paper_author).t()
    data["paper", "to", "subject"].edge_index = torch.tensor(paper_subject).t()
    return data


def incidence(data, edge_type) -> torch.Tensor:
    """Dense 0/1 ``src x dst`` matrix of a stored edge type."""
    src, _, dst = edge_type
    m = torch.zeros(data[src].num_nodes, data[dst].num_nodes, dtype=torch.float64)
    m[data[edge_type].edge_index[0], data[edge_type].edge_index[1]] = 1
    return m


def row_normalize(x: torch.Tensor) -> torch.Tensor:
    """The official ``preprocess_features`` of HeCo and MEOW."""
    x = x.double()
    return x / x.sum(1, keepdim=True)


def semantic_attention(att, embeds: list[torch.Tensor]) -> torch.Tensor:
    """HAN's semantic attention (official ``Attention`` of HeCo and MEOW) with the weights of ``att``:
    ``beta = softmax_m(a · mean_i tanh(W z^m_i + b))``, ``sum_m beta_m z^m``."""
    scores = torch.stack([(att.att @ torch.tanh(att.fc(z)).mean(0)).squeeze() for z in embeds])
    beta = torch.softmax(scores, dim=0)
    return sum(b * z for b, z in zip(beta, embeds))
