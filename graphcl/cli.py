"""Command line: ``graphcl data|train|eval|tune|config``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=2, default=float))


def _cmd_train(args) -> int:
    from graphcl.config import ConfigError, load_run_config
    from graphcl.runner import RunInterrupted, resume_hint, resume_training, run_training
    from graphcl.utils.signals import sigterm_as_keyboard_interrupt

    if (args.config is None) == (args.resume is None):
        raise ConfigError(
            "graphcl train needs a config (to start a run) or --resume RUN_DIR (to continue one), not both"
        )
    overrides = list(args.set or [])
    if args.resume and (overrides or args.data_root or args.out_dir):
        raise ConfigError(
            "--resume continues a run with the config stored in its folder; "
            "--set, --data-root and --out-dir cannot change it"
        )
    overrides += flag_overrides(overrides, {"data_root": args.data_root, "out_dir": args.out_dir})
    import torch

    from graphcl.utils import distributed

    threads_before = torch.get_num_threads()
    set_threads(args.threads)
    # under torchrun (WORLD_SIZE > 1): join the process group; rank 0 alone writes and prints
    started = distributed.env_world_size() > 1 and distributed.init_from_env(_run_device(args, overrides))
    try:
        # SIGTERM (kill, a scheduler's stop) ends the run like Ctrl-C: the last epoch's checkpoint stays
        with sigterm_as_keyboard_interrupt():
            if args.resume:
                run_dir, metrics = resume_training(args.resume)
            else:
                run_dir, metrics = run_training(load_run_config(resolve_config_path(args.config), overrides))
    except RunInterrupted as stop:
        if stop.run_dir is None:  # a torchrun rank other than 0: rank 0 says how to resume
            return 130
        if stop.resumable:
            print(
                f"graphcl: interrupted; continue from the last finished epoch with "
                f"`graphcl train --resume {stop.run_dir}`",
                file=sys.stderr,
            )
        else:
            print(
                f"graphcl: interrupted before a checkpoint was written; {stop.run_dir} cannot be resumed",
                file=sys.stderr,
            )
        return 130
    except KeyboardInterrupt:
        print("graphcl: interrupted before the run started", file=sys.stderr)
        return 130
    finally:
        torch.set_num_threads(threads_before)
        if started:
            torch.distributed.destroy_process_group()
    if run_dir is None:  # a torchrun rank other than 0
        return 0
    print(f"run folder: {run_dir}")
    print(metrics_table(metrics))
    hint = resume_hint(run_dir, metrics)  # a hetero run a Ctrl-C ended early is evaluated, exit 0 as before
    if hint is not None:
        print(f"graphcl: {hint}", file=sys.stderr)
    return 0


def _run_device(args, overrides: list[str]) -> str:
    """The ``device`` of the run ``graphcl train`` is asked for (gloo or NCCL under torchrun)."""
    from graphcl.config import load_run_config

    if args.resume:
        path = Path(args.resume) / "config.yaml"
        return load_run_config(path).device if path.is_file() else "auto"
    return load_run_config(resolve_config_path(args.config), overrides).device


def flag_overrides(overrides: list[str], flags: dict[str, str | None]) -> list[str]:
    """``key=value`` overrides for the flags given (``--data-root`` -> ``data_root=...``); a key
    also given with ``--set`` is refused, since one of the two values would be dropped."""
    from graphcl.config import ConfigError, parse_override

    set_keys = {".".join(parse_override(text)[0]): text for text in overrides}
    out = []
    for key, value in flags.items():
        if not value:
            continue
        flag = "--" + key.replace("_", "-")
        if key in set_keys:
            raise ConfigError(f"--set {set_keys[key]} and {flag} {value} both set {key}; give only one of them")
        out.append(f"{key}={value}")
    return out


def set_threads(threads: int | None) -> None:
    """``torch.set_num_threads`` (``None``: every core of this machine)."""
    import os

    import torch

    if threads is not None and threads < 1:
        from graphcl.config import ConfigError

        raise ConfigError(f"--threads must be >= 1, got {threads}")
    torch.set_num_threads(threads or os.cpu_count() or 1)


def metrics_table(metrics: dict) -> str:
    """The run summary as text: rec runs get a test table (HR/NDCG@5/10/20 under P2 and P1),
    other runs their metrics as JSON (the per-epoch history stays in metrics.json)."""
    if "test_p2" not in metrics:
        return json.dumps({k: v for k, v in metrics.items() if k != "history"}, indent=2, default=float)
    keys = [f"{m}@{k}" for k in (5, 10, 20) for m in ("hr", "ndcg")]
    lines = ["| test protocol | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    names = {"p2": "P2 (all items)", "p1": "P1 (history masked)"}
    for protocol, name in names.items():
        values = metrics[f"test_{protocol}"]
        lines.append(f"| {name} | " + " | ".join(f"{values[k]:.4f}" for k in keys) + " |")
    threads = metrics.get("threads")
    lines.append(
        f"epochs {metrics['epochs']} (best {metrics['best_epoch']}, "
        f"{'early stop' if metrics.get('stopped_early') else 'epoch cap'}), "
        f"{metrics['seconds_per_epoch']:.1f} s/epoch, {threads} thread{'' if threads == 1 else 's'}"
    )
    return "\n".join(lines)


def _cmd_eval(args) -> int:
    from graphcl.config import ConfigError, load_run_config
    from graphcl.registry import evaluate_function

    run_dir = Path(args.run_dir)
    if not run_dir.is_dir():
        raise ConfigError(f"run folder {run_dir} does not exist; give a folder printed by `graphcl train`")
    if not (run_dir / "config.yaml").is_file():
        raise ConfigError(f"{run_dir} is not a run folder (no config.yaml); give a folder printed by `graphcl train`")
    run = load_run_config(run_dir / "config.yaml")
    metrics = evaluate_function(run.model)(run_dir, run)
    write_evaluated_metrics(run_dir, metrics)
    _print_json(metrics)
    return 0


def write_evaluated_metrics(run_dir: Path, metrics: dict) -> None:
    """Merge re-evaluated metrics into ``metrics.json`` (training's keys stay) and drop the
    marker of an evaluation that an interrupt cut short."""
    from graphcl.utils.run_files import clear_evaluation_missing

    path = run_dir / "metrics.json"
    try:
        stored = json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        stored = {}  # cut short while written: the evaluation replaces it
    path.write_text(json.dumps({**stored, **metrics}, indent=2, default=float))
    clear_evaluation_missing(run_dir)


def _cmd_config(args) -> int:
    import yaml

    from graphcl.config import ConfigError, load_run_config, to_dict
    from graphcl.validation import validate_run

    if args.action == "list":
        for path in shipped_configs():
            print(path)
        return 0
    if not args.config:
        raise ConfigError("graphcl config show needs a config path or name (`graphcl config list` shows them)")
    run = load_run_config(resolve_config_path(args.config), args.set or [])
    validate_run(run)  # the checks `graphcl train` makes before it creates the run folder
    print(yaml.safe_dump(to_dict(run), sort_keys=False), end="")
    return 0


def _cmd_data(args) -> int:
    from graphcl.data import commands

    return commands.run(args)


def _cmd_tune(args) -> int:
    from graphcl.tuning import commands
    from graphcl.utils import distributed

    if distributed.env_world_size() > 1:
        from graphcl.config import ConfigError

        raise ConfigError(
            "graphcl tune does not run under torchrun: run one worker per GPU on a shared --storage "
            "(docs/distributed.md), then train the best config with torchrun"
        )

    return commands.run(args)


def shipped_configs() -> list[str]:
    """Names of the configs shipped with the package (``hetero/meow_acm`` ...)."""
    from graphcl.utils.resources import configs_dir

    root = configs_dir()
    return sorted(str(p.relative_to(root).with_suffix("")) for p in root.glob("*/*.yaml"))


def resolve_config_path(name: str) -> Path:
    """A path to a YAML file, or the name of a shipped config (``hetero/meow_acm``)."""
    from graphcl.config import ConfigError
    from graphcl.utils.resources import configs_dir

    path = Path(name)
    if path.is_file():
        return path
    shipped = configs_dir() / (name if name.endswith(".yaml") else f"{name}.yaml")
    if shipped.is_file():
        return shipped
    raise ConfigError(f"no config file {name!r}: give a path or one of {shipped_configs()}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphcl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train a model from a run config")
    p.add_argument("config", nargs="?", help="YAML path or shipped name, e.g. rec/sasrec_ml-100k")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted rec or hetero run from its last.pt")
    p.add_argument("--threads", type=int, help="torch threads (default: every core)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key")
    p.add_argument("--data-root", help="dataset folder (default: $GRAPHCL_DATA, then the user cache)")
    p.add_argument("--out-dir", help="parent folder of run folders (default: runs)")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("eval", help="re-evaluate a finished run folder")
    p.add_argument("run_dir")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("config", help="list shipped configs or show a resolved one")
    p.add_argument("action", choices=["list", "show"])
    p.add_argument("config", nargs="?")
    p.add_argument("--set", action="append", metavar="KEY=VALUE")
    p.set_defaults(func=_cmd_config)

    p = sub.add_parser("data", help="list, fetch or verify datasets")
    p.add_argument("action", choices=["list", "fetch", "verify"])
    p.add_argument("names", nargs="*", help="dataset names (default: all)")
    p.add_argument("--data-root", help="dataset folder (default: $GRAPHCL_DATA, then the user cache)")
    p.set_defaults(func=_cmd_data)

    p = sub.add_parser("tune", help="run an Optuna study")
    p.add_argument("study", help="study YAML path or shipped name, e.g. studies/meow_acm")
    p.add_argument("--storage", help="override the study's storage URL (sqlite:///..., postgresql://...)")
    p.add_argument("--n-trials", type=int, help="total finished trials the study should reach (overrides n_trials)")
    p.add_argument("--workers", type=int, default=1, help="local worker processes on the same study")
    p.add_argument("--threads", type=int, help="torch threads per worker (default: the cores shared out)")
    p.add_argument("--data-root")
    p.add_argument("--out-dir", default="runs/studies")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a study key")
    p.set_defaults(func=_cmd_tune)
    return parser


def one_line(message: str) -> str:
    """``message`` on one line (YAML parse errors span several)."""
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


def main(argv: list[str] | None = None) -> int:
    """Exit status: 0 done, 2 bad input (:class:`graphcl.utils.errors.UserError`: one line, no traceback),
    130 interrupted; anything else is a crash and keeps its traceback (1)."""
    import logging

    from graphcl.utils.errors import UserError

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    try:
        return args.func(args)
    except UserError as exc:
        print(f"graphcl: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("graphcl: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
