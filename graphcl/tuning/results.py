"""After a study: the best config as a runnable YAML, re-runs with several seeds, a summary."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml

from graphcl.config import to_dict
from graphcl.tuning.objective import free_memory
from graphcl.tuning.run_configs import build_run_config
from graphcl.tuning.sampling import decode_params
from graphcl.tuning.study_config import StudyConfig


def write_best_config(base: dict, params: dict[str, Any], path: Path) -> Path:
    """Write the base config with ``params`` applied; ``graphcl train <path>`` runs it.

    Args:
        base: base run-config mapping (study overrides included).
        params: best trial's values keyed by dotted path.
        path: YAML file to write.
    """
    run = build_run_config(base, params)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(to_dict(run), sort_keys=False))
    return path


def mean_std(values: list[float]) -> dict[str, Any]:
    """Mean, sample standard deviation (n-1; 0 for one value) and the values.

    Args:
        values: one number per seed.
    """
    n = len(values)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"mean": mean, "std": std, "values": list(values)}


def rerun(
    base: dict, params: dict[str, Any], seeds: list[int], folder: Path, data_root: str | None
) -> dict[str, dict[str, dict[str, Any]]]:
    """Train ``base`` + ``params`` once per seed; return ``{"val"|"test": {metric: mean_std}}``.

    Args:
        base: base run-config mapping.
        params: values keyed by dotted path (``{}`` for the untuned default).
        seeds: training seeds.
        folder: parent of the run folders (``seed-3``).
        data_root: dataset folder (None: default resolution).
    """
    from graphcl.runner import run_training

    collected: dict[str, dict[str, list[float]]] = {"val": {}, "test": {}}
    for seed in seeds:
        run = build_run_config(base, params, seed=seed, out_dir=str(folder), data_root=data_root)
        _, metrics = run_training(run, None, folder / f"seed-{seed}")
        free_memory()
        for split in collected:
            for key, value in (metrics.get(split) or {}).items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    collected[split].setdefault(key, []).append(float(value))
    return {split: {k: mean_std(v) for k, v in d.items()} for split, d in collected.items()}


def trial_counts(study: Any) -> dict[str, int]:
    """How many trials the study holds per state.

    Args:
        study: the ``optuna.Study``.
    """
    counts: dict[str, int] = {}
    for trial in study.get_trials(deepcopy=False):
        counts[trial.state.name.lower()] = counts.get(trial.state.name.lower(), 0) + 1
    return counts


def summarize(
    config: StudyConfig,
    study: Any,
    base: dict,
    study_dir: Path,
    storage_url: str,
    data_root: str | None,
    plots: dict | None = None,
    rerun_final: bool = True,
) -> dict:
    """Write ``best.yaml`` and ``summary.json`` in ``study_dir``; return the summary.

    Args:
        config: the study config.
        study: the finished ``optuna.Study``.
        base: base run-config mapping (study overrides included).
        study_dir: the study's output folder.
        storage_url: where the study lives (recorded in the summary).
        data_root: dataset folder for the re-runs.
        plots: what :func:`graphcl.tuning.plots.write_plots` wrote (recorded as is).
        rerun_final: re-run the best (and default) config with ``final_seeds``; ``False`` after
            an interrupt (the summary then records ``"final_skipped": true``).
    """
    best = study.best_trial
    params = decode_params(config.search_space, best.params)
    write_best_config(base, params, study_dir / "best.yaml")
    summary: dict[str, Any] = {
        "study_name": config.study_name,
        "storage": storage_url,
        "base_config": config.base_config,
        "objective": config.objective,
        "direction": config.direction,
        "trials": trial_counts(study),
        "best": {
            "trial": best.number,
            "value": best.value,
            "params": params,
            "seed_values": best.user_attrs.get("seed_values"),
            "run_dirs": best.user_attrs.get("run_dirs"),
        },
        "best_config": str(study_dir / "best.yaml"),
        "final_seeds": list(config.final_seeds),
        "plots": plots or {},
        "final": {},
    }
    if not rerun_final:
        summary["final_skipped"] = True
    elif config.final_seeds:
        summary["final"]["tuned"] = rerun(base, params, config.final_seeds, study_dir / "final" / "tuned", data_root)
        if config.compare_default:
            summary["final"]["default"] = rerun(
                base, {}, config.final_seeds, study_dir / "final" / "default", data_root
            )
    (study_dir / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    return summary


def format_summary(summary: dict) -> str:
    """Plain-text table of a summary: best trial, its params, then default vs tuned metrics.

    Args:
        summary: the dict returned by :func:`summarize`.
    """
    counts = ", ".join(f"{n} {state}" for state, n in sorted(summary["trials"].items()))
    best = summary["best"]
    lines = [
        f"study {summary['study_name']} ({counts})",
        f"best trial #{best['trial']}: val {summary['objective']} = {best['value']:.4f}",
        "best params: " + ", ".join(f"{k}={_short(v)}" for k, v in sorted(best["params"].items())),
        f"best config: {summary['best_config']}",
    ]
    final = summary["final"]
    if not final:
        lines.append("no re-runs (final_seeds: [])")
        return "\n".join(lines)
    columns = [name for name in ("default", "tuned") if name in final]
    seeds = len(summary["final_seeds"])
    header = f"{'metric':<22}" + "".join(f"{f'{c} ({seeds} seeds)':>22}" for c in columns)
    lines += ["", header, "-" * len(header)]
    for split in ("val", "test"):
        for key in sorted(final["tuned"][split]):
            cells = []
            for c in columns:
                stat = final[c][split].get(key)
                cells.append(f"{stat['mean']:.4f} ± {stat['std']:.4f}" if stat else "-")
            lines.append(f"{split + ' ' + key:<22}" + "".join(f"{cell:>22}" for cell in cells))
    return "\n".join(lines)


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
