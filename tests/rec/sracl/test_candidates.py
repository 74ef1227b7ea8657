"""Prefix candidates and owner-masked retrieval for SRA-CL's per-prefix user retrieval."""

import pytest
import torch
import torch.nn.functional as F

from rec.sracl.candidates import masked_topk, training_prefixes


def test_training_prefixes_are_every_training_prefix_without_held_out_items():
    seqs, lens, owner = training_prefixes([[1, 2, 3, 4, 5], [7, 8, 9], [6, 6]], max_len=2)
    # user 0: training history [1, 2, 3] (4 and 5 are the validation and test targets)
    # user 1: [7]; user 2: nothing left, so no prefix
    assert seqs.tolist() == [[1, 0], [1, 2], [2, 3], [7, 0]]
    assert lens.tolist() == [1, 2, 2, 1]
    assert owner.tolist() == [0, 0, 0, 1]
    assert not torch.isin(seqs, torch.tensor([4, 5, 8, 9])).any()


def test_training_prefixes_holdout_zero_and_bad_length():
    seqs, lens, _ = training_prefixes([[3, 4]], max_len=5, holdout=0)
    assert seqs[:, :2].tolist() == [[3, 0], [3, 4]] and lens.tolist() == [1, 2]
    with pytest.raises(ValueError, match="max_len"):
        training_prefixes([[1]], max_len=0)


def brute_force(query, keys, k, query_owner, key_owner, valid):
    out = []
    for b in range(query.size(0)):
        scored = [
            (float(F.cosine_similarity(query[b], keys[j], dim=0)), j)
            for j in range(keys.size(0))
            if key_owner[j] != query_owner[b] and valid[j]
        ]
        out.append(sorted(scored, key=lambda t: -t[0])[:k])
    return out


@pytest.mark.parametrize("chunk", [1, 3, 64])
def test_masked_topk_matches_brute_force(chunk):
    g = torch.Generator().manual_seed(0)
    query, keys = torch.randn(7, 5, generator=g), torch.randn(30, 5, generator=g)
    query_owner = torch.randint(0, 6, (7,), generator=g)
    key_owner = torch.randint(0, 6, (30,), generator=g)
    valid = torch.rand(30, generator=g) > 0.2
    got = masked_topk(query, F.normalize(keys, dim=1), 4, query_owner, key_owner, valid, chunk=chunk)
    for b, expected in enumerate(brute_force(query, keys, 4, query_owner, key_owner, valid)):
        assert got[b].tolist() == [j for _, j in expected]
        assert not (key_owner[got[b]] == query_owner[b]).any() and valid[got[b]].all()


def test_masked_topk_keys_owned_by_themselves():
    keys = torch.eye(4)
    query = keys.clone()
    got = masked_topk(query, keys, 3, torch.arange(4))  # key j belongs to user j
    assert not (got == torch.arange(4)[:, None]).any()


def test_masked_topk_errors():
    keys, query = torch.randn(3, 2), torch.randn(2, 2)
    with pytest.raises(ValueError, match="share D"):
        masked_topk(query, torch.randn(3, 4), 1, torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="query_owner"):
        masked_topk(query, keys, 1, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="key_owner"):
        masked_topk(query, keys, 1, torch.zeros(2, dtype=torch.long), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="lower k_users"):  # every key belongs to the query's owner
        masked_topk(query, keys, 1, torch.zeros(2, dtype=torch.long), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="k=4"):
        masked_topk(query, keys, 4, torch.zeros(2, dtype=torch.long))
