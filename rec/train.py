"""``train(run, run_dir, report)`` / ``evaluate(run_dir)`` for the sequential recommenders."""
from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import logging
from pathlib import Path

import torch

from graphcl.utils.device import resolve_device
from rec.shim_config import ShimConfig
from rec.shim_dataset import ShimDataset
from rec.split import LeaveOneOut
from rec.trainer import SeqRecTrainer, load_checkpoint

# run.model -> "module:Class"; imported lazily (SRA-CL lives in rec.sracl, owned by its helper).
MODEL_CLASSES: dict[str, str] = {
    "sasrec": "rec.sasrec:SASRec",
    "cl4srec": "rec.cl4srec:CL4SRec",
    "mclrec": "rec.mclrec:MCLRec",
    "sracl": "rec.sracl.model:SRACL",
}

logger = logging.getLogger("rec.train")


def model_class(name: str) -> type:
    if name not in MODEL_CLASSES:
        raise KeyError(f"unknown sequential model {name!r}; known: {sorted(MODEL_CLASSES)}")
    module, attr = MODEL_CLASSES[name].split(":")
    return getattr(importlib.import_module(module), attr)


def load_sequence_data(name: str, root: str | None = None):
    """``SequenceData`` for a dataset name: ``ml-100k`` is RecBole's bundled copy, the others
    come from the dataset registry (``graphcl.data.load_sequences``)."""
    import graphcl.data as data

    if name == "ml-100k":
        return data.load_ml100k()
    return data.load_sequences(name, root)


def build(run, device: torch.device, sequences=None):
    """``(model, split)`` for a run config (``sequences``: preloaded ``SequenceData``)."""
    sequences = sequences if sequences is not None else load_sequence_data(run.dataset, run.data_root)
    split = LeaveOneOut.from_sequences(sequences, run.params.max_seq_length)
    from graphcl.data import resolve_data_root

    config = ShimConfig(run.params, device=device, seed=run.seed, dataset=run.dataset,
                        data_root=str(resolve_data_root(run.data_root)))
    dataset = ShimDataset(split.num_items, split.num_users, split=split, sequences=sequences)
    return model_class(run.model)(config, dataset).to(device), split


def train(run, run_dir: Path, report=None, sequences=None, resume: bool = False) -> dict:
    """Train ``run`` (a ``RunConfig`` with a rec params dataclass), save ``model.pt`` in
    ``run_dir`` and return the metrics (``val``, ``test``, ``test_p2``, ``test_p1``, ``epochs``,
    ``best_epoch``, ``stopped_early``, ``seconds_per_epoch``, ``threads``, ``history`` ...).

    ``last.pt`` in ``run_dir`` holds the resumable state after every epoch; ``resume=True``
    continues from it (refused if it belongs to another config or dataset).
    """
    run_dir = Path(run_dir)
    device = resolve_device(run.device)
    model, split = build(run, device, sequences)
    checkpoint = run_dir / "last.pt"
    trainer = SeqRecTrainer(model, split, run.params, device, run.seed, report, log=logger.info,
                            checkpoint_path=checkpoint, fingerprint=run_fingerprint(run, split))
    if resume:
        trainer.load_state_dict(load_checkpoint(checkpoint))
        logger.info("resumed %s after epoch %d", run_dir, trainer.epoch)
    result = trainer.fit()
    torch.save(model.state_dict(), run_dir / "model.pt")
    result["history"] = trainer.history
    result["num_train_rows"] = int(trainer.rows["len"].numel())
    result["num_eval_users"] = int(split.users.numel())
    result["threads"] = torch.get_num_threads()
    result["max_seq_length"] = run.params.max_seq_length
    result["max_train_batches"] = run.params.max_train_batches
    if hasattr(model, "semantic_sources"):  # SRA-CL: which item/user semantics were used
        result["semantic_sources"] = model.semantic_sources
    (run_dir / "history.json").write_text(json.dumps(trainer.history, indent=2))
    return result


def run_fingerprint(run, split) -> dict:
    """What a resumed run must share with its checkpoint: model, dataset, seed, params and a
    digest of the split (the device and folders may change)."""
    digest = hashlib.sha256()
    for tensor in (split.train_target, split.train_len, split.valid_target, split.test_target):
        digest.update(tensor.numpy().tobytes())
    return {"model": run.model, "dataset": run.dataset, "seed": run.seed,
            "params": dataclasses.asdict(run.params),
            "data": {"num_items": split.num_items, "num_users": split.num_users, "sha256": digest.hexdigest()}}


def evaluate(run_dir: Path) -> dict:
    """Rebuild the model of a finished run from ``config.yaml`` + ``model.pt``; val/test metrics."""
    from graphcl.config import load_run_config

    run_dir = Path(run_dir)
    if not (run_dir / "model.pt").is_file():
        raise FileNotFoundError(f"{run_dir / 'model.pt'} is missing: is {run_dir} a finished rec run folder?")
    run = load_run_config(run_dir / "config.yaml")
    device = resolve_device(run.device)
    model, split = build(run, device)
    model.load_state_dict(torch.load(run_dir / "model.pt", map_location=device, weights_only=True))
    trainer = SeqRecTrainer(model, split, run.params, device, run.seed)
    valid, test = trainer.evaluate_both("valid"), trainer.evaluate_both("test")
    return {"val": valid[trainer.protocol], "test": test[trainer.protocol], "valid_p2": valid["p2"],
            "valid_p1": valid["p1"], "test_p2": test["p2"], "test_p1": test["p1"], "protocol": trainer.protocol}
