"""Exceptions of the data layer; every message names the file or dataset and the fix."""
from __future__ import annotations


class DataError(ValueError):
    """Base class: a dataset is unknown, missing, corrupt or does not match the registry."""


class UnknownDatasetError(DataError, KeyError):
    """A dataset name is not in ``datasets/registry.yaml``."""

    def __str__(self) -> str:  # KeyError would print the message quoted
        return str(self.args[0]) if self.args else ""


class MissingDataError(DataError, FileNotFoundError):
    """A file of a dataset is absent and could not (or may not) be downloaded."""

    def __str__(self) -> str:  # FileNotFoundError would print "[Errno ...]" for 1-arg messages
        return str(self.args[0]) if self.args else ""


class ChecksumError(DataError):
    """A file's size or sha256 differs from the registry."""


class CorruptDataError(DataError):
    """A file has the right name but unreadable or inconsistent content."""
