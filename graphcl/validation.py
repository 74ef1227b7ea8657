"""Checks of a run config against the dataset registry and this machine, made before a run
folder exists (``graphcl train``, ``graphcl config show`` and the tuner's pre-check call them).

:func:`graphcl.config.load_run_config` already checks types, choices, finite numbers and that
``task`` matches the model; :func:`validate_run` adds what needs the dataset's registry entry
(its kind, meta-paths, node counts) or the machine (the device, the output folder).
"""

from __future__ import annotations

from pathlib import Path

from graphcl.config import ConfigError, RunConfig
from graphcl.data.registry import dataset_info

# dataset kinds each task can train on (datasets/registry.yaml ``kind``)
TASK_KINDS = {"hetero": ("hetero",), "rec": ("sequences", "recbole_builtin")}


def validate_run(run: RunConfig) -> None:
    """Raise :class:`ConfigError` for anything in ``run`` that would fail once training starts."""
    info = dataset_info(run.dataset)  # UnknownDatasetError lists the known names
    _check_dataset_kind(run, info)
    _check_device(run.device)
    check_out_dir(run.out_dir)
    if run.task == "hetero":
        from graphcl.hetero.params import check_against_dataset

        try:
            check_against_dataset(run.params, run.dataset, info)
        except ValueError as exc:
            raise ConfigError(f"params: {exc}") from exc


def _check_dataset_kind(run: RunConfig, info: dict) -> None:
    kinds = TASK_KINDS[run.task]
    if info["kind"] not in kinds:
        from graphcl.data.registry import dataset_names

        usable = [n for n in dataset_names() if dataset_info(n)["kind"] in kinds]
        raise ConfigError(
            f"dataset {run.dataset!r} is a {info['kind']} dataset; {run.task} model {run.model!r} trains on {usable}"
        )


def _check_device(device: str) -> None:
    import torch

    from graphcl.utils.device import resolve_device

    index = resolve_device(device).index  # refuses cuda on a machine without CUDA
    if index is not None and index >= torch.cuda.device_count():
        raise ConfigError(
            f"device {device!r}: this machine has {torch.cuda.device_count()} CUDA device(s); "
            f"use cuda:0..cuda:{torch.cuda.device_count() - 1}"
        )


def check_out_dir(out_dir: str | Path) -> None:
    """``out_dir`` must be a folder or creatable as one (no file on its way)."""
    path = Path(out_dir)
    for folder in (path, *path.parents):
        if folder.exists():
            if not folder.is_dir():
                raise ConfigError(
                    f"out_dir {str(out_dir)!r}: {folder} is a file, not a folder; "
                    "give --out-dir a folder (it is created if missing)"
                )
            return
