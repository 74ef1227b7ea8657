"""SIGTERM (``kill``, a scheduler's stop) handled like Ctrl-C, so runs and studies save what they have."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


def raise_keyboard_interrupt(signum, frame) -> None:
    """Signal handler: turn the signal into a ``KeyboardInterrupt`` at the current line."""
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def sigterm_as_keyboard_interrupt() -> Iterator[None]:
    """Within the block SIGTERM raises ``KeyboardInterrupt``; the previous handler is restored after."""
    before = signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
