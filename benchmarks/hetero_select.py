"""Model selection side by side: one model x dataset x seed under ``select: loss`` and ``select: validation``.

Both runs use the shipped config (official hyperparameters; ``params.train.epochs`` is the cap of
both rules). ``loss`` is the official early stopping on the contrastive loss; ``validation`` scores
the frozen embeddings every ``--eval-every`` epochs by validation Ma-F1@20, keeps the best
parameters and stops after ``patience`` validations without improvement (docs/hetero.md, "Model
selection"). The test split is read once per run, at the end. One row per run is appended to
``--out`` (the ``hetero_repro.py`` format plus ``select``, ``commit``, ``threads``,
``epochs_run``), after each run, and the pair is printed side by side.

    nice python benchmarks/hetero_select.py --model heco --dataset acm --seed 0 \
        --data-root /work/shared/data --eval-every 5

``--max-epochs N`` caps both runs (rows labelled ``capped_at``): for smoke checks only.
``--config meow_acm_cluster`` runs another shipped config of the same model and dataset; every
row records its ``config``, and the goal table lists such rows as a variant of the model.
``--run-dir DIR`` keeps the run folders (``<config>-s<seed>-<select>``, plus ``-set<hash>`` with
``--set`` overrides; otherwise temporary): a run stopped by Ctrl-C or
SIGTERM (its row says ``capped_at``) continues from its ``last.pt`` (written every
``params.train.checkpoint_every`` epochs) when the same command is run again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hetero_repro import COLUMNS  # noqa: E402

SELECTS = ("loss", "validation")


def commit() -> str:
    """Short commit of the working tree, ``-dirty`` when tracked files differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
        return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_one(model: str, dataset: str, seed: int, data, select: str, args) -> dict:
    from graphcl.config import load_run_config
    from graphcl.hetero.train import train_and_evaluate
    from graphcl.utils.resources import configs_dir
    from graphcl.utils.seed import seed_everything

    overrides = [f"seed={seed}", f"params.train.select={select}"] + list(args.set)
    if select == "validation":
        overrides.append(f"params.eval.eval_every={args.eval_every}")
        if args.val_patience:
            overrides.append(f"params.train.patience={args.val_patience}")
    if args.max_epochs:
        overrides.append(f"params.train.epochs={args.max_epochs}")
    config = args.config or f"{model}_{dataset}"
    run = load_run_config(configs_dir() / "hetero" / f"{config}.yaml", overrides)
    if (run.model, run.dataset) != (model, dataset):
        raise SystemExit(f"config hetero/{config} is {run.model} on {run.dataset}, not {model} on {dataset}")
    seed_everything(seed)
    start = time.perf_counter()
    if args.run_dir:  # a kept folder: an interrupted run continues from its last.pt when rerun
        folder = Path(args.run_dir) / run_folder_name(config, seed, select, args.set)
        folder.mkdir(parents=True, exist_ok=True)
        resume = (folder / "last.pt").is_file()
        metrics = train_and_evaluate(model, data, run.params, folder, seed=seed, device=args.device, resume=resume)
        metrics["resumed"] = resume
    else:
        with tempfile.TemporaryDirectory() as tmp:
            metrics = train_and_evaluate(model, data, run.params, Path(tmp), seed=seed, device=args.device)
    metrics["wall_seconds"] = time.perf_counter() - start
    capped = args.max_epochs and metrics["epochs"] >= args.max_epochs
    return {
        "model": model,
        "dataset": dataset,
        "seed": seed,
        "commit": commit(),
        "select": select,
        "config": config,
        "set": list(args.set),  # the --set overrides: such rows are a variant in the goal table
        "epochs_run": metrics["epochs"],
        "threads": torch.get_num_threads(),
        "capped_at": metrics.get("interrupted_at_epoch") or (args.max_epochs if capped else None),
        "overrides": overrides[1:],  # the seed has its own key
        "device": metrics["device"],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "metrics": metrics,
    }


def side_by_side(rows: list[dict]) -> str:
    head = ["select", *COLUMNS, "epochs run", "evaluated epoch", "best val", "s/epoch", "capped at"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        m = r["metrics"]
        cells = [r["select"]] + [f"{100 * m['test'][c]:.2f}" for c in COLUMNS]
        cells += [str(r["epochs_run"]), str(m.get("selected_epoch") or m.get("evaluated_epoch"))]
        cells += ["-" if m.get("best_val") is None else f"{100 * m['best_val']:.2f}", f"{m['seconds_per_epoch']:.2f}"]
        cells.append(str(r["capped_at"] or "-"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_folder_name(config: str, seed: int, select: str, sets: list[str]) -> str:
    """``<config>-s<seed>-<select>``, plus a hash of the ``--set`` overrides when there are any: a
    rerun with other overrides gets its own folder instead of meeting another run's last.pt."""
    name = f"{config}-s{seed}-{select}"
    if sets:
        name += "-set" + hashlib.sha1("\n".join(sets).encode()).hexdigest()[:8]
    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, choices=["meow", "adameow", "heco"])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--config", default=None, help="shipped hetero config (default <model>_<dataset>, e.g. meow_acm_cluster)"
    )
    parser.add_argument("--selects", nargs="+", default=list(SELECTS), choices=SELECTS)
    parser.add_argument("--eval-every", type=int, default=10, help="epochs between validations (validation rule)")
    parser.add_argument(
        "--val-patience", type=int, default=None, help="validations without improvement (default: config patience)"
    )
    parser.add_argument("--max-epochs", type=int, default=None, help="cap epochs of both runs (smoke checks)")
    parser.add_argument("--data-root", default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override for both runs")
    parser.add_argument("--out", default="benchmarks/results/hetero_repro.json")
    parser.add_argument(
        "--run-dir",
        default=None,
        help="keep each run's folder here (<config>-s<seed>-<select>); rerunning resumes from its last.pt",
    )
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    torch.set_num_threads(args.threads)
    from graphcl.data import load_hetero

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = load_hetero(args.dataset, args.data_root)
    rows = []
    for select in args.selects:
        rows.append(run_one(args.model, args.dataset, args.seed, data, select, args))
        results = json.loads(out.read_text()) if out.is_file() else []
        out.write_text(json.dumps(results + [rows[-1]], indent=1, default=float))
    print(f"{args.model} {args.dataset} seed {args.seed} (test metrics, percent)")
    print(side_by_side(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
