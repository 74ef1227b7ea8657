"""Run one training job: make a run folder, record config/seed/versions, train, save metrics."""

from __future__ import annotations

import datetime as _dt
import functools
import json
import logging
import platform
from collections.abc import Callable
from pathlib import Path

import torch
import yaml

from graphcl.config import ConfigError, RunConfig, load_run_config, to_dict
from graphcl.registry import train_function
from graphcl.utils import distributed
from graphcl.utils.seed import process_settings_restored, seed_everything
from graphcl.validation import validate_run


@functools.lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("graphcl", "torch", "torch-geometric", "recbole", "optuna", "numpy", "scikit-learn"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return tuple(out.items())


def versions() -> dict[str, str]:
    """Versions of the packages a result depends on (recorded in every run folder; read once,
    since reading package metadata is a large share of a short tuning trial)."""
    return dict(_versions())


RESUMABLE_TASKS = ("rec", "hetero")  # their train functions keep run_dir/last.pt and take resume=True


def make_run_dir(run: RunConfig) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    run_dir = Path(run.out_dir) / f"{run.model}-{run.dataset}-s{run.seed}-{stamp}"
    try:
        run_dir.mkdir(parents=True, exist_ok=False)
    except OSError as exc:  # no permission, disk full, a file in the way
        raise ConfigError(
            f"cannot create the run folder {run_dir} ({exc.strerror}); give --out-dir a writable folder"
        ) from exc
    return run_dir


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the run in ``run_dir`` (a rec run keeps its ``last.pt``; a plain
    hetero run is not stopped by a Ctrl-C during training: it evaluates what it learnt and returns
    ``interrupted_at_epoch`` in its metrics, see :func:`resume_hint`)."""

    def __init__(self, run_dir: Path | None, resumable: bool):
        super().__init__(f"run {run_dir} interrupted")
        self.run_dir, self.resumable = run_dir, resumable


def run_training(
    run: RunConfig,
    report: Callable[[int, float], None] | None = None,
    run_dir: Path | None = None,
    resume: bool = False,
) -> tuple[Path | None, dict]:
    """Train ``run`` and return ``(run_dir, metrics)``; ``metrics.json`` lands in the run folder.

    ``resume=True`` continues the run folder ``run_dir`` from its checkpoint (rec and hetero runs): its
    ``config.yaml`` must describe ``run`` (use :func:`resume_training`).

    Under torchrun (a process group of several, see :mod:`graphcl.utils.distributed`) only
    rank 0 creates and writes the run folder; the other ranks train and return ``(None, {...})``.
    """
    if distributed.is_distributed() and run.task != "rec":
        raise ConfigError(f"torchrun data parallelism is implemented for rec runs; {run.model} is a {run.task} model")
    if resume and run_dir is None:
        raise ConfigError("resume needs the run folder to continue")
    if resume and run.task not in RESUMABLE_TASKS:
        tasks = " and ".join(RESUMABLE_TASKS)
        raise ConfigError(f"--resume continues {tasks} runs from their last.pt; {run.model} is a {run.task} model")
    validate_run(run)  # everything that can fail before training, before the folder exists
    if not distributed.is_main():  # a torchrun rank other than 0: trains, writes nothing
        with process_settings_restored():
            seed_everything(run.seed)
            try:
                metrics = train_function(run.model)(run, Path(run_dir) if resume else None, report, resume=resume)
            except KeyboardInterrupt as exc:
                raise RunInterrupted(None, False) from exc
        return None, metrics
    run_dir = Path(run_dir) if run_dir else make_run_dir(run)
    run_dir.mkdir(parents=True, exist_ok=True)
    if not resume:
        (run_dir / "config.yaml").write_text(yaml.safe_dump(to_dict(run), sort_keys=False))
        (run_dir / "versions.json").write_text(json.dumps(versions(), indent=2))
    with process_settings_restored():  # seeding switches on deterministic kernels, sets env vars
        seed_everything(run.seed)
        metrics = _train_logged(run, run_dir, report, resume)
    metrics.setdefault("threads", torch.get_num_threads())
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=float))
    return run_dir, metrics


def _train_logged(run: RunConfig, run_dir: Path, report, resume: bool) -> dict:
    """Call the model's train function; every log line of the run (ours and the models') also
    lands in ``run_dir/train.log``."""
    handler = logging.FileHandler(run_dir / "train.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        logging.getLogger("graphcl.runner").info(
            "run %s: %s on %s, seed %d%s", run_dir, run.model, run.dataset, run.seed, " (resumed)" if resume else ""
        )
        train = train_function(run.model)
        return train(run, run_dir, report, resume=True) if resume else train(run, run_dir, report)
    except KeyboardInterrupt as exc:
        raise RunInterrupted(run_dir, (run_dir / "last.pt").is_file()) from exc
    finally:
        root.removeHandler(handler)
        handler.close()


def resume_training(
    run_dir: str | Path, report: Callable[[int, float], None] | None = None
) -> tuple[Path | None, dict]:
    """Continue the rec or hetero run in ``run_dir`` from its ``last.pt`` with the config it was started with."""
    run_dir = Path(run_dir)
    if not (run_dir / "config.yaml").is_file():
        raise ConfigError(f"{run_dir} is not a run folder (no config.yaml); give the folder `graphcl train` printed")
    run = load_run_config(run_dir / "config.yaml")
    return run_training(run, report, run_dir, resume=True)


def resume_hint(run_dir: Path, metrics: dict) -> str | None:
    """What to tell the user after a run a Ctrl-C ended early but which still finished (hetero
    runs evaluate what they learnt): how to continue it, or ``None`` when it was not interrupted."""
    stopped = metrics.get("interrupted_at_epoch")
    if stopped is None:
        return None
    if not (Path(run_dir) / "last.pt").is_file() or metrics.get("checkpoint_epoch") is None:
        return f"interrupted during epoch {stopped} before a checkpoint was written; {run_dir} cannot be resumed"
    return (
        f"interrupted during epoch {stopped}; the metrics above are those of epoch {metrics.get('evaluated_epoch')}; "
        f"continue training from epoch {metrics['checkpoint_epoch']} with `graphcl train --resume {run_dir}`"
    )
