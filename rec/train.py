"""``train(run, run_dir, report)`` / ``evaluate(run_dir)`` for the sequential recommenders."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from pathlib import Path

import torch

from graphcl.utils import distributed
from graphcl.utils.device import resolve_device
from graphcl.utils.errors import MissingFileError
from graphcl.utils.run_files import load_saved
from graphcl.utils.task import Task
from rec.cl4srec import CL4SRec
from rec.mclrec import MCLRec
from rec.params import CL4SRecParams, MCLRecParams, SASRecParams
from rec.sasrec import SASRec
from rec.split import LeaveOneOut
from rec.sracl.model import SRACL
from rec.sracl.params import SRACLParams
from rec.trainer import SeqRecTrainer, load_checkpoint

# the one table of sequential models: name -> (model class, its params dataclass)
MODELS: dict[str, tuple[type, type]] = {
    "sasrec": (SASRec, SASRecParams),
    "cl4srec": (CL4SRec, CL4SRecParams),
    "mclrec": (MCLRec, MCLRecParams),
    "sracl": (SRACL, SRACLParams),
}

logger = logging.getLogger("rec.train")


def model_class(name: str) -> type:
    if name not in MODELS:
        raise KeyError(f"unknown sequential model {name!r}; known: {sorted(MODELS)}")
    return MODELS[name][0]


def load_sequence_data(name: str, root: str | None = None):
    """``SequenceData`` for a dataset name: ``ml-100k`` is RecBole's bundled copy, the others
    come from the dataset registry (``graphcl.data.load_sequences``)."""
    import graphcl.data as data

    if name == "ml-100k":
        return data.load_ml100k()
    return data.load_sequences(name, root)


def build_model(name: str, params, split: LeaveOneOut, sequences, seed: int = 0, data_root: str | None = None):
    """The model ``name`` for a split (SRA-CL first builds its semantic index from ``sequences``)."""
    cls = model_class(name)
    if cls is SRACL:
        from rec.sracl.semantic_index import SemanticIndex, default_cache_dir

        index = SemanticIndex.build(
            params,
            list(sequences.user_ids),
            sequences.sequences,
            sequences.num_items,
            getattr(sequences, "item_text", None),
            cache_dir=params.model.cache_dir or default_cache_dir(),
            data_root=data_root,
            item_raw_ids=getattr(sequences, "item_raw_ids", None),
        )
        return SRACL.from_index(split.num_items, params, index)
    if cls is SASRec:
        return SASRec(split.num_items, params)
    return cls(split.num_items, params, seed=seed)


def build(run, device: torch.device, sequences=None):
    """``(model, split)`` for a run config (``sequences``: preloaded ``SequenceData``)."""
    sequences = sequences if sequences is not None else load_sequence_data(run.dataset, run.data_root)
    split = LeaveOneOut.from_sequences(sequences, run.params.model.max_seq_length)
    from graphcl.data import resolve_data_root

    model = build_model(run.model, run.params, split, sequences, run.seed, str(resolve_data_root(run.data_root)))
    return model.to(device), split


def fit(
    model: str,
    data,
    params,
    seed: int = 0,
    device: str | torch.device = "cpu",
    report=None,
    checkpoint_path: str | Path | None = None,
    resume: bool = False,
    fingerprint: dict | None = None,
    log=None,
    data_root: str | None = None,
) -> dict:
    """Train a recommender on ``data`` with early stopping and evaluate it (no files written,
    except the checkpoint if asked for).

    Args:
        model: ``sasrec``, ``cl4srec``, ``mclrec`` or ``sracl``.
        data: ``graphcl.data.SequenceData`` (one item list per user, oldest first).
        params: the model's params dataclass (``rec.SASRecParams`` ...).
        seed: seeds the initial weights, dropout, augmentations and batch order.
        device: where to train.
        report: ``report(epoch, valid ndcg@20)`` after each validation.
        checkpoint_path: write the resumable state there after every epoch.
        resume: continue from ``checkpoint_path``.
        fingerprint: what a resumed checkpoint must match besides the params and the split.
        log: ``log(message)`` for progress lines.
        data_root: where SRA-CL's ``params.model.item_metadata`` is read (``None``: the default root).

    Under a ``torch.distributed`` process group of several processes (torchrun) every rank calls
    this with the same arguments: the model is trained with DDP (a CUDA device becomes
    ``cuda:LOCAL_RANK``), rank 0 validates, tests and writes the checkpoint, and the other ranks
    get back only ``{"rank", "epochs", "stopped_early", ...}``.

    Returns:
        ``{"model", "split", "val", "test", "test_p2", "test_p1", "epochs", "best_epoch",
        "stopped_early", "seconds_per_epoch", "history", ...}``; ``model`` holds the best weights.
    """
    device = distributed.local_device(resolve_device(str(device)))
    torch.manual_seed(seed)
    split = LeaveOneOut.from_sequences(data, params.model.max_seq_length)
    net = build_model(model, params, split, data, seed, data_root).to(device)
    fingerprint = {**(fingerprint or {}), **split_fingerprint(model, seed, params, split)}
    trainer = SeqRecTrainer(
        net, split, params, device, seed, report, log=log, checkpoint_path=checkpoint_path, fingerprint=fingerprint
    )
    if resume:
        if checkpoint_path is None:
            raise ValueError("resume needs checkpoint_path (the checkpoint to continue from)")
        trainer.load_state_dict(load_checkpoint(checkpoint_path))
        if log:
            log(f"resumed {checkpoint_path} after epoch {trainer.epoch}")
    result = trainer.fit()
    result.update(
        model=net,
        split=split,
        history=trainer.history,
        num_train_rows=int(trainer.rows["len"].numel()),
        num_eval_users=int(split.users.numel()),
        threads=torch.get_num_threads(),
        dropped_users=split.dropped_users,  # fewer than 3 items: neither trained on nor evaluated
        max_seq_length=params.model.max_seq_length,
        max_train_batches=params.smoke.max_train_batches,
    )
    if hasattr(net, "semantic_sources"):  # SRA-CL: which item/user semantics were used
        result["semantic_sources"] = net.semantic_sources
    return result


def train(run, run_dir: Path, report=None, sequences=None, resume: bool = False) -> dict:
    """The runner's entry point: :func:`fit` on ``run`` (a ``RunConfig`` with a rec params
    dataclass); saves ``model.pt`` and ``history.json`` in ``run_dir``, keeps ``last.pt`` there
    after every epoch (``resume=True`` continues from it) and returns the metrics.

    Under torchrun only rank 0 writes; the other ranks pass ``run_dir=None`` when starting a
    run (rank 0 made the folder) and the run folder when resuming (they read its ``last.pt``)."""
    run_dir = Path(run_dir) if run_dir is not None else None
    if run_dir is None and (resume or distributed.is_main()):
        raise ValueError("train needs run_dir (only ranks other than 0 of a new torchrun run go without)")
    data = sequences if sequences is not None else load_sequence_data(run.dataset, run.data_root)
    result = fit(
        run.model,
        data,
        run.params,
        run.seed,
        run.device,
        report,
        run_dir / "last.pt" if run_dir is not None else None,
        resume,
        {"dataset": run.dataset},
        log=logger.info,
        data_root=run.data_root,
    )
    net = result.pop("model")
    result.pop("split")
    if not distributed.is_main():
        return result
    assert run_dir is not None  # checked above
    torch.save(net.state_dict(), run_dir / "model.pt")
    (run_dir / "history.json").write_text(json.dumps(result["history"], indent=2))
    return result


def split_fingerprint(model: str, seed: int, params, split: LeaveOneOut) -> dict:
    """What a resumed run must share with its checkpoint: model, seed, params and a digest of
    the split (the device and folders may change)."""
    digest = hashlib.sha256()
    for tensor in (split.train_target, split.train_len, split.valid_target, split.test_target):
        digest.update(tensor.numpy().tobytes())
    return {
        "model": model,
        "seed": seed,
        "params": dataclasses.asdict(params),
        "data": {"num_items": split.num_items, "num_users": split.num_users, "sha256": digest.hexdigest()},
    }


def evaluate(run_dir: Path, run) -> dict:
    """Rebuild the model of the finished run ``run`` (its ``RunConfig``, read from the folder's
    ``config.yaml`` by the caller) from ``model.pt``; val/test metrics under both protocols."""
    run_dir = Path(run_dir)
    if not (run_dir / "model.pt").is_file():
        raise MissingFileError(f"{run_dir / 'model.pt'} is missing: is {run_dir} a finished rec run folder?")
    device = resolve_device(run.device)
    model, split = build(run, device)
    model.load_state_dict(load_saved(run_dir / "model.pt", map_location=device, weights_only=True))
    trainer = SeqRecTrainer(model, split, run.params, device, run.seed)
    valid, test = trainer.evaluate_both("valid"), trainer.evaluate_both("test")
    return {
        "val": valid[trainer.protocol],
        "test": test[trainer.protocol],
        "valid_p2": valid["p2"],
        "valid_p1": valid["p1"],
        "test_p2": test["p2"],
        "test_p1": test["p1"],
        "protocol": trainer.protocol,
    }


METRICS = tuple(sorted(f"{m}@{k}" for m in ("hr", "ndcg") for k in (5, 10, 20)))
TASK = Task(
    name="rec",
    params={name: params for name, (_, params) in MODELS.items()},
    train=train,
    evaluate=evaluate,
    metrics=METRICS,
)
