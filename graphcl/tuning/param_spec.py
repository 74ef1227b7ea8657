"""One entry of a study's ``search_space``: how to sample one config value."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

_SCALARS = (type(None), bool, int, float, str)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class ParamSpec:
    """Distribution of one hyperparameter, keyed in the study by its dotted config path.

    Args:
        type: ``"float"`` (``trial.suggest_float``), ``"int"`` (``suggest_int``) or
            ``"categorical"`` (``suggest_categorical``).
        low: smallest value (float/int only), inclusive.
        high: largest value (float/int only), inclusive; must be greater than ``low``.
        log: sample on a log scale (needs ``low > 0``; not together with ``step``).
        step: grid spacing from ``low`` (float/int only); integers for ``int``.
        choices: the values of a ``categorical`` parameter: numbers, strings, booleans, null, or
            lists of those for list-valued fields (``num_clusters: [[100, 300], [200, 600]]``;
            Optuna stores such a choice as its JSON text, e.g. ``"[100, 300]"``).
        condition: ``{other.path: value}``: sample this parameter only in trials where each
            other search-space parameter took that value (a list means "any of these");
            otherwise the base config's value is kept.
    """

    type: Literal["float", "int", "categorical"]
    low: int | float | None = None
    high: int | float | None = None
    log: bool = False
    step: int | float | None = None
    choices: list[Any] | None = None
    condition: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.type == "categorical":
            self._check_categorical()
        else:
            self._check_range()

    def _check_categorical(self) -> None:
        if not self.choices:
            raise ValueError("categorical parameter needs a non-empty `choices` list, e.g. choices: [64, 128]")
        extra = [k for k in ("low", "high", "step") if getattr(self, k) is not None] + (["log"] if self.log else [])
        if extra:
            raise ValueError(f"categorical parameter takes `choices` only; remove {extra}")
        bad = [
            c
            for c in self.choices
            if not isinstance(c, _SCALARS) and not (isinstance(c, list) and all(isinstance(v, _SCALARS) for v in c))
        ]
        if bad:
            raise ValueError(f"choices must be numbers, strings, booleans, null or flat lists of them; got {bad}")
        if len({repr(c) for c in self.choices}) != len(self.choices):
            raise ValueError(f"choices {self.choices} contain duplicates")

    def _check_range(self) -> None:
        if self.choices is not None:
            raise ValueError(f"`choices` is for type: categorical; a {self.type} parameter takes low/high")
        if self.low is None or self.high is None:
            raise ValueError(f"{self.type} parameter needs both `low` and `high`")
        if not _is_number(self.low) or not _is_number(self.high):
            raise ValueError(f"low/high must be numbers, got low={self.low!r} high={self.high!r}")
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"low/high must be finite, got low={self.low} high={self.high}")
        if self.low >= self.high:
            raise ValueError(f"empty or inverted range: low={self.low} must be smaller than high={self.high}")
        if self.log and self.low <= 0:
            raise ValueError(f"log: true needs low > 0 (got low={self.low}); use a positive low or log: false")
        if self.log and self.step is not None:
            raise ValueError("log: true cannot be combined with step (Optuna does not support it); drop one")
        if self.step is not None and (not _is_number(self.step) or self.step <= 0):
            raise ValueError(f"step must be a positive number, got {self.step!r}")
        if self.step is not None and self.step > self.high - self.low:
            raise ValueError(f"step={self.step} is larger than the range {self.low}..{self.high}")
        if self.type == "int":
            bad = [
                k
                for k in ("low", "high", "step")
                if getattr(self, k) is not None and not float(getattr(self, k)).is_integer()
            ]
            if bad:
                raise ValueError(f"int parameter needs whole numbers for {bad}; use type: float for fractions")
            self.low, self.high = int(self.low), int(self.high)
            self.step = int(self.step) if self.step is not None else None

    def values_to_check(self) -> list[Any]:
        """Values that must be valid for the model: both ends of a range, or every choice."""
        return list(self.choices) if self.type == "categorical" else [self.low, self.high]

    @property
    def composite(self) -> bool:
        """True when some choice is a list (sampled through its JSON label)."""
        return self.type == "categorical" and any(isinstance(c, list) for c in self.choices)

    def labels(self) -> list[Any]:
        """What Optuna stores for each choice: the choice itself, or its JSON text for lists."""
        return [json.dumps(c) for c in self.choices] if self.composite else list(self.choices)

    def decode(self, stored: Any) -> Any:
        """The config value for what Optuna stored (``trial.params[name]``).

        Args:
            stored: the value from Optuna.
        """
        if not self.composite:
            return stored
        return self.choices[self.labels().index(stored)]

    def stored_value(self, value: Any) -> Any | None:
        """What Optuna would store for the config value ``value`` (its choice label, or the
        number), or ``None`` when ``value`` lies outside this distribution.

        Args:
            value: a config value (e.g. the base config's own).
        """
        if self.type == "categorical":
            return self.labels()[self.choices.index(value)] if value in self.choices else None
        if not _is_number(value) or not self.low <= value <= self.high:
            return None
        if self.type == "int" and not float(value).is_integer():
            return None
        if self.step is not None:
            steps = (value - self.low) / self.step
            if not math.isclose(steps, round(steps), abs_tol=1e-9):
                return None
        return int(value) if self.type == "int" else float(value)

    def distribution(self):
        """The Optuna distribution :meth:`suggest` asks for (also compared with a stored study)."""
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

        if self.type == "categorical":
            return CategoricalDistribution(self.labels())
        if self.type == "int":
            return IntDistribution(self.low, self.high, log=self.log, step=self.step or 1)
        return FloatDistribution(float(self.low), float(self.high), log=self.log, step=self.step)

    def suggest(self, trial: Any, name: str) -> Any:
        """Ask ``trial`` (an ``optuna.Trial``) for a value of this parameter called ``name``.

        Args:
            trial: the Optuna trial.
            name: the parameter's dotted path (the name shown in Optuna's plots).
        """
        dist = self.distribution()  # one description, also compared against stored studies
        if self.type == "categorical":
            return self.decode(trial.suggest_categorical(name, list(dist.choices)))
        if self.type == "int":
            return trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
        return trial.suggest_float(name, dist.low, dist.high, step=dist.step, log=dist.log)
