"""RecBole 1.2.1 behind one door: adapters that run our models under RecBole's own Config,
Dataset and Trainer, and the workarounds RecBole needs today.

This is the only module that imports RecBole; ``rec`` and its models never import it, so they
load fast and patch nothing. Importing this module opts into RecBole and applies:

1. NumPy-2 aliases: RecBole's ``Config.compatibility_settings`` reads ``np.float_``,
   ``np.complex_``, ``np.unicode_`` ... which NumPy 2 removed; :func:`numpy_aliases` adds the
   missing ones only while RecBole is imported and while :func:`make_config` builds a ``Config``,
   and removes them after. (That ``Config`` then sets RecBole's own ``np.float``, ``np.bool`` ...
   for good: its evaluator reads ``np.float`` while a plain-RecBole run evaluates. Our
   ``rec.train`` never builds a RecBole ``Config``, so a ``graphcl train`` leaves NumPy as it was.)
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
6. TensorBoard: RecBole's ``Trainer`` writes ``log_tensorboard/`` into the current folder; our
   :class:`Trainer` puts it under the config's ``checkpoint_dir``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
import time
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


@contextlib.contextmanager
def numpy_aliases() -> Iterator[list[str]]:
    """Within the block the removed NumPy aliases exist (never overwriting a real attribute);
    yields the names added and removes them again afterwards."""
    added = [alias for alias in NUMPY_ALIASES if not hasattr(np, alias)]
    for alias in added:
        setattr(np, alias, getattr(np, NUMPY_ALIASES[alias]))
    try:
        yield added
    finally:
        for alias in added:
            delattr(np, alias)


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
        load: Callable[..., Any]  # set below; everything else comes from torch

        def __getattr__(self, name: str) -> Any:
            return getattr(torch, name)

    proxy = _TrustedTorch("torch")

    def load(*args, **kwargs):
        kwargs.setdefault("weights_only", False)
        return torch.load(*args, **kwargs)

    proxy.load = load
    return proxy


def _import_recbole() -> None:
    with numpy_aliases(), isolated_argv(), no_anomaly_side_effect():
        import recbole.trainer.trainer as trainer_module

        if trainer_module.torch is torch:  # patch once
            trainer_module.torch = _trusted_torch()


_import_recbole()

from recbole.config import Config as _Config  # noqa: E402
from recbole.data.interaction import Interaction  # noqa: E402
from recbole.model.abstract_recommender import SequentialRecommender  # noqa: E402
from recbole.model.layers import TransformerEncoder  # noqa: E402
from recbole.trainer.trainer import Trainer as _RecBoleTrainer  # noqa: E402

from rec.batching import SeqBatch  # noqa: E402
from rec.cl4srec import CL4SRec  # noqa: E402
from rec.mclrec import MCLRec  # noqa: E402
from rec.params import CL4SRecParams, MCLRecParams, SASRecParams  # noqa: E402
from rec.sasrec import SASRec  # noqa: E402
from rec.sracl.id_mapping import remap_index  # noqa: E402
from rec.sracl.model import SRACL  # noqa: E402
from rec.sracl.params import SRACLParams  # noqa: E402
from rec.sracl.semantic_index import SemanticIndex, default_cache_dir  # noqa: E402


class Trainer(_RecBoleTrainer):
    """RecBole's ``Trainer`` with its TensorBoard logs in ``<checkpoint_dir>/log_tensorboard``
    instead of ``./log_tensorboard`` (RecBole hard-codes the current folder)."""

    def __init__(self, config: Any, model: Any) -> None:
        import recbole.trainer.trainer as trainer_module

        folder = os.path.join(config["checkpoint_dir"], "log_tensorboard")
        original = trainer_module.get_tensorboard
        trainer_module.get_tensorboard = lambda logger: _summary_writer(folder)
        try:
            super().__init__(config, model)
        finally:
            trainer_module.get_tensorboard = original


def _summary_writer(folder: str):
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(os.path.join(folder, f"model-{time.strftime('%Y%m%d-%H%M%S')}"))


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
    with numpy_aliases(), isolated_argv(), no_anomaly_side_effect():
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


def params_from_config(config, params_cls: type):
    """``params_cls`` with every field that RecBole's flat ``config`` sets, put into its section
    (``learning_rate`` into ``train``, ``hidden_size`` into ``model``, ...;
    ``MAX_ITEM_LIST_LENGTH`` is ``model.max_seq_length``); the others keep the dataclass
    defaults."""
    hints = typing.get_type_hints(params_cls)
    sections = {}
    for section in dataclasses.fields(params_cls):
        section_cls = hints[section.name]
        values = {}
        for field in dataclasses.fields(section_cls):
            key = "MAX_ITEM_LIST_LENGTH" if field.name == "max_seq_length" else field.name
            value = config[key]
            if value is not None:
                values[field.name] = value
        sections[section.name] = section_cls(**values)
    return params_cls(**sections)


def flat_params(params) -> dict:
    """Every field of every section of ``params`` in one flat mapping (RecBole's config is flat;
    field names are unique across the sections)."""
    return {
        k: v
        for section in dataclasses.fields(params)
        for k, v in dataclasses.asdict(getattr(params, section.name)).items()
    }


class RecBoleAdapter(SequentialRecommender):
    """A ``SequentialRecommender`` around one of our models (:attr:`model`), so RecBole's
    ``Trainer`` trains and evaluates it. Subclasses name the model and params classes."""

    model_class: type[SASRec] = SASRec
    params_class: type[SASRecParams] = SASRecParams

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.model = self.build(params_from_config(config, self.params_class), config, dataset)

    def build(self, params, config, dataset):
        return self.model_class(self.n_items - 1, params)  # RecBole counts the padding id in n_items

    def batch(self, interaction) -> SeqBatch:
        fields = interaction.interaction
        return SeqBatch(
            interaction[self.ITEM_SEQ],
            interaction[self.ITEM_SEQ_LEN],
            fields.get(self.POS_ITEM_ID),
            fields.get(self.USER_ID),
        )

    def calculate_loss(self, interaction):
        return self.model.loss(self.batch(interaction))

    def predict(self, interaction):
        seq_output = self.model(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return (seq_output * self.model.item_embedding(interaction[self.ITEM_ID])).sum(dim=-1)

    def full_sort_predict(self, interaction):
        return self.model.full_sort_scores(self.batch(interaction))


class RecBoleSASRec(RecBoleAdapter):
    """:class:`rec.sasrec.SASRec` under RecBole."""


class RecBoleCL4SRec(RecBoleAdapter):
    """:class:`rec.cl4srec.CL4SRec` under RecBole."""

    model_class: type[CL4SRec] = CL4SRec  # MCLRec overrides both with subclasses
    params_class: type[CL4SRecParams] = CL4SRecParams

    def build(self, params, config, dataset):
        return CL4SRec(self.n_items - 1, params, seed=int(config["seed"] or 0))


class RecBoleMCLRec(RecBoleCL4SRec):
    """:class:`rec.mclrec.MCLRec` under RecBole (its ``joint`` schedule: RecBole's trainer takes
    one step on :meth:`calculate_loss`)."""

    model_class, params_class = MCLRec, MCLRecParams

    def build(self, params, config, dataset):
        return MCLRec(self.n_items - 1, params, seed=int(config["seed"] or 0))


class RecBoleSRACL(RecBoleAdapter):
    """:class:`rec.sracl.model.SRACL` under RecBole: reads the :class:`SemanticIndex` saved by
    :func:`prepare_sracl` (``config["sracl_index"]``) and remaps its tables to RecBole's ids."""

    model_class, params_class = SRACL, SRACLParams

    def build(self, params, config, dataset):
        path = config["sracl_index"]
        if not path:
            raise ValueError("RecBoleSRACL needs config['sracl_index']: the path prepare_sracl() returned")
        index = SemanticIndex.load(path)
        tables = remap_index(index, dataset.field2id_token[self.ITEM_ID], dataset.field2id_token[self.USER_ID])
        return SRACL(self.n_items - 1, params, tables, {"item": index.item_source, "user": index.user_source})


