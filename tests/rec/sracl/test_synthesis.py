import pytest
import torch

from rec.sracl.synthesis import SampleSynthesis


def inputs(b=4, k=5, ds=12, h=8):
    g = torch.Generator().manual_seed(0)
    return (torch.randn(b, ds, generator=g), torch.randn(b, k, ds, generator=g), torch.randn(b, k, h, generator=g))


def test_weights_sum_to_one_in_eval_and_training():
    torch.manual_seed(0)
    syn = SampleSynthesis(12, 8, neighbour_dropout=0.5)
    a, n, r = inputs()
    for mode in (False, True):
        syn.train(mode)
        out, w = syn(a, n, r)
        assert torch.allclose(w.sum(1), torch.ones(4), atol=1e-6)
        assert (w >= 0).all()
        assert torch.allclose(out, (w.unsqueeze(-1) * r).sum(1), atol=1e-6)
    syn.train(True)
    _, w = syn(a, n, r)
    assert (w == 0).any(), "training-mode dropout should drop some neighbours"


def test_gradients_reach_the_attention():
    syn = SampleSynthesis(12, 8).eval()
    a, n, r = inputs()
    r.requires_grad_(True)
    out, _ = syn(a, n, r)
    (out * torch.randn_like(out)).sum().backward()
    assert syn.project.weight.grad.abs().sum() > 0
    assert syn.attention.weight.grad.abs().sum() > 0
    assert r.grad.abs().sum() > 0


def test_shape_errors():
    syn = SampleSynthesis(12, 8)
    a, n, r = inputs()
    with pytest.raises(ValueError, match="shape mismatch"):
        syn(a[:2], n, r)
    with pytest.raises(ValueError, match="neighbour_repr"):
        syn(a, n, r[:, :3])
    with pytest.raises(ValueError, match="neighbour_dropout"):
        SampleSynthesis(4, 4, neighbour_dropout=1.0)
