"""Slow, obviously-correct reference implementations (explicit loops over pairs) for the tests.

Each takes plain tensors and returns a scalar built by autograd through Python loops, so both
values and gradients can be compared with the vectorised losses in float64.
"""

from __future__ import annotations

import math

import torch


def sim(u: torch.Tensor, v: torch.Tensor, similarity: str) -> torch.Tensor:
    d = (u * v).sum()
    if similarity == "cosine":
        d = d / (u.norm() * v.norm())
    return d


def infonce(a, c, pos, weights, t, similarity="cosine", pos_in_den=True):
    """Per-anchor losses [N]: -log(sum_pos e / ([sum_pos e] + sum_neg w e))."""
    losses = []
    for i in range(a.shape[0]):
        num = 0.0
        neg = 0.0
        for j in range(c.shape[0]):
            e = torch.exp(sim(a[i], c[j], similarity) / t)
            if pos[i][j]:
                num = num + e
            else:
                w = 1.0 if weights is None else weights[i, j]
                neg = neg + w * e
        den = (num + neg) if pos_in_den else neg
        losses.append(-torch.log(num / den))
    return torch.stack(losses)


def ntxent(z1, z2, t, similarity="dot"):
    """[2B] losses: each view against the other 2B - 1 rows, target = its partner."""
    z = torch.cat([z1, z2])
    n = z.shape[0]
    b = n // 2
    out = []
    for i in range(n):
        partner = (i + b) % n
        den = 0.0
        for j in range(n):
            if j != i:
                den = den + torch.exp(sim(z[i], z[j], similarity) / t)
        out.append(-torch.log(torch.exp(sim(z[i], z[partner], similarity) / t) / den))
    return torch.stack(out)


def dcl_direction(z1, z2, t, similarity="cosine", sigma=None):
    """[B] DCL losses with z1 as anchors; sigma: DCLW weights."""
    b = z1.shape[0]
    pos = [sim(z1[i], z2[i], similarity) / t for i in range(b)]
    if sigma is not None:
        raw = [p * t / sigma for p in pos]
        norm = sum(torch.exp(r) for r in raw)
        pos = [p * (2 - b * torch.exp(r) / norm) for p, r in zip(pos, raw)]
    out = []
    for i in range(b):
        den = 0.0
        for k in range(b):
            if k != i:
                den = den + torch.exp(sim(z1[i], z1[k], similarity) / t) + torch.exp(sim(z1[i], z2[k], similarity) / t)
        out.append(-pos[i] + torch.log(den))
    return torch.stack(out)


def debiased(z1, z2, t, tau_plus, similarity="cosine"):
    """[2B] losses of Chuang et al.'s official criterion, written per row."""
    z = torch.cat([z1, z2])
    n = z.shape[0]
    b = n // 2
    big_n = n - 2
    out = []
    for i in range(n):
        partner = (i + b) % n
        p = torch.exp(sim(z[i], z[partner], similarity) / t)
        neg = 0.0
        for j in range(n):
            if j not in (i, partner):
                neg = neg + torch.exp(sim(z[i], z[j], similarity) / t)
        ng = (-tau_plus * big_n * p + neg) / (1 - tau_plus)
        ng = torch.clamp(ng, min=big_n * math.exp(-1 / t))
        out.append(-torch.log(p / (p + ng)))
    return torch.stack(out)


def protonce(z, assignments, centroids, concentrations):
    """[N] losses: mean over clusterings of -log softmax_k(z c_k / phi_k)[a(i)] (normalised z, c)."""
    z = z / z.norm(dim=1, keepdim=True)
    out = []
    for i in range(z.shape[0]):
        total = 0.0
        for a, c, phi in zip(assignments, centroids, concentrations):
            c = c / c.norm(dim=1, keepdim=True)
            den = 0.0
            for k in range(c.shape[0]):
                den = den + torch.exp((z[i] * c[k]).sum() / phi[k])
            own = int(a[i])
            total = total - torch.log(torch.exp((z[i] * c[own]).sum() / phi[own]) / den)
        out.append(total / len(assignments))
    return torch.stack(out)


def cluster_weights(assignments):
    n = len(assignments[0])
    k = len(assignments)
    return torch.tensor(
        [[k - sum(int(a[i] == a[j]) for a in assignments) for j in range(n)] for i in range(n)], dtype=torch.float64
    )
