"""Training entry points of MEOW, AdaMEOW and HeCo (``graphcl.registry`` contract).

``train(run, run_dir, report=None)`` loads the dataset, trains with the official early stopping
(stop after ``patience`` epochs without a lower contrastive loss; labels are never used for it),
embeds the target nodes, saves ``embeddings.pt`` (and ``embeddings.npy`` with
``params.export_npy``) plus the labels and splits, and evaluates them with the papers' protocol.

Pruning: with ``params.eval_every = k > 0`` the current embeddings are scored every ``k`` epochs by
logistic regression on the 20-labels-per-class split (``eval_repeats`` classifiers) and
``report(epoch, value)`` is called with the validation ``params.objective`` (default Macro-F1 at 20); a ``TrialPruned`` raised by ``report`` propagates.
These intermediate scores only feed the tuner; they do not change when training stops.

Interrupting a plain run (Ctrl-C, ``kill -INT``; not a tuning trial) ends training early: the
parameters of the best loss so far are evaluated and saved as usual, and the metrics record
``interrupted_at_epoch``.
"""
from __future__ import annotations

import copy
import json
import logging
import math
import resource
import time
from pathlib import Path
from typing import Callable

import torch

from graphcl.eval import evaluate_embeddings, logreg_evaluate
from graphcl.hetero.params import AdaMEOWParams, HeCoParams, MEOWParams
from graphcl.hetero.views import check_hetero, splits
from graphcl.utils.progress import progress

log = logging.getLogger(__name__)
LOG_EVERY = 100  # epochs between progress lines in the log (runs can last thousands of epochs)


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {name!r} requested but CUDA is not available; use device: cpu or auto")
    return torch.device(name)


def build_model(model: str, data, params, seed: int = 0) -> torch.nn.Module:
    """Instantiate ``"meow"``, ``"adameow"`` or ``"heco"`` for ``data`` with ``params``."""
    need = {"meow": MEOWParams, "adameow": AdaMEOWParams, "heco": HeCoParams}
    if model not in need:
        raise KeyError(f"unknown hetero model {model!r}; choose from {sorted(need)}")
    if not isinstance(params, need[model]):
        raise TypeError(f"model {model!r} needs {need[model].__name__}, got {type(params).__name__}")
    metapaths = check_hetero(data, params.metapaths, need_labels=False)
    if model == "heco":
        from graphcl.hetero.heco import HeCo

        schema = params.schema_types
        if schema is None:
            schema = [t for (s, _, t) in data.edge_types if s == data.target and t != data.target]
            if len(schema) != len(params.sample_rate):
                raise ValueError(f"sample_rate {params.sample_rate} must have one entry per schema type {schema}; "
                                 "set params.schema_types and params.sample_rate together")
        return HeCo(data, metapaths, schema, params.hidden_dim, params.tau, params.feat_drop, params.attn_drop,
                    params.sample_rate, params.lam, params.normalize_features, params.chunk_size, seed,
                    params.ignore_features)
    from graphcl.hetero.meow_inputs import MEOWInputs

    inputs = MEOWInputs(data, metapaths, params.nei_max, params.feat_mask, params.adj_mask,
                        params.normalize_features, seed, params.ignore_features,
                        positives=params.positives)
    if model == "meow":
        from graphcl.hetero.meow import MEOW

        return MEOW(inputs, params.hidden_dim, params.tau, params.dropout, params.num_clusters, params.lam_proto,
                    params.kmeans_iters, params.chunk_size, seed, kmeans_restarts=params.kmeans_restarts,
                    embedding=params.embedding)
    from graphcl.hetero.adameow import AdaMEOW

    return AdaMEOW(inputs, params.hidden_dim, params.proj_dim, params.tau, params.dropout, params.weight_hidden,
                   params.weight_reg, params.chunk_size, weigh_positives=params.weigh_positives,
                   embedding=params.embedding)


