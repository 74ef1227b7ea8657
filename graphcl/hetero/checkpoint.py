"""``last.pt`` of a hetero run: what :func:`graphcl.hetero.trainer.fit` needs to continue exactly.

A checkpoint holds the model and Adam states, the loop state (:class:`LoopState`), the epoch, the
global torch (and CUDA) RNG states, the states of every ``torch.Generator`` the model and the
inputs hold (HeCo's neighbour sampler, the mask generator ``inputs.resample`` draws from), the
models' epoch counters (MEOW seeds its k-means with them) and a fingerprint (model, seed, params,
a digest of the dataset): a checkpoint of another config or dataset is refused by
:func:`check_fingerprint` naming each difference. NumPy's and Python's RNGs are not used by the
hetero models (k-means draws from seeded generators), so they are not stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import torch
from torch import nn

from graphcl.utils.errors import CheckpointError
from graphcl.utils.run_files import fingerprint_differences, read_checkpoint, save_atomic

CHECKPOINT_VERSION = 1


@dataclasses.dataclass
class LoopState:
    """The bookkeeping of :func:`~graphcl.hetero.trainer.fit`'s epoch loop (see ``FitResult``)."""

    epoch: int = 0  # epochs finished
    best: float = math.inf
    wait: int = 0
    best_epoch: int = 0
    best_state: dict | None = None
    best_val: float = -math.inf
    val_wait: int = 0
    selected: int | None = None
    val_history: list = dataclasses.field(default_factory=list)
    history: list = dataclasses.field(default_factory=list)
    epoch_seconds: list = dataclasses.field(default_factory=list)

    def state_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        names = {f.name for f in dataclasses.fields(self)}
        if set(state) != names:
            raise CheckpointError(f"checkpoint loop state has keys {sorted(state)}, expected {sorted(names)}")
        for name in names:
            setattr(self, name, state[name])


def params_fingerprint(params) -> dict:
    """``params`` as plain JSON values, ``train.checkpoint_every`` left out (it may change on resume)."""
    plain = json.loads(json.dumps(dataclasses.asdict(params), default=str))
    plain.get("train", {}).pop("checkpoint_every", None)
    return plain


def data_fingerprint(data) -> dict:
    """Node counts and a SHA-256 of every tensor of the ``HeteroData`` ``data`` (features, edges, labels, masks)."""
    digest = hashlib.sha256()
    for store in data.stores:
        for key, value in sorted(store.items(), key=lambda kv: str(kv[0])):
            if not isinstance(value, torch.Tensor):
                continue
            if value.is_sparse:
                value = value.coalesce()
                parts = [value.indices(), value.values()]
            else:
                parts = [value]
            digest.update(str(key).encode())
            for part in parts:
                digest.update(part.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return {"num_nodes": {t: int(data[t].num_nodes) for t in data.node_types}, "sha256": digest.hexdigest()}


def check_fingerprint(path: Path, stored: dict, current: dict) -> None:
    """Raise :class:`CheckpointError` naming every difference between two fingerprints."""
    mismatch = fingerprint_differences(stored, current)
    if mismatch:
        raise CheckpointError(f"{path} belongs to another run: " + "; ".join(mismatch))


def _generators(model: nn.Module, inputs) -> dict[str, torch.Generator]:
    found = {}
    for prefix, module in model.named_modules():
        for attr, value in vars(module).items():
            if isinstance(value, torch.Generator):
                found[f"model.{prefix}.{attr}" if prefix else f"model.{attr}"] = value
    generator = getattr(inputs, "generator", None)
    if isinstance(generator, torch.Generator):
        found["inputs.generator"] = generator
    return found


def _counters(model: nn.Module) -> dict[str, nn.Module]:
    """Modules with an integer ``epoch`` counter (MEOW, AdaMEOW: their k-means seeds)."""
    return {prefix: m for prefix, m in model.named_modules() if isinstance(getattr(m, "epoch", None), int)}


def rng_state(model: nn.Module, inputs) -> dict[str, Any]:
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "generators": {name: g.get_state() for name, g in _generators(model, inputs).items()},
        "counters": {name: m.epoch for name, m in _counters(model).items()},
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(model: nn.Module, inputs, state: dict[str, Any]) -> None:
    generators, counters = _generators(model, inputs), _counters(model)
    if set(generators) != set(state["generators"]) or set(counters) != set(state["counters"]):
        raise CheckpointError(
            f"checkpoint RNG state has generators {sorted(state['generators'])} and counters "
            f"{sorted(state['counters'])}; this model has {sorted(generators)} and {sorted(counters)}"
        )
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    for name, generator in generators.items():
        generator.set_state(state["generators"][name])
    for name, module in counters.items():
        module.epoch = state["counters"][name]


def save(path: Path, state: dict[str, Any]) -> None:
    """Write ``state`` atomically: a crash mid-write leaves the previous file."""
    save_atomic({"version": CHECKPOINT_VERSION, **state}, path)


def load(path: Path) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save`; a missing, truncated or foreign file raises
    :class:`CheckpointError` naming it."""
    missing = (
        "the run wrote no checkpoint (it stopped before its first train.checkpoint_every epochs, "
        "checkpoint_every is 0, or it is not a hetero run folder)"
    )
    state = read_checkpoint(path, "hetero", missing)
    if not isinstance(state, dict) or state.get("version") != CHECKPOINT_VERSION:
        version = state.get("version") if isinstance(state, dict) else None
        raise CheckpointError(f"{path} is not a hetero checkpoint (version {version!r}, need {CHECKPOINT_VERSION})")
    return state
