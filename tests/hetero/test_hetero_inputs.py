"""The input transforms leave the graph alone; the containers move and cast as one."""

import pytest
import torch

from graphcl.hetero import AdaMEOWParams, HeCoParams, MEOWParams, ToHeCoInputs, ToMEOWInputs
from graphcl.hetero.layers import SparseOperator
from graphcl.hetero.params import AdaMEOWModel, HeCoModel, MEOWModel
from graphcl.hetero.train import build
from tests.hetero.synthetic import make_planted_hetero

HECO = HeCoParams(model=HeCoModel(schema_types=["author", "subject"]))
MEOW = MEOWParams(model=MEOWModel(nei_max=[10, 10], num_clusters=[3, 5]))
MODELS = [("meow", MEOW), ("adameow", AdaMEOWParams(model=AdaMEOWModel(nei_max=[10, 10]))), ("heco", HECO)]


def _snapshot(data):
    """Dense copies of every tensor of ``data`` (``data.metapaths`` and ``data.pos`` included)."""
    out = {}
    for i, store in enumerate(data.stores):
        for key, value in store.items():
            for name, v in value.items() if isinstance(value, dict) else [("", value)]:
                if isinstance(v, torch.Tensor):
                    out[(i, key, name)] = v.to_dense() if v.is_sparse else v.clone()
    return out


@pytest.mark.parametrize("transform", [ToMEOWInputs(MEOW, "paper"), ToHeCoInputs(HECO, "paper")])
def test_transforms_do_not_modify_the_graph(transform):
    data = make_planted_hetero(num_papers=40)
    before = _snapshot(data)
    transform(data)
    after = _snapshot(data)
    assert before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)


def _floats(inputs):
    """Every floating tensor the container moves (its host fields left out)."""
    out = []
    for name, value in vars(inputs).items():
        stack = [] if name in inputs.host_fields else [value]
        while stack:
            v = stack.pop()
            if isinstance(v, (list, tuple)):
                stack.extend(v)
            elif isinstance(v, dict):
                stack.extend(v.values())
            elif isinstance(v, SparseOperator):
                out += [v.csr, v.csr_t]
            elif isinstance(v, torch.Tensor) and v.is_floating_point():
                out.append(v)
    return out


def test_meow_inputs_cast_together_and_resample_in_their_dtype():
    inputs = ToMEOWInputs(MEOW, "paper")(make_planted_hetero(num_papers=40))
    assert inputs.double() is inputs
    assert {t.dtype for t in _floats(inputs)} == {torch.float64}
    assert all(a.dtype == torch.float32 for a in inputs.topk)  # host copies feed the CPU-side masks
    inputs.resample()
    assert inputs.x_masked.dtype == torch.float64 and all(a.csr.dtype == torch.float64 for a in inputs.masked_adjs)
    assert inputs.float().dtype == torch.float32 and inputs.adjs[0].csr.dtype == torch.float32


def test_heco_inputs_keep_indices_and_the_sampler_graph_on_the_cpu():
    inputs = ToHeCoInputs(HECO, "paper")(make_planted_hetero(num_papers=40)).double()
    assert inputs.pos.dtype == torch.float64 and inputs.mps[0].csr.dtype == torch.float64
    assert all(ptr.dtype == col.dtype == torch.long for ptr, col in inputs.schema)


@pytest.mark.parametrize("name, params", MODELS)
def test_models_follow_their_inputs_to_float64(name, params):
    model, inputs = build(name, make_planted_hetero(num_papers=40), params)
    model.double()
    inputs.double()
    assert model.loss(inputs).dtype == torch.float64 and model.embed(inputs).dtype == torch.float64


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
@pytest.mark.parametrize("name, params", MODELS)
def test_models_and_inputs_move_to_the_gpu(name, params):
    model, inputs = build(name, make_planted_hetero(num_papers=40), params)
    model.cuda()
    inputs.cuda()
    loss = model.loss(inputs)
    loss.backward()
    assert loss.is_cuda and model.embed(inputs).is_cuda
