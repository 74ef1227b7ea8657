import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from graphcl.core import InfoNCE
from tests.core import reference as ref


def _inputs(n=6, m=5, d=4, seed=0, multi=True):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    c = torch.randn(m, d, generator=g, dtype=torch.float64, requires_grad=True)
    if multi:
        pos = torch.rand(n, m, generator=g) < 0.35
        pos[torch.arange(n), torch.arange(n) % m] = True
    else:
        pos = torch.zeros(n, m, dtype=torch.bool)
        pos[torch.arange(n), torch.arange(n) % m] = True
    w = torch.rand(n, m, generator=g, dtype=torch.float64) * 2
    return a, c, pos, w


def _value_and_grads(fn, *tensors):
    value = fn()
    grads = torch.autograd.grad(value, tensors)
    return value.detach(), grads


@pytest.mark.parametrize("similarity", ["cosine", "dot"])
@pytest.mark.parametrize("pos_in_den", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("chunk_size", [None, 2])
def test_matches_reference_values_and_gradients(similarity, pos_in_den, weighted, chunk_size):
    a, c, pos, w = _inputs()
    w = w.requires_grad_(True) if weighted else None
    loss = InfoNCE(0.7, similarity, pos_in_den, chunk_size=chunk_size)
    tensors = (a, c) + ((w,) if weighted else ())
    got, got_g = _value_and_grads(lambda: loss(a, c, pos, w), *tensors)
    want, want_g = _value_and_grads(lambda: ref.infonce(a, c, pos, w, 0.7, similarity, pos_in_den).mean(), *tensors)
    torch.testing.assert_close(got, want)
    for g1, g2 in zip(got_g, want_g):
        torch.testing.assert_close(g1, g2)


def test_orthogonal_one_hot_closed_form():
    n = 5
    eye = torch.eye(n)
    got = InfoNCE(1.0, "dot")(eye, eye.clone())
    assert math.isclose(float(got), -math.log(math.e / (math.e + n - 1)), rel_tol=1e-6)
    got = InfoNCE(1.0, "dot", positives_in_denominator=False)(eye, eye.clone())
    assert math.isclose(float(got), -math.log(math.e / (n - 1)), rel_tol=1e-6)


def test_reductions_and_default_candidates():
    a, c, pos, _ = _inputs(n=4, m=4)
    per = InfoNCE(reduction="none")(a, c, pos)
    assert per.shape == (4,)
    torch.testing.assert_close(InfoNCE(reduction="sum")(a, c, pos), per.sum())
    torch.testing.assert_close(InfoNCE()(a, c, pos), per.mean())
    # candidates=None means candidates = anchors
    torch.testing.assert_close(InfoNCE()(a, None, pos), InfoNCE()(a, a, pos))


@pytest.mark.parametrize("checkpoint", [True, False])
@pytest.mark.parametrize("chunk_size", [1, 3, 4, 100])
def test_chunked_equals_unchunked(chunk_size, checkpoint):
    a, c, pos, w = _inputs(n=7, m=6)
    w = w.requires_grad_(True)
    full = InfoNCE(0.3, positives_in_denominator=False, reduction="none")
    chunked = InfoNCE(
        0.3, positives_in_denominator=False, reduction="none", chunk_size=chunk_size, checkpoint=checkpoint
    )
    weights_seen = []

    def weight_fn(start, stop):
        weights_seen.append((start, stop))
        return w[start:stop] * 1.0

    coef = torch.arange(7, dtype=torch.float64)  # a non-uniform upstream gradient
    v1, g1 = _value_and_grads(lambda: (full(a, c, pos, w) * coef).sum(), a, c, w)
    v2, g2 = _value_and_grads(lambda: (chunked(a, c, pos, weight_fn) * coef).sum(), a, c, w)
    torch.testing.assert_close(v1, v2)
    for x, y in zip(g1, g2):
        torch.testing.assert_close(x, y)
    assert all(stop - start <= chunk_size for start, stop in weights_seen)


def test_all_ones_weights_equal_unweighted():
    a, c, pos, _ = _inputs()
    for pid in (True, False):
        loss = InfoNCE(0.5, positives_in_denominator=pid)
        torch.testing.assert_close(loss(a, c, pos, torch.ones(6, 5, dtype=torch.float64)), loss(a, c, pos))


def test_zero_weight_equals_removing_the_negative():
    a, c, _, w = _inputs(n=4, m=5)
    pos = torch.zeros(4, 5, dtype=torch.bool)
    pos[torch.arange(4), torch.arange(4)] = True
    # candidate 4 is a negative for everyone: a zero weight must equal dropping that column
    w[:, 4] = 0
    loss = InfoNCE(0.5, reduction="none")
    got = loss(a, c, pos, w)
    want = loss(a, c[:4], pos[:, :4], w[:, :4])
    torch.testing.assert_close(got, want)
    # per-anchor removal: zero weight on (0, 1) equals reference without that pair
    w2 = torch.ones(4, 5, dtype=torch.float64)
    w2[0, 1] = 0
    torch.testing.assert_close(loss(a, c, pos, w2)[0], loss(a[:1], c[[0, 2, 3, 4]], pos[:1, [0, 2, 3, 4]])[0])


def test_permutation_invariance():
    a, c, pos, w = _inputs()
    loss = InfoNCE(0.4)
    base = loss(a, c, pos, w)
    rows, cols = torch.randperm(6), torch.randperm(5)
    permuted = loss(a[rows], c[cols], pos[rows][:, cols], w[rows][:, cols])
    torch.testing.assert_close(base, permuted)


def test_symmetric_is_mean_of_both_directions():
    a, c, pos, w = _inputs(n=5, m=5)
    got = InfoNCE(0.5, symmetric=True, chunk_size=2)(a, c, pos, w)
    forward = InfoNCE(0.5, reduction="none")(a, c, pos, w)
    backward = InfoNCE(0.5, reduction="none")(c, a, pos.t(), w.t())
    torch.testing.assert_close(got, 0.5 * (forward + backward).mean())


@pytest.mark.filterwarnings("ignore:Sparse CSR tensor support is in beta:UserWarning")
@pytest.mark.filterwarnings("ignore:Sparse invariant checks:UserWarning")
def test_sparse_and_float_masks_equal_dense():
    a, c, pos, w = _inputs()
    loss = InfoNCE(0.5, chunk_size=4, symmetric=False)
    dense = loss(a, c, pos, w)
    torch.testing.assert_close(loss(a, c, pos.to_sparse(), w), dense)
    torch.testing.assert_close(loss(a, c, pos.double().to_sparse_csr(), w), dense)
    torch.testing.assert_close(loss(a, c, pos.double(), w), dense)
    # explicit zeros stored in a sparse mask are not positives
    idx = torch.tensor([[0, 1, 2, 3, 4, 5, 0], [0, 1, 2, 3, 4, 0, 4]])
    vals = torch.tensor([1.0, 1, 1, 1, 1, 1, 0], dtype=torch.float64)
    sparse = torch.sparse_coo_tensor(idx, vals, (6, 5))
    assert torch.equal(sparse.to_dense() != 0, sparse.to_dense().bool())
    torch.testing.assert_close(loss(a, c, sparse, w), loss(a, c, sparse.to_dense() != 0, w))


def test_sparse_mask_symmetric_equals_dense():
    a, c, pos, w = _inputs(n=5, m=5)
    loss = InfoNCE(0.5, symmetric=True, chunk_size=2)
    torch.testing.assert_close(loss(a, c, pos.to_sparse(), w), loss(a, c, pos, w))


def test_large_logits_stay_finite_and_match_float64():
    g = torch.Generator().manual_seed(1)
    a = torch.randn(6, 3, generator=g) * 100
    c = torch.randn(6, 3, generator=g) * 100
    w = torch.rand(6, 6, generator=g)
    w[0, 3] = 0.0
    for pid in (True, False):
        loss = InfoNCE(0.1, "dot", positives_in_denominator=pid)
        v32 = loss(a, c, None, w)
        v64 = loss(a.double(), c.double(), None, w.double())
        assert torch.isfinite(v32)
        torch.testing.assert_close(v32.double(), v64, rtol=1e-4, atol=1e-2)


def test_gradient_reaches_zero_learned_weights():
    a, c, pos, w = _inputs()
    w = w.clone()
    w[~pos] = 0
    w[0, 4] = 0.0
    w.requires_grad_(True)
    got = torch.autograd.grad(InfoNCE(0.5)(a, c, pos, w), w)[0]
    want = torch.autograd.grad(ref.infonce(a, c, pos, w, 0.5).mean(), w)[0]
    torch.testing.assert_close(got, want)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 7),
    m=st.integers(2, 7),
    d=st.integers(1, 4),
    chunk=st.integers(1, 8),
    seed=st.integers(0, 10_000),
    pid=st.booleans(),
    similarity=st.sampled_from(["cosine", "dot"]),
)
def test_property_matches_reference(n, m, d, chunk, seed, pid, similarity):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n, d, generator=g, dtype=torch.float64)
    c = torch.randn(m, d, generator=g, dtype=torch.float64)
    pos = torch.rand(n, m, generator=g) < 0.3
    pos[torch.arange(n), torch.randint(m, (n,), generator=g)] = True
    pos[:, 0] = False  # keep at least one negative per row
    pos[pos.sum(1) == 0, 1] = True
    w = torch.rand(n, m, generator=g, dtype=torch.float64) + 0.1
    got = InfoNCE(0.5, similarity, pid, reduction="none", chunk_size=chunk)(a, c, pos.to_sparse(), w)
    want = ref.infonce(a, c, pos, w, 0.5, similarity, pid)
    torch.testing.assert_close(got, want)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"temperature": 0}, "temperature"),
        ({"temperature": -1.0}, "temperature"),
        ({"temperature": float("nan")}, "temperature"),
        ({"similarity": "l2"}, "similarity"),
        ({"reduction": "max"}, "reduction"),
        ({"chunk_size": 0}, "chunk_size"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        InfoNCE(**kwargs)


def test_bad_inputs_name_the_problem():
    a, c, pos, w = _inputs()
    loss = InfoNCE()
    with pytest.raises(ValueError, match="candidates has dim"):
        loss(a, torch.randn(5, 3, dtype=torch.float64), pos)
    with pytest.raises(ValueError, match="pos_mask has shape"):
        loss(a, c, pos[:, :4])
    with pytest.raises(ValueError, match="2-D"):
        loss(a[0], c)
    with pytest.raises(TypeError, match="dtype"):
        loss(a, c.float(), pos)
    with pytest.raises(TypeError, match="floating"):
        loss(torch.ones(6, 4, dtype=torch.long), None)
    with pytest.raises(ValueError, match="NaN"):
        loss(a.detach().clone().fill_(float("nan")), c, pos)
    with pytest.raises(ValueError, match="pos_mask=None"):
        loss(a, c)
    with pytest.raises(ValueError, match="no positive"):
        loss(a, c, torch.zeros(6, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="only 0 and 1"):
        loss(a, c, pos.double() * 0.5)
    with pytest.raises(ValueError, match="neg_weights has shape"):
        loss(a, c, pos, w[:3])
    with pytest.raises(ValueError, match="negative values"):
        loss(a, c, pos, -w)
    with pytest.raises(ValueError, match=r"returned shape"):
        InfoNCE(chunk_size=2)(a, c, pos, lambda s, e: w)
    with pytest.raises(ValueError, match="symmetric"):
        InfoNCE(symmetric=True)(a, c, pos)
    with pytest.raises(ValueError, match="no negative with weight"):
        InfoNCE(positives_in_denominator=False)(a, c, pos, torch.zeros_like(w))
    with pytest.raises(ValueError, match="every candidate is a positive"):
        InfoNCE(positives_in_denominator=False)(a, c, torch.ones(6, 5, dtype=torch.bool))


def test_weigh_positives_matches_adameow_official_formula():
    # AdaMEOW weight_InfoNce: dots = e^{z_a z^T / tau}; loss = -log(diag(dots) / sum_j w_ij dots_ij)
    a, c, _, w = _inputs(n=5, m=5)
    w = w.requires_grad_(True)
    dots = torch.exp(a @ c.t() / 0.4)
    official = (-torch.log(dots.diagonal() / (dots * w).sum(dim=1))).mean()
    got = InfoNCE(0.4, "dot", weigh_positives=True, chunk_size=2)(a, c, None, lambda s, e: w[s:e])
    torch.testing.assert_close(got, official)
    for g1, g2 in zip(torch.autograd.grad(got, (a, c, w)), torch.autograd.grad(official, (a, c, w))):
        torch.testing.assert_close(g1, g2)
    with pytest.raises(ValueError, match="weigh_positives"):
        InfoNCE(positives_in_denominator=False, weigh_positives=True)
    with pytest.raises(ValueError, match="weigh_positives=True"):
        InfoNCE(weigh_positives=True)(a, c, None, torch.zeros_like(w))


def test_checkpointed_callable_weights_train_module_parameters():
    # AdaMEOW-style: weights from an MLP on z_i + z_j, computed per block inside the checkpoint;
    # gradients must reach the MLP's parameters exactly as with the full matrix.
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1), torch.nn.Sigmoid()
    ).double()
    a, c, _, _ = _inputs(n=6, m=6)

    def weights(start, stop):
        return mlp(a[start:stop, None, :] + c[None, :, :]).squeeze(-1)

    params = (a, c, *mlp.parameters())
    full = InfoNCE(0.5, "dot", weigh_positives=True)(a, c, None, weights(0, 6))
    g_full = torch.autograd.grad(full, params)
    chunked = InfoNCE(0.5, "dot", weigh_positives=True, chunk_size=4, checkpoint=True)(a, c, None, weights)
    g_chunked = torch.autograd.grad(chunked, params)
    torch.testing.assert_close(full, chunked)
    for x, y in zip(g_full, g_chunked):
        torch.testing.assert_close(x, y)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 6),
    d=st.integers(1, 3),
    chunk=st.integers(1, 7),
    seed=st.integers(0, 10_000),
    weighted=st.booleans(),
)
def test_property_symmetric_sparse_chunked_equals_dense(n, d, chunk, seed, weighted):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n, d, generator=g, dtype=torch.float64)
    c = torch.randn(n, d, generator=g, dtype=torch.float64)
    pos = torch.rand(n, n, generator=g) < 0.4
    pos |= torch.eye(n, dtype=torch.bool)  # every row and column has a positive
    w = torch.rand(n, n, generator=g, dtype=torch.float64) if weighted else None
    dense = InfoNCE(0.5, symmetric=True, reduction="none")(a, c, pos, w)
    sparse = InfoNCE(0.5, symmetric=True, reduction="none", chunk_size=chunk)(a, c, pos.to_sparse(), w)
    torch.testing.assert_close(sparse, dense)


