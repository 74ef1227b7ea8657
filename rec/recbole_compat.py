"""The only module that imports RecBole (1.2.1) directly, with the workarounds it needs today.

RecBole 1.2.1 was written for NumPy 1.x and torch < 2.6. Importing it here, once, applies:

1. NumPy-2 aliases: RecBole's ``Config.compatibility_settings`` reads ``np.float_``,
   ``np.complex_``, ``np.unicode_`` ... which NumPy 2 removed; we restore each alias only if it
   is missing (never overwriting a real NumPy attribute).
2. ``sys.argv`` isolation: ``Config`` parses ``--key=value`` from ``sys.argv`` (it would read
   pytest's or our CLI's flags); :func:`isolated_argv` hides them while RecBole runs.
3. Anomaly detection: ``recbole/model/sequential_recommender/sine.py`` calls
   ``torch.autograd.set_detect_anomaly(True)`` at import time (any import of
   ``recbole.model.sequential_recommender`` or ``recbole.utils.get_model`` runs it), which slows
   every backward pass several times; we switch it off again after each such import.
4. torch >= 2.6 loads checkpoints with ``weights_only=True``; RecBole's checkpoints hold its
   ``Config`` object, so ``Trainer.resume_checkpoint`` / ``Trainer.evaluate(load_best_model)``
   fail. We give ``recbole.trainer.trainer`` (only that module: it loads the files RecBole's own
   trainer saved) a ``torch`` whose ``load`` defaults to ``weights_only=False``.
5. ``recbole.quick_start`` is never imported (it pulls in ``ray``); use :func:`make_config`,
   :func:`create_dataset` and :func:`data_preparation` instead.
"""
from __future__ import annotations

import contextlib
import sys
import types
from typing import Any, Iterator

import numpy as np
import torch

# NumPy 2 removed these; RecBole 1.2.1 still reads them (value: the NumPy-2 spelling).
NUMPY_ALIASES: dict[str, str] = {
    "float_": "float64",
    "complex_": "complex128",
    "unicode_": "str_",
    "string_": "bytes_",
    "bool8": "bool_",
    "int0": "intp",
    "uint0": "uintp",
    "object0": "object_",
    "int_": "int64",
}


def restore_numpy_aliases() -> list[str]:
    """Set the removed NumPy aliases RecBole uses; returns the names that were added."""
    added = []
    for alias, target in NUMPY_ALIASES.items():
        if not hasattr(np, alias):
            setattr(np, alias, getattr(np, target))
            added.append(alias)
    return added


@contextlib.contextmanager
def isolated_argv() -> Iterator[None]:
    """Hide command-line flags from RecBole's ``Config`` (it parses ``sys.argv[1:]``)."""
    saved = sys.argv
    sys.argv = [saved[0] if saved else "graphcl"]
    try:
        yield
    finally:
        sys.argv = saved


@contextlib.contextmanager
def no_anomaly_side_effect() -> Iterator[None]:
    """Restore the anomaly-detection flag after code that may import RecBole's ``sine.py``."""
    before = torch.is_anomaly_enabled()
    try:
        yield
    finally:
        torch.autograd.set_detect_anomaly(before)


def _trusted_torch() -> types.ModuleType:
    """A stand-in for ``torch`` whose ``load`` defaults to ``weights_only=False``.

    Installed only in ``recbole.trainer.trainer``, which loads the checkpoints RecBole itself
    saved (``model.pth`` with its Config): trusted files. Everything else is the real torch.
    """

    class _TrustedTorch(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            return getattr(torch, name)

    proxy = _TrustedTorch("torch")

    def load(*args, **kwargs):
        kwargs.setdefault("weights_only", False)
        return torch.load(*args, **kwargs)

    proxy.load = load
    return proxy


def _import_recbole() -> None:
    restore_numpy_aliases()
    with isolated_argv(), no_anomaly_side_effect():
        import recbole.trainer.trainer as trainer_module

        if trainer_module.torch is torch:  # patch once
            trainer_module.torch = _trusted_torch()


_import_recbole()

# Re-exports: the RecBole pieces the rest of ``rec`` uses.
from recbole.config import Config as _Config  # noqa: E402
from recbole.data.interaction import Interaction  # noqa: E402
from recbole.model.abstract_recommender import SequentialRecommender  # noqa: E402
from recbole.model.layers import TransformerEncoder  # noqa: E402
from recbole.trainer.trainer import Trainer  # noqa: E402


def make_config(model: Any, dataset: str, config_dict: dict | None = None) -> _Config:
    """RecBole ``Config`` from a dict, with ``sys.argv`` hidden and anomaly detection untouched.

    Args:
        model: a RecBole model name or a ``SequentialRecommender`` subclass (ours included).
        dataset: dataset name (``"ml-100k"`` resolves to RecBole's bundled copy when
            ``data_path`` is not given).
        config_dict: RecBole parameters (``{"epochs": 1, "train_batch_size": 256}`` ...).
            With the full-softmax loss (``loss_type: CE``, the default of our models) RecBole
            1.2.1 refuses its own default negative sampling, so ``train_neg_sample_args`` defaults
            to ``None`` then.
    """
    config_dict = dict(config_dict or {})
    if config_dict.get("loss_type", "CE") == "CE":
        config_dict.setdefault("train_neg_sample_args", None)
    with isolated_argv(), no_anomaly_side_effect():
        return _Config(model=model, dataset=dataset, config_dict=config_dict)


def create_dataset(config: _Config):
    """``recbole.data.create_dataset`` without its anomaly-detection side effect."""
    with no_anomaly_side_effect():
        from recbole.data import create_dataset as _create

        return _create(config)


def data_preparation(config: _Config, dataset):
    """``recbole.data.data_preparation`` (train, valid, test dataloaders)."""
    with no_anomaly_side_effect():
        from recbole.data import data_preparation as _prepare

        return _prepare(config, dataset)


def get_model(name: str) -> type:
    """A RecBole model class by name, without leaving anomaly detection switched on."""
    with no_anomaly_side_effect():
        from recbole.utils import get_model as _get_model

        return _get_model(name)


__all__ = [
    "NUMPY_ALIASES", "restore_numpy_aliases", "isolated_argv", "no_anomaly_side_effect",
    "SequentialRecommender", "Interaction", "TransformerEncoder", "Trainer",
    "make_config", "create_dataset", "data_preparation", "get_model",
]
