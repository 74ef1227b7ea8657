"""Registry entry points of MEOW, AdaMEOW and HeCo: build, train, evaluate, fill the run folder.

``train(run, run_dir, report=None)`` loads ``run.dataset``, builds the inputs and the model,
trains with :func:`graphcl.hetero.trainer.fit`, and saves ``embeddings.pt`` (and ``embeddings.npy``
with ``params.eval.export_npy``), ``eval_data.pt`` (labels, splits, evaluation settings) and
``loss_history.json`` in ``run_dir``; the metrics are those of the papers' protocol
(:func:`evaluate`).

Pruning: with ``params.eval.eval_every = k > 0`` the current embeddings are scored every ``k`` epochs by
logistic regression on the 20-labels-per-class split (``eval_repeats`` classifiers) and
``report(epoch, value)`` is called with the validation ``params.eval.objective`` (default Macro-F1 at
20); a ``TrialPruned`` raised by ``report`` propagates. With ``params.train.select = "loss"``
(default) these scores only feed the tuner; they do not change when training stops.

Model selection (docs/hetero.md, "Model selection"): with ``params.train.select = "validation"``
the same validation score (train and validation nodes of the 20-labels split only; the test
split is never passed to the classifier) drives :func:`~graphcl.hetero.trainer.fit`: best
parameters kept, ``patience`` validations without improvement stop it, ``epochs`` caps it, and
``val_history.json`` records ``[epochs trained, score]`` per validation. The test split is read
once, by the final :func:`evaluate`. The metrics record ``select``, ``selected_epoch``,
``best_val`` and ``val_evaluations``.

Interrupting a plain run (Ctrl-C, ``kill -INT``; not a tuning trial) ends training early: the
parameters of the last finished epoch (MEOW, AdaMEOW) or of the lowest-loss epoch
(``restore_best``, HeCo) are saved and evaluated as usual, the log names which, and the metrics
record ``interrupted_at_epoch`` and ``evaluated_epoch``. ``EVALUATION_MISSING.txt`` stays in the
run folder if a second Ctrl-C stops the evaluation; ``graphcl eval`` completes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from graphcl.eval import evaluate_embeddings, logreg_evaluate
from graphcl.hetero.adameow import AdaMEOW
from graphcl.hetero.checkpoint import data_fingerprint
from graphcl.hetero.heco import HeCo
from graphcl.hetero.inputs import GraphTensors, ToHeCoInputs, ToMEOWInputs
from graphcl.hetero.meow import MEOW
from graphcl.hetero.params import AdaMEOWParams, HeCoParams, MEOWParams
from graphcl.hetero.trainer import fit
from graphcl.hetero.validation import check_hetero, splits, target_type
from graphcl.utils.errors import MissingFileError
from graphcl.utils.run_files import (
    clear_evaluation_missing,
    load_saved,
    mark_evaluation_missing,
)
from graphcl.utils.task import Task

PARAMS = {"meow": MEOWParams, "adameow": AdaMEOWParams, "heco": HeCoParams}
METRICS = tuple(sorted([f"{m}_{n}" for m in ("macro_f1", "micro_f1", "auc") for n in (20, 40, 60)] + ["nmi", "ari"]))


def build(model: str, data, params, seed: int = 0, target: str | None = None) -> tuple[nn.Module, GraphTensors]:
    """``(model, inputs)`` for ``"meow"``, ``"adameow"`` or ``"heco"`` on ``data``.

    Args:
        model: the model name.
        data: a ``HeteroData``; not modified.
        params: the model's params dataclass.
        seed: seed of the masks, the k-means initialisations and the neighbour sampler.
        target: the node type to embed (``None``: the loader's ``data.target``).
    """
    if model not in PARAMS:
        raise KeyError(f"unknown hetero model {model!r}; choose from {sorted(PARAMS)}")
    if not isinstance(params, PARAMS[model]):
        raise TypeError(f"model {model!r} needs {PARAMS[model].__name__}, got {type(params).__name__}")
    target = target_type(data, target)
    if model == "heco":
        inputs = ToHeCoInputs(params, target, seed)(data)
        return HeCo(params, inputs, seed), inputs
    inputs = ToMEOWInputs(params, target, seed)(data)
    return (MEOW(params, inputs, seed) if model == "meow" else AdaMEOW(params, inputs)), inputs


def train_and_evaluate(
    model: str,
    data,
    params,
    run_dir: Path,
    seed: int = 0,
    device: str = "auto",
    report: Callable[[int, float], None] | None = None,
    target: str | None = None,
    resume: bool = False,
) -> dict:
    """Train ``model`` on an in-memory ``data`` (with labels and HeCo splits), fill ``run_dir``
    and return the metrics; see the module docstring. A plain run (no ``report``) keeps
    ``run_dir/last.pt`` every ``params.train.checkpoint_every`` epochs; ``resume=True`` continues
    from it."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    target = target_type(data, target)
    check_hetero(data, target, params.model.metapaths)  # labels, splits and meta-paths, before the costly build
    net, inputs = build(model, data, params, seed, target)
    labels = data[target].y.long()
    split = splits(data, target)

    def validate(epoch: int, embeddings: torch.Tensor) -> float:
        """Validation ``params.eval.objective`` of ``embeddings``; the test split is not passed."""
        train_idx, val_idx, _ = split[20]
        scores = logreg_evaluate(
            embeddings,
            labels,
            train_idx,
            val_idx,
            None,
            lr=params.eval.eval_lr,
            weight_decay=params.eval.eval_weight_decay,
            repeats=params.eval.eval_repeats,
            seed=seed,
        )
        value = scores["val_" + params.eval.objective.rsplit("_", 1)[0]]
        if report is not None:
            report(epoch, value)
        return value

    by_val = params.train.select == "validation"
    monitor = validate if report is not None and not by_val else None
    plain = report is None  # tuning trials write no checkpoints
    if resume and not plain:
        raise ValueError("resume continues plain runs; a tuning trial (report given) has no checkpoint")
    keep = plain and (params.train.checkpoint_every > 0 or resume)
    result = fit(
        net,
        inputs,
        params,
        device=device,
        monitor=monitor,
        select=validate if by_val else None,
        interruptible=plain,
        checkpoint=run_dir / "last.pt" if keep else None,
        resume=resume,
        fingerprint={"seed": seed, "target": target, "data": data_fingerprint(data)} if keep else None,
    )
    torch.save(result.embeddings, run_dir / "embeddings.pt")
    if params.eval.export_npy:
        import numpy as np

        np.save(run_dir / "embeddings.npy", result.embeddings.numpy())
    eval_cfg = {
        "lr": params.eval.eval_lr,
        "weight_decay": params.eval.eval_weight_decay,
        "repeats": params.eval.final_eval_repeats,
        "seed": seed,
    }
    torch.save({"labels": labels.cpu(), "splits": split, "eval": eval_cfg}, run_dir / "eval_data.pt")
    (run_dir / "loss_history.json").write_text(json.dumps(result.history))
    if by_val:
        (run_dir / "val_history.json").write_text(json.dumps(result.val_history))
    mark_evaluation_missing(run_dir)  # until evaluated: a second Ctrl-C keeps the embeddings
    metrics = evaluate(run_dir)
    clear_evaluation_missing(run_dir)
    metrics.update(result.stats())
    return metrics


def train(run, run_dir: Path, report: Callable[[int, float], None] | None = None, resume: bool = False) -> dict:
    """Registry entry point: load ``run.dataset`` and :func:`train_and_evaluate` (``resume``:
    continue the run folder's ``last.pt``)."""
    from graphcl.data import load_hetero

    data = load_hetero(run.dataset, run.data_root)
    return train_and_evaluate(
        run.model, data, run.params, Path(run_dir), seed=run.seed, device=run.device, report=report, resume=resume
    )


def evaluate(run_dir: Path, run=None) -> dict:
    """Re-evaluate the embeddings saved in ``run_dir`` (logistic regression at 20/40/60 labels per
    class, k-means NMI/ARI; ``run``, the run's config, is not needed: the folder has it all)."""
    run_dir = Path(run_dir)
    for name in ("embeddings.pt", "eval_data.pt"):
        if not (run_dir / name).is_file():
            raise MissingFileError(f"{run_dir / name} is missing: is {run_dir} a finished hetero run folder?")
    embeds = load_saved(run_dir / "embeddings.pt")
    saved = load_saved(run_dir / "eval_data.pt")
    cfg = saved["eval"]
    return evaluate_embeddings(
        embeds,
        saved["labels"],
        saved["splits"],
        lr=cfg["lr"],
        weight_decay=cfg["weight_decay"],
        repeats=cfg["repeats"],
        seed=cfg["seed"],
    )


TASK = Task(name="hetero", params=PARAMS, train=train, evaluate=evaluate, metrics=METRICS)
