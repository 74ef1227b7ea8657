"""Training and validation speed of the recommenders: random (padded) vs length-bucketed batches.

Per model (SASRec, CL4SRec, MCLRec, SRA-CL; shipped ``configs/rec/<model>_<dataset>.yaml``) it
times training steps with ``batching: random`` (every batch as wide as its longest row, nearly
always ``max_seq_length`` on Beauty) and ``batching: bucketed``, plus RecBole 1.2.1's own SASRec
on the same training prefixes (the body of its ``Trainer._train_epoch``), and one full-ranking
validation pass the way the previous code did it (padded batches, P2 only) against ours
(length-sorted trimmed batches, P2 and P1 at once). All sides run interleaved, round after
round, so machine load hits them alike; the table shows medians over rounds and the ratios.

    python benchmarks/rec_speed.py --dataset beauty --rounds 3 --out benchmarks/results/rec_speed_beauty.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_official import official_sasrec  # noqa: E402
from rec_repro import git_commit  # noqa: E402

MODELS = ("sasrec", "cl4srec", "mclrec", "sracl")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="beauty")
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--padded-batches", type=int, default=6, help="random batches timed per side and round")
    p.add_argument(
        "--bucketed-batches",
        type=int,
        default=40,
        help="bucketed batches per side and round (a random sample of the epoch: widths vary)",
    )
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-root", default=os.environ.get("GRAPHCL_DATA"))
    p.add_argument("--no-recbole", action="store_true", help="skip RecBole's own SASRec")
    p.add_argument("--no-eval", action="store_true", help="skip the validation timing")
    p.add_argument("--out", help="JSON file for the measurements")
    return p.parse_args(argv)


class TrainSide:
    """Our trainer on one model and batching; each call times ``batches`` steps of a fresh epoch
    order, plus the model's per-epoch work (``on_epoch_start``: SRA-CL's memory bank) spread
    over the epoch's batches."""

    def __init__(
        self,
        model_name: str,
        batching: str,
        args,
        sequences,
        batches: int,
        overrides: tuple[str, ...] = (),
        label: str | None = None,
    ):
        from graphcl.cli import resolve_config_path
        from graphcl.config import load_run_config
        from rec.train import build
        from rec.trainer import SeqRecTrainer

        run = load_run_config(
            resolve_config_path(f"rec/{model_name}_{args.dataset}"),
            ["device=cpu", f"params.train.batching={batching}", *overrides]
            + ([f"data_root={args.data_root}"] if args.data_root else []),
        )
        torch.manual_seed(0)
        self.model, split = build(run, torch.device("cpu"), sequences)
        self.trainer = SeqRecTrainer(self.model, split, run.params, "cpu", 0)
        self.trainer._hook("on_fit_start")
        self.batches, self.num_batches = batches, self.trainer.num_batches()
        self.label = label or f"{model_name} {batching}"

    def __call__(self) -> float:
        trainer, model = self.trainer, self.model
        model.train()
        start = time.perf_counter()
        trainer._hook("on_epoch_start")
        per_epoch = time.perf_counter() - start
        step = getattr(model, "training_step", None)
        rows = trainer.epoch_rows()[: self.batches]
        start = time.perf_counter()
        for batch in rows:
            inter = trainer.batch(batch)
            step(inter, trainer) if step is not None else trainer.default_step(inter)
        return (time.perf_counter() - start) / len(rows) + per_epoch / self.num_batches


