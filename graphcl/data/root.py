"""Where datasets live: ``--data-root`` flag, then ``$GRAPHCL_DATA``, then the user cache."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/graphcl`` when that variable is set, else ``~/.cache/graphcl``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "graphcl"


def resolve_data_root(flag: str | os.PathLike | None = None) -> Path:
    """The data root: ``flag`` if given, else ``$GRAPHCL_DATA`` if set and non-empty, else
    :func:`user_cache_dir`. The folder need not exist yet (``graphcl data fetch`` creates it).

    Args:
        flag: an explicit folder (``--data-root`` or ``RunConfig.data_root``), or ``None``.
    """
    if flag is not None and str(flag) != "":
        return Path(flag).expanduser().resolve()
    env = os.environ.get("GRAPHCL_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return user_cache_dir().resolve()
