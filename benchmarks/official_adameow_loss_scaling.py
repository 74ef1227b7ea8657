"""AdaMEOW loss only (forward+backward) at reduced N: official ``weight_InfoNce`` vs graphcl ``AdaMEOW.loss``.

The official AdaMEOW epoch on ACM (N=4019) cannot run on the 23 GB shared VM (its pair tensors are
N*N*64 floats, 4.1 GB each, several alive at once), so this compares the loss alone on random unit
embeddings at N = 500, 1000, 2000 (encoder excluded), 1 thread, interleaved. Ours includes its
weight regulariser. The official code is read from --official-dir (never part of this repo).

    python benchmarks/official_adameow_loss_scaling.py --official-dir /tmp/official/MEOW \
        --out benchmarks/results/speed_adameow_loss_scaling.json
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--official-dir", default="/tmp/official/MEOW")
p.add_argument("--out", default=None)
args = p.parse_args()
sys.path.insert(0, os.path.join(args.official_dir, "code_adameow"))
torch.set_num_threads(1)
torch.manual_seed(0)
torch.Tensor.cuda = lambda self, *a, **k: self
from module.adameow import AdaMEOW as Official

from graphcl.core import InfoNCE
from graphcl.hetero.adameow import AdaMEOW as Ours
from graphcl.hetero.params import AdaMEOWModel, AdaMEOWParams, AdaMEOWTrain

D = 64
off = Official.__new__(Official)
nn.Module.__init__(off)
off.tau = 1.0
off.MLP = nn.Sequential(nn.Linear(D, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid())
ours = Ours.__new__(Ours)
nn.Module.__init__(ours)
ours.w1, ours.w2, ours.params = (
    nn.Linear(D, 16),
    nn.Linear(16, 1),
    AdaMEOWParams(model=AdaMEOWModel(weight_reg=1.0), train=AdaMEOWTrain(chunk_size=512)),
)
ours.info = InfoNCE(temperature=1.0, similarity="cosine", positives_in_denominator=True, reduction="none")
rows = []
for N in (500, 1000, 2000):
    fine0 = F.normalize(torch.randn(N, D), dim=1)
    coarse0 = F.normalize(torch.randn(N, D), dim=1)

    def run_off():
        f = fine0.clone().requires_grad_()
        c = coarse0.clone().requires_grad_()
        off.weight_InfoNce(f, c).backward()

    def run_ours():
        f = fine0.clone().requires_grad_()
        c = coarse0.clone().requires_grad_()
        ours._views = lambda inputs: (f, c, None)
        ours.loss(argparse.Namespace(pos_mask=None)).backward()

    run_off()
    run_ours()
    t = {"official": [], "ours": []}
    for r in range(5):
        for name, fn in (
            (("ours", run_ours), ("official", run_off)) if r % 2 == 0 else (("official", run_off), ("ours", run_ours))
        ):
            s = time.perf_counter()
            fn()
            t[name].append(time.perf_counter() - s)
    mo, mu = statistics.median(t["official"]), statistics.median(t["ours"])
    rows.append({"N": N, "official_s": mo, "ours_s": mu, "all": t, "load": os.getloadavg()[0]})
    print(
        f"N={N}: official {mo:.3f} s, ours {mu:.3f} s (incl. regulariser), official/ours {mo / mu:.2f}x, load {os.getloadavg()[0]:.1f}"
    )
if args.out:
    json.dump(rows, open(args.out, "w"), indent=2)
