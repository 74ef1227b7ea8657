"""SRA-CL vs SASRec: reproduction benchmark (ml-100k with real titles; Beauty/Sports ID-free).

Trains ``rec.sasrec.SASRec`` and ``rec.sracl.model.SRACL`` with the project's trainer
(``rec.train.train``) on the same data, split (leave-one-out), full ranking and backbone
hyperparameters (max_len 20), and prints HR/NDCG@20 next to the paper's SRA-CL numbers.

Examples (CPU, background)::

    nice python benchmarks/sracl_repro.py --dataset ml-100k --seeds 0 1 --epochs 30
    nice python benchmarks/sracl_repro.py --dataset beauty --epochs 5 --item-semantics cooc
    python benchmarks/sracl_repro.py --collect runs/sracl_repro/ml-100k-*/results.json   # one table

Beauty/Sports: the shipped ICLRec files carry relabelled ids without the asin map, so item text
cannot be aligned; they run with ``--item-semantics cooc`` (PPMI co-occurrence + SVD over
training histories) and ``mean_items`` user vectors, an ID-free fallback, NOT the paper's
LLM/SimCSE semantics. With ``--meta`` and ``--reviews`` (Amazon 2014 files) the text path is used
after :func:`rec.sracl.amazon_meta.check_alignment` confirms the relabelling.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

# SRA-CL paper, Table 2 (max_len 20): HR@20 / NDCG@20.
PAPER = {"sports": {"hr@20": 0.0823, "ndcg@20": 0.0347}, "beauty": {"hr@20": 0.1314, "ndcg@20": 0.0568}}
SHARED = Path("/work/shared/data/seqrec")


@dataclass
class Sequences:
    user_ids: list
    sequences: list
    num_items: int
    item_text: dict | None


def load_ml100k() -> Sequences:
    """RecBole's bundled ml-100k: every rating is an interaction, ordered by timestamp (ties
    keep file order); item text = title, year and genres."""
    from graphcl.data import ensure_dataset

    folder = ensure_dataset("ml-100k", download=False)  # RecBole's bundled copy
    per_user: dict[str, list[tuple[int, int, int]]] = {}
    with open(folder / "ml-100k.inter") as fh:
        next(fh)
        for n, line in enumerate(fh):
            user, item, _, ts = line.rstrip("\n").split("\t")
            per_user.setdefault(user, []).append((int(ts), n, int(item)))
    text = {}
    with open(folder / "ml-100k.item", encoding="utf-8", errors="replace") as fh:
        next(fh)
        for line in fh:
            item, title, year, genres = line.rstrip("\n").split("\t")
            text[int(item)] = f"{title} ({year}); genres: {genres}"
    users = sorted(per_user, key=int)
    seqs = [[i for _, _, i in sorted(per_user[u])] for u in users]
    return Sequences(users, seqs, max(max(s) for s in seqs), text)


def load_iclrec(name: str) -> Sequences:
    """Beauty / Sports (ICLRec files) through ``graphcl.data.load_sequences``; the data root is
    ``$GRAPHCL_DATA`` or, on this VM, the read-only ``/work/shared/data``."""
    from graphcl.data import load_sequences

    root = os.environ.get("GRAPHCL_DATA") or (str(SHARED.parent) if SHARED.is_dir() else None)
    data = load_sequences(name, root)
    return Sequences([str(u) for u in data.user_ids], data.sequences, data.num_items, None)


def run_one(
    model_name: str, data: Sequences, dataset: str, run_dir: Path, params, seed: int, device: str = "cpu"
) -> dict:
    """Train through the project's trainer (``rec.train.train``: leave-one-out, full ranking,
    early stopping on validation NDCG@20) and return its metrics."""
    from graphcl.config import RunConfig
    from graphcl.utils.seed import seed_everything
    from rec.train import train

    run_dir.mkdir(parents=True, exist_ok=True)
    run = RunConfig(task="rec", model=model_name, dataset=dataset, seed=seed, device=device, params=params)
    seed_everything(seed)
    start = time.time()
    result = train(run, run_dir, sequences=data)
    result["seconds"] = time.time() - start
    result["model"], result["seed"] = model_name, seed
    return result


def write_report(out_dir: Path, args, argv, params: dict, results: list) -> None:
    report = {
        "dataset": args.dataset,
        "item_semantics": params["sracl"].model.item_semantics,
        "user_semantics": params["sracl"].model.user_semantics,
        "text_model": params["sracl"].model.text_model,
        "params": {m: asdict(p) for m, p in params.items()},
        "paper_sracl": PAPER.get(args.dataset),
        "results": results,
        "command": "python benchmarks/sracl_repro.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": f"{platform.node()} ({os.cpu_count()} CPUs, shared), torch {torch.__version__}, "
        f"{args.threads} thread(s)",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(report, indent=2, default=str))


METRICS = ("hr@10", "ndcg@10", "hr@20", "ndcg@20")


def summary_table(results: list[dict], dataset: str) -> str:
    """Markdown table of test metrics per model, mean ± sample std over its seeds."""
    lines = [
        "| model | seeds | epochs (best) | " + " | ".join(f"test {m.upper()}" for m in METRICS) + " |",
        "|---|---|---|" + "---|" * len(METRICS),
    ]
    for model in dict.fromkeys(r["model"] for r in results):
        runs = [r for r in results if r["model"] == model]
        cells = []
        for metric in METRICS:
            values = torch.tensor([r["test"][metric] for r in runs], dtype=torch.float64)
            std = f" ± {values.std().item():.4f}" if len(runs) > 1 else ""  # sample std (n - 1)
            cells.append(f"{values.mean().item():.4f}{std}")
        seeds = ", ".join(str(r["seed"]) for r in runs)
        epochs = ", ".join(f"{r['epochs']} ({r['best_epoch']})" for r in runs)
        lines.append(f"| {model} | {seeds} | {epochs} | " + " | ".join(cells) + " |")
    if dataset in PAPER:
        p = PAPER[dataset]
        lines.append(f"| paper SRA-CL (Table 2, GPU) | | | | | {p['hr@20']:.4f} | {p['ndcg@20']:.4f} |")
    return "\n".join(lines)


def collect(paths: list[str]) -> str:
    """Table over several ``results.json`` files (seeds or models run as separate processes);
    they must be of one dataset, and each model's hyperparameters must agree across files."""
    reports = [json.loads(Path(p).read_text()) for p in paths]
    datasets = {r["dataset"] for r in reports}
    if len(datasets) != 1:
        raise SystemExit(f"--collect: the files mix datasets {sorted(datasets)}; give one dataset's files")
    for model in {res["model"] for r in reports for res in r["results"]}:
        variants = {
            json.dumps(r["params"][model], sort_keys=True)
            for r in reports
            if any(res["model"] == model for res in r["results"])
        }
        if len(variants) > 1:
            raise SystemExit(
                f"--collect: {model} ran with different hyperparameters in these files "
                "(e.g. --neighbour-encoding or --epochs); collect one setting at a time"
            )
    return summary_table([res for r in reports for res in r["results"]], datasets.pop())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=["ml-100k", "beauty", "sports"], default="ml-100k")
    ap.add_argument("--models", nargs="+", default=["sasrec", "sracl"], choices=["sasrec", "sracl"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--stopping-step", type=int, default=10)
    ap.add_argument("--max-train-batches", type=int, default=None, help="cap batches per epoch (CPU budget)")
    ap.add_argument(
        "--item-semantics",
        choices=["text", "cooc"],
        default=None,
        help="default: text for ml-100k, cooc for Beauty/Sports (no aligned text)",
    )
    ap.add_argument(
        "--neighbour-encoding",
        choices=["online", "online_detached", "epoch_cache"],
        default="online",
        help="online_detached: fresh neighbours without their backward; epoch_cache: memory bank refreshed per epoch",
    )
    ap.add_argument(
        "--user-retrieval",
        choices=["user", "prefix"],
        default=None,
        help="default: user with text, prefix with cooc (the shipped Beauty/Sports configs)",
    )
    ap.add_argument(
        "--retrieval-candidates",
        choices=["users", "prefixes"],
        default="users",
        help="with prefix retrieval: other users' whole sequences, or their training prefixes",
    )
    ap.add_argument("--out", default="runs/sracl_repro")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1 or auto")
    ap.add_argument(
        "--collect",
        nargs="+",
        metavar="RESULTS_JSON",
        help="only print the table over these results.json files (no training)",
    )
    args = ap.parse_args(argv)
    if args.collect:
        print(collect(args.collect))
        return
    torch.set_num_threads(args.threads)

    from rec.params import RecTrain, SASRecModel, SASRecParams, Smoke
    from rec.sracl.params import SRACLModel, SRACLParams, SRACLTrain

    data = load_ml100k() if args.dataset == "ml-100k" else load_iclrec(args.dataset)
    semantics = args.item_semantics or ("text" if data.item_text else "cooc")
    train = dict(epochs=args.epochs, stopping_step=args.stopping_step)
    smoke = Smoke(max_train_batches=args.max_train_batches)
    params = {
        "sasrec": SASRecParams(model=SASRecModel(max_seq_length=20), train=RecTrain(**train), smoke=smoke),
        "sracl": SRACLParams(
            model=SRACLModel(
                max_seq_length=20,
                item_semantics=semantics,
                neighbour_encoding=args.neighbour_encoding,
                user_semantics="text" if semantics == "text" else "mean_items",
                user_retrieval=args.user_retrieval or ("user" if semantics == "text" else "prefix"),
                retrieval_candidates=args.retrieval_candidates,
            ),
            train=SRACLTrain(**train),
            smoke=smoke,
        ),
    }
    stamp = f"{dt.datetime.now(dt.timezone.utc):%Y%m%d-%H%M%S}"
    out_dir = Path(args.out) / f"{args.dataset}-s{'-'.join(map(str, args.seeds))}-{stamp}"
    results = []
    for seed in args.seeds:
        for model_name in args.models:
            res = run_one(
                model_name, data, args.dataset, out_dir / f"{model_name}-s{seed}", params[model_name], seed, args.device
            )
            results.append(res)
            t = res["test"]
            print(
                f"{model_name:7s} seed {seed}: test HR@20 {t['hr@20']:.4f} NDCG@20 {t['ndcg@20']:.4f} "
                f"HR@10 {t['hr@10']:.4f} NDCG@10 {t['ndcg@10']:.4f}  epochs {res['epochs']} "
                f"(best {res['best_epoch']}, {res['seconds_per_epoch']:.0f} s/epoch)",
                flush=True,
            )
            write_report(out_dir, args, argv, params, results)  # after every run: partial results survive
    print("\n" + summary_table(results, args.dataset))
    print(f"results: {out_dir / 'results.json'}")


if __name__ == "__main__":
    main()
