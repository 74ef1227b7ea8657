"""What AdaMEOW's learned negative weights learned: their spread, and whether they down-weight
same-class pairs (false negatives), at initialisation and in a trained run's selected parameters.

Reads a run folder's ``last.pt`` (``graphcl train`` or ``hetero_select.py --run-dir``), rebuilds
the model from the shipped config, and evaluates ``w_ij`` for every node pair in eval mode.
``AUC`` is the probability that a random same-class pair gets a lower weight than a random
different-class pair (0.5: the weights ignore the classes).

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/adameow_weight_stats.py --dataset acm \
        --checkpoint /work/hetero_runs/adameow_acm-s2-validation/last.pt --out stats.json
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import torch
from sklearn.metrics import roc_auc_score

from graphcl.config import from_dict, read_yaml
from graphcl.data import load_hetero
from graphcl.hetero.params import AdaMEOWParams
from graphcl.hetero.train import build
from graphcl.hetero.validation import target_type


def weight_stats(w: torch.Tensor, labels: torch.Tensor, sample: int = 2_000_000, seed: int = 0) -> dict:
    """Summary of an ``[N, N]`` weight matrix against node labels ``[N]`` (pairs sampled for the
    quantiles and the AUC; all pairs for the means)."""
    if w.dim() != 2 or w.shape != (labels.numel(), labels.numel()):
        raise ValueError(f"w must be [N, N] for N = {labels.numel()} labels, got {tuple(w.shape)}")
    same = labels[:, None] == labels[None, :]
    flat = w.flatten()
    idx = torch.randperm(flat.numel(), generator=torch.Generator().manual_seed(seed))[:sample]
    q = torch.quantile(flat[idx].double(), torch.tensor([0.01, 0.1, 0.5, 0.9, 0.99], dtype=torch.float64))
    return {
        "mean": float(w.mean()),
        "std": float(w.std()),
        "quantiles_1_10_50_90_99": [round(float(x), 4) for x in q],
        "row_mean_std": float(w.mean(1).std()),
        "mean_same_class": float(w[same].mean()),
        "mean_other_class": float(w[~same].mean()),
        "auc_lower_weight_same_class": float(roc_auc_score(same.flatten()[idx].numpy(), (-flat[idx]).numpy())),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="acm")
    ap.add_argument("--checkpoint", required=True, help="a run folder's last.pt")
    ap.add_argument("--data-root", default=os.environ.get("GRAPHCL_DATA"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    params = from_dict(AdaMEOWParams, read_yaml(f"configs/hetero/adameow_{args.dataset}.yaml")["params"])
    data = load_hetero(args.dataset, args.data_root)
    labels = data[target_type(data)].y.long()
    checkpoint = torch.load(args.checkpoint, weights_only=False, map_location="cpu")
    seed = checkpoint["fingerprint"]["seed"]  # the run's own initial weights for "init"
    model, inputs = build("adameow", data, params, seed=seed)
    loop = checkpoint["loop"]
    result = {"dataset": args.dataset, "checkpoint": args.checkpoint, "seed": seed, "epoch": loop["epoch"]}
    result["init"] = weight_stats(model.negative_weights(inputs), labels)
    model.load_state_dict(loop["best_state"] if loop["best_state"] is not None else checkpoint["model"])
    result["selected_epoch"] = loop["selected"]
    result["trained"] = weight_stats(model.negative_weights(inputs), labels)
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
