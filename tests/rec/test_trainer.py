"""SeqRecTrainer batching: every training prefix is used once per epoch."""
from types import SimpleNamespace

import pytest
import torch

from rec.split import LeaveOneOut
from rec.trainer import SeqRecTrainer


class FieldsOnly(torch.nn.Module):
    ITEM_SEQ, ITEM_SEQ_LEN, POS_ITEM_ID, USER_ID = "item_id_list", "item_length", "item_id", "user_id"

    def configure_optimizers(self, learning_rate, weight_decay):
        return {}


@pytest.mark.parametrize("n_rows,size", [(5, 2), (9, 4), (6, 2), (7, 7), (1025, 256)])
def test_every_training_row_is_in_exactly_one_batch(n_rows, size):
    # one user with n_rows + 3 items gives n_rows training prefixes with distinct targets
    seq = list(range(1, n_rows + 4))
    split = LeaveOneOut.from_sequences(SimpleNamespace(sequences=[seq], num_items=len(seq)), 3)
    params = SimpleNamespace(train_batch_size=size, max_train_batches=None, learning_rate=1e-3, weight_decay=0.0)
    trainer = SeqRecTrainer(FieldsOnly(), split, params)
    batches = list(trainer.batches())
    targets = torch.cat([b["item_id"] for b in batches])
    # a 1-row tail used to be skipped (in-batch contrastive losses need two rows): it now joins
    # the previous batch instead of silently dropping a training example each epoch
    assert sorted(targets.tolist()) == split.train_target.tolist()
    assert all(len(b["item_id"]) >= 2 for b in batches)
    assert len(batches) == trainer.num_batches()


class OneWeight(FieldsOnly):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))

    def configure_optimizers(self, learning_rate, weight_decay):
        return {"all": torch.optim.SGD(self.parameters(), lr=learning_rate)}


def _trainer(model):
    seq = list(range(1, 8))
    split = LeaveOneOut.from_sequences(SimpleNamespace(sequences=[seq], num_items=len(seq)), 3)
    params = SimpleNamespace(train_batch_size=2, max_train_batches=None, learning_rate=0.1, weight_decay=0.0)
    return SeqRecTrainer(model, split, params)


def test_step_on_updates_parameters_and_refuses_a_nan_loss():
    model = OneWeight()
    trainer = _trainer(model)
    trainer.step_on((model.w * 2).sum())
    assert model.w.item() == pytest.approx(1 - 0.1 * 2)
    before = model.w.detach().clone()
    with pytest.raises(FloatingPointError, match=r"nan \(terms x\) at epoch .*lower learning_rate"):
        trainer.step_on((model.w * float("nan")).sum(), detail=" (terms x)")
    assert torch.equal(model.w.detach(), before) and model.w.grad is not None  # nothing stepped
