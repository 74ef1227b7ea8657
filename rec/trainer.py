"""Epoch loop, validation, early stopping and model hooks for the sequential recommenders."""
from __future__ import annotations

import copy
import time
from typing import Callable

import torch

from graphcl.utils.progress import progress
from rec.evaluation import batch_interaction, evaluate_part

OBJECTIVE = "ndcg@20"


class SeqRecTrainer:
    """Trains a ``SequentialRecommender`` on a :class:`rec.split.LeaveOneOut` split.

    Per epoch: shuffle the training prefixes (seeded generator), one optimisation step per
    batch, validate every ``eval_step`` epochs on NDCG@20 (full ranking), call ``report`` with
    it, keep the best weights, stop after ``stopping_step`` validations without improvement.

    Model hooks (all optional; see docs/rec.md):

    - ``configure_optimizers(learning_rate, weight_decay) -> dict[str, Optimizer]``
      (default: ``{"model": Adam(all parameters)}``), stored in :attr:`optimizers`;
    - ``training_step(interaction, trainer) -> dict[str, float]`` with at least ``"loss"``:
      replaces the default step (``calculate_loss``, backward, step every optimiser), e.g.
      MCLRec's meta-optimisation;
    - ``on_fit_start(trainer)``, ``on_epoch_start(trainer)``, ``on_epoch_end(trainer)``.

    Args:
        model: the recommender (already on ``device``).
        split: the leave-one-out data.
        params: the run's params dataclass (``learning_rate``, ``weight_decay``,
            ``train_batch_size``, ``eval_batch_size``, ``epochs``, ``stopping_step``,
            ``eval_step``, ``exclude_history``, ``max_train_batches``).
        device: torch device.
        seed: seed of the shuffling generator.
        report: ``report(epoch, ndcg@20)`` after each validation (may raise ``TrialPruned``).
        log: ``log(message)`` for progress lines (``None``: silent).
    """

    def __init__(self, model, split, params, device: str | torch.device = "cpu", seed: int = 0,
                 report: Callable[[int, float], None] | None = None, log: Callable[[str], None] | None = None):
        self.model, self.split, self.params = model, split, params
        self.device = torch.device(device)
        self.report, self.log = report, log or (lambda message: None)
        self.generator = torch.Generator().manual_seed(seed)
        if hasattr(model, "configure_optimizers"):
            self.optimizers = model.configure_optimizers(params.learning_rate, params.weight_decay)
        else:
            self.optimizers = {"model": torch.optim.Adam(model.parameters(), lr=params.learning_rate,
                                                         weight_decay=params.weight_decay)}
        self.epoch = 0
        self.history: list[dict] = []
        self.train_seconds: list[float] = []

    def _batch_bounds(self) -> list[tuple[int, int]]:
        """``(start, stop)`` of each batch over the shuffled prefixes. A 1-row tail (in-batch
        contrastive losses need two rows) joins the previous batch instead of being dropped."""
        n, size = self.split.train_seq.shape[0], self.params.train_batch_size
        starts = list(range(0, n, size))
        if len(starts) > 1 and n - starts[-1] < 2:
            starts.pop()
        bounds = [(start, stop) for start, stop in zip(starts, starts[1:] + [n])]
        if self.params.max_train_batches is not None:
            bounds = bounds[: self.params.max_train_batches]
        return bounds

    def num_batches(self) -> int:
        """Training batches per epoch (what :meth:`batches` yields)."""
        return sum(1 for start, stop in self._batch_bounds() if stop - start >= 2)

    def batches(self):
        """Shuffled training batches as RecBole ``Interaction``s on the device."""
        split = self.split
        order = torch.randperm(split.train_seq.shape[0], generator=self.generator)
        for start, stop in self._batch_bounds():
            rows = order[start:stop]
            if rows.numel() < 2:  # in-batch contrastive losses need two rows (only a 1-row split)
                continue
            yield batch_interaction(self.model, split.train_seq[rows], split.train_len[rows],
                                    split.train_target[rows], split.train_user[rows]).to(self.device)

    def default_step(self, interaction) -> dict[str, float]:
        loss = self.model.calculate_loss(interaction)
        self.step_on(loss)
        return {"loss": float(loss.detach())}

    def step_on(self, loss: torch.Tensor, detail: str = "") -> None:
        """Backward ``loss`` and step every optimiser; a NaN/inf loss raises ``FloatingPointError``
        (with ``detail``, e.g. the loss terms) before any parameter changes."""
        if not torch.isfinite(loss):
            raise FloatingPointError(f"training loss is {loss.item()}{detail} at epoch {self.epoch}; "
                                     "lower learning_rate")
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
        for interaction in progress(self.batches(), f"epoch {self.epoch}", total=self.num_batches()):
            losses = step(interaction, self) if step is not None else self.default_step(interaction)
            for key, value in losses.items():
                totals[key] = totals.get(key, 0.0) + float(value)
            count += 1
        self.train_seconds.append(time.perf_counter() - start)
        self._hook("on_epoch_end")
        return {key: value / max(count, 1) for key, value in totals.items()}

    def evaluate(self, part: str) -> dict[str, float]:
        return evaluate_part(self.model, self.split, part, self.params.eval_batch_size,
                             self.params.exclude_history, self.device)

    def fit(self) -> dict:
        """Train with early stopping; restores the best weights and returns val/test metrics."""
        self._hook("on_fit_start")
        best_score, best_state, best_valid, stale = -1.0, None, None, 0
        for self.epoch in range(1, self.params.epochs + 1):
            losses = self.train_epoch()
            record = {"epoch": self.epoch, **losses, "train_seconds": self.train_seconds[-1]}
            if self.epoch % self.params.eval_step == 0 or self.epoch == self.params.epochs:
                valid = self.evaluate("valid")
                record["valid"] = valid
                score = valid[OBJECTIVE]
                self.log(f"epoch {self.epoch}: loss {losses.get('loss', float('nan')):.4f} "
                         f"valid {OBJECTIVE} {score:.4f} ({self.train_seconds[-1]:.1f}s)")
                if score > best_score:
                    best_score, best_valid, stale = score, valid, 0
                    best_state = copy.deepcopy(self.model.state_dict())
                else:
                    stale += 1
                self.history.append(record)
                if self.report is not None:
                    self.report(self.epoch, score)
                if stale >= self.params.stopping_step:
                    self.log(f"early stop at epoch {self.epoch}: no better {OBJECTIVE} for {stale} validations")
                    break
            else:
                self.history.append(record)
        if best_state is not None:
            self.model.load_state_dict(best_state)
        return {"val": best_valid, "test": self.evaluate("test"), "epochs": self.epoch,
                "seconds_per_epoch": sum(self.train_seconds) / max(len(self.train_seconds), 1),
                "best_epoch": max((r for r in self.history if "valid" in r),
                                  key=lambda r: r["valid"][OBJECTIVE])["epoch"]}

    def _hook(self, name: str) -> None:
        hook = getattr(self.model, name, None)
        if hook is not None:
            hook(self)