def test_inputs_on_another_device_are_rejected():
    a, c, pos, w = _inputs()
    with pytest.raises(ValueError, match="neg_weights is on meta"):
        InfoNCE()(a, c, pos, w.to("meta"))
    with pytest.raises(ValueError, match="pos_mask is on meta"):
        InfoNCE()(a, c, pos.to("meta"))
    with pytest.raises(ValueError, match="candidates is on meta"):
        InfoNCE()(a, c.detach().to("meta"), pos)


def test_checkpoint_replays_dropout_inside_callable_weights():
    a, c, _, w = _inputs(n=6, m=6)
    drop = torch.nn.Dropout(0.5)

    def weights(start, stop):
        return drop(w[start:stop])

    results = []
    for ckpt in (False, True):
        torch.manual_seed(7)
        loss = InfoNCE(0.5, chunk_size=2, checkpoint=ckpt)(a, c, None, weights)
        results.append((loss.detach(), torch.autograd.grad(loss, (a, c))))
    torch.testing.assert_close(results[0][0], results[1][0])
    for x, y in zip(results[0][1], results[1][1]):
        torch.testing.assert_close(x, y)


def test_far_zero_weight_pair_with_learned_weights_gives_no_nan():
    # a zero-weight negative 1000 logits above everything else: exp would overflow float32
    a = torch.tensor([[10.0, 0.0]], requires_grad=True)
    c = torch.tensor([[0.0, 1.0], [1.0, 0.0], [0.0, -1.0]], requires_grad=True)
    pos = torch.tensor([[True, False, False]])
    w = torch.tensor([[1.0, 0.0, 1.0]], requires_grad=True)
    loss = InfoNCE(0.01, "dot")(a, c, pos, w)
    grads = torch.autograd.grad(loss, (a, c, w))
    assert torch.isfinite(loss) and all(torch.isfinite(g).all() for g in grads)
    torch.testing.assert_close(loss, torch.tensor(torch.log(torch.tensor(2.0)).item()))
