import sys

import numpy as np
import pytest
import torch

from rec import recbole as rc


def test_numpy_aliases_restored_without_overwriting():
    assert np.float_ is np.float64 and np.unicode_ is np.str_ and np.bool8 is np.bool_
    assert np.complex_ is np.complex128
    assert np.int_ is not None and rc.restore_numpy_aliases() == []  # nothing left to add


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
    import recbole.trainer.trainer as trainer_module

    from argparse import Namespace  # stands in for RecBole's pickled Config object

    path = tmp_path / "ckpt.pth"
    torch.save({"config": Namespace(value=3), "state_dict": {}}, path)
    with pytest.raises(Exception):
        torch.load(path)  # torch >= 2.6 default: weights_only=True refuses the object
    assert trainer_module.torch.load(path)["config"].value == 3
    assert trainer_module.torch.nn is torch.nn  # everything else is the real torch
    assert torch.load is not trainer_module.torch.load  # the global torch.load is untouched


def test_quick_start_and_ray_are_not_imported():
    import subprocess

    code = ("import sys, rec.recbole, rec.mclrec, rec.train; "
            "print('recbole.quick_start' in sys.modules, 'ray' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_importing_our_models_imports_no_recbole_and_patches_nothing():
    import subprocess

    code = ("import sys, numpy, torch; before = torch.load; "
            "import rec.train, rec.sracl.model; "
            "print(any(m.startswith('recbole') for m in sys.modules), hasattr(numpy, 'float_'), "
            "torch.load is before, torch.is_anomaly_enabled())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "False"]
