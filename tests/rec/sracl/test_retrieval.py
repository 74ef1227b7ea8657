import pytest
import torch
import torch.nn.functional as F

from rec.sracl.retrieval import faiss_available, topk_neighbours


def brute_force(x, k, valid=None):
    x = F.normalize(x, dim=1)
    sim = x @ x.T
    sim.fill_diagonal_(float("-inf"))
    if valid is not None:
        sim[:, ~valid] = float("-inf")
    return sim.topk(k, dim=1).indices


@pytest.mark.parametrize("backend", ["torch", "faiss"])
def test_matches_brute_force(backend):
    if backend == "faiss" and not faiss_available():
        pytest.skip("faiss not installed")
    g = torch.Generator().manual_seed(0)
    x = torch.randn(57, 8, generator=g)
    got = topk_neighbours(x, 5, backend=backend, batch_size=10)
    assert torch.equal(got, brute_force(x, 5))


def test_never_returns_self_even_with_duplicates():
    x = torch.tensor([[1.0, 0], [1.0, 0], [0, 1.0], [0.9, 0.1]])
    got = topk_neighbours(x, 2, backend="torch")
    assert all(i not in row for i, row in enumerate(got.tolist()))
    assert got[0, 0] == 1 and got[1, 0] == 0


def test_invalid_rows_are_never_neighbours():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(20, 4, generator=g)
    valid = torch.ones(20, dtype=torch.bool)
    valid[[0, 3, 7]] = False
    for backend in ["torch"] + (["faiss"] if faiss_available() else []):
        got = topk_neighbours(x, 4, backend=backend, valid=valid)
        assert not set(got.flatten().tolist()) & {0, 3, 7}
        assert torch.equal(got[valid], brute_force(x, 4, valid)[valid])


def test_errors():
    with pytest.raises(ValueError, match="choose 1 <= k <= 2"):
        topk_neighbours(torch.randn(3, 2), 3)
    with pytest.raises(ValueError, match="2-D"):
        topk_neighbours(torch.randn(3), 1)
    with pytest.raises(ValueError, match="backend"):
        topk_neighbours(torch.randn(3, 2), 1, backend="annoy")
