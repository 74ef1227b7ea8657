"""Epoch loop, validation, early stopping, checkpoints and model hooks for the sequential recommenders."""

from __future__ import annotations

import copy
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from graphcl.utils.progress import progress
from rec.batching import SeqBatch, batch_bounds, epoch_batches, trim
from rec.evaluation import evaluate_part

OBJECTIVE = "ndcg@20"
CHECKPOINT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint cannot be resumed (corrupt, or from another config or dataset)."""


class SeqRecTrainer:
    """Trains a recommender (``loss(SeqBatch)``, ``full_sort_scores(SeqBatch)``) on a
    :class:`rec.split.LeaveOneOut` split.

    Per epoch: batch the training rows (``params.train.batching``: length-bucketed by default, every
    batch trimmed to its longest row; seeded generator), one optimisation step per batch,
    validate every ``eval_step`` epochs on NDCG@20 (full ranking, P2 unless
    ``exclude_history``), call ``report`` with it, keep the best weights, stop after
    ``stopping_step`` validations without improvement. With ``checkpoint_path`` the whole state
    (model, optimisers, best weights, RNGs) is written there after every epoch, and
    :meth:`load_state_dict` continues such a run exactly.

    Training rows (``params.train.train_targets``): every training prefix with its next item, or one
    row per user with the next item at every position (``all_positions``; the batches then
    carry ``target_seq``).

    Model hooks (all optional; see docs/rec.md):

    - ``configure_optimizers(learning_rate, weight_decay) -> dict[str, Optimizer]``
      (default: ``{"model": Adam(all parameters)}``), stored in :attr:`optimizers`;
    - ``training_step(batch, trainer) -> dict[str, float]`` with at least ``"loss"``:
      replaces the default step (``loss``, backward, step every optimiser), e.g.
      MCLRec's meta-optimisation;
    - ``on_fit_start(trainer)``, ``on_epoch_start(trainer)``, ``on_epoch_end(trainer)``.

    Args:
        model: the recommender (already on ``device``).
        split: the leave-one-out data.
        params: the run's params dataclass (``learning_rate``, ``weight_decay``,
            ``train_batch_size``, ``eval_batch_size``, ``epochs``, ``stopping_step``,
            ``eval_step``, ``exclude_history``, ``max_train_batches``, ``batching``,
            ``train_targets``).
        device: torch device.
        seed: seed of the batching generator.
        report: ``report(epoch, ndcg@20)`` after each validation (may raise ``TrialPruned``).
        log: ``log(message)`` for progress lines (``None``: silent).
        checkpoint_path: where to write the resumable state after every epoch (``None``: nowhere).
        fingerprint: what a resumed run must match (config, data); stored in the checkpoint.
    """

    def __init__(
        self,
        model,
        split,
        params,
        device: str | torch.device = "cpu",
        seed: int = 0,
        report: Callable[[int, float], None] | None = None,
        log: Callable[[str], None] | None = None,
        checkpoint_path: str | Path | None = None,
        fingerprint: dict | None = None,
    ):
        self.model, self.split, self.params = model, split, params
        self.device = torch.device(device)
        self.report, self.log = report, log or (lambda message: None)
        self.checkpoint_path = Path(checkpoint_path) if checkpoint_path is not None else None
        self.fingerprint = fingerprint or {}
        self.generator = torch.Generator().manual_seed(seed)
        if hasattr(model, "configure_optimizers"):
            self.optimizers = model.configure_optimizers(params.train.learning_rate, params.train.weight_decay)
        else:
            self.optimizers = {
                "model": torch.optim.Adam(
                    model.parameters(), lr=params.train.learning_rate, weight_decay=params.train.weight_decay
                )
            }
        self.rows = training_rows(split, getattr(params.train, "train_targets", "prefixes"))
        self.epoch = 0
        self.history: list[dict] = []
        self.train_seconds: list[float] = []
        self.best: dict[str, Any] = {"score": -1.0, "valid": None, "state": None, "epoch": None}
        self.stale = 0

    def epoch_rows(self) -> list[torch.Tensor]:
        """Row indices of this epoch's batches (draws from :attr:`generator`)."""
        batches = epoch_batches(
            self.rows["len"],
            self.params.train.train_batch_size,
            self.generator,
            getattr(self.params.train, "batching", "bucketed"),
        )
        batches = [rows for rows in batches if rows.numel() >= 2]  # only a 1-row split has a 1-row batch
        if self.params.smoke.max_train_batches is not None:
            batches = batches[: self.params.smoke.max_train_batches]
        return batches

    def num_batches(self) -> int:
        """Training batches per epoch (what :meth:`batches` yields)."""
        n = self.rows["len"].numel()
        count = len(batch_bounds(n, self.params.train.train_batch_size)) if n >= 2 else 0
        cap = self.params.smoke.max_train_batches
        return count if cap is None else min(count, cap)

    def batches(self):
        """This epoch's training batches (:class:`rec.batch.SeqBatch` on the device), each
        trimmed to its longest row."""
        for rows in self.epoch_rows():
            yield self.batch(rows)

    def batch(self, rows: torch.Tensor) -> SeqBatch:
        """The batch of training rows ``rows``, trimmed to its longest row."""
        data, lengths = self.rows, self.rows["len"][rows]
        target_seq = trim(data["target_seq"][rows], lengths) if "target_seq" in data else None
        return SeqBatch(
            trim(data["seq"][rows], lengths), lengths, data["target"][rows], data["user"][rows], target_seq
        ).to(self.device)

    def default_step(self, batch: SeqBatch) -> dict[str, float]:
        loss = self.model.loss(batch)
        self.step_on(loss)
        return {"loss": float(loss.detach())}

    def step_on(self, loss: torch.Tensor, detail: str = "") -> None:
        """Backward ``loss`` and step every optimiser; a NaN/inf loss raises ``FloatingPointError``
        (with ``detail``, e.g. the loss terms) before any parameter changes."""
        if not torch.isfinite(loss):
            raise FloatingPointError(
                f"training loss is {loss.item()}{detail} at epoch {self.epoch}; lower learning_rate"
            )
        for optimizer in self.optimizers.values():
            optimizer.zero_grad(set_to_none=True)
        loss.backward()
        for optimizer in self.optimizers.values():
            optimizer.step()

    def train_epoch(self) -> dict[str, float]:
        """One pass over the training batches; returns the mean of each reported loss."""
        self.model.train()
        self._hook("on_epoch_start")
        step = getattr(self.model, "training_step", None)
        totals: dict[str, float] = {}
        count = 0
        start = time.perf_counter()
        batches = self.epoch_rows()
        for rows in progress(batches, f"epoch {self.epoch}", total=len(batches)):
            batch = self.batch(rows)
            losses = step(batch, self) if step is not None else self.default_step(batch)
            for key, value in losses.items():
                totals[key] = totals.get(key, 0.0) + float(value)
            count += 1
        self.train_seconds.append(time.perf_counter() - start)
        self._hook("on_epoch_end")
        return {key: value / max(count, 1) for key, value in totals.items()}

    def evaluate_both(self, part: str) -> dict[str, dict[str, float]]:
        """``{"p2": metrics, "p1": metrics}`` of ``"valid"`` or ``"test"``."""
        return evaluate_part(self.model, self.split, part, self.params.eval.eval_batch_size, self.device)

    def evaluate(self, part: str) -> dict[str, float]:
        """Metrics of ``part`` under the run's protocol (P1 with ``exclude_history``, else P2)."""
        return self.evaluate_both(part)[self.protocol]

    @property
    def protocol(self) -> str:
        return "p1" if getattr(self.params.eval, "exclude_history", False) else "p2"

    def fit(self) -> dict:
        """Train with early stopping (continuing from :meth:`load_state_dict` if it was called);
        restores the best weights and returns val/test metrics under both protocols."""
        if self.epoch == 0:
            self._hook("on_fit_start")
        while self.epoch < self.params.train.epochs and self.stale < self.params.train.stopping_step:
            self.epoch += 1
            self._run_epoch()
            if self.checkpoint_path is not None:
                self.save_checkpoint(self.checkpoint_path)
            if self.history[-1].get("valid") is not None and self.report is not None:
                self.report(self.epoch, self.history[-1]["valid"][OBJECTIVE])
        if self.stale >= self.params.train.stopping_step:
            self.log(f"early stop at epoch {self.epoch}: no better {OBJECTIVE} for {self.stale} validations")
        if self.best["state"] is not None:
            self.model.load_state_dict(self.best["state"])
        test = self.evaluate_both("test")
        return {
            "val": self.best["valid"],
            "test": test[self.protocol],
            "test_p2": test["p2"],
            "test_p1": test["p1"],
            "protocol": self.protocol,
            "epochs": self.epoch,
            "stopped_early": self.stale >= self.params.train.stopping_step,
            "seconds_per_epoch": sum(self.train_seconds) / max(len(self.train_seconds), 1),
            "best_epoch": self.best["epoch"],
        }

    def _run_epoch(self) -> None:
        losses = self.train_epoch()
        record: dict[str, Any] = {"epoch": self.epoch, **losses, "train_seconds": self.train_seconds[-1]}
        if self.epoch % self.params.train.eval_step == 0 or self.epoch == self.params.train.epochs:
            both = self.evaluate_both("valid")
            valid = both[self.protocol]
            record["valid"], record["valid_p2"], record["valid_p1"] = valid, both["p2"], both["p1"]
            score = valid[OBJECTIVE]
            self.log(
                f"epoch {self.epoch}: loss {losses.get('loss', float('nan')):.4f} "
                f"valid {OBJECTIVE} {score:.4f} ({self.train_seconds[-1]:.1f}s)"
            )
            if score > self.best["score"]:
                self.best = {
                    "score": score,
                    "valid": valid,
                    "epoch": self.epoch,
                    "state": copy.deepcopy(self.model.state_dict()),
                }
                self.stale = 0
            else:
                self.stale += 1
        self.history.append(record)

    def state_dict(self) -> dict[str, Any]:
        """Everything :meth:`fit` needs to continue exactly where it is now."""
        return {
            "version": CHECKPOINT_VERSION,
            "fingerprint": self.fingerprint,
            "epoch": self.epoch,
            "model": self.model.state_dict(),
            "optimizers": {name: opt.state_dict() for name, opt in self.optimizers.items()},
            "best": self.best,
            "stale": self.stale,
            "history": self.history,
            "train_seconds": self.train_seconds,
            "generator": self.generator.get_state(),
            "rng": rng_state(self.model),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from :meth:`state_dict`; refuses a state of another config or dataset."""
        if state.get("version") != CHECKPOINT_VERSION:
            raise CheckpointError(f"checkpoint version {state.get('version')!r}, expected {CHECKPOINT_VERSION}")
        mismatch = _differences(state.get("fingerprint", {}), self.fingerprint)
        if mismatch:
            raise CheckpointError("checkpoint belongs to another run: " + "; ".join(mismatch))
        self.model.load_state_dict(state["model"])
        if set(state["optimizers"]) != set(self.optimizers):
            raise CheckpointError(
                f"checkpoint has optimisers {sorted(state['optimizers'])}, this model uses {sorted(self.optimizers)}"
            )
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])
        self.epoch, self.best, self.stale = state["epoch"], state["best"], state["stale"]
        self.history, self.train_seconds = state["history"], state["train_seconds"]
        self.generator.set_state(state["generator"])
        set_rng_state(self.model, state["rng"])

    def save_checkpoint(self, path: str | Path) -> None:
        """Write :meth:`state_dict` atomically (a crash mid-write leaves the previous file)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        torch.save(self.state_dict(), tmp)
        os.replace(tmp, path)

    def _hook(self, name: str) -> None:
        hook = getattr(self.model, name, None)
        if hook is not None:
            hook(self)


def training_rows(split, train_targets: str = "prefixes") -> dict[str, torch.Tensor]:
    """``{"seq", "len", "target", "user"}`` (+ ``"target_seq"``) of the rows one epoch covers."""
    if train_targets == "prefixes":
        return {"seq": split.train_seq, "len": split.train_len, "target": split.train_target, "user": split.train_user}
    if train_targets == "all_positions":
        return split.all_positions()
    raise ValueError(f"train_targets must be 'prefixes' or 'all_positions', got {train_targets!r}")


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint written by :meth:`SeqRecTrainer.save_checkpoint`; a missing, truncated
    or foreign file raises :class:`CheckpointError` naming it."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(
            f"{path} does not exist: the run wrote no checkpoint (it stopped "
            "before its first epoch ended, or it is not a rec run folder)"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a damaged zip/pickle
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({type(exc).__name__}: {exc}); "
            "it may be truncated: start the run again"
        ) from exc
    if not isinstance(state, dict) or "version" not in state:
        raise CheckpointError(f"{path} is not a graphcl rec checkpoint")
    return state


