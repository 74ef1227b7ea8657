"""MEOW's loss against an independent loop written from the paper and the official code.

Official code: jianxiangyu/MEOW ``code_meow/module/meow.py`` (views, projection), ``encoder.py``
(GCN with a whole-matrix LayerNorm, semantic attention), ``cluster.py`` (k-means, PCL
concentrations) and ``code/module/contrast.py`` (``InfoNce``, ``ProtoNCE``). Two documented
differences are kept: concentrations use PCL's Euclidean distances, and the ProtoNCE
denominator sums over the prototypes (the official ``mean * N`` only adds ``log(N / k)``).
"""

from unittest import mock

import numpy as np
import torch
import torch.nn.functional as F

import graphcl.hetero.meow as meow_module
from graphcl.hetero import MEOW, MEOWParams, ToMEOWInputs
from graphcl.hetero.params import MEOWModel
from graphcl.hetero.train import build
from tests.hetero.reference import incidence, row_normalize, semantic_attention, tiny_graph
from tests.hetero.synthetic import make_planted_hetero


def _concentrations(x: np.ndarray, assign: np.ndarray, centroids: np.ndarray, tau: float) -> np.ndarray:
    """PCL Eq. 12 (alpha = 5, as MEOW's run_kmeans), singletons get the largest, clipped to the
    10-90th percentiles and rescaled to mean tau (official cluster.py)."""
    k = centroids.shape[0]
    phi = np.zeros(k)
    for c in range(k):
        members = x[assign == c]
        if len(members) > 1:
            phi[c] = np.linalg.norm(members - centroids[c], axis=1).mean() / np.log(len(members) + 5)
    for c in range(k):
        if (assign == c).sum() <= 1:
            phi[c] = phi.max()
    phi = phi.clip(np.percentile(phi, 10), np.percentile(phi, 90))
    return tau * phi / phi.mean()


def reference_loss(anchor, cand, clusterings, tau: float, lam_proto: float) -> torch.Tensor:
    """``InfoNce + lam_proto * ProtoNCE`` of the official contrast.py, one anchor at a time."""
    n = anchor.shape[0]
    info = anchor.new_zeros(())
    for i in range(n):
        # w_ij: number of clusterings that put i and j apart (0 for i itself: no positive in the denominator)
        w = sum((a[i] != a).to(anchor.dtype) for a, _ in clusterings)
        dots = torch.exp(cand @ anchor[i] / tau)
        info = info - torch.log(dots[i] / (w * dots).sum())
    proto = anchor.new_zeros(())
    x = cand.detach().numpy()
    for a, c in clusterings:
        phi = torch.from_numpy(_concentrations(x, a.numpy(), c.numpy(), tau)).to(anchor.dtype)
        mu = F.normalize(c.to(anchor.dtype), dim=1)
        for i in range(n):
            logits = mu @ anchor[i] / phi
            proto = proto - torch.log(torch.exp(logits[a[i]]) / torch.exp(logits).sum())
    return info / n + lam_proto * proto / (n * len(clusterings))


def _loss_and_clusterings(model, inputs):
    """The model's loss and the k-means results it used (recorded, not recomputed)."""
    calls, kmeans = [], meow_module.kmeans

    def spy(x, k, **kwargs):
        assignments, centroids = kmeans(x, k, **kwargs)
        calls.append((x.clone(), assignments, centroids))
        return assignments, centroids

    with mock.patch.object(meow_module, "kmeans", spy):
        loss = model.loss(inputs)
    return loss, calls


def test_loss_of_fixed_views_matches_the_official_formulas_float64():
    params = MEOWParams(model=MEOWModel(nei_max=[10, 10], num_clusters=[3, 5], dropout=0.0, tau=0.5, lam_proto=0.7))
    model, inputs = build("meow", make_planted_hetero(num_papers=45), params, seed=0)
    model.double()
    g = torch.Generator().manual_seed(1)
    # leaves before the unit normalisation that ends the model's views (project_unit), so that
    # gradients are compared through it
    raw = [torch.randn(45, 64, generator=g, dtype=torch.float64).requires_grad_() for _ in range(2)]
    anchor, cand = (F.normalize(r, dim=1) for r in raw)
    model._views = lambda inputs: (anchor, cand, None)
    loss, calls = _loss_and_clusterings(model, inputs)
    assert [c[2].shape[0] for c in calls] == [3, 5] and all(torch.equal(c[0], cand.detach()) for c in calls)
    expected = reference_loss(anchor, cand, [(a, c) for _, a, c in calls], tau=0.5, lam_proto=0.7)
    assert loss.dtype == torch.float64
    torch.testing.assert_close(loss, expected, rtol=1e-12, atol=1e-12)
    got = torch.autograd.grad(loss, raw, retain_graph=True)
    want = torch.autograd.grad(expected, raw)
    for g_got, g_want in zip(got, want):
        torch.testing.assert_close(g_got, g_want, rtol=1e-10, atol=1e-12)


