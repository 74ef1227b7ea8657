"""Progress bars for long loops: tqdm on a terminal, silent in logs, CI and tuning workers."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def progress(iterable: Iterable[T], desc: str, total: int | None = None) -> Iterable[T]:
    """Wrap ``iterable`` in a progress bar when stderr is a terminal.

    Args:
        iterable: the loop.
        desc: the bar's label (``"epoch 3"``, ``"meow"``).
        total: number of items when ``iterable`` has no length.

    ``GRAPHCL_PROGRESS=0`` turns bars off, ``=1`` forces them on (e.g. in a notebook).
    """
    setting = os.environ.get("GRAPHCL_PROGRESS", "")
    disable = {"0": True, "1": False}.get(setting)  # None: tqdm disables itself off a terminal
    return tqdm(iterable, desc=desc, total=total, disable=disable, leave=False, dynamic_ncols=True)