# SRACLParams fields (model and train sections) passed to RecBole under the same name (SASRec backbone + training loop).
SRACL_BACKBONE_KEYS = (
    "hidden_size",
    "n_layers",
    "n_heads",
    "inner_size",
    "hidden_dropout_prob",
    "attn_dropout_prob",
    "hidden_act",
    "layer_norm_eps",
    "initializer_range",
    "learning_rate",
    "weight_decay",
    "train_batch_size",
    "eval_batch_size",
    "epochs",
    "stopping_step",
    "eval_step",
)


def prepare_sracl(
    params: SRACLParams, data, run_dir: str | Path, encoder=None, holdout: int = 2, data_root: str | Path | None = None
) -> dict:
    """Build and save the :class:`SemanticIndex` of ``data`` for :class:`RecBoleSRACL`; return
    the RecBole config entries it needs (the ``sracl_index`` path and the SRA-CL settings; the
    backbone's come from :func:`sracl_backbone_config`).

    Args:
        params: SRA-CL hyperparameters.
        data: ``graphcl.data.SequenceData`` (``user_ids``, ``sequences``, ``num_items``,
            ``item_text``), the same data the RecBole dataset is written from.
        run_dir: folder for ``sracl_index.pt`` and ``sracl_semantics.json``.
        encoder: optional text encoder (tests pass a small fake one).
        holdout: items at the end of each sequence reserved for validation and test.
        data_root: data root for ``params.model.item_metadata``.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(params.model.cache_dir) if params.model.cache_dir else default_cache_dir()
    index = SemanticIndex.build(
        params,
        list(data.user_ids),
        data.sequences,
        data.num_items,
        getattr(data, "item_text", None),
        encoder=encoder,
        cache_dir=cache,
        holdout=holdout,
        data_root=data_root,
        item_raw_ids=getattr(data, "item_raw_ids", None),
    )
    path = run_dir / "sracl_index.pt"
    index.save(path)
    (run_dir / "sracl_semantics.json").write_text(
        json.dumps({"item_source": index.item_source, "user_source": index.user_source}) + "\n"
    )
    # the model's params must be those the index was built with: pass every SRA-CL field
    rest = {k: v for k, v in flat_params(params).items() if k not in SRACL_BACKBONE_KEYS and k != "max_seq_length"}
    return {"sracl_index": str(path), **rest}


def sracl_backbone_config(params: SRACLParams) -> dict:
    """RecBole config entries of SRA-CL's backbone and training loop (``max_seq_length`` becomes
    ``MAX_ITEM_LIST_LENGTH``; full-softmax CE as in the paper)."""
    values = flat_params(params)
    return {
        **{k: values[k] for k in SRACL_BACKBONE_KEYS},
        "MAX_ITEM_LIST_LENGTH": params.model.max_seq_length,
        "loss_type": "CE",
    }


__all__ = [
    "NUMPY_ALIASES",
    "numpy_aliases",
    "isolated_argv",
    "no_anomaly_side_effect",
    "SequentialRecommender",
    "Interaction",
    "TransformerEncoder",
    "Trainer",
    "make_config",
    "create_dataset",
    "data_preparation",
    "get_model",
    "params_from_config",
    "RecBoleAdapter",
    "RecBoleSASRec",
    "RecBoleCL4SRec",
    "RecBoleMCLRec",
    "RecBoleSRACL",
    "prepare_sracl",
    "sracl_backbone_config",
]
