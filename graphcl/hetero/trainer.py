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
from pathlib import Path

import torch
from torch import nn

from graphcl.hetero import checkpoint as ckpt
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
        checkpoint_epoch: the epochs trained by the last checkpoint written or resumed from
            (``fit``'s ``checkpoint``), else ``None``.
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
    checkpoint_epoch: int | None = None

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
            "checkpoint_epoch": self.checkpoint_epoch,
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
    checkpoint: str | Path | None = None,
    resume: bool = False,
    fingerprint: dict | None = None,
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
        checkpoint: where to write the whole training state (:mod:`graphcl.hetero.checkpoint`)
            every ``params.train.checkpoint_every`` epochs, atomically (``None`` or
            ``checkpoint_every = 0``: never).
        resume: continue from ``checkpoint``: the same epochs, losses and embeddings as a run that
            was never stopped. A missing, corrupt or foreign checkpoint raises
            :class:`~graphcl.utils.errors.CheckpointError`.
        fingerprint: what the checkpoint must match besides the model class and ``params`` (the
            registry passes the seed, the target and a digest of the dataset).
    """
    by_val = params.train.select == "validation"
    if by_val and select is None:
        raise ValueError("params.train.select 'validation' needs a select callback (train_and_evaluate gives one)")
    if by_val and params.eval.eval_every < 1:
        raise ValueError(f"params.train.select 'validation' needs eval.eval_every >= 1, got {params.eval.eval_every}")
    if resume and checkpoint is None:
        raise ValueError("resume needs checkpoint (the file to continue from)")
    dev = resolve_device(device)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    model.to(dev)
    inputs.to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=params.train.lr, weight_decay=params.train.weight_decay)
    name = type(model).__name__
    path = Path(checkpoint) if checkpoint is not None else None
    stamp = {"model": name, "params": ckpt.params_fingerprint(params), **(fingerprint or {})}
    loop = ckpt.LoopState()
    if resume:
        assert path is not None
        _resume(path, stamp, model, opt, inputs, loop, params)
    saved = loop.epoch if resume else None
    epoch = loop.epoch - 1
    bar = progress(range(loop.epoch, params.train.epochs), name)
    interrupted_at = None
    try:
        for epoch in bar:
            if _train_epoch(model, inputs, params, opt, loop, epoch, dev, bar, monitor, select):
                break
            if path is not None and params.train.checkpoint_every and loop.epoch % params.train.checkpoint_every == 0:
                _save(path, stamp, model, opt, inputs, loop)
                saved = loop.epoch
            if getattr(params.train, "resample_augmentations", False):
                inputs.resample()
    except KeyboardInterrupt:
        if not interruptible or not loop.epoch_seconds:
            raise
        interrupted_at = epoch + 1
        which = _which(loop, params)
        log.warning("%s interrupted during epoch %d: evaluating the parameters of %s", name, interrupted_at, which)
    result = _result(model, inputs, params, loop, epoch, dev, interrupted_at)
    result.checkpoint_epoch = saved
    return result


def _resume(path: Path, stamp: dict, model: nn.Module, opt, inputs, loop: ckpt.LoopState, params) -> None:
    """Load ``path`` into the model, the optimiser, the inputs' and models' RNGs and ``loop``."""
    state = ckpt.load(path)
    ckpt.check_fingerprint(path, state.get("fingerprint", {}), stamp)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    loop.load_state_dict(state["loop"])
    ckpt.set_rng_state(model, inputs, state["rng"])
    if getattr(params.train, "resample_augmentations", False):
        inputs.resample()  # the masks the straight run drew after that epoch, from the restored generator
    log.info("%s resumed %s after epoch %d", type(model).__name__, path, loop.epoch)


def _save(path: Path, stamp: dict, model: nn.Module, opt, inputs, loop: ckpt.LoopState) -> None:
    """Checkpoint after ``loop.epoch`` epochs, before the masks of the next one are drawn."""
    ckpt.save(
        path,
        {
            "fingerprint": stamp,
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "loop": loop.state_dict(),
            "rng": ckpt.rng_state(model, inputs),
        },
    )


def _train_epoch(model, inputs, params, opt, loop: ckpt.LoopState, epoch: int, dev, bar, monitor, select) -> bool:
    """One update of 0-based ``epoch``, its validation or monitor call; ``True``: stop training."""
    by_val = params.train.select == "validation"
    start = time.perf_counter()
    model.train()
    opt.zero_grad()
    loss = model.loss(inputs)
    value = float(loss.detach())
    if not math.isfinite(value):
        raise FloatingPointError(f"{type(model).__name__}: loss became {value} at epoch {epoch}; lower lr or raise tau")
    if value < loop.best:
        loop.best, loop.wait, loop.best_epoch = value, 0, epoch
        if params.train.restore_best and not by_val:  # parameters that produced this loss (HeCo saves before the step)
            loop.best_state = copy.deepcopy(model.state_dict())
    else:
        loop.wait += 1
    loss.backward()
    opt.step()
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    loop.epoch_seconds.append(time.perf_counter() - start)
    loop.history.append(value)
    loop.epoch = epoch + 1
    _log_progress(type(model).__name__, params, loop, value, bar)
    due = params.eval.eval_every and (epoch + 1) % params.eval.eval_every == 0
    if by_val and (due or epoch + 1 == params.train.epochs):
        return _validate(model, inputs, params, loop, epoch, select)
    if monitor is not None and due:
        monitor(epoch, model.embed(inputs))
    return not by_val and loop.wait >= params.train.patience


def _validate(model, inputs, params, loop: ckpt.LoopState, epoch: int, select) -> bool:
    """Score the embeddings after ``epoch``; keep the best parameters; ``True``: patience exhausted."""
    score = float(select(epoch, model.embed(inputs)))
    loop.val_history.append([epoch + 1, score])
    if score > loop.best_val:  # parameters after this epoch's update produced the embeddings
        loop.best_val, loop.val_wait, loop.selected = score, 0, epoch + 1
        loop.best_state = copy.deepcopy(model.state_dict())
    else:
        loop.val_wait += 1
    return loop.val_wait >= params.train.patience


def _log_progress(name: str, params, loop: ckpt.LoopState, value: float, bar) -> None:
    if hasattr(bar, "set_postfix"):
        bar.set_postfix(loss=f"{value:.4f}", best=f"{loop.best:.4f}", wait=loop.wait, refresh=False)
    if loop.epoch % LOG_EVERY == 0:
        log.info(
            "%s epoch %d: loss %.4f, best %.4f at epoch %d, %d/%d epochs without improvement, %.2f s/epoch",
            name,
            loop.epoch,
            value,
            loop.best,
            loop.best_epoch + 1,
            loop.wait,
            params.train.patience,
            sum(loop.epoch_seconds[-LOG_EVERY:]) / len(loop.epoch_seconds[-LOG_EVERY:]),
        )


def _which(loop: ckpt.LoopState, params) -> str:
    """Which parameters an interrupted run evaluates (for the log)."""
    if params.train.select == "validation":
        if loop.selected:
            return f"its best-validated epoch {loop.selected}"
        return f"its last finished epoch {len(loop.history)}"
    if params.train.restore_best:
        return f"its lowest-loss epoch {loop.best_epoch + 1} (restore_best)"
    return f"its last finished epoch {len(loop.history)}"


def _result(model, inputs, params, loop: ckpt.LoopState, epoch: int, dev, interrupted_at) -> FitResult:
    """Restore the selected parameters and embed."""
    name = type(model).__name__
    if loop.best_state is not None:
        model.load_state_dict(loop.best_state)
    if params.train.select == "validation":
        evaluated = loop.selected if loop.selected is not None else len(loop.history)
        log.info(
            "%s: validation selected epoch %s (%s %.4f) after %d validations, %d epochs",
            name,
            loop.selected,
            params.eval.objective,
            loop.best_val,
            len(loop.val_history),
            len(loop.history),
        )
    else:
        evaluated = loop.best_epoch + 1 if params.train.restore_best else len(loop.history)
    seconds = loop.epoch_seconds
    return FitResult(
        embeddings=model.embed(inputs).cpu(),
        history=loop.history,
        epochs=epoch + 1,
        best_epoch=loop.best_epoch,
        best_loss=loop.best,
        evaluated_epoch=evaluated,
        select=params.train.select,
        selected_epoch=loop.selected,
        best_val=loop.best_val if loop.selected is not None else None,
        val_evaluations=len(loop.val_history),
        val_history=loop.val_history,
        # the first epoch includes one-off costs (allocations, k-means warm-up): excluded when possible
        seconds_per_epoch=sum(seconds[1:]) / max(1, len(seconds) - 1) if len(seconds) > 1 else seconds[0],
        peak_memory_mb=_peak_memory_mb(dev),
        device=str(dev),
        interrupted_at_epoch=interrupted_at,
    )
