"""The study file: what to tune, how, and where the trials are stored.

Example (``configs/studies/meow_acm.yaml``)::

    base_config: hetero/meow_acm
    objective: macro_f1_20
    n_trials: 50
    seeds: [0]
    search_space:
      params.train.lr: {type: float, low: 1.0e-4, high: 1.0e-2, log: true}
      params.model.tau: {type: float, low: 0.1, high: 1.0}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from graphcl.config import ConfigError, apply_overrides, from_dict
from graphcl.tuning.param_spec import ParamSpec
from graphcl.tuning.pruner_spec import PrunerSpec
from graphcl.tuning.sampler_spec import SamplerSpec
from graphcl.tuning.yaml_io import read_study_yaml


@dataclass
class StudyConfig:
    """A hyperparameter study over one model on one dataset.

    Args:
        base_config: run config the trials start from: a shipped name (``hetero/meow_acm``)
            or a YAML path (relative paths are resolved against the study file's folder).
        search_space: ``{dotted.config.path: ParamSpec}``; paths start with ``params.``.
        study_name: name of the study in the storage (default: the study file's name).
        direction: ``maximize`` (default) or ``minimize`` the objective.
        objective: key of the validation metrics returned by the model (``macro_f1_20``,
            ``ndcg@20``); test metrics are never tuned on, so ``test...`` keys are rejected.
        seeds: training seeds of every trial; the trial's value is the mean over them.
            Pruning decisions use the per-epoch reports of the first seed.
        n_trials: finished (complete + pruned) trials the study should reach in total, over
            all workers and restarts.
        timeout: seconds after which this invocation's workers stop starting trials (null: none).
        storage: Optuna storage URL: ``sqlite:///file.db``, ``journal:///path/file.log``,
            ``postgresql://user:pass@host/db``; null: ``sqlite:///<out-dir>/<study_name>/study.db``.
        sampler: see :class:`SamplerSpec` (seeded TPE by default).
        pruner: see :class:`PrunerSpec` (median by default).
        overrides: nested run-config values set in every trial and in the best config, e.g.
            ``{params: {epochs: 100}}`` to tune on a shorter schedule.
        final_seeds: seeds the best configuration is re-run with for the summary's test
            metrics (mean ± std); ``[]`` skips the re-runs.
        compare_default: also re-run the untuned base config with ``final_seeds`` so the summary
            shows tuned vs default.
        enqueue_default: make the base config's own values the study's first trial, so the
            best trial is never worse on validation than the default (the TPE startup trials are
            random). Every searched value of the base config must then lie in the search space.
        heartbeat_interval: seconds between heartbeats of running trials in SQL storages; a
            trial silent for twice as long is marked failed (workers on other machines died).
        max_failed_trials: stop after this many failed trials (invalid parameter combinations,
            out-of-memory); null: ``n_trials``.
    """

    base_config: str
    search_space: dict[str, ParamSpec]
    study_name: str | None = None
    direction: Literal["maximize", "minimize"] = "maximize"
    objective: str = "macro_f1_20"
    seeds: list[int] = field(default_factory=lambda: [0])
    n_trials: int = 50
    timeout: float | None = None
    storage: str | None = None
    sampler: SamplerSpec = field(default_factory=SamplerSpec)
    pruner: PrunerSpec = field(default_factory=PrunerSpec)
    overrides: dict[str, Any] = field(default_factory=dict)
    final_seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    compare_default: bool = True
    enqueue_default: bool = True
    heartbeat_interval: int = 60
    max_failed_trials: int | None = None

    def __post_init__(self) -> None:
        if not self.search_space:
            raise ValueError("search_space is empty; add at least one parameter, e.g. params.train.lr")
        key = self.objective.strip().lower()
        if key.startswith("test"):
            raise ValueError(
                f"objective {self.objective!r} is a test metric; tune on validation metrics "
                "(e.g. macro_f1_20 or ndcg@20) and read test numbers from the summary"
            )
        if key.startswith("val.") or key.startswith("val/"):
            self.objective = self.objective[4:]
        if not self.seeds:
            raise ValueError("seeds is empty; give at least one training seed, e.g. seeds: [0]")
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds {self.seeds} contain duplicates")
        if self.n_trials < 1:
            raise ValueError(f"n_trials must be >= 1, got {self.n_trials}")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds or null, got {self.timeout}")
        if self.heartbeat_interval < 1:
            raise ValueError(f"heartbeat_interval must be >= 1 second, got {self.heartbeat_interval}")
        if self.max_failed_trials is not None and self.max_failed_trials < 0:
            raise ValueError(f"max_failed_trials must be >= 0 or null, got {self.max_failed_trials}")
        if self.direction == "minimize" and self.pruner.type != "none":
            raise ValueError(
                "direction: minimize cannot use a pruner: models report higher-is-better "
                "validation values per epoch; set pruner: {type: none} or maximize"
            )
        if self.study_name is not None and not self.study_name.strip():
            raise ValueError("study_name is empty")

    @property
    def failure_limit(self) -> int:
        return self.n_trials if self.max_failed_trials is None else self.max_failed_trials


def load_study_config(source: str | Path | dict, overrides: list[str] | None = None) -> tuple[StudyConfig, Path | None]:
    """Read and check a study file; return it with the folder relative paths resolve against.

    Args:
        source: a study YAML path, or an already-parsed mapping.
        overrides: ``key=value`` strings applied before checking (``n_trials=20``,
            ``sampler.seed=3``, ``overrides.params.train.epochs=5``).
    """
    if isinstance(source, dict):
        data, folder, stem = dict(source), None, None
    else:
        path = Path(source)
        data, folder, stem = read_study_yaml(path), path.resolve().parent, path.stem
    data = apply_overrides(data, _search_space_overrides(data, overrides or []))
    space = data.get("search_space")
    if space is not None and not isinstance(space, dict):
        raise ConfigError(f"search_space must map dotted config paths to specs, got {space!r}")
    study = from_dict(StudyConfig, data, "study")
    if study.study_name is None:
        if stem is None:
            raise ConfigError("study: study_name is required when the study is not read from a file")
        study.study_name = stem
    return study, folder


def _search_space_overrides(data: dict, overrides: list[str]) -> list[str]:
    """Apply ``search_space.params.train.lr.high=0.1`` overrides in place (search-space keys contain
    dots, so the generic override would split them); return the other overrides.

    Args:
        data: the study mapping (its ``search_space`` is changed in place).
        overrides: ``key=value`` strings.
    """
    from graphcl.config import parse_override

    rest, space = [], data.get("search_space")
    if isinstance(space, dict):
        data["search_space"] = space = dict(space)  # never change the caller's mapping
    for text in overrides:
        key = text.split("=", 1)[0].strip()
        if not key.startswith("search_space.") or not isinstance(space, dict):
            rest.append(text)
            continue
        inner = key[len("search_space.") :]
        match = max((k for k in space if inner.startswith(k + ".")), key=len, default=None)
        if match is None:
            raise ConfigError(
                f"override {text!r}: no search_space entry is a prefix of {inner!r}; entries: {sorted(space)}"
            )
        _, value = parse_override(text)
        field_name = inner[len(match) + 1 :]
        if not isinstance(space[match], dict):
            raise ConfigError(f"override {text!r}: search_space entry {match!r} is not a mapping")
        space[match] = {**space[match], field_name: value}
    return rest
