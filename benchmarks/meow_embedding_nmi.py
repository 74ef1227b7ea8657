"""Which MEOW embedding clusters best? Train MEOW once and score k-means NMI/ARI (and Macro-F1@20)
of several embeddings at a few epochs.

Embeddings: ``z_eval`` (fused fine view in eval mode: what ``MEOW.embed`` returns), ``z_train``
(the same in train mode, dropout on: the official ``get_embeds`` returns the last training
forward's fused view), ``z_eval_l2`` (row-normalised), ``fine_proj`` (tanh-projected and normalised,
the InfoNCE candidates), ``coarse`` / ``coarse_proj`` (coarse view, raw / projected), ``concat``.

``--set params.model.lam_proto=0`` changes the training (any config key); ``--labels 20 40 60`` scores
Macro-F1 at those label rates; ``--save-dir`` keeps the embeddings of every checkpoint for offline scoring.

Usage: PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/meow_embedding_nmi.py --data-root /work/shared/data \
    --checkpoints 50 120 200
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch
import torch.nn.functional as F

from graphcl.config import apply_overrides, from_dict, read_yaml
from graphcl.data import load_hetero
from graphcl.eval import kmeans_nmi_ari, logreg_evaluate
from graphcl.hetero.params import MEOWParams
from graphcl.hetero.train import build
from graphcl.hetero.validation import splits


@torch.no_grad()
def embeddings(model, inputs) -> dict[str, torch.Tensor]:
    out = {}
    for mode in ("eval", "train"):
        model.train(mode == "train")
        z_coarse, _, z = model.encoder(inputs)
        out[f"z_{mode}"] = z
        if mode == "eval":
            out["z_eval_l2"] = F.normalize(z, dim=1)
            out["fine_proj"] = F.normalize(torch.tanh(model.project(z)), dim=1)
            out["coarse"] = z_coarse
            out["coarse_proj"] = F.normalize(torch.tanh(model.project(z_coarse)), dim=1)
            out["concat"] = torch.cat([F.normalize(z, dim=1), F.normalize(z_coarse, dim=1)], dim=1)
            out["fused_proj"] = torch.cat([F.normalize(z, dim=1), out["fine_proj"]], dim=1)
    model.train()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="acm")
    ap.add_argument("--data-root", default=os.environ.get("GRAPHCL_DATA"))
    ap.add_argument("--checkpoints", type=int, nargs="+", default=[50, 120, 200])
    ap.add_argument("--kmeans-runs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5, help="logistic-regression repeats for Macro-F1@20")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="config override, e.g. params.model.lam_proto=0")
    ap.add_argument("--labels", type=int, nargs="+", default=[20], help="label rates of the Macro-F1 columns")
    ap.add_argument("--only", nargs="+", help="score only these embeddings")
    ap.add_argument("--save-dir", help="save {name: embedding} of each checkpoint here (epoch<N>.pt)")
    ap.add_argument("--out", help="append the rows to this JSON-lines file")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    cfg = apply_overrides(read_yaml(f"configs/hetero/meow_{args.dataset}.yaml"), args.set)["params"]
    params = from_dict(MEOWParams, cfg)
    data = load_hetero(args.dataset, args.data_root)
    labels = data[data.target].y.long()
    split = splits(data, data.target)
    model, inputs = build("meow", data, params, seed=args.seed)
    opt = torch.optim.Adam(model.parameters(), lr=params.train.lr, weight_decay=params.train.weight_decay)
    results, start = [], time.time()
    for epoch in range(1, max(args.checkpoints) + 1):
        model.train()
        opt.zero_grad()
        loss = model.loss(inputs)
        loss.backward()
        opt.step()
        if epoch in args.checkpoints:
            row = {"epoch": epoch, "loss": float(loss), "elapsed_s": round(time.time() - start), "seed": args.seed}
            row["set"] = args.set
            embeds = embeddings(model, inputs)
            if args.save_dir:
                os.makedirs(args.save_dir, exist_ok=True)
                torch.save(embeds, os.path.join(args.save_dir, f"epoch{epoch}.pt"))
            for name, z in embeds.items():
                if args.only and name not in args.only:
                    continue
                row[name] = score(z, labels, split, params, args)
            print(json.dumps(row), flush=True)
            results.append(row)
            if args.out:
                with open(args.out, "a") as f:
                    f.write(json.dumps(row) + "\n")


def score(z, labels, split, params, args) -> dict[str, float]:
    """k-means NMI/ARI and test Macro-F1 at ``args.labels`` labels per class, in percent."""
    km = kmeans_nmi_ari(z, labels, runs=args.kmeans_runs, seed=args.seed)
    out = {"nmi": round(100 * km["nmi"], 2), "ari": round(100 * km["ari"], 2)}
    for r in args.labels:
        tr, va, te = split[r]
        f1 = logreg_evaluate(
            z,
            labels,
            tr,
            va,
            te,
            lr=params.eval.eval_lr,
            weight_decay=params.eval.eval_weight_decay,
            repeats=args.repeats,
            seed=args.seed,
        )["macro_f1"]
        out[f"macro_f1_{r}"] = round(100 * f1, 2)
    return out


if __name__ == "__main__":
    main()
