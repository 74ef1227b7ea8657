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


class DeferredInterrupt:
    """A SIGINT/SIGTERM handler that raises ``KeyboardInterrupt`` only where that is safe.

    Inside an ``allow()`` block (training) a signal raises at once; elsewhere (a tuning worker's
    Optuna bookkeeping, where an exception in the middle of a storage write can leave it
    half-done) it only sets :attr:`requested`, and the request raises on
    entering the next ``allow()`` block or on leaving an ``allow(False)`` block nested in one.
    """

    def __init__(self) -> None:
        self.requested = False
        self.armed = False

    def __call__(self, signum, frame) -> None:
        self.requested = True
        if self.armed:
            raise KeyboardInterrupt(f"signal {signum}")

    @contextlib.contextmanager
    def allow(self, armed: bool = True) -> Iterator[None]:
        """Signals raise within the block (``armed``) or wait until it ends (``armed=False``)."""
        if armed and self.requested:
            raise KeyboardInterrupt("a stop was requested")
        before, self.armed = self.armed, armed
        try:
            yield
        finally:
            self.armed = before
        if before and self.requested:
            raise KeyboardInterrupt("a stop was requested")
