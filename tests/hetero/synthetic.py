"""A small heterogeneous graph with planted classes, in the layout of graphcl.data.load_hetero."""

from __future__ import annotations

import torch
from torch_geometric.data import HeteroData


def make_planted_hetero(
    num_papers: int = 150,
    num_classes: int = 3,
    authors_per_class: int = 12,
    subjects_per_class: int = 2,
    num_words: int = 30,
    p_in: float = 0.85,
    seed: int = 0,
) -> HeteroData:
    """Papers (target) - authors - subjects; each paper's authors/subject/words mostly come from
    its class (probability ``p_in``), so meta-path neighbours share classes."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(num_papers) % num_classes
    y = y[torch.randperm(num_papers, generator=g)]
    n_auth, n_subj = authors_per_class * num_classes, subjects_per_class * num_classes

    def pick(cls, per_class, total):
        own = cls * per_class + torch.randint(per_class, (1,), generator=g).item()
        return own if torch.rand(1, generator=g).item() < p_in else torch.randint(total, (1,), generator=g).item()

    pa, ps = [], []
    for i in range(num_papers):
        c = int(y[i])
        for a in {pick(c, authors_per_class, n_auth) for _ in range(3)}:
            pa.append((i, a))
        ps.append((i, pick(c, subjects_per_class, n_subj)))
    pa, ps = torch.tensor(pa).t(), torch.tensor(ps).t()
    words_per_class = num_words // num_classes
    x = torch.rand(num_papers, num_words, generator=g) < 0.05
    for i in range(num_papers):
        c = int(y[i])
        own = c * words_per_class + torch.randint(words_per_class, (3,), generator=g)
        x[i, own] = True
    data = HeteroData()
    data.target = "paper"
    data.metapath_names = ["PAP", "PSP"]
    data["paper"].x = x.float()
    data["paper"].y = y
    data["author"].num_nodes = n_auth
    data["author"].x = torch.eye(n_auth)[:, : n_auth // 2] + 0.1  # weak features for context nodes
    data["subject"].num_nodes = n_subj
    data[("paper", "to", "author")].edge_index = pa
    data[("paper", "to", "subject")].edge_index = ps

    def mp(ei, n_other):
        inc = torch.sparse_coo_tensor(ei, torch.ones(ei.size(1)), (num_papers, n_other)).coalesce().to_dense()
        return ((inc @ inc.t()) > 0).float().to_sparse()

    data.metapaths = {"PAP": mp(pa, n_auth), "PSP": mp(ps, n_subj)}
    counts = data.metapaths["PAP"].to_dense() * 3 + data.metapaths["PSP"].to_dense()
    top = counts.topk(5, dim=1).indices
    pos = torch.zeros(num_papers, num_papers)
    pos[torch.arange(num_papers)[:, None], top] = 1
    pos.fill_diagonal_(1)
    data.pos = pos.to_sparse()
    perm = torch.randperm(num_papers, generator=g)
    per_class = {r: k for r, k in zip((20, 40, 60), (5, 8, 10))}
    for r, k in per_class.items():
        train = torch.cat([perm[y[perm] == c][:k] for c in range(num_classes)])
        rest = perm[~torch.isin(perm, train)]
        setattr(data["paper"], f"train_idx_{r}", train)
        n_val = min(30, len(rest) // 2)
        setattr(data["paper"], f"val_idx_{r}", rest[:n_val])
        setattr(data["paper"], f"test_idx_{r}", rest[n_val:])
    return data
