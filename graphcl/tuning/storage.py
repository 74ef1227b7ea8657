"""Open Optuna storages from URLs: SQLite, journal files, PostgreSQL/MySQL."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

from graphcl.config import ConfigError

JOURNAL_PREFIX = "journal://"
_RDB_PREFIXES = ("sqlite:///", "postgresql", "mysql")


def default_storage_url(study_dir: Path) -> str:
    """SQLite file inside the study's output folder (resumable, one machine).

    Args:
        study_dir: ``<out-dir>/<study_name>``.
    """
    return f"sqlite:///{(study_dir / 'study.db').resolve()}"


def check_storage_url(url: str) -> None:
    """Reject URLs Optuna cannot use here, before anything runs.

    Args:
        url: the storage URL.
    """
    if url.startswith(JOURNAL_PREFIX):
        if not url[len(JOURNAL_PREFIX) :]:
            raise ConfigError(f"storage {url!r} has no file path; use journal:///abs/path/study.log")
        return
    if not url.startswith(_RDB_PREFIXES):
        raise ConfigError(
            f"storage {url!r} is not supported; use sqlite:///file.db (one machine), "
            "journal:///path/file.log (several local workers) or postgresql://user:pass@host/db (several machines)"
        )
    if url.startswith("sqlite:///") and url.rstrip("/") == "sqlite:":
        raise ConfigError(f"storage {url!r} has no file name; use sqlite:///path/study.db")


def journal_path(url: str) -> Path:
    """File behind ``journal:///abs/path.log`` (or ``journal://relative/path.log``).

    Args:
        url: a journal storage URL.
    """
    return Path(url[len(JOURNAL_PREFIX) :])


def with_postgres_driver(url: str) -> str:
    """``postgresql://`` with the installed driver: SQLAlchemy 2.1 picks psycopg 3 by default,
    graphcl's ``postgres`` extra installs psycopg2.

    Args:
        url: a storage URL; other schemes and explicit drivers are returned unchanged.
    """
    if not url.startswith("postgresql://"):
        return url
    import importlib.util

    if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is not None:
        return "postgresql+psycopg2://" + url[len("postgresql://") :]
    return url


def open_storage(url: str, heartbeat_interval: int | None = None) -> Any:
    """An Optuna storage object for ``url``.

    SQL storages get a heartbeat (trials of dead workers on other machines are failed after
    ``2 * heartbeat_interval`` seconds) and, for SQLite, a long lock timeout so that several
    local workers wait for each other instead of failing with "database is locked".

    Args:
        url: storage URL (see :func:`check_storage_url`).
        heartbeat_interval: seconds between heartbeats for SQL storages; None: no heartbeat.
    """
    import optuna

    if url.startswith(JOURNAL_PREFIX):
        path = journal_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(path)))
    engine_kwargs: dict[str, Any] = {}
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        engine_kwargs["connect_args"] = {"timeout": 120}
    else:
        engine_kwargs["pool_pre_ping"] = True  # servers drop idle connections during long trials
    heartbeat = {}
    if heartbeat_interval:
        heartbeat = {"heartbeat_interval": heartbeat_interval, "grace_period": 2 * heartbeat_interval}
    for attempt in range(3):
        try:
            with warnings.catch_warnings():  # heartbeat_interval is marked experimental in Optuna
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(with_postgres_driver(url), engine_kwargs=engine_kwargs, **heartbeat)
        except Exception as exc:  # sqlalchemy raises many kinds; all mean "cannot use this URL"
            error = exc
            # Workers that open a fresh database together race to create Optuna's tables
            # ("duplicate key ... pg_type"); the loser succeeds once the tables exist.
            time.sleep(0.5 + attempt)
    raise ConfigError(f"cannot open storage {url!r}: {error}") from error