def rng_state(model: torch.nn.Module) -> dict[str, Any]:
    """Global torch/NumPy/Python RNG states and those of the ``torch.Generator``s the model
    holds (augmentation draws), in a form ``torch.load(weights_only=True)`` reads."""
    legacy = np.random.get_state(legacy=True)
    if not isinstance(legacy, tuple):  # only a non-MT19937 global generator has no legacy tuple
        raise TypeError(f"NumPy's global RNG has no legacy state to save ({legacy.get('bit_generator')})")
    kind, keys, pos, has_gauss, cached = legacy
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), pos, has_gauss, cached],
        "python": list(random.getstate()),
        "generators": {},
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    for name, generator in _model_generators(model):
        state["generators"][name] = generator.get_state()
    return state


def set_rng_state(model: torch.nn.Module, state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    for name, generator in _model_generators(model):
        if name in state["generators"]:
            generator.set_state(state["generators"][name])


def _model_generators(model: torch.nn.Module):
    for prefix, module in model.named_modules():
        for attr, value in vars(module).items():
            if isinstance(value, torch.Generator):
                yield f"{prefix}.{attr}" if prefix else attr, value


def _differences(stored: dict, current: dict, where: str = "") -> list[str]:
    """Human-readable differences between two nested fingerprints."""
    out = []
    for key in sorted(set(stored) | set(current)):
        a, b = stored.get(key, "<missing>"), current.get(key, "<missing>")
        name = f"{where}.{key}" if where else str(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, name)
        elif a != b:
            out.append(f"{name} is {a!r} in the checkpoint but {b!r} now")
    return out
