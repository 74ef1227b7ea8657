"""MEOW's cluster-weighted InfoNCE, forward+backward at N=4019, D=64, K=2 clusterings (100, 300), 1 thread.

Compares graphcl's current path (InfoNCE with ``cluster_negative_weights``: dense N x N weights,
log-domain logsumexp) with two equivalent formulations, interleaved, and checks the three losses agree:
``direct`` (exp domain with a row shift, same dense weights) and ``sparse`` (no N x N weights:
den_i = K * sum_j e_ij - sum_m sum_{j in cluster_m(i)} e_ij, same-cluster pairs gathered).
Random unit embeddings and random assignments (timing only). Evidence for docs/speed.md.

    python benchmarks/official_meow_loss_variants.py --out benchmarks/results/speed_meow_loss_variants.json
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

from graphcl.core import InfoNCE, cluster_negative_weights

torch.set_num_threads(1)
torch.manual_seed(0)
N, D, tau = 4019, 64, 0.4
a0 = F.normalize(torch.randn(N, D), dim=1)
c0 = F.normalize(torch.randn(N, D), dim=1)
assign = [torch.randint(0, 100, (N,)), torch.randint(0, 300, (N,))]
info = InfoNCE(temperature=tau, similarity="cosine", positives_in_denominator=False)


def current():
    a = a0.clone().requires_grad_()
    c = c0.clone().requires_grad_()
    loss = info(a, c, neg_weights=lambda s, e: cluster_negative_weights(assign, rows=(s, e)))
    loss.backward()
    return loss.item()


def direct():  # same weights, exp domain with a row shift (no log(w), no where)
    a = a0.clone().requires_grad_()
    c = c0.clone().requires_grad_()
    logits = (F.normalize(a, dim=1) / tau) @ F.normalize(c, dim=1).t()
    w = cluster_negative_weights(assign)
    shift = logits.detach().amax(dim=1, keepdim=True)
    den = (w * torch.exp(logits - shift)).sum(1)
    loss = (den.log() + shift.squeeze(1) - logits.diagonal()).mean()
    loss.backward()
    return loss.item()


def same_cluster_pairs(a):
    order = torch.argsort(a)
    sizes = torch.bincount(a)
    starts = torch.cumsum(sizes, 0) - sizes
    rep = sizes[a[order]]  # for each member (sorted), its cluster size
    rows = order.repeat_interleave(rep)
    offs = torch.arange(rows.numel()) - torch.repeat_interleave(torch.cumsum(rep, 0) - rep, rep)
    cols = order[starts[a[order]].repeat_interleave(rep) + offs]
    return rows, cols


def sparse():  # den_i = K * sum_j e_ij - sum_m sum_{j same cluster as i in m} e_ij  (no N x N weights)
    a = a0.clone().requires_grad_()
    c = c0.clone().requires_grad_()
    logits = (F.normalize(a, dim=1) / tau) @ F.normalize(c, dim=1).t()
    shift = logits.detach().amax(dim=1, keepdim=True)
    e = torch.exp(logits - shift)
    den = len(assign) * e.sum(1)
    for m in assign:
        r, cc = same_cluster_pairs(m)
        den = den - torch.zeros(N).index_add(0, r, e[r, cc])
    loss = (den.log() + shift.squeeze(1) - logits.diagonal()).mean()
    loss.backward()
    return loss.item()


print("losses", current(), direct(), sparse())
t = {k: [] for k in ("current", "direct", "sparse")}
for r in range(7):
    for name, f in (("current", current), ("direct", direct), ("sparse", sparse)):
        s = time.perf_counter()
        f()
        t[name].append(time.perf_counter() - s)
import os

p = argparse.ArgumentParser()
p.add_argument("--out", default=None)
args = p.parse_args()
res = {k: statistics.median(v) for k, v in t.items()}
print("| variant | median s (fwd+bwd) |\n|---|---|")
for k, v in res.items():
    print(f"| {k} | {v:.3f} |")
print("load", os.getloadavg())
if args.out:
    json.dump(
        {"median_s": res, "all_s": t, "loadavg": os.getloadavg(), "N": N, "D": D, "clusters": [100, 300]},
        open(args.out, "w"),
        indent=2,
    )
