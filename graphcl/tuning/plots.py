"""Optuna's standard plots of a study, as interactive HTML (plotly) and PNG (matplotlib)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

PLOTS = ("optimization_history", "param_importances", "parallel_coordinate")


def write_plots(study: Any, folder: Path) -> dict[str, Any]:
    """Write ``<name>.html`` and ``<name>.png`` for each plot in :data:`PLOTS`.

    A plot that cannot be drawn (e.g. importances need two complete trials with varied
    parameters) is skipped with its reason instead of failing the study.

    Args:
        study: the ``optuna.Study``.
        folder: output folder (created).

    Returns:
        ``{name: [files]}`` for written plots, ``{name: "skipped: reason"}`` otherwise.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt
    import optuna

    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Any] = {}
    for name in PLOTS:
        try:
            with warnings.catch_warnings():  # the matplotlib backend is marked experimental
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                kwargs = {}
                if name == "param_importances":  # seeded: the same study gives the same plot
                    kwargs["evaluator"] = optuna.importance.FanovaImportanceEvaluator(seed=0)
                fig = getattr(optuna.visualization, f"plot_{name}")(study, **kwargs)
                fig.write_html(folder / f"{name}.html", include_plotlyjs="cdn")
                axes = getattr(optuna.visualization.matplotlib, f"plot_{name}")(study, **kwargs)
            figure = _figure(axes)
            figure.set_size_inches(9, 5.5)
            figure.tight_layout()
            figure.savefig(folder / f"{name}.png", dpi=110)
            plt.close(figure)
            written[name] = [str(folder / f"{name}.html"), str(folder / f"{name}.png")]
        except Exception as exc:  # a plot must not lose a finished study; the reason is recorded
            written[name] = f"skipped: {exc}"
    return written


def _figure(axes: Any) -> Any:
    first = axes.flat[0] if hasattr(axes, "flat") else axes
    return first.figure
