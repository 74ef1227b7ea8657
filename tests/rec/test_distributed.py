"""torchrun data parallelism (issue #20): 2 gloo processes against one process, on tiny data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from rec.params import MCLRecParams, SASRecParams
from rec.sasrec import SASRec
from rec.split import LeaveOneOut
from rec.sracl.params import SRACLParams
from rec.trainer import SeqRecTrainer
from tests.rec.conftest import synthetic_sequences
from tests.sections import sectioned

TINY = dict(
    hidden_size=16,
    n_layers=1,
    n_heads=2,
    inner_size=32,
    hidden_dropout_prob=0.0,
    attn_dropout_prob=0.0,
    max_seq_length=10,
    eval_batch_size=16,
)


def _worker(rank: int, world: int, name: str, out: str, kwargs: dict) -> None:
    import os

    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world))
    torch.set_num_threads(1)
    # a rendezvous file, not a TCP port: no race for a free port between tests
    store = f"file://{Path(out) / f'{name}.store'}"
    # a collective that one rank never joins fails after 2 minutes instead of hanging the suite
    dist.init_process_group("gloo", init_method=store, rank=rank, world_size=world, timeout=timedelta(minutes=2))
    try:
        result = globals()[name](**kwargs)
        torch.save(result, Path(out) / f"{name}-{rank}.pt")
        dist.barrier()  # no rank tears gloo down while a peer still talks to it
    finally:
        dist.destroy_process_group()


def spawn(name: str, tmp_path: Path, world: int = 2, **kwargs) -> list:
    """Run ``name(**kwargs)`` on ``world`` gloo ranks; every rank's return value."""
    for rank in range(world):
        (tmp_path / f"{name}-{rank}.pt").unlink(missing_ok=True)
    (tmp_path / f"{name}.store").unlink(missing_ok=True)
    mp.spawn(_worker, args=(world, name, str(tmp_path), kwargs), nprocs=world, join=True)
    return [torch.load(tmp_path / f"{name}-{rank}.pt", weights_only=False) for rank in range(world)]


def one_sgd_step(batch_size: int, train_targets: str = "prefixes") -> dict:
    """Parameters after one SGD step on the first global batch (float64, no dropout)."""
    torch.manual_seed(0)
    params = sectioned(SASRecParams, train_batch_size=batch_size, train_targets=train_targets, **TINY)
    split = LeaveOneOut.from_sequences(synthetic_sequences(num_users=30), 10)
    model = SASRec(split.num_items, params).double()
    trainer = SeqRecTrainer(model, split, params, seed=0)
    trainer.optimizers = {"model": torch.optim.SGD(model.parameters(), lr=0.5)}
    rows = trainer.epoch_rows()[0]
    loss = trainer.train_batch(rows)["loss"]
    return {"rows": rows.numel(), "loss": loss, "state": {k: v.clone() for k, v in model.state_dict().items()}}


@pytest.mark.parametrize("batch_size, train_targets", [(25, "prefixes"), (3, "prefixes"), (17, "all_positions")])
def test_one_step_on_two_ranks_equals_one_step_on_the_whole_batch(tmp_path, batch_size, train_targets):
    # 25 rows: shares of 13 and 12, so an unweighted average of the ranks' mean losses would differ;
    # 3 rows: too few for 2 rows per rank, rank 0 takes them all and rank 1 joins with weight 0;
    # all_positions: the loss is a mean over target positions, and the shares hold different numbers
    single = one_sgd_step(batch_size, train_targets)
    ranks = spawn("one_sgd_step", tmp_path, batch_size=batch_size, train_targets=train_targets)
    assert single["rows"] == ranks[0]["rows"] == batch_size
    moved = max((single["state"][k] - v).abs().max().item() for k, v in one_initial_state().items())
    assert moved > 1e-3  # the step changed the weights
    for rank in ranks:
        for key, value in single["state"].items():
            torch.testing.assert_close(rank["state"][key], value, atol=1e-10, rtol=0)
    # each rank's loss is weighted by its share: their mean is the global batch's mean loss
    assert sum(r["loss"] for r in ranks) / 2 == pytest.approx(single["loss"], abs=1e-10)


def one_initial_state() -> dict:
    torch.manual_seed(0)
    params = sectioned(SASRecParams, **TINY)
    return SASRec(30, params).double().state_dict()


def short_fit(model: str = "sasrec", epochs: int = 3, **flat) -> dict:
    from rec.train import fit

    params_cls = {"mclrec": MCLRecParams, "sracl": SRACLParams}.get(model, SASRecParams)
    params = sectioned(params_cls, train_batch_size=16, epochs=epochs, learning_rate=5e-3, **TINY, **flat)
    result = fit(model, synthetic_sequences(), params, seed=0)
    state = {k: v.clone() for k, v in result.pop("model").state_dict().items()}
    result.pop("split")
    return {**result, "state": state}


