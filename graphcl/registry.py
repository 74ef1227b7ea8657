"""The application's one table of models: each domain's :class:`~graphcl.utils.task.Task`
(``graphcl.hetero.train.TASK``, ``rec.train.TASK``) and the model names they hold.

Training function contract (shared by the CLI and the Optuna tuner)::

    train(run: RunConfig, run_dir: pathlib.Path, report=None) -> dict

``report(step, value)`` is called after each validation with the validation objective
(higher is better); it may raise :class:`TrialPruned` to stop the run early. The returned dict
holds at least ``{"val": {...metrics}, "test": {...metrics}}``. ``evaluate(run_dir, run) -> dict``
re-evaluates what a finished run saved in its folder (``run``: its ``RunConfig``, read from the
folder's ``config.yaml`` by the caller).
"""

from __future__ import annotations

from collections.abc import Callable

from graphcl.config import UnknownModelError
from graphcl.hetero.train import TASK as HETERO
from graphcl.utils.task import Task
from rec.train import TASK as REC

TASKS: dict[str, Task] = {task.name: task for task in (HETERO, REC)}
# model name -> the task that holds it (tests and plug-ins may add entries)
MODELS: dict[str, Task] = {model: task for task in TASKS.values() for model in task.params}


class TrialPruned(Exception):
    """Raised by a ``report`` callback to stop a run early (mapped to optuna.TrialPruned)."""


def task_of(model: str) -> Task:
    if model not in MODELS:
        raise UnknownModelError(f"unknown model {model!r}; known models: {sorted(MODELS)}")
    return MODELS[model]


def model_task(model: str) -> str:
    """``"hetero"`` or ``"rec"``: the ``task`` a run config of ``model`` must name."""
    return task_of(model).name


def params_class(model: str) -> type:
    return task_of(model).params[model]


def train_function(model: str) -> Callable[..., dict]:
    return task_of(model).train


def evaluate_function(model: str) -> Callable[..., dict]:
    return task_of(model).evaluate


def validation_metrics(model: str) -> tuple[str, ...]:
    """The validation metric names ``model``'s training reports (what a study may optimise)."""
    return task_of(model).metrics
