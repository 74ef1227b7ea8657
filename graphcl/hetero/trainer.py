"""Self-supervised training of MEOW, AdaMEOW and HeCo: Adam with the official early stopping.

Training stops after ``params.train.patience`` epochs without a lower contrastive loss (labels are
never used). With ``params.train.select = "validation"`` a ``select(epoch, embeddings)`` callback
(given by ``graphcl.hetero.train``; :func:`fit` itself never sees labels) scores the embeddings
every ``params.eval.eval_every`` epochs and drives the stopping and the restored parameters
instead. :func:`fit` returns the embeddings and the history and writes no files; the
registry's ``graphcl.hetero.train.train`` evaluates them and fills the run folder.
"""

from __future__ import annotations

import copy
import logging
import math
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from graphcl.utils.device import resolve_device
from graphcl.utils.progress import progress

log = logging.getLogger(__name__)
LOG_EVERY = 100  # epochs between progress lines in the log (runs can last thousands of epochs)


@dataclass
class FitResult:
    """What :func:`fit` learnt.

    Attributes:
        embeddings: ``[N, D]`` target-node embeddings on the CPU (``model.embed(inputs)`` after training).
        history: the contrastive loss of every epoch.
        epochs: epochs run.
        best_epoch: the epoch of the lowest loss (0-based).
        best_loss: that loss.
        seconds_per_epoch: mean wall time per epoch, the first one (allocations, warm-up) left out
            when there are more.
        peak_memory_mb: peak CUDA memory, or the process's peak RSS on the CPU.
        device: where it trained.
        interrupted_at_epoch: the epoch a Ctrl-C ended training at, else ``None``.
        evaluated_epoch: the 1-based epoch whose parameters are embedded: with ``select="loss"`` and
            ``restore_best``, the lowest-loss epoch (its parameters before that epoch's update, as
            HeCo saves them), else the parameters after this many updates.
        select: the selection rule, ``params.train.select``.
        selected_epoch: with ``select="validation"``, the epochs trained by the best-validated
            parameters (1-based, like ``evaluated_epoch``); ``None`` with ``"loss"`` or before any
            validation.
        best_val: their validation score (``None`` as above).
        val_evaluations: validations run.
        val_history: ``[epochs trained, score]`` of each validation.
    """

    embeddings: torch.Tensor
    history: list[float] = field(default_factory=list)
    epochs: int = 0
    best_epoch: int = 0
    best_loss: float = math.inf
    seconds_per_epoch: float = 0.0
    peak_memory_mb: float = 0.0
    device: str = "cpu"
    interrupted_at_epoch: int | None = None
    evaluated_epoch: int = 0
    select: str = "loss"
    selected_epoch: int | None = None
    best_val: float | None = None
    val_evaluations: int = 0
    val_history: list[list[float]] = field(default_factory=list)

    def stats(self) -> dict:
        """Everything but the embeddings and the history (the run's ``metrics.json`` keys)."""
        return {
            "epochs": self.epochs,
            "best_epoch": self.best_epoch,
            "best_loss": self.best_loss,
            "seconds_per_epoch": self.seconds_per_epoch,
            "peak_memory_mb": self.peak_memory_mb,
            "device": self.device,
            "interrupted_at_epoch": self.interrupted_at_epoch,
            "evaluated_epoch": self.evaluated_epoch,
            "select": self.select,
            "selected_epoch": self.selected_epoch,
            "best_val": self.best_val,
            "val_evaluations": self.val_evaluations,
        }


def _peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux: process peak RSS


