import pytest
import torch

from graphcl.utils import run_files
from graphcl.utils.run_files import save_atomic


def test_save_atomic_writes_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "cache.pt"
    save_atomic({"x": torch.arange(3)}, path)
    save_atomic({"x": torch.arange(4)}, path)  # replaces
    assert torch.equal(torch.load(path)["x"], torch.arange(4))
    assert [p.name for p in tmp_path.iterdir()] == ["cache.pt"]


def test_parallel_writers_of_one_file_get_their_own_temporary(tmp_path, monkeypatch):
    # two tuning workers filling one cache entry: a shared temporary name would let one writer
    # truncate or rename the other's half-written file
    seen = []
    real_mkstemp = run_files.tempfile.mkstemp

    def recording_mkstemp(**kwargs):
        fd, name = real_mkstemp(**kwargs)
        seen.append(name)
        return fd, name

    monkeypatch.setattr(run_files.tempfile, "mkstemp", recording_mkstemp)
    save_atomic({"x": 1}, tmp_path / "cache.pt")
    save_atomic({"x": 2}, tmp_path / "cache.pt")
    assert len(set(seen)) == 2 and str(tmp_path / "cache.pt") not in seen
    assert all(name.startswith(str(tmp_path)) for name in seen)  # same folder: the rename is atomic


def test_a_failed_write_keeps_the_previous_file_and_removes_its_temporary(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    save_atomic({"epoch": 1}, path)

    def failing_save(obj, handle):
        handle.write(b"half a file")
        raise KeyboardInterrupt  # Ctrl-C mid-write

    monkeypatch.setattr(run_files.torch, "save", failing_save)
    with pytest.raises(KeyboardInterrupt):
        save_atomic({"epoch": 2}, path)
    monkeypatch.undo()
    assert torch.load(path)["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]
