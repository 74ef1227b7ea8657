"""Files of a run folder shared by the models and the CLI."""

from __future__ import annotations

from pathlib import Path

import torch

from graphcl.utils.errors import UserError

# present while a run's embeddings/model are saved but its evaluation has not finished
EVALUATION_MISSING = "EVALUATION_MISSING.txt"


def mark_evaluation_missing(run_dir: Path) -> None:
    (Path(run_dir) / EVALUATION_MISSING).write_text(
        f"Training ended and its results are saved, but the evaluation did not finish.\n"
        f"Run `graphcl eval {run_dir}` to evaluate them and write metrics.json.\n"
    )


def clear_evaluation_missing(run_dir: Path) -> None:
    (Path(run_dir) / EVALUATION_MISSING).unlink(missing_ok=True)


def load_saved(path: Path, **kwargs) -> object:
    """``torch.load`` of a file the run saved; a truncated or foreign file is a user error naming it."""
    try:
        return torch.load(path, **kwargs)
    except Exception as exc:  # torch raises RuntimeError, EOFError, UnpicklingError ... for a damaged file
        raise UserError(
            f"{path} cannot be read ({type(exc).__name__}: {exc}); it is truncated or not what the run "
            "saved: train the run again"
        ) from exc
