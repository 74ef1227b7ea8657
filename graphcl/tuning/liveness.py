"""Find trials left RUNNING by a worker process that died (killed, out of memory).

Each trial records the host and process id of its worker. A restarted worker on the same host
marks RUNNING trials whose process is gone as FAIL at once, so a resumed study runs the right
number of trials. (Workers on other machines are covered by the SQL storages' heartbeat.)
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

HOST_ATTR, PID_ATTR = "worker_host", "worker_pid"


def process_alive(pid: int) -> bool:
    """True when process ``pid`` exists and is not a zombie.

    Args:
        pid: process id on this host.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.is_file():
        try:
            # field 3 is the state; a killed child not yet reaped by its parent shows "Z"
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return True
    return True


def mark_worker(trial) -> None:
    """Record this process as the owner of ``trial`` (an ``optuna.Trial``).

    Args:
        trial: the running trial.
    """
    trial.set_user_attr(HOST_ATTR, socket.gethostname())
    trial.set_user_attr(PID_ATTR, os.getpid())


def fail_orphaned_trials(study) -> list[int]:
    """Mark RUNNING trials of dead local worker processes as FAIL; return their numbers.

    Args:
        study: the ``optuna.Study``.
    """
    import optuna
    from optuna.trial import TrialState

    host, failed = socket.gethostname(), []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        pid = trial.user_attrs.get(PID_ATTR)
        if trial.user_attrs.get(HOST_ATTR) != host or pid is None or pid == os.getpid() or process_alive(pid):
            continue
        storage = study._storage  # Optuna has no public API to fail another process's trial
        try:
            storage.set_trial_user_attr(trial._trial_id, "fail_reason", f"worker process {pid} died")
            if storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):
                failed.append(trial.number)
        except (optuna.exceptions.UpdateFinishedTrialError, RuntimeError):
            pass  # another worker got there first
    return failed
