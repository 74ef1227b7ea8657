"""Epoch loop, validation, early stopping, checkpoints and model hooks for the sequential recommenders."""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from graphcl.core import NTXent
from graphcl.utils import distributed
from graphcl.utils.errors import CheckpointError
from graphcl.utils.progress import progress
from graphcl.utils.run_files import fingerprint_differences, read_checkpoint, save_atomic
from rec.batching import SeqBatch, batch_bounds, epoch_batches, trim
from rec.evaluation import evaluate_part

OBJECTIVE = "ndcg@20"
CHECKPOINT_VERSION = 1
RANK_SEED_STRIDE = 7919  # rank r > 0 seeds its dropout / augmentation RNGs with seed + r * stride


def adam(parameters, learning_rate: float, weight_decay: float = 0.0) -> torch.optim.Adam:
    """Adam with its fused kernel: one pass over all parameters instead of a loop of small ops
    (on one CPU thread a SASRec/Beauty step: 10 ms down to 1 ms; the same update up to rounding)."""
    return torch.optim.Adam(parameters, lr=learning_rate, weight_decay=weight_decay, fused=True)


class _LossCall(torch.nn.Module):
    """What DistributedDataParallel wraps: ``forward(fn, *args)`` returns ``fn(*args) * scale``, so
    any loss method of the model (``loss``, MCLRec's ``stage_loss`` ...) goes through DDP's
    forward and its backward all-reduces the gradients."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model
        self.scale = 1.0

    def forward(self, fn, *args, **kwargs):
        return fn(*args, **kwargs) * self.scale


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
            self.optimizers = {"model": adam(model.parameters(), params.train.learning_rate, params.train.weight_decay)}
        self.rows = training_rows(split, getattr(params.train, "train_targets", "prefixes"))
        self.epoch = 0
        self.history: list[dict] = []
        self.train_seconds: list[float] = []
        self.best: dict[str, Any] = {"score": -1.0, "valid": None, "state": None, "epoch": None}
        self.stale = 0
        self.seed = seed
        self.rank, self.world_size = distributed.rank(), distributed.world_size()
        self.gather_negatives = self.world_size > 1 and getattr(params.train, "gather_negatives", False)
        # the losses whose negatives may be gathered (set per batch; untouched with one process)
        self._ntxent_losses = [m for m in model.modules() if isinstance(m, NTXent)] if self.world_size > 1 else []
        self.ddp: torch.nn.Module | None = None
        self._loss_call = _LossCall(model)
        if self.world_size > 1:
            self._start_data_parallel()

    def _start_data_parallel(self) -> None:
        """Under a process group: wrap the model in DDP (rank 0's weights are broadcast) and
        give every rank other than 0 its own dropout / augmentation RNG streams."""
        # MCLRec and SRA-CL leave some parameters out of some steps (MCLRec freezes the
        # augmenters, then the encoder): DDP must look for unused parameters there.
        find_unused = hasattr(self.model, "training_step")
        self.ddp = torch.nn.parallel.DistributedDataParallel(self._loss_call, find_unused_parameters=find_unused)
        if self.rank > 0:
            seed_rank(self.model, self.seed + RANK_SEED_STRIDE * self.rank)

    def compute_loss(self, fn: Callable[..., torch.Tensor], *args, **kwargs) -> torch.Tensor:
        """``fn(*args, **kwargs)`` (a loss method of the model), through DDP when distributed.

        Under DDP each rank's loss is multiplied by ``rows_rank * world_size / rows_batch``: DDP
        averages the ranks' gradients, so the result is ``sum_r rows_r / B * grad(L_r)``, the
        gradient of the single-process mean loss over the global batch of ``B`` rows for any
        loss that is a mean over rows (the next-item CE). With ``all_positions`` the CE is a mean
        over target positions, so positions replace rows in the weights (exact for SASRec; a
        contrastive term, a mean over rows, is then weighted by positions too). Weighting keeps each model's loss a
        mean (its reported value, NaN check and learning rate mean the same as with one
        process) instead of rewriting every loss as a sum. In-batch negatives (NT-Xent) are
        the rank's own rows, so contrastive terms are per-rank means, not the global one."""
        if self.ddp is None:
            return fn(*args, **kwargs)
        return self.ddp(fn, *args, **kwargs)

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

    def local_rows(self, rows: torch.Tensor) -> tuple[torch.Tensor, int]:
        """This rank's contiguous share of a global batch's rows and how many of them count
        (all of them with one process).

        Every share holds at least 2 rows (in-batch negatives): a batch of fewer than
        ``2 * world_size`` rows (a short tail) is split over ``len(rows) // 2`` ranks, and the
        others still take part in DDP's all-reduce on a copy of the first share that counts 0
        rows (its loss is weighted by 0, so its gradient is 0). With ``gather_negatives`` the
        negatives come from all ranks, so a share of 1 row is enough."""
        if self.world_size == 1:
            return rows, rows.numel()
        sharing = self.world_size if self._gathers(rows) else min(self.world_size, rows.numel() // 2)
        shares = torch.tensor_split(rows, sharing)
        if self.rank < sharing:
            return shares[self.rank], shares[self.rank].numel()
        return shares[0], 0

    def _loss_units(self, rows: torch.Tensor) -> int:
        """What the next-item loss of ``rows`` averages over: rows (prefixes), or target positions
        (``all_positions``: one target per item of each row), so that the DDP weights stay exact."""
        if "target_seq" in self.rows:
            return int(self.rows["len"][rows].sum())
        return rows.numel()

    def _gathers(self, rows: torch.Tensor) -> bool:
        """Gather negatives across ranks for this batch: asked for, and every rank holds a row (a
        tail batch of fewer rows than ranks keeps per-rank negatives: a rank that only joins the
        all-reduce must not add its copied rows to the others' negatives)."""
        return self.gather_negatives and rows.numel() >= self.world_size

    def train_batch(self, rows: torch.Tensor) -> dict[str, float]:
        """One optimisation step on the global batch ``rows`` (this rank trains on its share)."""
        local, counted = self.local_rows(rows)
        self._loss_call.scale = (self._loss_units(local) if counted else 0) * self.world_size / self._loss_units(rows)
        for loss in self._ntxent_losses:
            loss.gather_distributed = self._gathers(rows)
        batch = self.batch(local)
        step = getattr(self.model, "training_step", None)
        return step(batch, self) if step is not None else self.default_step(batch)

    def default_step(self, batch: SeqBatch) -> dict[str, float]:
        loss = self.compute_loss(self.model.loss, batch)
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
        totals: dict[str, float] = {}
        count = 0
        start = time.perf_counter()
        batches = self.epoch_rows()
        for rows in progress(batches, f"epoch {self.epoch}", total=len(batches)):
            losses = self.train_batch(rows)
            for key, value in losses.items():
                totals[key] = totals.get(key, 0.0) + float(value)
            count += 1
        self.train_seconds.append(time.perf_counter() - start)
        if self.world_size > 1:  # the mean over ranks of the weighted losses: the global batch's mean loss
            keys = sorted(totals)
            summed = torch.tensor([totals[k] for k in keys], dtype=torch.float64, device=self._comm_device())
            torch.distributed.all_reduce(summed)
            totals = {k: float(v) / self.world_size for k, v in zip(keys, summed.tolist())}
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
            # rank 0 validated: its early-stopping count decides for every rank
            self.stale = distributed.broadcast(self.stale)
            # every rank's RNG states, for an exact resume (a collective: every rank takes part)
            rngs = distributed.all_gather(rng_state(self.model)) if self.world_size > 1 else None
            if self.checkpoint_path is not None and self.rank == 0:
                self.save_checkpoint(self.checkpoint_path, rngs)
            if self.history[-1].get("valid") is not None and self.report is not None:
                self.report(self.epoch, self.history[-1]["valid"][OBJECTIVE])
        if self.stale >= self.params.train.stopping_step:
            self.log(f"early stop at epoch {self.epoch}: no better {OBJECTIVE} for {self.stale} validations")
        if self.rank > 0:  # rank 0 evaluates and reports; the others wait for it, then return
            distributed.barrier()
            return {
                "rank": self.rank,
                "epochs": self.epoch,
                "stopped_early": self.stale >= self.params.train.stopping_step,
            }
        if self.best["state"] is not None:
            self.model.load_state_dict(self.best["state"])
        test = self.evaluate_both("test")
        distributed.barrier()
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
        if self.rank == 0 and (self.epoch % self.params.train.eval_step == 0 or self.epoch == self.params.train.epochs):
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
        mismatch = fingerprint_differences(state.get("fingerprint", {}), self.fingerprint)
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
        ranks = state.get("rng_ranks")
        if self.world_size > 1 and ranks is not None and len(ranks) == self.world_size:
            set_rng_state(self.model, ranks[self.rank])  # the run had as many processes: exact
        else:
            set_rng_state(self.model, state["rng"])
            if self.rank > 0:  # another process count: fresh streams for this rank, still seeded
                seed_rank(self.model, self.seed + RANK_SEED_STRIDE * self.rank + self.epoch)

    def save_checkpoint(self, path: str | Path, rng_ranks: list | None = None) -> None:
        """Write :meth:`state_dict` atomically (a crash mid-write leaves the previous file);
        ``rng_ranks``: every rank's RNG states under DDP (rank 0 writes them all)."""
        state = self.state_dict()
        if rng_ranks is not None:
            state["rng_ranks"] = rng_ranks
        save_atomic(state, Path(path))

    def _comm_device(self) -> torch.device:
        """Where collective tensors live: the GPU under NCCL, else the CPU."""
        return self.device if torch.distributed.get_backend() == "nccl" else torch.device("cpu")

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
    missing = "the run wrote no checkpoint (it stopped before its first epoch ended, or it is not a rec run folder)"
    return read_checkpoint(Path(path), "graphcl rec", missing)


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


def seed_rank(model: torch.nn.Module, seed: int) -> None:
    """Seed the global RNGs and the model's generators with ``seed`` (a DDP rank's own streams:
    dropout masks and augmentations differ between ranks, as they differ between rows)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    for _, generator in _model_generators(model):
        generator.manual_seed(seed)


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