# ---- the whole forward on a tiny graph: papers (target, features), authors (features), subjects (none)


def _tiny_graph():
    paper_author = [(p, a) for p in range(9) for a in range(5) if (p * 7 + a * 3) % 5 < 2]
    paper_subject = [(p, p % 3) for p in range(9)] + [(0, 1), (4, 2)]
    return tiny_graph(9, 4, paper_author, paper_subject, seed=3)


def _pathsim_topk(counts: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the k neighbours of highest 2 c_ij / (c_ii + c_jj) per row (ties: lower column first)."""
    out = torch.zeros_like(counts)
    d = counts.diagonal()
    for i in range(counts.shape[0]):
        cols = [j for j in range(counts.shape[1]) if counts[i, j] > 0]
        cols.sort(key=lambda j: (-(2 * counts[i, j] / (d[i] + d[j])).item(), j))
        out[i, cols[:k]] = counts[i, cols[:k]]
    return out


def _normalize(a: torch.Tensor) -> torch.Tensor:
    deg = a.sum(1)
    inv = torch.where(deg > 0, deg.pow(-0.5), torch.zeros_like(deg))
    return inv[:, None] * a * inv[None, :]


def _gcn(gcn, x, a):
    """Official GCN: PReLU(A X W1), then A H W2, then LayerNorm over the whole matrix."""
    h = F.prelu(a @ (x @ gcn.w1), gcn.act.weight)
    z = a @ (h @ gcn.w2)
    return (z - z.mean()) / torch.sqrt(z.var(unbiased=False) + 1e-5)


def reference_views(model, data, nei_max):
    """Projected coarse and fused fine views of the paper (Sec. 4.1-4.2; official meow.py), dense."""
    enc = model.encoder
    h = F.elu(enc.fc["paper"].linear(row_normalize(data["paper"].x)))
    h_ctx = {
        "author": F.elu(enc.fc["author"].linear(row_normalize(data["author"].x))),
        "subject": F.elu(enc.fc["subject"].embed.weight + enc.fc["subject"].bias),
    }
    fine, graphs = [], []
    for m, (ctx, k) in enumerate(zip(["author", "subject"], nei_max)):
        inc = incidence(data, ("paper", "to", ctx))
        top = _pathsim_topk(inc @ inc.t(), k)
        a = _normalize(top)
        masked = _normalize((top > 0).double().fill_diagonal_(1))  # official mask_edges at rate 0
        view = F.elu(h + enc.agg[m][0]((inc @ h_ctx[ctx]) / inc.sum(1, keepdim=True)))
        fine += [F.normalize(_gcn(enc.gcn, view, a), dim=1), F.normalize(_gcn(enc.gcn, view, masked), dim=1)]
        graphs.append((a, masked))
    coarse = sum(a for a, _ in graphs) / len(graphs)  # official: torch.stack(adjs).mean(0)
    project = lambda z: F.normalize(torch.tanh(model.project(z)), dim=1)  # noqa: E731
    return project(_gcn(enc.gcn, h, coarse)), project(semantic_attention(enc.att, fine)), graphs, coarse


def _dense(op, n):
    return op @ torch.eye(n, dtype=torch.float64)


def test_whole_loss_on_a_tiny_graph_matches_the_reference_float64():
    data = _tiny_graph()
    params = MEOWParams(
        model=MEOWModel(
            metapaths=["PAP", [("paper", "to", "subject"), ("subject", "to", "paper")]],
            nei_max=[3, 4],
            num_clusters=[2, 3],
            dropout=0.0,
            feat_mask=0.0,
            adj_mask=[0.0],
            tau=0.5,
            lam_proto=0.7,
        )
    )
    torch.manual_seed(0)
    inputs = ToMEOWInputs(params, target="paper")(data).double()
    model = MEOW(params, inputs).double()
    anchor, cand, graphs, coarse = reference_views(model, data, params.model.nei_max)
    # the transform's graphs: PathSim top-k normalised, the masked copies, their mean (coarse view)
    for (a, masked), adj, masked_adj in zip(graphs, inputs.adjs, inputs.masked_adjs):
        torch.testing.assert_close(_dense(adj, 9), a, rtol=1e-6, atol=1e-7)
        torch.testing.assert_close(_dense(masked_adj, 9), masked, rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(_dense(inputs.coarse_adj, 9), coarse, rtol=1e-6, atol=1e-7)
    got_anchor, got_cand, _ = model._views(inputs)
    torch.testing.assert_close(got_anchor, anchor, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(got_cand, cand, rtol=1e-5, atol=1e-6)
    loss, calls = _loss_and_clusterings(model, inputs)
    expected = reference_loss(anchor, cand, [(a, c) for _, a, c in calls], tau=0.5, lam_proto=0.7)
    torch.testing.assert_close(loss, expected, rtol=1e-5, atol=1e-6)
