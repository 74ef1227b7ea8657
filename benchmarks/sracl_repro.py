"""SRA-CL vs SASRec: reproduction benchmark (ml-100k with real titles; Beauty/Sports ID-free).

Runs RecBole's trainer (through ``rec.recbole_compat``) on ``rec.sasrec.SASRec`` and
``rec.sracl.model.SRACL`` with the same data, split (leave-one-out), full ranking and
hyperparameters, and prints HR/NDCG@{5,10,20} next to the paper's SRA-CL numbers.

Examples (CPU, background)::

    nice python benchmarks/sracl_repro.py --dataset ml-100k --seeds 0 1 --epochs 30
    nice python benchmarks/sracl_repro.py --dataset beauty --epochs 5 --item-semantics cooc

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
import platform
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch

# SRA-CL paper, Table 2 (max_len 20): HR@20 / NDCG@20.
PAPER = {"sports": {"hr@20": 0.0823, "ndcg@20": 0.0347}, "beauty": {"hr@20": 0.1314, "ndcg@20": 0.0568}}
SHARED = Path("/work/shared/data/seqrec")
ICLREC_FILES = {"beauty": "Beauty.txt", "sports": "Sports_and_Outdoors.txt"}


@dataclass
class Sequences:
    user_ids: list
    sequences: list
    num_items: int
    item_text: dict | None


def load_ml100k() -> Sequences:
    """RecBole's bundled ml-100k: every rating is an interaction, ordered by timestamp (ties
    keep file order); item text = title, year and genres."""
    import recbole

    folder = Path(recbole.__file__).parent / "dataset_example" / "ml-100k"
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
    users, seqs = [], []
    for line in (SHARED / ICLREC_FILES[name]).read_text().splitlines():
        parts = line.split()
        users.append(parts[0])
        seqs.append([int(x) for x in parts[1:]])
    return Sequences(users, seqs, max(max(s) for s in seqs), None)


def write_atomic(data: Sequences, folder: Path, name: str) -> None:
    """``name.inter`` with timestamp = position, so RecBole's (user, time) sort has no ties."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.inter", "w") as fh:
        fh.write("user_id:token\titem_id:token\ttimestamp:float\n")
        for u, seq in zip(data.user_ids, data.sequences):
            for t, i in enumerate(seq):
                fh.write(f"{u}\t{i}\t{t}\n")


def run_one(model_name, data, name, data_dir, run_dir, params, seed, device):
    from rec import recbole_compat as rc
    from rec.sasrec import SASRec
    from rec.sracl.hooks import prepare, recbole_config
    from rec.sracl.model import SRACL

    extra = prepare(params, data, run_dir) if model_name == "sracl" else {}
    cls = SRACL if model_name == "sracl" else SASRec
    cfg = rc.make_config(cls, name, {
        **recbole_config(params), **extra, "data_path": str(data_dir), "seed": seed, "reproducibility": True,
        "device": device, "use_gpu": device != "cpu", "show_progress": False, "checkpoint_dir": str(run_dir),
        "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
        "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full", "group_by": "user"},
        "metrics": ["Hit", "NDCG"], "topk": [5, 10, 20], "valid_metric": "NDCG@20",
        "user_inter_num_interval": "[3,inf)", "item_inter_num_interval": "[0,inf)", "log_wandb": False})
    from recbole.utils import init_seed  # noqa: PLC0415 (rec.recbole_compat already imported recbole)

    init_seed(seed, True)
    dataset = rc.create_dataset(cfg)
    train, valid, test = rc.data_preparation(cfg, dataset)
    init_seed(seed, True)
    model = cls(cfg, train.dataset).to(cfg["device"])
    trainer = rc.Trainer(cfg, model)
    start = time.time()
    best_valid, valid_result = trainer.fit(train, valid, saved=True, show_progress=False)
    seconds = time.time() - start
    test_result = trainer.evaluate(test, load_best_model=True, show_progress=False)
    out = {"model": model_name, "seed": seed, "val": {k.replace("hit", "hr"): float(v) for k, v in valid_result.items()},
           "test": {k.replace("hit", "hr"): float(v) for k, v in test_result.items()}, "seconds": seconds}
    if model_name == "sracl":
        out["semantics"] = model.semantic_sources
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=["ml-100k", "beauty", "sports"], default="ml-100k")
    ap.add_argument("--models", nargs="+", default=["sasrec", "sracl"], choices=["sasrec", "sracl"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--stopping-step", type=int, default=10)
    ap.add_argument("--item-semantics", choices=["text", "cooc"], default=None,
                    help="default: text for ml-100k, cooc for Beauty/Sports (no aligned text)")
    ap.add_argument("--out", default="runs/sracl_repro")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    from rec.sracl.params import SRACLParams

    name = args.dataset.replace("-", "_")
    data = load_ml100k() if args.dataset == "ml-100k" else load_iclrec(args.dataset)
    semantics = args.item_semantics or ("text" if data.item_text else "cooc")
    params = SRACLParams(epochs=args.epochs, stopping_step=args.stopping_step, item_semantics=semantics,
                         user_semantics="text" if semantics == "text" else "mean_items")
    out_dir = Path(args.out) / f"{args.dataset}-{dt.datetime.now(dt.timezone.utc):%Y%m%d-%H%M%S}"
    write_atomic(data, out_dir / "data" / name, name)
    results = []
    for seed in args.seeds:
        for model_name in args.models:
            res = run_one(model_name, data, name, out_dir / "data", out_dir / f"{model_name}-s{seed}",
                          replace(params), seed, "cpu")
            results.append(res)
            t = res["test"]
            print(f"{model_name:7s} seed {seed}: test HR@20 {t['hr@20']:.4f} NDCG@20 {t['ndcg@20']:.4f} "
                  f"HR@10 {t['hr@10']:.4f} NDCG@10 {t['ndcg@10']:.4f}  ({res['seconds']:.0f} s)", flush=True)
    report = {"dataset": args.dataset, "item_semantics": semantics, "params": vars(params) | {},
              "paper_sracl": PAPER.get(args.dataset), "results": results,
              "command": "python benchmarks/sracl_repro.py " + " ".join(argv or __import__("sys").argv[1:]),
              "machine": f"{platform.node()} {platform.processor() or platform.machine()}, torch threads {args.threads}",
              "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    (out_dir / "results.json").write_text(json.dumps(report, indent=2, default=str))
    print(f"\n{'model':8s} {'HR@20':>8s} {'NDCG@20':>8s}   (mean over seeds {args.seeds})")
    for m in args.models:
        rows = [r["test"] for r in results if r["model"] == m]
        print(f"{m:8s} {sum(r['hr@20'] for r in rows) / len(rows):8.4f} {sum(r['ndcg@20'] for r in rows) / len(rows):8.4f}")
    if args.dataset in PAPER:
        p = PAPER[args.dataset]
        print(f"{'paper':8s} {p['hr@20']:8.4f} {p['ndcg@20']:8.4f}   (SRA-CL, Table 2)")
    print(f"results: {out_dir / 'results.json'}")


if __name__ == "__main__":
    main()
