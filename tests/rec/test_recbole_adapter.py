import sys

import numpy as np
import pytest
import torch

from rec import recbole as rc


def test_numpy_aliases_exist_only_while_recbole_needs_them():
    int_before = np.int_
    with rc.numpy_aliases() as added:
        assert np.float_ is np.float64 and np.unicode_ is np.str_ and np.bool8 is np.bool_
        assert np.complex_ is np.complex128 and "int_" not in added  # a real attribute is never replaced
    assert not any(hasattr(np, alias) for alias in added) and np.int_ is int_before
    rc.make_config("SASRec", "ml-100k", {"epochs": 1})
    assert not any(hasattr(np, alias) for alias in added)


def test_importing_the_rec_models_leaves_numpy_as_it_was():
    import subprocess

    code = (
        "import numpy as np; before = set(dir(np)); import rec.recbole, rec.train, rec.sasrec; "
        "print(sorted(set(dir(np)) - before))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_config_ignores_command_line_flags(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["pytest", "--epochs=77", "--learning_rate=0.5"])
    config = rc.make_config("SASRec", "ml-100k", {"epochs": 3})
    assert config["epochs"] == 3 and config["learning_rate"] != 0.5
    assert sys.argv == ["pytest", "--epochs=77", "--learning_rate=0.5"]


def test_importing_recbole_models_leaves_anomaly_detection_off():
    torch.autograd.set_detect_anomaly(False)
    rc.get_model("SINE")  # sine.py switches anomaly detection on at import
    assert not torch.is_anomaly_enabled()


def test_recbole_trainer_loads_its_own_checkpoints(tmp_path):
    from argparse import Namespace  # stands in for RecBole's pickled Config object

    import recbole.trainer.trainer as trainer_module

    path = tmp_path / "ckpt.pth"
    torch.save({"config": Namespace(value=3), "state_dict": {}}, path)
    with pytest.raises(Exception, match="Weights only load failed"):
        torch.load(path)  # torch >= 2.6 default: weights_only=True refuses the object
    assert trainer_module.torch.load(path)["config"].value == 3
    assert trainer_module.torch.nn is torch.nn  # everything else is the real torch
    assert torch.load is not trainer_module.torch.load  # the global torch.load is untouched


def test_quick_start_and_ray_are_not_imported():
    import subprocess

    code = (
        "import sys, rec.recbole, rec.mclrec, rec.train; "
        "print('recbole.quick_start' in sys.modules, 'ray' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_importing_our_models_imports_no_recbole_and_patches_nothing():
    import subprocess

    code = (
        "import sys, numpy, torch; before = torch.load; "
        "import rec.train, rec.sracl.model; "
        "print(any(m.startswith('recbole') for m in sys.modules), hasattr(numpy, 'float_'), "
        "torch.load is before, torch.is_anomaly_enabled())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "False"]