def test_short_sasrec_run_on_two_ranks_gives_the_single_process_metrics(tmp_path):
    single = short_fit()
    ranks = spawn("short_fit", tmp_path)
    assert ranks[1]["rank"] == 1 and "test" not in ranks[1]  # only rank 0 evaluates
    main = ranks[0]
    assert main["epochs"] == single["epochs"] == 3
    for part in ("val", "test_p2", "test_p1"):
        for key, value in single[part].items():
            assert main[part][key] == pytest.approx(value, abs=1e-6), (part, key)
    for ours, theirs in zip(main["history"], single["history"]):
        assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-5)


def test_mclrec_three_step_schedule_keeps_the_ranks_in_step(tmp_path):
    ranks = spawn("short_fit", tmp_path, model="mclrec", epochs=2, max_train_batches=3)
    assert ranks[0]["epochs"] == ranks[1]["epochs"] == 2
    history = ranks[0]["history"]
    assert all(torch.isfinite(torch.tensor(h["augmenter_loss"])) for h in history)
    for key, value in ranks[0]["state"].items():  # DDP kept every parameter identical on both ranks
        torch.testing.assert_close(ranks[1]["state"][key], value, atol=0, rtol=0)


SRACL_TINY = dict(item_semantics="cooc", user_semantics="mean_items", cooc_dim=8, k_users=3, k_items=3)


@pytest.mark.parametrize("gather", [True, False])
def test_sracl_retrieval_and_contrastive_terms_run_on_two_ranks_in_step(tmp_path, gather):
    # SRA-CL's semantic index is built by every rank from the same data; DDP keeps the weights equal
    flat = dict(SRACL_TINY, max_train_batches=3, gather_negatives=gather, retrieval_backend="torch")
    ranks = spawn("short_fit", tmp_path, model="sracl", epochs=2, **flat)
    assert ranks[0]["epochs"] == ranks[1]["epochs"] == 2 and "test" in ranks[0] and "test" not in ranks[1]
    assert all(torch.isfinite(torch.tensor(h["loss"])) for h in ranks[0]["history"])
    for key, value in ranks[0]["state"].items():
        torch.testing.assert_close(ranks[1]["state"][key], value, atol=0, rtol=0)


def run_folder(out_dir: str, epochs: int = 3, run_dir: str | None = None, interrupt_at: int | None = None) -> dict:
    from graphcl.config import load_run_config
    from graphcl.runner import RunInterrupted, run_training
    from rec import train as rec_train
    from rec.sasrec import SASRec

    rec_train.load_sequence_data = lambda name, root=None: synthetic_sequences()
    if interrupt_at is not None:

        def stop(self, trainer):
            if trainer.epoch == interrupt_at:
                raise KeyboardInterrupt

        SASRec.on_epoch_start = stop  # type: ignore[attr-defined]
    sets = [f"params.model.{k}={v}" for k, v in TINY.items() if k != "eval_batch_size"]
    sets += ["params.eval.eval_batch_size=16", "params.train.train_batch_size=16", f"params.train.epochs={epochs}"]
    run = load_run_config(
        {"task": "rec", "model": "sasrec", "dataset": "ml-100k", "device": "cpu", "out_dir": out_dir}, sets
    )
    try:
        folder, metrics = run_training(run, run_dir=Path(run_dir) if run_dir else None)
    except RunInterrupted as stop_:
        return {"interrupted": True, "run_dir": stop_.run_dir, "resumable": stop_.resumable}
    return {"run_dir": folder, "metrics": metrics}


def resume_folder(run_dir: str) -> dict:
    from graphcl.runner import resume_training
    from rec import train as rec_train

    rec_train.load_sequence_data = lambda name, root=None: synthetic_sequences()
    folder, metrics = resume_training(run_dir)
    return {"run_dir": folder, "metrics": metrics}


@pytest.mark.slow
def test_only_rank_0_writes_the_run_folder_and_resume_continues_exactly(tmp_path):
    out = tmp_path / "runs"
    ranks = spawn("run_folder", tmp_path, out_dir=str(out / "straight"), epochs=4)
    assert ranks[1]["run_dir"] is None
    folders = list((out / "straight").iterdir())
    assert folders == [ranks[0]["run_dir"]]
    assert {p.name for p in folders[0].iterdir()} >= {"config.yaml", "metrics.json", "model.pt", "last.pt", "train.log"}
    expected = ranks[0]["metrics"]

    cut = out / "cut" / "run"
    ranks = spawn("run_folder", tmp_path, out_dir=str(out / "cut"), epochs=4, run_dir=str(cut), interrupt_at=3)
    assert all(r["interrupted"] for r in ranks) and (cut / "last.pt").is_file()
    assert ranks[0]["resumable"] and ranks[1]["run_dir"] is None
    assert not (cut / "metrics.json").exists()
    ranks = spawn("resume_folder", tmp_path, run_dir=str(cut))
    assert ranks[1]["run_dir"] is None
    resumed = ranks[0]["metrics"]
    for key in ("val", "test_p2", "test_p1", "epochs", "best_epoch"):
        assert resumed[key] == expected[key], key


