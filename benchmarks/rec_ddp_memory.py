"""Peak memory per process: a short rec training run alone vs under ``torchrun`` (issue 20).

Runs the same truncated SASRec training (shipped config ``rec/sasrec_beauty``, one epoch capped
at ``--batches`` batches, then the validation on every Beauty user and the test, CPU, gloo) once
as a single process and once under ``torchrun --nproc_per_node N``, each process with
``--threads`` torch threads. Every process runs this file in ``--worker`` mode: it calls
``graphcl.cli.main`` with the ``graphcl train`` arguments and, at exit, writes its peak resident
set size (``getrusage(RUSAGE_SELF).ru_maxrss``) and its RSS before training (after importing
torch and graphcl) to a JSON file, so the library needs no memory hooks. The table shows every
process's peak and its ratio to the single process's (issue 20's goal: at most 1.2x per rank).

    PYTHONPATH=. GRAPHCL_DATA=/work/shared/data python benchmarks/rec_ddp_memory.py \\
        --out benchmarks/results/rec_ddp_memory.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
from rec_repro import git_commit  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default="rec/sasrec_beauty")
    p.add_argument("--nproc", type=int, default=2, help="torchrun processes")
    p.add_argument("--threads", type=int, default=1, help="torch threads per process")
    p.add_argument("--batches", type=int, default=20, help="training batches (params.smoke.max_train_batches)")
    p.add_argument("--data-root", default=os.environ.get("GRAPHCL_DATA"))
    p.add_argument("--out", help="JSON file for the measurements")
    return p.parse_args(argv)


def rss_now_kib() -> int:
    """Current resident set size (``VmRSS``) in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker(report: str, graphcl_argv: list[str]) -> int:
    """One process of a measurement: ``graphcl`` with ``graphcl_argv``, then its peak RSS to
    ``report`` (``{rank}`` in the name becomes torchrun's ``RANK``)."""
    import torch  # noqa: F401  (counted in the start RSS, as in any graphcl process)

    from graphcl.cli import main

    start = rss_now_kib()
    t0 = time.perf_counter()
    status = main(graphcl_argv)
    record = {
        "rank": int(os.environ.get("RANK", "0")),
        "world_size": int(os.environ.get("WORLD_SIZE", "1")),
        "status": status,
        "seconds": time.perf_counter() - t0,
        "start_rss_kib": start,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # KiB on Linux
    }
    Path(report.format(rank=record["rank"])).write_text(json.dumps(record))
    return status


def graphcl_args(args, out_dir: Path) -> list[str]:
    sets = ["device=cpu", "params.train.epochs=1", f"params.smoke.max_train_batches={args.batches}"]
    argv = ["train", args.config, "--threads", str(args.threads), "--out-dir", str(out_dir)]
    if args.data_root:
        argv += ["--data-root", args.data_root]
    for text in sets:
        argv += ["--set", text]
    return argv


def measure(args, nproc: int, work: Path) -> tuple[list[dict], list[str]]:
    """Every process's record for one run (``nproc`` 1: plain python, else torchrun)."""
    tag = f"n{nproc}"
    out_dir = work / f"runs-{tag}"
    report = work / f"{tag}-rank{{rank}}.json"
    inner = [str(HERE), "--worker", str(report), *graphcl_args(args, out_dir)]
    if nproc == 1:
        cmd = [sys.executable, *inner]
    else:
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc), *inner]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(":")}
    env["OMP_NUM_THREADS"] = str(args.threads)
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, env=env, check=True, cwd=REPO)
    records = [json.loads((work / f"{tag}-rank{r}.json").read_text()) for r in range(nproc)]
    return records, cmd


def shown(cmd: list[str], work: Path) -> list[str]:
    """``cmd`` as recorded: ``python``, paths relative to the repository, ``TMP`` for the scratch folder."""
    out = []
    for part in cmd:
        part = "python" if part == sys.executable else part.replace(str(work), "TMP")
        out.append(part.replace(f"{REPO}/", ""))
    return out


def format_table(rows: list[dict]) -> str:
    lines = [
        "| process | peak RSS MiB | ratio to single | RSS before training MiB | seconds |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['process']} | {row['peak_rss_mib']:.0f} | {row['ratio']:.2f} | "
            f"{row['start_rss_mib']:.0f} | {row['seconds']:.0f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:  # internal: one measured process (``--worker REPORT GRAPHCL_ARGS...``)
        return worker(argv[1], argv[2:])
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="rec_ddp_memory-"))
    try:
        single, single_cmd = measure(args, 1, work)
        ranks, ddp_cmd = measure(args, args.nproc, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = single[0]["peak_rss_kib"]
    rows = []
    for label, rec in [("single process", single[0])] + [(f"torchrun rank {r['rank']}", r) for r in ranks]:
        rows.append(
            {
                "process": label,
                "peak_rss_mib": rec["peak_rss_kib"] / 1024,
                "ratio": rec["peak_rss_kib"] / base,
                "start_rss_mib": rec["start_rss_kib"] / 1024,
                "seconds": rec["seconds"],
            }
        )
    worst = max(row["ratio"] for row in rows[1:])
    print(format_table(rows))
    print(f"largest rank / single process: {worst:.2f} (goal <= 1.2: {'met' if worst <= 1.2 else 'NOT met'})")
    if args.out:
        result = {
            "meta": {
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "commit": git_commit(),
                "machine": f"{platform.platform()} ({os.cpu_count()} cpus)",
                "threads": args.threads,
                "nproc": args.nproc,
                "config": args.config,
                "max_train_batches": args.batches,
                "argv": sys.argv[1:],
                "single_command": shown(single_cmd, work),
                "torchrun_command": shown(ddp_cmd, work),
            },
            "rows": rows,
            "max_rank_ratio": worst,
            "goal_met": worst <= 1.2,
        }
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
