"""Locate the shipped ``configs/`` and ``datasets/`` folders.

In a source checkout (editable install or plain ``PYTHONPATH``) they are the top-level folders
beside ``graphcl/``; in a wheel they are installed as ``graphcl/_configs`` and ``graphcl/_datasets``
(see ``[tool.setuptools.package-dir]`` in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # graphcl/


def _shipped(top_level: str, installed: str) -> Path:
    checkout = _PACKAGE_DIR.parent / top_level
    if checkout.is_dir() and (_PACKAGE_DIR.parent / "pyproject.toml").is_file():
        return checkout
    wheel = _PACKAGE_DIR / installed
    if wheel.is_dir():
        return wheel
    raise FileNotFoundError(
        f"cannot find the shipped {top_level}/ folder (looked in {checkout} and {wheel}); "
        "reinstall graphcl with `pip install .`"
    )


def configs_dir() -> Path:
    return _shipped("configs", "_configs")


def datasets_dir() -> Path:
    return _shipped("datasets", "_datasets")
