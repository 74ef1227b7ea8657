"""AdaMEOW's fused block loss (pair weights computed once per block) equals the earlier formulation."""

import pytest
import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from graphcl.core import InfoNCE
from graphcl.hetero.params import AdaMEOWModel, AdaMEOWParams, AdaMEOWTrain
from graphcl.hetero.train import build
from tests.hetero.synthetic import make_planted_hetero


def _reference_loss(model, inputs):
    """The previous AdaMEOW.loss: InfoNCE with a lazy weight callable, then a separate regulariser
    that evaluates every block's pair weights again."""
    fine, coarse, _ = model._views(inputs)
    u = F.linear(fine, model.w1.weight)
    v = model.w1(coarse)
    p = model.params.model
    step = model.params.train.chunk_size or u.size(0)
    info = InfoNCE(
        temperature=p.tau,
        similarity="cosine",
        positives_in_denominator=True,
        chunk_size=step,
        weigh_positives=p.weigh_positives,
    )
    loss = info(fine, coarse, pos_mask=inputs.pos_mask, neg_weights=lambda a, b: model.pair_weights(u[a:b], v))
    if p.weight_reg > 0:
        means = []
        for start in range(0, u.size(0), step):
            block = lambda uu, vv: model.pair_weights(uu, vv).mean(dim=1)  # noqa: E731
            means.append(checkpoint(block, u[start : start + step], v, use_reentrant=False))
        loss = loss + p.weight_reg * ((torch.cat(means) - 1.0) ** 2).mean()
    return loss


def _grads(model, fn, leaves):
    model.zero_grad()
    for t in leaves:
        t.grad = None
    loss = fn()
    loss.backward()
    out = {k: p.grad.clone() for k, p in model.named_parameters() if p.grad is not None}
    out.update({f"leaf{i}": t.grad.clone() for i, t in enumerate(leaves)})
    return loss.detach(), out


@pytest.mark.parametrize(
    "chunk_size,weigh_positives,weight_reg,positives",
    [
        (7, False, 1.0, "self"),
        (16, True, 0.5, "self"),
        (None, False, 0.0, "self"),
        (7, False, 1.0, "heco"),
        (16, True, 0.5, "heco"),
    ],
)
def test_fused_block_loss_matches_reference_float64(chunk_size, weigh_positives, weight_reg, positives):
    data = make_planted_hetero(num_papers=45)
    params = AdaMEOWParams(
        model=AdaMEOWModel(
            nei_max=[10, 10],
            dropout=0.0,
            weigh_positives=weigh_positives,
            weight_reg=weight_reg,
            tau=0.5,
            positives=positives,
        ),
        train=AdaMEOWTrain(chunk_size=chunk_size),
    )
    model, inputs = build("adameow", data, params, seed=0)
    model.double()
    with torch.no_grad():  # spread the weights out (default init gives w ~ 0.5 everywhere)
        model.w1.weight.mul_(4.0)
        model.w2.weight.mul_(4.0)
    g = torch.Generator().manual_seed(1)
    # float64 views as leaves (the encoder's inputs are float32): gradients reach the views and the MLP
    fine = F.normalize(torch.randn(45, 64, generator=g, dtype=torch.float64), dim=1).requires_grad_()
    coarse = F.normalize(torch.randn(45, 64, generator=g, dtype=torch.float64), dim=1).requires_grad_()
    model._views = lambda inputs: (fine, coarse, None)

    new_loss, new_grads = _grads(model, lambda: model.loss(inputs), [fine, coarse])
    ref_loss, ref_grads = _grads(model, lambda: _reference_loss(model, inputs), [fine, coarse])
    assert new_loss.dtype == torch.float64
    torch.testing.assert_close(new_loss, ref_loss, rtol=1e-12, atol=1e-12)
    assert new_grads.keys() == ref_grads.keys() and {"w1.weight", "w2.weight", "leaf0", "leaf1"} <= new_grads.keys()
    for k in ref_grads:
        torch.testing.assert_close(new_grads[k], ref_grads[k], rtol=1e-10, atol=1e-12, msg=k)
    with torch.no_grad():
        torch.testing.assert_close(model.loss(inputs), ref_loss, rtol=1e-12, atol=1e-12)


def test_fused_block_loss_matches_reference_through_the_encoder():
    data = make_planted_hetero(num_papers=45)
    model, inputs = build(
        "adameow",
        data,
        AdaMEOWParams(model=AdaMEOWModel(nei_max=[10, 10], dropout=0.0), train=AdaMEOWTrain(chunk_size=10)),
        seed=0,
    )
    new_loss, new_grads = _grads(model, lambda: model.loss(inputs), [])
    ref_loss, ref_grads = _grads(model, lambda: _reference_loss(model, inputs), [])
    torch.testing.assert_close(new_loss, ref_loss, rtol=1e-6, atol=1e-6)
    assert new_grads.keys() == ref_grads.keys() and any(k.startswith("encoder.") for k in new_grads)
    for k in ref_grads:
        torch.testing.assert_close(new_grads[k], ref_grads[k], rtol=1e-4, atol=1e-6, msg=k)


