import pytest
import torch

from rec.batching import SeqBatch
from rec.cl4srec import CL4SRec
from rec.mclrec import MCLRec, margin_regulariser
from rec.params import CL4SRecParams, MCLRecParams, SASRecParams
from rec.sasrec import SASRec
from rec.split import LeaveOneOut
from rec.trainer import SeqRecTrainer
from tests.sections import sectioned

SMALL = dict(
    hidden_size=16,
    inner_size=32,
    max_seq_length=10,
    train_batch_size=64,
    hidden_dropout_prob=0.1,
    attn_dropout_prob=0.1,
    learning_rate=5e-3,
)
NO_DROPOUT = {**SMALL, "hidden_dropout_prob": 0.0, "attn_dropout_prob": 0.0}


def make(cls, params, data):
    split = LeaveOneOut.from_sequences(data, params.model.max_seq_length)
    return cls(split.num_items, params), split


def first_batch(model, split, rows=32):
    return SeqBatch(split.train_seq[:rows], split.train_len[:rows], split.train_target[:rows])


@pytest.mark.parametrize("cls,params", [(SASRec, SASRecParams), (CL4SRec, CL4SRecParams), (MCLRec, MCLRecParams)])
def test_shapes(cls, params, tiny_data):
    model, split = make(cls, sectioned(params, **SMALL), tiny_data)
    inter = first_batch(model, split)
    assert model(inter.item_seq, inter.item_seq_len).shape == (32, 16)
    assert model.full_sort_scores(inter).shape == (32, tiny_data.num_items + 1)
    loss = model.loss(inter)
    assert loss.dim() == 0 and torch.isfinite(loss)


@pytest.mark.parametrize("cls,params", [(SASRec, SASRecParams), (CL4SRec, CL4SRecParams), (MCLRec, MCLRecParams)])
def test_training_reduces_loss(cls, params, tiny_data):
    torch.manual_seed(0)
    p = sectioned(params, **SMALL)
    model, split = make(cls, p, tiny_data)
    trainer = SeqRecTrainer(model, split, p)
    inter = first_batch(model, split, rows=64)
    model.eval()
    with torch.no_grad():
        before = model.recommendation_loss(inter).item()
    model.train()
    for _ in range(15):
        if hasattr(model, "training_step"):
            model.training_step(inter, trainer)
        else:
            trainer.default_step(inter)
    model.eval()
    with torch.no_grad():
        after = model.recommendation_loss(inter).item()
    assert after < before - 0.1


def test_cl4srec_uses_contrastive_term(tiny_data):
    p = sectioned(CL4SRecParams, **NO_DROPOUT)
    model, split = make(CL4SRec, p, tiny_data)
    model.eval()
    inter = first_batch(model, split)
    rec = model.recommendation_loss(inter)
    assert model.loss(inter) > rec  # NT-Xent > 0 with weight 0.1
    model.cl_weight = 0.0
    assert torch.isclose(model.loss(inter), rec)


def test_precomputed_views_are_used(tiny_data):
    model, split = make(CL4SRec, sectioned(CL4SRecParams, **SMALL), tiny_data)
    inter = first_batch(model, split, rows=8)
    seq, lens = inter.item_seq, inter.item_seq_len
    inter.views = (seq, lens, seq.flip(0), lens.flip(0))
    views = model.views(inter)
    assert torch.equal(views[2], seq.flip(0))


def _snapshot(params):
    return [p.detach().clone() for p in params]


def _changed(before, params):
    return [not torch.equal(b, p.detach()) for b, p in zip(before, params)]


def test_mclrec_meta_schedule_updates_intended_parameters(tiny_data, monkeypatch):
    p = sectioned(MCLRecParams, **SMALL)
    model, split = make(MCLRec, p, tiny_data)
    trainer = SeqRecTrainer(model, split, p)
    encoder, augmenters = model.encoder_parameters(), model.augmenter_parameters()
    assert len(encoder) + len(augmenters) == len(list(model.parameters()))
    inter = first_batch(model, split)

    # record which parameters each optimiser step changes
    steps = []
    for name, optimizer in trainer.optimizers.items():
        original = optimizer.step

        def step(*args, _name=name, _original=original, **kwargs):
            enc, aug = _snapshot(encoder), _snapshot(augmenters)
            out = _original(*args, **kwargs)
            steps.append((_name, any(_changed(enc, encoder)), any(_changed(aug, augmenters))))
            return out

        monkeypatch.setattr(optimizer, "step", step)
    losses = model.training_step(inter, trainer)
    assert set(losses) == {"loss", "encoder_loss_1", "augmenter_loss"}
    assert steps == [("encoder", True, False), ("augmenter", False, True), ("encoder", True, False)]
    assert all(p.requires_grad for p in model.parameters())


