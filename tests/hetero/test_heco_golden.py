"""HeCo's loss against an independent loop written from the paper and the official code.

Official code: liun-online/HeCo ``code/module/heco.py`` (``ELU(fc(x))`` per type),
``mp_encoder.py`` (``PReLU(A X W + b)`` per meta-path, semantic attention), ``sc_encoder.py``
(intra-type attention ``softmax(LeakyReLU(a^T [h_i || h_j]))`` over sampled neighbours, ELU,
inter-type attention) and ``contrast.py`` (``Linear-ELU-Linear`` projection, row-normalised
``exp(cos / tau)`` against the positives, ``lam`` between both directions; the official
``+ 1e-8`` in the row sums is left out). Every paper has exactly ``sample_rate`` neighbours
of each type, so sampling picks them all and the reference needs no sampler.
"""

import torch
import torch.nn.functional as F

from graphcl.hetero import HeCo, HeCoParams, ToHeCoInputs
from graphcl.hetero.params import HeCoModel
from tests.hetero.reference import incidence, row_normalize, semantic_attention, tiny_graph

SAMPLE_RATE = {"author": 2, "subject": 1}


def _tiny_graph():
    paper_author = [(p, a) for p in range(8) for a in ((p + 1) % 5, (p + 3) % 5)]
    data = tiny_graph(8, 3, paper_author, [(p, p % 3) for p in range(8)], seed=5)
    pos = torch.eye(8)
    pos[0, 3] = pos[3, 0] = pos[1, 6] = pos[2, 5] = 1
    data.pos = pos.to_sparse()
    return data


def _incidence(data, t: str) -> torch.Tensor:
    return incidence(data, ("paper", "to", t))


def _type_embeddings(model, data):
    return {
        "paper": F.elu(model.fc["paper"].linear(row_normalize(data["paper"].x))),
        "author": F.elu(model.fc["author"].linear(row_normalize(data["author"].x))),
        "subject": F.elu(model.fc["subject"].embed.weight + model.fc["subject"].bias),
    }


def reference_meta_path_view(model, data, h):
    views = []
    for gcn, t in zip(model.mp_gcn, ["author", "subject"]):
        inc = _incidence(data, t)
        a = ((inc @ inc.t()) > 0).double()
        a = a / a.sum(1).sqrt()[:, None] / a.sum(1).sqrt()[None, :]
        views.append(F.prelu(a @ gcn.fc(h["paper"]) + gcn.bias, gcn.act.weight))
    return semantic_attention(model.mp_att, views)


def reference_schema_view(model, data, h):
    views = []
    for a_t, t in zip(model.sc.intra, ["author", "subject"]):
        rows = []
        for i in range(data["paper"].num_nodes):
            nei = h[t][_incidence(data, t)[i] > 0]
            assert len(nei) == SAMPLE_RATE[t]
            scores = F.leaky_relu(torch.cat([h["paper"][i].expand_as(nei), nei], dim=1) @ a_t[0])
            rows.append(F.elu((torch.softmax(scores, dim=0)[:, None] * nei).sum(0)))
        views.append(torch.stack(rows))
    return semantic_attention(model.sc.inter, views)


def reference_contrast(model, z_mp, z_sc, pos, tau, lam):
    p_mp, p_sc = model.proj(z_mp), model.proj(z_sc)
    sim = torch.exp(F.normalize(p_mp, dim=1) @ F.normalize(p_sc, dim=1).t() / tau)
    loss_mp = loss_sc = 0
    for i in range(sim.shape[0]):
        loss_mp = loss_mp - torch.log((sim[i] * pos[i]).sum() / sim[i].sum())
        loss_sc = loss_sc - torch.log((sim[:, i] * pos[i]).sum() / sim[:, i].sum())
    n = sim.shape[0]
    return lam * loss_mp / n + (1 - lam) * loss_sc / n


def test_heco_loss_and_embedding_match_the_reference_float64():
    data = _tiny_graph()
    params = HeCoParams(
        model=HeCoModel(
            metapaths=["PAP", [("paper", "to", "subject"), ("subject", "to", "paper")]],
            schema_types=list(SAMPLE_RATE),
            sample_rate=list(SAMPLE_RATE.values()),
            feat_drop=0.0,
            attn_drop=0.0,
            tau=0.7,
            lam=0.3,
        )
    )
    torch.manual_seed(0)
    inputs = ToHeCoInputs(params, target="paper")(data).double()
    model = HeCo(params, inputs).double()
    h = _type_embeddings(model, data)
    z_mp = reference_meta_path_view(model, data, h)
    z_sc = reference_schema_view(model, data, h)
    expected = reference_contrast(model, z_mp, z_sc, data.pos.to_dense().double(), tau=0.7, lam=0.3)
    loss = model.loss(inputs)
    assert loss.dtype == torch.float64
    torch.testing.assert_close(loss, expected, rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(model.embed(inputs), z_mp.detach(), rtol=1e-6, atol=1e-7)
    # fresh neighbour samples every forward, the same loss: all neighbours are always drawn
    torch.testing.assert_close(model.loss(inputs), expected, rtol=1e-6, atol=1e-7)
