"""benchmarks/meow_embedding_nmi.py: the embeddings it compares are the ones it names."""

import torch
import torch.nn.functional as F

from graphcl.hetero.params import MEOWModel, MEOWParams
from graphcl.hetero.train import build
from tests.benchmark_scripts import load_benchmark
from tests.hetero.synthetic import make_planted_hetero


def test_embeddings_match_model_views():
    mod = load_benchmark("meow_embedding_nmi")
    data = make_planted_hetero(num_papers=40)
    model, inputs = build(
        "meow", data, MEOWParams(model=MEOWModel(nei_max=[10, 10], num_clusters=[3, 5], dropout=0.5)), seed=0
    )
    out = mod.embeddings(model, inputs)
    assert model.training  # left in train mode
    torch.testing.assert_close(out["z_eval"], model.embed(inputs))  # what training saves and evaluates
    assert not torch.allclose(out["z_train"], out["z_eval"])  # dropout on in the official-style forward
    torch.testing.assert_close(out["fine_proj"], F.normalize(torch.tanh(model.project(out["z_eval"])), dim=1))
    torch.testing.assert_close(out["z_eval_l2"].norm(dim=1), torch.ones(40))
    assert out["concat"].shape == (40, 2 * out["z_eval"].shape[1])