def test_pair_weights_evaluated_once_per_block_forward_and_recompute():
    data = make_planted_hetero(num_papers=30)
    model, inputs = build(
        "adameow", data, AdaMEOWParams(model=AdaMEOWModel(nei_max=[10, 10]), train=AdaMEOWTrain(chunk_size=8)), seed=0
    )
    calls = []
    original = model.pair_weights
    model.pair_weights = lambda u, v: calls.append(u.shape[0]) or original(u, v)
    model.loss(inputs).backward()
    # 4 blocks, each evaluated once in forward and once in its checkpoint recompute (backward runs
    # the blocks in reverse order); the regulariser reuses them (the earlier code made 16 calls)
    assert calls[:4] == [8, 8, 8, 6] and sorted(calls[4:]) == [6, 8, 8, 8]


def test_compiled_pair_weights_give_the_eager_loss_and_gradients():
    import graphcl.hetero.adameow as adameow

    data = make_planted_hetero(num_papers=45)
    eager, compiled = (
        AdaMEOWParams(
            model=AdaMEOWModel(nei_max=[10, 10], dropout=0.0), train=AdaMEOWTrain(chunk_size=16, compile_pair_weights=c)
        )
        for c in (False, True)
    )
    model, inputs = build("adameow", data, eager, seed=0)
    leaves = []
    eager_loss, eager_grads = _grads(model, lambda: model.loss(inputs), leaves)
    model.params = compiled
    compiled_loss, compiled_grads = _grads(model, lambda: model.loss(inputs), leaves)
    assert adameow._compiled_pair_weights() is not adameow._pair_weights, "torch.compile fell back to eager"
    torch.testing.assert_close(compiled_loss, eager_loss, rtol=1e-5, atol=1e-6)
    for k in eager_grads:
        torch.testing.assert_close(compiled_grads[k], eager_grads[k], rtol=1e-4, atol=1e-6, msg=k)


def test_fast_tanh_is_within_float32_rounding_and_exact_in_float64():
    from graphcl.hetero.adameow import _tanh

    x = torch.linspace(-12.0, 12.0, 200_001)
    assert float((_tanh(x).double() - torch.tanh(x.double())).abs().max()) < 5e-7
    assert torch.equal(_tanh(x.double()), torch.tanh(x.double()))


def test_fused_pair_weights_backward_matches_autograd_float64():
    from graphcl.hetero.adameow import _FusedPairWeights, _pair_weights

    g = torch.Generator().manual_seed(0)
    u, v = torch.randn(5, 4, generator=g, dtype=torch.float64), torch.randn(7, 4, generator=g, dtype=torch.float64)
    weight, bias = torch.randn(1, 4, generator=g, dtype=torch.float64), torch.randn(1, generator=g, dtype=torch.float64)
    grad_out = torch.randn(5, 7, generator=g, dtype=torch.float64)
    leaves = [t.requires_grad_() for t in (u, v, weight, bias)]
    expected = torch.autograd.grad((_pair_weights(*leaves) * grad_out).sum(), leaves)
    got = torch.autograd.grad((_FusedPairWeights.apply(*leaves) * grad_out).sum(), leaves)
    torch.testing.assert_close(_FusedPairWeights.apply(*leaves), _pair_weights(*leaves), rtol=1e-12, atol=0)
    for name, e, o in zip(("u", "v", "weight", "bias"), expected, got):
        torch.testing.assert_close(o, e, rtol=1e-12, atol=1e-14, msg=name)


def test_negative_weights_are_the_pair_network_over_every_summed_pair():
    # official form: w_ij = sigmoid(w2 . tanh(W1 (p_i + q_j) + b1) + b2), p fine and q coarse views
    data = make_planted_hetero(num_papers=40)
    params = AdaMEOWParams(model=AdaMEOWModel(nei_max=[10, 10]), train=AdaMEOWTrain(chunk_size=16))
    model, inputs = build("adameow", data, params, seed=0)
    model.train()
    w = model.negative_weights(inputs)
    assert model.training, "negative_weights must restore the training mode"
    model.eval()
    with torch.no_grad():
        fine, coarse, _ = model._views(inputs)
        pairs = fine[:, None, :] + coarse[None, :, :]  # [N, N, h], as the official code builds it
        expected = torch.sigmoid(model.w2(torch.tanh(model.w1(pairs)))).squeeze(-1)
    assert w.shape == (40, 40) and not w.requires_grad
    torch.testing.assert_close(w, expected)
