"""Forward+backward time and peak memory of InfoNCE: dense vs row-chunked (with/without checkpoint).

Usage::

    python benchmarks/bench_infonce.py --sizes 4096 16384 65536 --dim 64 --threads 1 --json out.json

Each (mode, N) runs in a fresh subprocess so one measurement cannot inherit another's memory.

Memory method:
  * CPU: the process's peak resident set size (``VmHWM``) is reset just before the measured
    step by writing ``5`` to ``/proc/self/clear_refs`` (Linux), and the reported peak is
    ``VmHWM`` after the step minus the RSS right before it, i.e. the extra memory the
    forward+backward needed on top of the inputs. (tracemalloc does not see torch allocations.)
    Children run with ``MALLOC_MMAP_THRESHOLD_=131072`` so freed tensors leave the RSS.
  * CUDA: ``torch.cuda.max_memory_allocated`` after ``reset_peak_memory_stats`` minus the memory
    allocated before the step.
Time: wall clock of ``loss = InfoNCE(...)(a, c); loss.backward()`` (median of ``--repeats``,
after one untimed warm-up run for N <= 16384; a single run above that).

Modes whose extrapolated peak (from the previous size, scaling as N^2, or N for the checkpointed
mode) exceeds ``--max-gb`` are skipped and reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

MODES = {
    "dense": {"chunk_size": None, "checkpoint": False},
    "chunked": {"chunk_size": 1024, "checkpoint": False},
    "chunked+checkpoint": {"chunk_size": 1024, "checkpoint": True},
    # MEOW's path: hard weights from 3 clusterings (k = 100, 300, 500) computed per block,
    # positive out of the denominator
    "meow-weights": {"chunk_size": 1024, "checkpoint": True, "cluster_weights": True},
}
# how the peak grows with N, for skipping runs that would not fit: dense and plain chunked keep
# O(N^2) for backward; with checkpointing only one [chunk, N] block is alive (O(N) at fixed chunk)
PEAK_EXPONENT = {"dense": 2, "chunked": 2, "chunked+checkpoint": 1, "meow-weights": 1}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _hwm_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmHWM not found in /proc/self/status")


def _reset_hwm() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _child_env() -> dict:
    """glibc raises its mmap threshold after large frees, after which freed blocks stay resident and
    hide later peaks from the RSS measurement; a fixed threshold keeps every large tensor mmapped,
    so freeing it really returns the memory."""
    env = dict(os.environ)
    env.setdefault("MALLOC_MMAP_THRESHOLD_", "131072")
    return env


def measure(mode: str, n: int, dim: int, device: str, threads: int, repeats: int, chunk: int) -> dict:
    """Run in the child process: one configuration, return time and peak memory."""
    import torch

    from graphcl.core import InfoNCE, cluster_negative_weights

    torch.set_num_threads(threads)
    options = dict(MODES[mode])
    if options["chunk_size"] is not None:
        options["chunk_size"] = chunk
    cluster_weights = options.pop("cluster_weights", False)
    loss_fn = InfoNCE(temperature=0.5, positives_in_denominator=not cluster_weights, **options)
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(n, dim, generator=gen).to(device).requires_grad_(True)
    c = torch.randn(n, dim, generator=gen).to(device).requires_grad_(True)
    weights = None
    if cluster_weights:
        assignments = [torch.randint(k, (n,), generator=gen).to(device) for k in (100, 300, 500)]
        weights = lambda start, stop: cluster_negative_weights(assignments, rows=(start, stop))  # noqa: E731

    def step():
        a.grad = c.grad = None
        loss = loss_fn(a, c, neg_weights=weights)
        loss.backward()
        return float(loss)

    runs = repeats if n <= 16384 else 1
    if n <= 16384:
        step()  # warm-up (allocator, kernels)
    times, peaks, value = [], [], None
    for _ in range(runs):
        if device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            before = torch.cuda.memory_allocated()
        else:
            a.grad = c.grad = None
            before = _rss_bytes()
            _reset_hwm()
        start = time.perf_counter()
        value = step()
        if device == "cuda":
            torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated() - before
        else:
            peak = _hwm_bytes() - before
        times.append(time.perf_counter() - start)
        peaks.append(peak)
    return {
        "mode": mode,
        "n": n,
        "dim": dim,
        "chunk_size": options["chunk_size"],
        "device": device,
        "threads": threads,
        "seconds": statistics.median(times),
        "peak_mb": max(peaks) / 2**20,
        "loss": value,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4096, 16384, 65536])
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--chunk", type=int, default=1024, help="chunk_size of the chunked modes")
    parser.add_argument("--modes", nargs="+", default=["dense", "chunked", "chunked+checkpoint"], choices=list(MODES))
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads in each run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-gb", type=float, default=6.0, help="skip runs whose extrapolated peak exceeds this")
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument("--_child", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args._child:
        result = measure(
            args._child[0], int(args._child[1]), args.dim, args.device, args.threads, args.repeats, args.chunk
        )
        print("RESULT " + json.dumps(result))
        return

    rows = []
    for mode in args.modes:
        last = None
        for n in sorted(args.sizes):
            if last is not None:
                estimate_gb = last["peak_mb"] / 1024 * (n / last["n"]) ** PEAK_EXPONENT[mode]
                if estimate_gb > args.max_gb:
                    rows.append(
                        {
                            "mode": mode,
                            "n": n,
                            "dim": args.dim,
                            "skipped": f"extrapolated peak {estimate_gb:.1f} GB > --max-gb {args.max_gb}",
                        }
                    )
                    print(f"{mode:>20} N={n:>6}: skipped ({rows[-1]['skipped']})", flush=True)
                    continue
            cmd = [
                sys.executable,
                __file__,
                "--_child",
                mode,
                str(n),
                "--dim",
                str(args.dim),
                "--device",
                args.device,
                "--threads",
                str(args.threads),
                "--repeats",
                str(args.repeats),
                "--chunk",
                str(args.chunk),
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=_child_env())
            line = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
            if proc.returncode != 0 or not line:
                rows.append({"mode": mode, "n": n, "dim": args.dim, "skipped": f"failed: {proc.stderr.strip()[-300:]}"})
                print(f"{mode:>20} N={n:>6}: FAILED {proc.stderr.strip()[-300:]}", flush=True)
                continue
            last = json.loads(line[0][len("RESULT ") :])
            rows.append(last)
            print(f"{mode:>20} N={n:>6}: {last['seconds']:8.2f} s  {last['peak_mb']:9.1f} MB", flush=True)

    print()
    print(f"{'mode':>20} | {'N':>6} | {'fwd+bwd s':>10} | {'peak MB':>10} | note")
    print("-" * 72)
    for r in rows:
        if "skipped" in r:
            print(f"{r['mode']:>20} | {r['n']:>6} | {'-':>10} | {'-':>10} | {r['skipped']}")
        else:
            print(
                f"{r['mode']:>20} | {r['n']:>6} | {r['seconds']:>10.2f} | {r['peak_mb']:>10.1f} | loss {r['loss']:.4f}"
            )
    if args.json:
        meta = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "device": args.device,
            "threads": args.threads,
            "dim": args.dim,
            "chunk": args.chunk,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        try:
            import torch

            meta["torch"] = torch.__version__
        except ImportError:
            pass
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": rows}, f, indent=2)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