def test_mclrec_augmenter_step_sees_updated_encoder(tiny_data):
    p = sectioned(MCLRecParams, **NO_DROPOUT)
    model, split = make(MCLRec, p, tiny_data)
    trainer = SeqRecTrainer(model, split, p)
    inter = first_batch(model, split)
    seen = []
    original = model.stage_loss

    def spy(interaction, stage, views=None):
        seen.append((stage, model.item_embedding.weight.detach().clone()))
        return original(interaction, stage, views)

    model.stage_loss = spy
    model.training_step(inter, trainer)
    assert [s for s, _ in seen] == ["encoder", "augmenter", "encoder"]
    assert not torch.equal(seen[0][1], seen[1][1])  # re-encoded after the first encoder step


def test_mclrec_joint_schedule_updates_everything(tiny_data):
    p = sectioned(MCLRecParams, **SMALL, schedule="joint")
    model, split = make(MCLRec, p, tiny_data)
    trainer = SeqRecTrainer(model, split, p)
    assert set(trainer.optimizers) == {"all"}
    enc, aug = _snapshot(model.encoder_parameters()), _snapshot(model.augmenter_parameters())
    model.training_step(first_batch(model, split), trainer)
    assert any(_changed(enc, model.encoder_parameters())) and any(_changed(aug, model.augmenter_parameters()))


def test_margin_regulariser_hand_example():
    a = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    b = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    # z = [a; b]; dot similarities: positives (i, i+-2) are 1, 2, 1, 2; every row's two negatives
    # are 0 except row 0 / row 2 (a0 . b0 is the positive, a0 . a1 = 0, a0 . b1 = 0) -> all 0.
    # positive part: mean(p - min(p, 0)) = mean(1, 2, 1, 2) = 1.5
    # negative part: mean(max(p, 0) - n) over the 8 negatives = (1+1+2+2+1+1+2+2) / 8 = 1.5
    assert torch.isclose(margin_regulariser(a, b), torch.tensor(3.0))


def test_margin_regulariser_values_and_gradients_match_the_golden_loop():
    from tests.rec import golden

    gen = torch.Generator().manual_seed(3)
    a = torch.randn(5, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(5, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    ours, expected = margin_regulariser(a, b), golden.margin_regulariser(a, b)
    assert torch.allclose(ours, expected, atol=1e-12)
    grads = torch.autograd.grad(ours, (a, b))
    for got, want in zip(grads, torch.autograd.grad(expected, (a, b))):
        assert torch.allclose(got, want, atol=1e-12)


def test_num_items_is_checked():
    with pytest.raises(ValueError, match="num_items must be >= 1"):
        SASRec(0, SASRecParams())


def test_too_long_input_is_rejected(tiny_data):
    model, _ = make(SASRec, sectioned(SASRecParams, **SMALL), tiny_data)
    with pytest.raises(ValueError, match="max_seq_length"):
        model(torch.ones(2, 11, dtype=torch.long), torch.tensor([11, 11]))


def test_fast_dropout_matches_dropout_statistics():
    from torch import nn

    from rec.transformer import FastDropout, use_fast_dropout

    torch.manual_seed(0)
    drop = FastDropout(0.3)
    x = torch.ones(200, 500)
    y = drop(x)
    assert abs(float((y == 0).float().mean()) - 0.3) < 0.01
    assert torch.allclose(y[y != 0], torch.full_like(y[y != 0], 1 / 0.7))
    assert torch.equal(x, torch.ones(200, 500))  # input untouched
    drop.eval()
    assert torch.equal(drop(x), x)
    net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.1), nn.Sequential(nn.Dropout(0.2)))
    assert use_fast_dropout(net) == 2 and isinstance(net[2][0], FastDropout) and net[2][0].p == 0.2


def test_models_use_fast_dropout_by_default(tiny_data):
    from torch import nn

    model, _ = make(SASRec, sectioned(SASRecParams, **SMALL), tiny_data)
    assert not any(type(m) is nn.Dropout for m in model.modules())
    slow, _ = make(SASRec, sectioned(SASRecParams, **SMALL, fast_dropout=False), tiny_data)
    assert any(type(m) is nn.Dropout for m in slow.modules())
