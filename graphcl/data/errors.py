"""Exceptions of the data layer; every message names the file or dataset and the fix."""

from __future__ import annotations

from graphcl.utils.errors import UserError


class DataError(UserError, ValueError):
    """Base class: a dataset is unknown, missing, corrupt or does not match the registry."""


class UnknownDatasetError(DataError, KeyError):
    """A dataset name is not in ``datasets/registry.yaml``."""


class MissingDataError(DataError, FileNotFoundError):
    """A file of a dataset is absent and could not (or may not) be downloaded."""


class ChecksumError(DataError):
    """A file's size or sha256 differs from the registry."""


class CorruptDataError(DataError):
    """A file has the right name but unreadable or inconsistent content."""
