"""SeqRecTrainer batching: every training prefix is used once per epoch."""

from types import SimpleNamespace

import pytest
import torch

from rec.params import SASRecParams
from rec.split import LeaveOneOut
from rec.trainer import SeqRecTrainer
from tests.rec.conftest import InterruptAtEpoch
from tests.sections import namespaces


class FieldsOnly(torch.nn.Module):
    def configure_optimizers(self, learning_rate, weight_decay):
        return {}


@pytest.mark.parametrize("n_rows,size", [(5, 2), (9, 4), (6, 2), (7, 7), (1025, 256)])
def test_every_training_row_is_in_exactly_one_batch(n_rows, size):
    # one user with n_rows + 3 items gives n_rows training prefixes with distinct targets
    seq = list(range(1, n_rows + 4))
    split = LeaveOneOut.from_sequences(SimpleNamespace(sequences=[seq], num_items=len(seq)), 3)
    params = namespaces(
        SASRecParams, train_batch_size=size, max_train_batches=None, learning_rate=1e-3, weight_decay=0.0
    )
    trainer = SeqRecTrainer(FieldsOnly(), split, params)
    batches = list(trainer.batches())
    targets = torch.cat([b.target for b in batches])
    # a 1-row tail used to be skipped (in-batch contrastive losses need two rows): it now joins
    # the previous batch instead of silently dropping a training example each epoch
    assert sorted(targets.tolist()) == split.train_target.tolist()
    assert all(len(b) >= 2 for b in batches)
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
    params = namespaces(SASRecParams, train_batch_size=2, max_train_batches=None, learning_rate=0.1, weight_decay=0.0)
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


class Scripted(FieldsOnly):
    """Validation NDCG follows a script: epoch e scores the target first when SCRIPT[e] is true,
    last otherwise. Its one weight records the epoch that trained it."""

    def __init__(self, script):
        super().__init__()
        self.script = script
        self.w = torch.nn.Parameter(torch.zeros(1))

    def training_step(self, interaction, trainer):
        self.w.data.fill_(trainer.epoch)
        return {"loss": 0.0}

    def full_sort_scores(self, batch):
        good = self.script[int(self.w.item())]
        scores = torch.zeros(len(batch), 8)
        scores[torch.arange(scores.shape[0]), batch.target] = 1.0 if good else -1.0
        return scores


def _scripted_trainer(script, **params):
    seqs = [list(range(1, 8)), [2, 3, 4, 5], [7, 6, 5, 4, 3]]
    split = LeaveOneOut.from_sequences(SimpleNamespace(sequences=seqs, num_items=7), 4)
    values = dict(
        train_batch_size=2,
        max_train_batches=None,
        learning_rate=0.1,
        weight_decay=0.0,
        eval_batch_size=2,
        epochs=10,
        stopping_step=2,
        eval_step=1,
        exclude_history=False,
    )
    return SeqRecTrainer(Scripted(script), split, namespaces(SASRecParams, **{**values, **params}))


def test_early_stopping_restores_the_best_weights_and_reports_its_epoch():
    trainer = _scripted_trainer({1: False, 2: True, 3: False, 4: False, 5: True})
    result = trainer.fit()
    assert result["epochs"] == 4 and result["stopped_early"]  # two validations without a better score
    assert result["best_epoch"] == 2 and trainer.model.w.item() == 2.0  # weights of epoch 2 restored
    assert result["val"]["ndcg@20"] == 1.0 and result["test"]["hr@5"] == 1.0
    assert result["test_p2"] == result["test"] and set(result["test_p1"]) == set(result["test"])


def test_the_epoch_cap_ends_a_run_that_keeps_improving():
    trainer = _scripted_trainer({1: False, 2: False, 3: True}, epochs=3, stopping_step=5)
    result = trainer.fit()
    assert result["epochs"] == 3 and not result["stopped_early"] and result["best_epoch"] == 3


def _cl4srec_trainer(tmp_path, seed=0, **params):
    from graphcl.utils.seed import seed_everything
    from rec.cl4srec import CL4SRec
    from rec.params import CL4SRecParams
    from tests.rec.conftest import synthetic_sequences
    from tests.sections import sectioned

    seed_everything(seed)
    split = LeaveOneOut.from_sequences(synthetic_sequences(num_users=30), 10)
    p = sectioned(
        CL4SRecParams,
        max_seq_length=10,
        hidden_size=16,
        inner_size=32,
        train_batch_size=16,
        epochs=4,
        stopping_step=10,
        **params,
    )
    model = CL4SRec(split.num_items, p, seed=seed)
    return SeqRecTrainer(
        model,
        split,
        p,
        seed=seed,
        checkpoint_path=tmp_path / "last.pt",
        fingerprint={"params": {"epochs": p.train.epochs}},
    )


@pytest.mark.parametrize("train_targets", ["prefixes", "all_positions"])
def test_a_run_interrupted_after_epoch_2_resumes_to_the_same_result(tmp_path, train_targets):
    from rec.trainer import load_checkpoint

    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    straight = _cl4srec_trainer(tmp_path / "a", train_targets=train_targets)
    expected = straight.fit()

    interrupted = _cl4srec_trainer(tmp_path / "b", train_targets=train_targets)
    interrupted.model.on_epoch_start = InterruptAtEpoch(3)  # Ctrl-C during epoch 3
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit()
    assert load_checkpoint(tmp_path / "b" / "last.pt")["epoch"] == 2

    resumed = _cl4srec_trainer(tmp_path / "b", seed=7, train_targets=train_targets)  # other seed: state is restored
    resumed.load_state_dict(load_checkpoint(tmp_path / "b" / "last.pt"))
    result = resumed.fit()
    timing = "seconds_per_epoch"
    assert (
        result["epochs"] == 4
        and result.pop(timing) > 0
        and result == {k: v for k, v in expected.items() if k != timing}
    )
    for key, value in straight.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[key]), key
    assert [h["loss"] for h in resumed.history] == [h["loss"] for h in straight.history]


def test_a_mismatched_or_corrupt_checkpoint_is_refused(tmp_path):
    from rec.trainer import CheckpointError, load_checkpoint

    trainer = _cl4srec_trainer(tmp_path)
    trainer.params.train.epochs = 1
    trainer.fit()
    state = load_checkpoint(tmp_path / "last.pt")
    other = _cl4srec_trainer(tmp_path)
    other.fingerprint = {"params": {"epochs": 9}}
    with pytest.raises(CheckpointError, match=r"params.epochs is 4 in the checkpoint but 9 now"):
        other.load_state_dict(state)
    data = (tmp_path / "last.pt").read_bytes()
    (tmp_path / "last.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"last.pt is not a readable checkpoint .*truncated"):
        load_checkpoint(tmp_path / "last.pt")
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")