def assert_same_metrics(ours: dict, theirs: dict) -> None:
    assert ours["epochs"] == theirs["epochs"] and ours["best_epoch"] == theirs["best_epoch"]
    for part in ("val", "test_p2", "test_p1"):
        for key, value in theirs[part].items():
            assert ours[part][key] == pytest.approx(value, abs=1e-6), (part, key)


@pytest.mark.slow
@pytest.mark.parametrize("cut_on, resume_on", [(2, 1), (1, 2)])
def test_resume_with_another_number_of_processes_continues_the_run(tmp_path, cut_on, resume_on):
    # dropout is off and SASRec draws nothing else, so the fresh RNG streams of a new world size
    # change nothing: 2 ranks of B/2 rows and one process of B rows step alike (to float error)
    out = tmp_path / "runs"
    straight = spawn("run_folder", tmp_path, world=cut_on, out_dir=str(out / "straight"), epochs=4)[0]["metrics"]
    cut = out / "cut" / "run"
    ranks = spawn(
        "run_folder", tmp_path, world=cut_on, out_dir=str(out / "cut"), epochs=4, run_dir=str(cut), interrupt_at=3
    )
    assert all(r["interrupted"] for r in ranks) and not (cut / "metrics.json").exists()
    resumed = spawn("resume_folder", tmp_path, world=resume_on, run_dir=str(cut))
    assert resumed[0]["run_dir"] == cut and all(r["run_dir"] is None for r in resumed[1:])
    assert_same_metrics(resumed[0]["metrics"], straight)


def gathered_ntxent() -> dict:
    """Rank 0 holds rows 0-2 and rank 1 rows 3-4 of a 5-row batch; NT-Xent with gathered negatives."""
    from graphcl.core import NTXent

    torch.manual_seed(0)
    z1, z2 = torch.randn(5, 4, dtype=torch.float64), torch.randn(5, 4, dtype=torch.float64)
    rows = slice(0, 3) if dist.get_rank() == 0 else slice(3, 5)
    a, b = z1[rows].clone().requires_grad_(), z2[rows].clone().requires_grad_()
    loss = NTXent(temperature=0.5, gather_distributed=True)(a, b)
    (loss * a.shape[0] / 5).backward()  # the rank's share of the global mean
    return {"loss": loss.item(), "rows": a.shape[0], "grad1": a.grad, "grad2": b.grad}


def test_gathered_negatives_give_the_single_process_loss_and_gradient(tmp_path):
    from graphcl.core import NTXent

    torch.manual_seed(0)
    z1 = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    z2 = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    single = NTXent(temperature=0.5)(z1, z2)
    single.backward()
    ranks = spawn("gathered_ntxent", tmp_path)
    assert sum(r["loss"] * r["rows"] / 5 for r in ranks) == pytest.approx(single.item(), abs=1e-12)
    # each row's gradient, gathered back to its own rank, is the single-process one
    torch.testing.assert_close(torch.cat([r["grad1"] for r in ranks]), z1.grad, atol=1e-12, rtol=0)
    torch.testing.assert_close(torch.cat([r["grad2"] for r in ranks]), z2.grad, atol=1e-12, rtol=0)


def one_cl4srec_step(batch_size: int, gather: bool) -> dict:
    """One SGD step of CL4SRec whose views are the sequences themselves (mask rate 0: no
    randomness differs between ranks), float64, no dropout."""
    from rec.cl4srec import CL4SRec
    from rec.params import CL4SRecParams

    torch.manual_seed(0)
    flat = dict(TINY, train_batch_size=batch_size, augmentations=["mask"], mask_rate=0.0, cl_weight=1.0)
    params = sectioned(CL4SRecParams, gather_negatives=gather, **flat)
    split = LeaveOneOut.from_sequences(synthetic_sequences(num_users=30), 10)
    model = CL4SRec(split.num_items, params, seed=0).double()
    trainer = SeqRecTrainer(model, split, params, seed=0)
    trainer.optimizers = {"model": torch.optim.SGD(model.parameters(), lr=0.5)}
    trainer.train_batch(trainer.epoch_rows()[0])
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("gather", [True, False])
def test_cl4srec_step_on_two_ranks_matches_one_process_only_with_gathered_negatives(tmp_path, gather):
    single = one_cl4srec_step(25, gather)
    ranks = spawn("one_cl4srec_step", tmp_path, batch_size=25, gather=gather)
    differs = max((ranks[0][k] - v).abs().max().item() for k, v in single.items())
    if gather:
        assert differs < 1e-10
    else:  # per-rank negatives: a different (documented) contrastive loss
        assert differs > 1e-6
