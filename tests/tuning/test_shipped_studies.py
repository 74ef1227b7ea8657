"""Every shipped study file passes the checks `graphcl tune` runs before any trial."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphcl.tuning import commands
from graphcl.utils.resources import configs_dir
from tests.tuning.conftest import tune_args

STUDIES = sorted((configs_dir() / "studies").glob("*.yaml"))
EXPECTED = (
    {f"{m}_{d}" for m in ("meow", "adameow") for d in ("acm", "dblp", "aminer")}
    | {f"{m}_{d}" for m in ("cl4srec", "mclrec", "sracl") for d in ("beauty", "sports")}
    | {"sasrec_ml-100k", "sracl_ml-100k"}
)


def test_every_model_and_dataset_has_a_study():
    assert EXPECTED <= {p.stem for p in STUDIES}


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_shipped_study_is_valid_against_the_real_model(path: Path, tmp_path):
    study, job, study_dir, _ = commands.prepare(tune_args(path.stem, tmp_path))
    assert study.study_name == path.stem
    assert not study.objective.startswith("test")
    assert job.order and set(job.order) == set(study.search_space)
    assert job.storage_url.startswith("sqlite:///") and str(tmp_path) in job.storage_url
    model = job.base["model"]
    assert path.stem.startswith(model + "_")
    # pruning needs intermediate reports: hetero models only report when eval_every > 0
    if job.base["task"] == "hetero":
        assert job.base["params"]["eval"]["eval_every"] > 0
    assert not study_dir.exists()  # checking creates nothing
