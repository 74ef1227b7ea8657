"""Golden tests: each model's loss on fixed tiny float64 inputs, without dropout, against the
independent loops of ``tests/rec/golden.py`` (papers + official code)."""

import copy
from types import SimpleNamespace

import pytest
import torch

from rec.batching import SeqBatch
from rec.cl4srec import CL4SRec
from rec.mclrec import MCLRec
from rec.params import CL4SRecParams, MCLRecParams
from tests.rec import golden
from tests.sections import sectioned

TINY = dict(
    hidden_size=8,
    inner_size=16,
    n_layers=1,
    n_heads=2,
    max_seq_length=6,
    hidden_dropout_prob=0.0,
    attn_dropout_prob=0.0,
)
SEQ = torch.tensor([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0], [6, 7, 8, 9, 2], [3, 0, 0, 0, 0]])
LENS = torch.tensor([3, 2, 5, 1])
TARGET = torch.tensor([4, 6, 1, 5])
VIEWS = (
    torch.tensor([[2, 3, 0, 0, 0], [4, 0, 0, 0, 0], [6, 0, 8, 9, 2], [3, 0, 0, 0, 0]]),
    torch.tensor([2, 1, 5, 1]),
    torch.tensor([[3, 1, 2, 0, 0], [5, 4, 0, 0, 0], [7, 8, 0, 0, 0], [3, 0, 0, 0, 0]]),
    torch.tensor([3, 2, 2, 1]),
)


def encoded(model, seq, lens):
    """The representation at each row's last item through the full-sequence path."""
    return model.encode(seq)[torch.arange(seq.shape[0]), lens - 1]


def batch():
    return SeqBatch(SEQ, LENS, TARGET, torch.arange(4), views=VIEWS)


def test_cl4srec_loss_is_cross_entropy_plus_weighted_ntxent_of_the_two_views():
    torch.manual_seed(0)
    model = CL4SRec(9, sectioned(CL4SRecParams, **TINY, cl_weight=0.3, cl_temperature=0.7)).double().eval()
    h = encoded(model, SEQ, LENS)
    z1, z2 = encoded(model, *VIEWS[:2]), encoded(model, *VIEWS[2:])
    expected = golden.cross_entropy(model.item_scores(h), TARGET) + 0.3 * golden.nt_xent(z1, z2, 0.7)
    assert torch.allclose(model.loss(batch()), expected, atol=1e-10)


def _mclrec(**params):
    torch.manual_seed(0)
    p = sectioned(MCLRecParams, **TINY, cl_weight=0.2, meta_weight=0.3, cl_temperature=0.5, **params)
    return MCLRec(9, p).double()


def _golden_mclrec_losses(model):
    z1, z2 = encoded(model, *VIEWS[:2]), encoded(model, *VIEWS[2:])
    g1, g2 = model.augmenter_1, model.augmenter_2
    meta = golden.mclrec_meta(z1, z2, g1, g2, 0.1)
    data_cl = golden.nt_xent(z1, z2, 0.5)
    ce = golden.cross_entropy(model.item_scores(encoded(model, SEQ, LENS)), TARGET)
    return {"encoder": ce + 0.2 * data_cl + 0.3 * meta, "augmenter": 0.2 * data_cl + meta}


def test_mclrec_encoder_and_augmenter_losses():
    model = _mclrec().eval()
    expected = _golden_mclrec_losses(model)
    for stage in ("encoder", "augmenter"):
        assert torch.allclose(model.stage_loss(batch(), stage, VIEWS), expected[stage], atol=1e-10), stage
    assert torch.allclose(model.loss(batch()), expected["encoder"], atol=1e-10)


def test_mclrec_meta_schedule_is_three_steps_on_the_golden_losses():
    model = _mclrec().train()  # no dropout in TINY: train mode changes nothing but the flags
    reference = copy.deepcopy(model)
    trainer = SimpleNamespace(optimizers=model.configure_optimizers(0.01, 0.0))
    losses = model.training_step(batch(), trainer)

    encoder = torch.optim.Adam(reference.encoder_parameters(), lr=0.01)
    augmenter = torch.optim.Adam(reference.augmenter_parameters(), lr=0.01)
    recorded = []
    for stage, optimizer in (("encoder", encoder), ("augmenter", augmenter), ("encoder", encoder)):
        loss = _golden_mclrec_losses(reference)[stage]  # re-encoded by the parameters of the moment
        recorded.append(float(loss))
        encoder.zero_grad(), augmenter.zero_grad()
        loss.backward()
        optimizer.step()
    assert losses["encoder_loss_1"] == pytest.approx(recorded[0], abs=1e-9)
    assert losses["augmenter_loss"] == pytest.approx(recorded[1], abs=1e-9)
    assert losses["loss"] == pytest.approx(recorded[2], abs=1e-9)
    for (name, mine), theirs in zip(model.named_parameters(), reference.parameters()):
        assert torch.allclose(mine, theirs, atol=1e-9), name


def test_sracl_loss_is_cross_entropy_plus_inter_and_intra_terms():
    from rec.sracl.model import SRACL
    from rec.sracl.params import SRACLParams

    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    tables = {
        "item_emb": torch.randn(10, 3, generator=generator),
        "item_neighbours": torch.tensor([[0]] + [[i % 9 + 1] for i in range(1, 10)]),
        "user_emb": torch.randn(4, 3, generator=generator),
        "user_neighbours": torch.tensor([[1, 2], [2, 3], [3, 0], [0, 1]]),
        "user_seqs": torch.tensor([[1, 2, 3, 4], [5, 6, 0, 0], [7, 0, 0, 0], [8, 9, 1, 0]]),
        "user_seq_len": torch.tensor([4, 2, 1, 3]),
    }
    params = sectioned(
        SRACLParams,
        **TINY,
        user_cl_weight=0.3,
        item_cl_weight=0.2,
        cl_temperature=0.8,
        substitution_rate=1.0,
        synthesis_dropout=0.0,
        k_users=2,
        k_items=1,
    )
    model = SRACL(9, params, tables, {"item": "test", "user": "test"}).double().eval()
    users = torch.arange(4)
    h = encoded(model, SEQ, LENS)
    neighbours = tables["user_neighbours"]
    neighbour_repr = torch.stack(
        [encoded(model, tables["user_seqs"][n], tables["user_seq_len"][n]) for n in neighbours]
    )
    positive = golden.synthesised_positive(
        tables["user_emb"].double(),
        tables["user_emb"][neighbours].double(),
        neighbour_repr,
        model.synthesis.project.weight,
        model.synthesis.attention.weight[0],
    )
    substituted = torch.where(SEQ > 0, tables["item_neighbours"][SEQ, 0], SEQ)  # rate 1, one neighbour each
    hs = encoded(model, substituted, LENS)
    expected = (
        golden.cross_entropy(model.item_scores(h), TARGET)
        + 0.3 * golden.nt_xent(h, positive, 0.8)
        + 0.2 * golden.nt_xent(hs, hs, 0.8)
    )
    loss = model.loss(SeqBatch(SEQ, LENS, TARGET, users))
    assert torch.allclose(loss, expected, atol=1e-10)
    assert set(model.last_losses) == {"rec", "inter", "intra"}
