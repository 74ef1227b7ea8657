import pytest
import torch

from graphcl.hetero.augment import drop_edges, mask_features


def test_mask_features_zeroes_the_requested_share_without_mutating():
    x = (torch.rand(50, 20, generator=torch.Generator().manual_seed(0)) > 0.5).float()
    before = x.clone()
    out = mask_features(x, 0.3, torch.Generator().manual_seed(1))
    assert torch.equal(x, before)
    nnz = int((x != 0).sum())
    assert int((out != 0).sum()) == nnz - int(0.3 * nnz)
    assert bool(((out != 0) <= (x != 0)).all())  # only existing entries are zeroed


def test_drop_edges_keeps_self_loops_and_does_not_mutate():
    a = (torch.rand(30, 30, generator=torch.Generator().manual_seed(0)) > 0.6).float()
    a.fill_diagonal_(1)
    sp = a.to_sparse()
    before = sp.to_dense().clone()
    out = drop_edges(sp, 0.5, torch.Generator().manual_seed(2)).to_dense()
    assert torch.equal(sp.to_dense(), before)
    off = int(a.sum() - 30)
    assert int(out.sum() - out.diagonal().sum()) == off - int(0.5 * off)
    assert torch.equal(out.diagonal(), torch.ones(30))


def test_masks_are_seeded():
    x = torch.rand(10, 10)
    a = mask_features(x, 0.5, torch.Generator().manual_seed(3))
    b = mask_features(x, 0.5, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_bad_rates(rate):
    with pytest.raises(ValueError, match="rate"):
        mask_features(torch.ones(2, 2), rate)