class RecBoleSide:
    """RecBole 1.2.1's SASRec and its training-loop body on the same prefixes."""

    def __init__(self, args, batches: int):
        self.side = official_sasrec(args.dataset, batches, args.data_root)
        self.batches, self.label = batches, "recbole sasrec"
        self.num_batches = -(-self.side.info["train_prefixes"] // self.side.info["batch_size"])

    def __call__(self) -> float:
        start = time.perf_counter()
        self.side.step()
        return (time.perf_counter() - start) / self.batches


class ValidationSide:
    """One full-ranking validation pass of a SASRec: ``padded`` (the previous code: batches of
    1024 users at full width, P2 only) or ``trimmed`` (ours: both protocols)."""

    def __init__(self, mode: str, args, sequences):
        from graphcl.cli import resolve_config_path
        from graphcl.config import load_run_config
        from rec.train import build

        run = load_run_config(resolve_config_path(f"rec/sasrec_{args.dataset}"), ["device=cpu"])
        torch.manual_seed(0)
        self.model, self.split = build(run, torch.device("cpu"), sequences)
        self.mode, self.label, self.num_batches = mode, f"validation {mode}", 1

    def __call__(self) -> float:
        from rec.evaluation import evaluate_part

        start = time.perf_counter()
        if self.mode == "trimmed":
            evaluate_part(self.model, self.split, "valid", 1024)
        else:
            padded_validation(self.model, self.split)
        return time.perf_counter() - start


@torch.no_grad()
def padded_validation(model, split, batch_size: int = 1024) -> None:
    """The evaluation loop before length-sorted trimming (commit 511e768), P2 only."""
    from rec.batching import SeqBatch
    from rec.evaluation import rank_metrics, target_ranks

    seq, lengths, target, _ = split.part("valid")
    model.eval()
    ranks = []
    for start in range(0, seq.shape[0], batch_size):
        rows = slice(start, start + batch_size)
        batch = SeqBatch(seq[rows], lengths[rows], target[rows], split.users[rows])
        ranks.append(target_ranks(model.full_sort_scores(batch), batch.target))
    rank_metrics(torch.cat(ranks))


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    from rec.train import load_sequence_data

    sequences = load_sequence_data(args.dataset, args.data_root)
    sides = []
    for name in args.models:
        sides.append(TrainSide(name, "random", args, sequences, args.padded_batches))
        sides.append(TrainSide(name, "bucketed", args, sequences, args.bucketed_batches))
    if "sracl" in args.models:  # SRA-CL runs at max_len 20: compare it with SASRec at 20 too
        for encoding in ("online_detached", "epoch_cache"):
            sides.append(
                TrainSide(
                    "sracl",
                    "bucketed",
                    args,
                    sequences,
                    args.bucketed_batches,
                    (f"params.model.neighbour_encoding={encoding}",),
                    f"sracl {encoding} bucketed",
                )
            )
        sides.append(
            TrainSide(
                "sasrec",
                "bucketed",
                args,
                sequences,
                args.bucketed_batches,
                ("params.model.max_seq_length=20",),
                "sasrec L20 bucketed",
            )
        )
    if not args.no_recbole:
        sides.append(RecBoleSide(args, args.padded_batches))
    if not args.no_eval:
        sides += [ValidationSide("padded", args, sequences), ValidationSide("trimmed", args, sequences)]
    for side in sides:  # warm-up: first calls allocate
        side()
    times: dict[str, list[float]] = {side.label: [] for side in sides}
    for round_index in range(args.rounds):
        for side in sides:
            times[side.label].append(side())
        print(
            f"round {round_index + 1}/{args.rounds}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in times.items()),
            file=sys.stderr,
            flush=True,
        )
    result = summarise(sides, times, args)
    print(format_table(result))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.out}")
    return 0


def summarise(sides, times, args) -> dict:
    rows = {}
    for side in sides:
        median = statistics.median(times[side.label])
        rows[side.label] = {
            "seconds": median,
            "per": "pass" if side.label.startswith("validation") else "batch",
            "rounds": times[side.label],
            "batches_per_epoch": side.num_batches,
            "seconds_per_epoch": median * side.num_batches,
        }
    ratios = {}
    for name in args.models:
        if f"{name} bucketed" in rows:
            ratios[f"{name}: random / bucketed per epoch"] = (
                rows[f"{name} random"]["seconds_per_epoch"] / rows[f"{name} bucketed"]["seconds_per_epoch"]
            )
    if "recbole sasrec" in rows and "sasrec bucketed" in rows:
        ratios["recbole sasrec / our bucketed sasrec per epoch"] = (
            rows["recbole sasrec"]["seconds_per_epoch"] / rows["sasrec bucketed"]["seconds_per_epoch"]
        )
    for label in ("sracl bucketed", "sracl online_detached bucketed", "sracl epoch_cache bucketed"):
        if label in rows and "sasrec L20 bucketed" in rows:
            ratios[f"{label} / sasrec L20 bucketed per epoch"] = (
                rows[label]["seconds_per_epoch"] / rows["sasrec L20 bucketed"]["seconds_per_epoch"]
            )
    if "validation trimmed" in rows:
        ratios["validation: padded P2 / trimmed P2+P1"] = (
            rows["validation padded"]["seconds"] / rows["validation trimmed"]["seconds"]
        )
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": git_commit(),
        "machine": f"{platform.platform()} ({os.cpu_count()} cpus)",
        "threads": args.threads,
        "torch": torch.__version__,
        "argv": sys.argv[1:],
        "dataset": args.dataset,
        "rounds": args.rounds,
    }
    return {"meta": meta, "rows": rows, "ratios": ratios}


def format_table(result: dict) -> str:
    lines = ["| side | median s per batch (validation: per pass) | batches/epoch | s/epoch |", "|---|---|---|---|"]
    for label, row in result["rows"].items():
        lines.append(
            f"| {label} | {row['seconds']:.4f} | {row['batches_per_epoch']} | {row['seconds_per_epoch']:.1f} |"
        )
    lines += ["", "| ratio | value |", "|---|---|"]
    lines += [f"| {name} | {value:.2f}x |" for name, value in result["ratios"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
