"""MEOW's cluster-weighted InfoNCE, forward+backward, before/after ClusterNegativeWeights.

ACM-sized inputs: N=4019 unit embeddings, D=64, tau=0.4, K=2 clusterings with 100/300 clusters
(random, timing only), MEOW's InfoNCE (cosine, positives out of the denominator). ``dense``: weights
built per block by ``cluster_negative_weights`` (the old MEOW path); ``factorised``:
``ClusterNegativeWeights``. Interleaved repeats, 1 thread; checks both give the same loss.

    OMP_NUM_THREADS=1 python benchmarks/meow_cluster_weights.py --repeats 9 --chunk-size 0
"""

import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F

from graphcl.core import ClusterNegativeWeights, InfoNCE, cluster_negative_weights

p = argparse.ArgumentParser()
p.add_argument("--repeats", type=int, default=9)
p.add_argument("--chunk-size", type=int, default=0, help="0: MEOW's default (no chunks)")
p.add_argument("--out", default=None)
args = p.parse_args()
torch.set_num_threads(1)
torch.manual_seed(0)
N, D = 4019, 64
a0, c0 = F.normalize(torch.randn(N, D), dim=1), F.normalize(torch.randn(N, D), dim=1)
assign = [torch.randint(0, 100, (N,)), torch.randint(0, 300, (N,))]
info = InfoNCE(temperature=0.4, similarity="cosine", positives_in_denominator=False, chunk_size=args.chunk_size or None)


def step(kind):
    a, c = a0.clone().requires_grad_(), c0.clone().requires_grad_()
    if kind == "dense":
        weights = lambda s, e: cluster_negative_weights(assign, rows=(s, e))
    else:
        weights = ClusterNegativeWeights(assign)  # built every step, as MEOW does after k-means
    loss = info(a, c, neg_weights=weights)
    loss.backward()
    return loss.item()


losses = {k: step(k) for k in ("dense", "factorised")}
times = {k: [] for k in losses}
for _ in range(args.repeats):
    for k, runs in times.items():
        t = time.perf_counter()
        step(k)
        runs.append(time.perf_counter() - t)
res = {k: statistics.median(v) for k, v in times.items()}
load = os.getloadavg()
print("loss", losses)
for k, v in res.items():
    print(f"{k:>10}: median {v:.3f} s  (min {min(times[k]):.3f}, max {max(times[k]):.3f})")
print(f"speed-up {res['dense'] / res['factorised']:.2f}x, load average {load}")
if args.out:
    with open(args.out, "w") as f:
        json.dump(
            {
                "median_s": res,
                "all_s": times,
                "loss": losses,
                "loadavg": load,
                "N": N,
                "D": D,
                "clusters": [100, 300],
                "chunk_size": args.chunk_size or None,
            },
            f,
            indent=2,
        )