def _move(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    inputs = getattr(model, "inputs", None)
    if inputs is not None:
        inputs.to(device)
    return model.to(device)


def _peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux: process peak RSS


def fit(model_name: str, data, params, run_dir: Path, seed: int = 0, device: str = "auto",
        report: Callable[[int, float], None] | None = None) -> dict:
    """Train ``model_name`` on an in-memory ``data`` and evaluate; see the module docstring."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    check_hetero(data, params.metapaths, need_labels=True)
    dev = _device(device)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    model = _move(build_model(model_name, data, params, seed), dev)
    opt = torch.optim.Adam(model.parameters(), lr=params.lr, weight_decay=params.weight_decay)
    labels = data[data.target].y.long()
    split = splits(data)
    best, wait, best_epoch, best_state = math.inf, 0, 0, None
    epoch_seconds, history = [], []
    epoch = -1
    bar = progress(range(params.epochs), model_name)
    interrupted_at = None
    try:
        for epoch in bar:
            start = time.perf_counter()
            model.train()
            opt.zero_grad()
            loss = model.loss()
            value = float(loss.detach())
            if not math.isfinite(value):
                raise FloatingPointError(f"{model_name}: loss became {value} at epoch {epoch}; lower lr or raise tau")
            if value < best:
                best, wait, best_epoch = value, 0, epoch
                if params.restore_best:  # parameters that produced this loss (HeCo saves before the step)
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
                log.info("%s epoch %d: loss %.4f, best %.4f at epoch %d, %d/%d epochs without improvement, %.2f s/epoch",
                         model_name, epoch + 1, value, best, best_epoch + 1, wait, params.patience,
                         sum(epoch_seconds[-LOG_EVERY:]) / len(epoch_seconds[-LOG_EVERY:]))
            if report is not None and params.eval_every and (epoch + 1) % params.eval_every == 0:
                tr, va, te = split[20]
                val = logreg_evaluate(model.embed(), labels, tr, va, te, lr=params.eval_lr,
                                      weight_decay=params.eval_weight_decay, repeats=params.eval_repeats,
                                      seed=seed)["val_" + params.objective.rsplit("_", 1)[0]]
                report(epoch, val)
            if wait >= params.patience:
                break
            if getattr(params, "resample_augmentations", False):
                model.inputs.resample()
    except KeyboardInterrupt:
        # Plain training (no tuner listening): Ctrl-C / SIGINT ends it early but keeps the run.
        if report is not None or not epoch_seconds:
            raise
        interrupted_at = epoch + 1
        log.warning("%s interrupted at epoch %d: evaluating the parameters of the best loss so far (epoch %d)",
                    model_name, interrupted_at, best_epoch + 1)
    if best_state is not None:
        model.load_state_dict(best_state)
    embeds = model.embed().cpu()
    torch.save(embeds, run_dir / "embeddings.pt")
    if params.export_npy:
        import numpy as np

        np.save(run_dir / "embeddings.npy", embeds.numpy())
    eval_cfg = {"lr": params.eval_lr, "weight_decay": params.eval_weight_decay,
                "repeats": params.final_eval_repeats, "seed": seed}
    torch.save({"labels": labels.cpu(), "splits": split, "eval": eval_cfg}, run_dir / "eval_data.pt")
    (run_dir / "loss_history.json").write_text(json.dumps(history))
    metrics = evaluate(run_dir)
    metrics.update({
        "epochs": epoch + 1, "best_epoch": best_epoch, "best_loss": best,
        # the first epoch includes one-off costs (allocations, k-means warm-up): excluded when possible
        "seconds_per_epoch": sum(epoch_seconds[1:]) / max(1, len(epoch_seconds) - 1) if len(epoch_seconds) > 1
        else epoch_seconds[0],
        "peak_memory_mb": _peak_memory_mb(dev), "device": str(dev), "interrupted_at_epoch": interrupted_at,
    })
    return metrics


def train(run, run_dir: Path, report: Callable[[int, float], None] | None = None) -> dict:
    """Registry entry point: load ``run.dataset`` and :func:`fit`."""
    from graphcl.data import load_hetero

    data = load_hetero(run.dataset, run.data_root)
    return fit(run.model, data, run.params, Path(run_dir), seed=run.seed, device=run.device, report=report)


def evaluate(run_dir: Path, run=None) -> dict:
    """Re-evaluate the embeddings saved in ``run_dir`` (logistic regression at 20/40/60 labels per
    class, k-means NMI/ARI; ``run``, the run's config, is not needed: the folder has it all)."""
    run_dir = Path(run_dir)
    for name in ("embeddings.pt", "eval_data.pt"):
        if not (run_dir / name).is_file():
            raise FileNotFoundError(f"{run_dir / name} is missing: is {run_dir} a finished hetero run folder?")
    embeds = torch.load(run_dir / "embeddings.pt")
    saved = torch.load(run_dir / "eval_data.pt")
    cfg = saved["eval"]
    return evaluate_embeddings(embeds, saved["labels"], saved["splits"], lr=cfg["lr"], weight_decay=cfg["weight_decay"],
                               repeats=cfg["repeats"], seed=cfg["seed"])
