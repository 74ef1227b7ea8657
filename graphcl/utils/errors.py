"""The one base class of errors caused by what a user gave (configs, flags, data files).

``graphcl.cli`` catches exactly :class:`UserError`: it prints ``graphcl: error: <message>`` and
exits 2. Anything else is a bug or a crash and keeps its traceback (exit 1). This module imports
nothing, so every layer (``graphcl.data`` included) can raise these.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input: the message names the problem and the fix, on one line."""

    def __str__(self) -> str:  # KeyError/OSError subclasses would quote or prefix the message
        return str(self.args[0]) if self.args else ""


class MissingFileError(UserError, FileNotFoundError):
    """A file the user named (a run folder's ``model.pt``, an embedding file) does not exist."""


class CheckpointError(UserError, ValueError):
    """A checkpoint cannot be resumed (missing, corrupt, or from another config or dataset)."""
