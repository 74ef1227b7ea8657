"""Command line: ``graphcl data|train|eval|tune|config``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=2, default=float))


def _cmd_train(args) -> int:
    from graphcl.config import load_run_config
    from graphcl.runner import run_training

    overrides = list(args.set or [])
    if args.data_root:
        overrides.append(f"data_root={args.data_root}")
    if args.out_dir:
        overrides.append(f"out_dir={args.out_dir}")
    run = load_run_config(resolve_config_path(args.config), overrides)
    run_dir, metrics = run_training(run)
    print(f"run folder: {run_dir}")
    # per-epoch history stays in the run folder's metrics.json; the summary fits a screen
    _print_json({k: v for k, v in metrics.items() if k != "history"})
    return 0


def _cmd_eval(args) -> int:
    from graphcl.config import read_yaml
    from graphcl.registry import evaluate_function

    run_dir = Path(args.run_dir)
    model = read_yaml(run_dir / "config.yaml")["model"]
    _print_json(evaluate_function(model)(run_dir))
    return 0


def _cmd_config(args) -> int:
    import yaml

    from graphcl.config import load_run_config, to_dict

    if args.action == "list":
        for path in shipped_configs():
            print(path)
        return 0
    if not args.config:
        raise SystemExit("graphcl config show needs a config path or name")
    run = load_run_config(resolve_config_path(args.config), args.set or [])
    print(yaml.safe_dump(to_dict(run), sort_keys=False), end="")
    return 0


def _cmd_data(args) -> int:
    from graphcl.data import commands

    return commands.run(args)


def _cmd_tune(args) -> int:
    from graphcl.tuning import commands

    return commands.run(args)


def shipped_configs() -> list[str]:
    """Names of the configs shipped with the package (``hetero/meow_acm`` ...)."""
    from graphcl.resources import configs_dir

    root = configs_dir()
    return sorted(str(p.relative_to(root).with_suffix("")) for p in root.glob("*/*.yaml"))


def resolve_config_path(name: str) -> Path:
    """A path to a YAML file, or the name of a shipped config (``hetero/meow_acm``)."""
    from graphcl.resources import configs_dir

    path = Path(name)
    if path.is_file():
        return path
    shipped = configs_dir() / (name if name.endswith(".yaml") else f"{name}.yaml")
    if shipped.is_file():
        return shipped
    raise SystemExit(f"no config file {name!r}: give a path or one of {shipped_configs()}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphcl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train a model from a run config")
    p.add_argument("config", help="YAML path or shipped name, e.g. rec/sasrec_ml-100k")
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
    p.add_argument("--data-root")
    p.add_argument("--out-dir", default="runs/studies")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a study key")
    p.set_defaults(func=_cmd_tune)
    return parser


def main(argv: list[str] | None = None) -> int:
    from graphcl.config import ConfigError

    import logging

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    try:
        return args.func(args)
    except (ConfigError, FileNotFoundError, KeyError) as exc:
        print(f"graphcl: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
