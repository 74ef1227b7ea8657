"""Several `graphcl tune` invocations (as on several machines) on one PostgreSQL study.

Needs a server: set GRAPHCL_TEST_PG_URL=postgresql://user:pass@127.0.0.1:5432/db
(docs/tuning.md has the commands); run with ``pytest -m postgres tests/tuning``.
"""

from __future__ import annotations

import os
import subprocess
import uuid

import optuna
import pytest
from optuna.trial import TrialState

from graphcl.tuning.liveness import PID_ATTR
from graphcl.tuning.storage import with_postgres_driver
from tests.tuning.conftest import write_study
from tests.tuning.test_workers import CLI, cli_env

PG_URL = os.environ.get("GRAPHCL_TEST_PG_URL")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="GRAPHCL_TEST_PG_URL is not set (see docs/tuning.md)"),
]


def test_two_invocations_with_two_workers_each_share_one_study(tmp_path):
    name = f"toy_pg_{uuid.uuid4().hex[:8]}"
    path = write_study(
        tmp_path, name=name, n_trials=10, final_seeds=[], pruner={"type": "none"}, params={"epochs": 2, "sleep": 0.3}
    )
    procs = [
        subprocess.Popen(
            CLI
            + [
                str(path),
                "--storage",
                PG_URL,
                "--workers",
                "2",
                "--out-dir",
                str(tmp_path / f"m{i}"),
                "--set",
                f"sampler.seed={100 * i}",
            ],
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(2)
    ]
    try:
        outputs = [p.communicate(timeout=300)[0] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], "\n".join(o[-2000:] for o in outputs)
        trials = optuna.load_study(study_name=name, storage=with_postgres_driver(PG_URL)).trials
        assert sum(t.state == TrialState.COMPLETE for t in trials) == 10
        assert all(
            t.state == TrialState.COMPLETE or t.user_attrs.get("fail_reason", "").startswith("surplus") for t in trials
        )
        assert len({t.user_attrs[PID_ATTR] for t in trials}) >= 3  # most of the 4 worker processes took trials
        assert len({tuple(sorted(t.params.items())) for t in trials}) == len(trials)  # no duplicated proposals
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        try:
            optuna.delete_study(study_name=name, storage=with_postgres_driver(PG_URL))
        except KeyError:
            pass
