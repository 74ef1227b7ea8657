"""Files of a run folder shared by the models and the CLI."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch

from graphcl.utils.errors import CheckpointError, UserError

# present while a run's embeddings/model are saved but its evaluation has not finished
EVALUATION_MISSING = "EVALUATION_MISSING.txt"


def mark_evaluation_missing(run_dir: Path) -> None:
    (Path(run_dir) / EVALUATION_MISSING).write_text(
        f"Training ended and its results are saved, but the evaluation did not finish.\n"
        f"Run `graphcl eval {run_dir}` to evaluate them and write metrics.json.\n"
    )


def clear_evaluation_missing(run_dir: Path) -> None:
    (Path(run_dir) / EVALUATION_MISSING).unlink(missing_ok=True)


def save_atomic(obj: object, path: Path) -> None:
    """``torch.save(obj, path)`` through a temporary file of this call's own in the same folder,
    then an atomic rename: a reader never sees half a file, a crash mid-write leaves the previous
    one, and writers of the same file in parallel (tuning workers filling one cache) cannot
    write into each other's temporary file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(obj, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_saved(path: Path, **kwargs) -> object:
    """``torch.load`` of a file the run saved; a truncated or foreign file is a user error naming it."""
    try:
        return torch.load(path, **kwargs)
    except Exception as exc:  # torch raises RuntimeError, EOFError, UnpicklingError ... for a damaged file
        raise UserError(
            f"{path} cannot be read ({type(exc).__name__}: {exc}); it is truncated or not what the run "
            "saved: train the run again"
        ) from exc


def read_checkpoint(path: Path, kind: str, missing: str) -> dict:
    """``torch.load`` (weights only) of a run's ``last.pt``; a missing (``missing`` says why it
    may be), truncated or foreign (not a ``kind`` checkpoint) file raises :class:`CheckpointError`
    naming it."""
    if not path.is_file():
        raise CheckpointError(f"{path} does not exist: {missing}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a damaged zip/pickle
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({type(exc).__name__}: {exc}); "
            "it may be truncated: start the run again"
        ) from exc
    if not isinstance(state, dict) or "version" not in state:
        raise CheckpointError(f"{path} is not a {kind} checkpoint")
    return state


def fingerprint_differences(stored: dict, current: dict, where: str = "") -> list[str]:
    """Human-readable differences between a checkpoint's nested fingerprint and this run's."""
    out = []
    for key in sorted(set(stored) | set(current), key=str):
        a, b = stored.get(key, "<missing>"), current.get(key, "<missing>")
        name = f"{where}.{key}" if where else str(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += fingerprint_differences(a, b, name)
        elif a != b:
            out.append(f"{name} is {a!r} in the checkpoint but {b!r} now")
    return out