def fit(
    model: nn.Module,
    inputs,
    params,
    *,
    device: str = "auto",
    monitor: Callable[[int, torch.Tensor], None] | None = None,
    select: Callable[[int, torch.Tensor], float] | None = None,
    interruptible: bool = True,
) -> FitResult:
    """Train ``model`` on ``inputs`` without labels and return its embeddings and history.

    Adam (``params.train.lr``, ``params.train.weight_decay``) minimises ``model.loss(inputs)`` for at most
    ``params.train.epochs`` epochs, stopping after ``params.train.patience`` epochs without a lower loss.
    With ``params.train.restore_best`` the embeddings come from the parameters of the lowest-loss epoch
    (HeCo's rule), else from the last ones (MEOW's). ``params.train.resample_augmentations`` draws new
    masks every epoch (MEOW inputs).

    Args:
        model: MEOW, AdaMEOW or HeCo (anything with ``loss(inputs)`` and ``embed(inputs)``).
        inputs: its inputs (:class:`~graphcl.hetero.inputs.MEOWInputs` or ``HeCoInputs``); moved
            to ``device`` in place, like the model.
        params: the model's params dataclass.
        device: ``"auto"`` (CUDA when available), ``"cpu"`` or ``"cuda[:i]"``.
        monitor: called as ``monitor(epoch, embeddings)`` every ``params.eval.eval_every`` epochs (a
            tuner's pruning hook; what it raises propagates). Not called with ``select="validation"``
            (``select`` can report its score instead).
        select: needed by ``params.train.select = "validation"``: called as ``select(epoch,
            embeddings)`` after the update of 0-based ``epoch`` every ``params.eval.eval_every``
            epochs (and after the last epoch), it returns the validation score, higher is better.
            The parameters of the best score (first one on ties) are restored at the end; training
            stops after ``params.train.patience`` validations without a higher score or after
            ``params.train.epochs`` epochs; the loss no longer stops training.
        interruptible: Ctrl-C ends training early and returns what was learnt, with
            ``interrupted_at_epoch`` set (``False``: the ``KeyboardInterrupt`` propagates, as a
            tuning trial needs).
    """
    by_val = params.train.select == "validation"
    if by_val and select is None:
        raise ValueError("params.train.select 'validation' needs a select callback (train_and_evaluate gives one)")
    if by_val and params.eval.eval_every < 1:
        raise ValueError(f"params.train.select 'validation' needs eval.eval_every >= 1, got {params.eval.eval_every}")
    dev = resolve_device(device)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    model.to(dev)
    inputs.to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=params.train.lr, weight_decay=params.train.weight_decay)
    name = type(model).__name__
    best, wait, best_epoch, best_state = math.inf, 0, 0, None
    best_val, val_wait, selected, val_history = -math.inf, 0, None, []
    epoch_seconds, history = [], []
    epoch = -1
    bar = progress(range(params.train.epochs), name)
    interrupted_at = None
    try:
        for epoch in bar:
            start = time.perf_counter()
            model.train()
            opt.zero_grad()
            loss = model.loss(inputs)
            value = float(loss.detach())
            if not math.isfinite(value):
                raise FloatingPointError(f"{name}: loss became {value} at epoch {epoch}; lower lr or raise tau")
            if value < best:
                best, wait, best_epoch = value, 0, epoch
                if (
                    params.train.restore_best and not by_val
                ):  # parameters that produced this loss (HeCo saves before the step)
                    best_state = copy.deepcopy(model.state_dict())
            else:
                wait += 1
            loss.backward()
            opt.step()
            if dev.type == "cuda":
                torch.cuda.synchronize(dev)
            epoch_seconds.append(time.perf_counter() - start)
            history.append(value)
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{value:.4f}", best=f"{best:.4f}", wait=wait, refresh=False)
            if (epoch + 1) % LOG_EVERY == 0:
                log.info(
                    "%s epoch %d: loss %.4f, best %.4f at epoch %d, %d/%d epochs without improvement, %.2f s/epoch",
                    name,
                    epoch + 1,
                    value,
                    best,
                    best_epoch + 1,
                    wait,
                    params.train.patience,
                    sum(epoch_seconds[-LOG_EVERY:]) / len(epoch_seconds[-LOG_EVERY:]),
                )
            due = params.eval.eval_every and (epoch + 1) % params.eval.eval_every == 0
            if by_val and (due or epoch + 1 == params.train.epochs):
                score = float(select(epoch, model.embed(inputs)))
                val_history.append([epoch + 1, score])
                if score > best_val:  # parameters after this epoch's update produced the embeddings
                    best_val, val_wait, selected = score, 0, epoch + 1
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    val_wait += 1
                if val_wait >= params.train.patience:
                    break
            elif monitor is not None and due:
                monitor(epoch, model.embed(inputs))
            if not by_val and wait >= params.train.patience:
                break
            if getattr(params.train, "resample_augmentations", False):
                inputs.resample()
    except KeyboardInterrupt:
        if not interruptible or not epoch_seconds:
            raise
        interrupted_at = epoch + 1
        if by_val:
            which = f"its best-validated epoch {selected}" if selected else f"its last finished epoch {len(history)}"
        elif params.train.restore_best:
            which = f"its lowest-loss epoch {best_epoch + 1} (restore_best)"
        else:
            which = f"its last finished epoch {len(history)}"
        log.warning("%s interrupted during epoch %d: evaluating the parameters of %s", name, interrupted_at, which)
    if best_state is not None:
        model.load_state_dict(best_state)
    if by_val:
        evaluated = selected if selected is not None else len(history)
        log.info(
            "%s: validation selected epoch %s (%s %.4f) after %d validations, %d epochs",
            name,
            selected,
            params.eval.objective,
            best_val,
            len(val_history),
            len(history),
        )
    else:
        evaluated = best_epoch + 1 if params.train.restore_best else len(history)
    return FitResult(
        embeddings=model.embed(inputs).cpu(),
        history=history,
        epochs=epoch + 1,
        best_epoch=best_epoch,
        best_loss=best,
        evaluated_epoch=evaluated,
        select=params.train.select,
        selected_epoch=selected,
        best_val=best_val if selected is not None else None,
        val_evaluations=len(val_history),
        val_history=val_history,
        # the first epoch includes one-off costs (allocations, k-means warm-up): excluded when possible
        seconds_per_epoch=sum(epoch_seconds[1:]) / max(1, len(epoch_seconds) - 1)
        if len(epoch_seconds) > 1
        else epoch_seconds[0],
        peak_memory_mb=_peak_memory_mb(dev),
        device=str(dev),
        interrupted_at_epoch=interrupted_at,
    )
