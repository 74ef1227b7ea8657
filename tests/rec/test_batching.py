"""Length-bucketed batches: same rows, less padding, mixed users, seeded order; trimming is exact."""

import pytest
import torch

from rec.batching import batch_bounds, epoch_batches, length_sorted_chunks, trim
from rec.split import LeaveOneOut
from tests.rec.conftest import synthetic_sequences


def _lengths(n=5000, seed=0):
    generator = torch.Generator().manual_seed(seed)
    # long-tailed like Beauty: most prefixes short, a few at the cap
    return torch.minimum(torch.empty(n).exponential_(0.12, generator=generator).long() + 1, torch.tensor(50))


@pytest.mark.parametrize("batching", ["bucketed", "random"])
@pytest.mark.parametrize("n,size", [(5000, 256), (257, 256), (9, 4), (2, 8)])
def test_every_row_is_in_exactly_one_batch(batching, n, size):
    lengths = _lengths(n)
    batches = epoch_batches(lengths, size, torch.Generator().manual_seed(1), batching, pool_batches=4)
    rows = torch.cat(batches)
    assert sorted(rows.tolist()) == list(range(n))
    assert all(len(b) >= 2 for b in batches) and all(len(b) <= size + 1 for b in batches)


def test_bucketed_batches_cut_the_padding():
    lengths = _lengths()
    generator = torch.Generator().manual_seed(0)
    width = {
        name: sum(int(lengths[b].max()) * len(b) for b in epoch_batches(lengths, 256, generator, name))
        for name in ("random", "bucketed")
    }
    assert width["bucketed"] < 0.3 * width["random"]
    assert width["bucketed"] < 1.2 * int(lengths.sum())  # nearly no padding left


def test_bucketed_batches_still_mix_users():
    # ml-100k-like: few users with long sequences, so many prefixes of one user share a length
    data = synthetic_sequences(num_users=60, num_items=200, max_len=120, seed=3)
    split = LeaveOneOut.from_sequences(data, max_seq_length=20)
    generator = torch.Generator().manual_seed(0)

    def distinct_users(batching):
        batches = epoch_batches(split.train_len, 32, generator, batching)
        return sum(split.train_user[b].unique().numel() / len(b) for b in batches) / len(batches)

    assert distinct_users("bucketed") > 0.8 * distinct_users("random")


def test_the_seed_fixes_the_order_and_epochs_differ():
    lengths = _lengths(1000)

    def orders(seed):
        generator = torch.Generator().manual_seed(seed)
        return [torch.cat(epoch_batches(lengths, 64, generator)).tolist() for _ in range(2)]

    first, again, other = orders(0), orders(0), orders(1)
    assert first == again and first != other and first[0] != first[1]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="batching must be"):
        epoch_batches(_lengths(10), 4, torch.Generator(), "sorted")
    with pytest.raises(ValueError, match="batch_size"):
        epoch_batches(_lengths(10), 0, torch.Generator())


def test_trim_and_chunks():
    seq = torch.tensor([[1, 2, 0, 0], [3, 0, 0, 0]])
    assert trim(seq, torch.tensor([2, 1])).tolist() == [[1, 2], [3, 0]]
    assert trim(seq, torch.tensor([0, 0])).shape == (2, 1)
    assert batch_bounds(5, 2) == [(0, 2), (2, 5)]
    chunks = length_sorted_chunks(torch.tensor([5, 1, 3, 2]), 3)
    assert [c.tolist() for c in chunks] == [[1, 3, 2], [0]]


def _model(name, params, split, seed=0):
    from rec.train import build_model

    torch.manual_seed(seed)
    return build_model(name, params, split, None, seed).double()


@pytest.mark.parametrize("name", ["sasrec", "cl4srec", "mclrec"])
def test_a_trimmed_batch_gives_the_padded_loss_and_scores(name):
    from rec.batching import SeqBatch
    from rec.params import CL4SRecParams, MCLRecParams, SASRecParams
    from tests.sections import sectioned

    params = sectioned(
        {"sasrec": SASRecParams, "cl4srec": CL4SRecParams, "mclrec": MCLRecParams}[name], max_seq_length=12
    )
    split = LeaveOneOut.from_sequences(synthetic_sequences(num_users=30, max_len=8), 12)
    model = _model(name, params, split).eval()
    rows = torch.arange(16)
    seq, lengths = split.train_seq[rows], split.train_len[rows]
    assert int(lengths.max()) < seq.shape[1]  # there is padding to trim
    views = (seq.flip(0), lengths.flip(0), seq, lengths)

    def loss_and_scores(width):
        cut = lambda s: s[:, :width]  # noqa: E731
        fixed = None if name == "sasrec" else (cut(views[0]), views[1], cut(views[2]), views[3])
        batch = SeqBatch(cut(seq), lengths, split.train_target[rows], split.train_user[rows], views=fixed)
        return model.loss(batch), model.full_sort_scores(batch)

    padded, trimmed = loss_and_scores(seq.shape[1]), loss_and_scores(int(lengths.max()))
    assert torch.allclose(padded[0], trimmed[0], atol=1e-10)
    assert torch.allclose(padded[1], trimmed[1], atol=1e-10)
