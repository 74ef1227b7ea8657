"""A light stand-in for RecBole's ``Config``: the keys ``SequentialRecommender`` reads."""
from __future__ import annotations

import dataclasses
from typing import Any

import torch

# Field names RecBole uses by default; our batches (rec.data) use the same ones.
RECBOLE_FIELDS = {
    "USER_ID_FIELD": "user_id",
    "ITEM_ID_FIELD": "item_id",
    "LIST_SUFFIX": "_list",
    "ITEM_LIST_LENGTH_FIELD": "item_length",
    "NEG_PREFIX": "neg_",
}


class ShimConfig(dict):
    """Dict with RecBole's field names, ``MAX_ITEM_LIST_LENGTH``, ``device`` and the model's
    hyperparameters, so our models run without RecBole's global ``Config`` (which parses
    ``sys.argv``, reads YAML files and builds a dataset). A missing key raises a ``KeyError``
    naming it (RecBole's ``Config`` returns ``None``; models read optional keys with
    :func:`config_get`).

    Args:
        params: a params dataclass (``SASRecParams`` ...) or a mapping of hyperparameters.
        device: torch device of the run.
        seed: run seed (models seed their augmentation generator with it).
        **extra: more keys (e.g. ``data_root`` for models that need files).
    """

    def __init__(self, params: Any, device: str | torch.device = "cpu", seed: int = 0, **extra):
        values = dataclasses.asdict(params) if dataclasses.is_dataclass(params) else dict(params)
        super().__init__(RECBOLE_FIELDS)
        self.update(values)
        self["MAX_ITEM_LIST_LENGTH"] = values.get("max_seq_length", 50)
        self["device"] = torch.device(device)
        self["seed"] = seed
        self.update(extra)

    def __missing__(self, key):
        raise KeyError(f"config has no key {key!r}; known keys: {sorted(self)}")


def config_get(config, key: str, default: Any = None) -> Any:
    """``config[key]`` for both RecBole's ``Config`` (``None`` when missing) and :class:`ShimConfig`."""
    try:
        value = config[key]
    except KeyError:
        return default
    return default if value is None else value
