"""Model registry: the name used in configs -> its params dataclass and training function.

Entries are ``"module:attribute"`` strings, imported lazily so that ``graphcl`` does not pull
RecBole in for a graph run (and vice versa).

Training function contract (shared by the CLI and the Optuna tuner)::

    train(run: RunConfig, run_dir: pathlib.Path, report=None) -> dict

``report(step, value)`` is called after each validation with the validation objective
(higher is better); it may raise ``graphcl.registry.TrialPruned`` to stop the run early.
The returned dict holds at least ``{"val": {...metrics}, "test": {...metrics}}``.
``evaluate(run_dir, run) -> dict`` re-evaluates what a finished run saved in its folder (``run``:
its ``RunConfig``, read from the folder's ``config.yaml`` by the caller).
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

from graphcl.config import UnknownModelError

MODELS: dict[str, dict[str, str]] = {
    # heterogeneous graphs
    "meow": {"task": "hetero", "params": "graphcl.hetero.params:MEOWParams", "train": "graphcl.hetero.train:train", "evaluate": "graphcl.hetero.train:evaluate"},
    "adameow": {"task": "hetero", "params": "graphcl.hetero.params:AdaMEOWParams", "train": "graphcl.hetero.train:train", "evaluate": "graphcl.hetero.train:evaluate"},
    "heco": {"task": "hetero", "params": "graphcl.hetero.params:HeCoParams", "train": "graphcl.hetero.train:train", "evaluate": "graphcl.hetero.train:evaluate"},
    # sequential recommendation
    "sasrec": {"task": "rec", "params": "rec.params:SASRecParams", "train": "rec.train:train", "evaluate": "rec.train:evaluate"},
    "cl4srec": {"task": "rec", "params": "rec.params:CL4SRecParams", "train": "rec.train:train", "evaluate": "rec.train:evaluate"},
    "mclrec": {"task": "rec", "params": "rec.params:MCLRecParams", "train": "rec.train:train", "evaluate": "rec.train:evaluate"},
    "sracl": {"task": "rec", "params": "rec.sracl.params:SRACLParams", "train": "rec.train:train", "evaluate": "rec.train:evaluate"},
}


class TrialPruned(Exception):
    """Raised by a ``report`` callback to stop a run early (mapped to optuna.TrialPruned)."""


def _resolve(ref: str) -> Any:
    module, attr = ref.split(":")
    return getattr(importlib.import_module(module), attr)


def _entry(model: str) -> dict[str, str]:
    if model not in MODELS:
        raise UnknownModelError(f"unknown model {model!r}; known models: {sorted(MODELS)}")
    return MODELS[model]


def model_task(model: str) -> str:
    """``"hetero"`` or ``"rec"``: the ``task`` a run config of ``model`` must name."""
    return _entry(model)["task"]


def params_class(model: str) -> type:
    return _resolve(_entry(model)["params"])


def train_function(model: str) -> Callable[..., dict]:
    return _resolve(_entry(model)["train"])


def evaluate_function(model: str) -> Callable[..., dict]:
    return _resolve(_entry(model)["evaluate"])
