import numpy as np
import pytest
import torch

from rec.sracl.embedding_file import load_embedding_file


def test_ordered_matrix_with_and_without_padding_row(tmp_path):
    m = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.save(tmp_path / "a.npy", m)
    out = load_embedding_file(tmp_path / "a.npy", 3)
    assert out.shape == (4, 4) and torch.equal(out[0], torch.zeros(4))
    assert torch.equal(out[1:], torch.from_numpy(m))
    padded = np.vstack([np.full((1, 4), 9.0, np.float32), m])
    torch.save(torch.from_numpy(padded), tmp_path / "b.pt")
    assert torch.equal(load_embedding_file(tmp_path / "b.pt", 3), out)


def test_id_column_layouts(tmp_path):
    vec = np.eye(3, dtype=np.float32)
    np.savez(tmp_path / "e.npz", ids=np.array([3, 1, 2]), embeddings=vec)
    out = load_embedding_file(tmp_path / "e.npz", 3)
    assert torch.equal(out[3], torch.tensor([1.0, 0, 0]))
    torch.save({1: torch.ones(2), 2: torch.zeros(2)}, tmp_path / "d.pt")
    assert torch.equal(load_embedding_file(tmp_path / "d.pt", 2)[1], torch.ones(2))


def test_errors_name_the_problem(tmp_path):
    np.save(tmp_path / "short.npy", np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="has 2 rows but there are 5 items"):
        load_embedding_file(tmp_path / "short.npy", 5)
    np.savez(tmp_path / "gap.npz", ids=np.array([1, 2]), embeddings=np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="1 items have no embedding"):
        load_embedding_file(tmp_path / "gap.npz", 3)
    np.savez(tmp_path / "dup.npz", ids=np.array([1, 1]), embeddings=np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="duplicate"):
        load_embedding_file(tmp_path / "dup.npz", 2)
    with pytest.raises(FileNotFoundError):
        load_embedding_file(tmp_path / "none.npy", 2)
    (tmp_path / "x.csv").write_text("1,2")
    with pytest.raises(ValueError, match="unsupported"):
        load_embedding_file(tmp_path / "x.csv", 2)
