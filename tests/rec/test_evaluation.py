"""What the model sees at evaluation: leave-one-out inputs, no target in its own input."""

import shutil
from types import SimpleNamespace

import pytest
import torch

from rec.evaluation import evaluate_part
from rec.split import LeaveOneOut


class SpyModel(torch.nn.Module):
    """Records its inputs and puts the highest score on *last input item + 1* (a "next id" rule)."""

    def __init__(self, num_items):
        super().__init__()
        self.num_items, self.seen = num_items, []

    def full_sort_scores(self, batch):
        seq, lens = batch.item_seq, batch.item_seq_len
        self.seen.append((seq.clone(), lens.clone(), batch.target.clone(), batch.user.clone()))
        last = seq.gather(1, (lens - 1).view(-1, 1)).squeeze(1)
        scores = torch.zeros(seq.shape[0], self.num_items + 1)
        scores[torch.arange(seq.shape[0]), (last + 1).clamp(max=self.num_items)] = 1.0
        scores[:, 0] = 10.0  # padding gets the top score: it must not be ranked
        return scores


def test_valid_and_test_inputs_stop_right_before_their_target():
    seqs = [[1, 2, 3, 4, 5, 6, 7], [3, 4, 5], [9, 2, 7, 8]]
    split = LeaveOneOut.from_sequences(SimpleNamespace(sequences=seqs, num_items=9), max_seq_length=4)
    model = SpyModel(9)
    valid = evaluate_part(model, split, "valid", batch_size=2, ks=(1,))["p2"]
    seen_valid = len(model.seen)
    test = evaluate_part(model, split, "test", batch_size=2, ks=(1,))["p2"]
    for parts, cut in ((model.seen[:seen_valid], 2), (model.seen[seen_valid:], 1)):
        rows = {int(u): (s, n, t) for part in parts for s, n, t, u in zip(*part)}
        assert sorted(rows) == [0, 1, 2]  # every user once per part
        for user, (seq, n, target) in rows.items():
            expected = seqs[user][:-cut][-4:]  # last max_seq_length items before the held-out one
            assert seq[:n].tolist() == expected and int(target) == seqs[user][-cut]
            assert (seq[n:] == 0).all()
            if cut == 1:  # test input ends with the validation target (as in the official code)
                assert int(seq[n - 1]) == seqs[user][-2]
    # "next id" ranks first: users 0, 1 in both parts, user 2 only at test (7 -> 8, not 2 -> 7);
    # padding has the top score but is not ranked
    assert valid["hr@1"] == valid["ndcg@1"] == 2 / 3 and test["hr@1"] == 1.0


def test_batches_are_scored_in_length_order_and_trimmed_to_their_longest_row():
    seqs = [[1] * 9, [2, 3, 4], [5, 6, 7, 8, 9], [1, 2, 3, 4]]
    split = LeaveOneOut.from_sequences(SimpleNamespace(sequences=seqs, num_items=9), max_seq_length=8)
    model = SpyModel(9)
    evaluate_part(model, split, "valid", batch_size=2)
    widths = [seq.shape[1] for seq, *_ in model.seen]
    lengths = [lens.tolist() for _, lens, *_ in model.seen]
    assert lengths == [[1, 2], [3, 7]] and widths == [2, 7]


def test_p1_masks_the_history_and_p2_ranks_it():
    # one user 1 2 3 4 5: valid input [1, 2, 3], target 4; the model scores item id i with i,
    # except the target gets 2.5: items 3 (history) and 5 (unseen) beat it under P2, only 5 under P1
    split = LeaveOneOut.from_sequences(SimpleNamespace(sequences=[[1, 2, 3, 4, 5]], num_items=6), max_seq_length=5)

    class Fixed(SpyModel):
        def full_sort_scores(self, batch):
            scores = torch.arange(7, dtype=torch.float).repeat(len(batch), 1)
            scores[:, 4] = 2.5
            scores[:, 6] = -1.0
            return scores

    result = evaluate_part(Fixed(6), split, "valid", ks=(1, 2))
    assert result["p2"]["hr@2"] == 0.0 and result["p1"]["hr@2"] == 1.0 and result["p1"]["hr@1"] == 0.0


def test_protocol_ranks_subtract_each_history_item_once_and_never_the_target():
    from rec.evaluation import protocol_ranks

    scores = torch.tensor([[9.0, 5.0, 4.0, 3.0, 2.0, 1.0]])
    # target 4 (score 2): items 1, 2, 3 score above it; history repeats item 1 and holds the target
    p2, p1 = protocol_ranks(scores, torch.tensor([4]), torch.tensor([[1, 1, 4, 2, 0]]))
    assert p2.tolist() == [3] and p1.tolist() == [1]
    with pytest.raises(FloatingPointError, match="NaN"):
        protocol_ranks(torch.full((1, 3), float("nan")), torch.tensor([1]), torch.tensor([[0]]))


def test_protocol_ranks_of_many_rows_match_a_per_row_count():
    # 150 rows: several blocks of count_above and a short last one; one NaN only when a row has it
    from rec.evaluation import protocol_ranks

    g = torch.Generator().manual_seed(0)
    scores = torch.randn(150, 40, generator=g)
    targets = torch.randint(1, 40, (150,), generator=g)
    history = torch.randint(0, 40, (150, 7), generator=g)
    p2, p1 = protocol_ranks(scores, targets, history)
    for row in range(150):
        above = {i for i in range(1, 40) if scores[row, i] > scores[row, targets[row]]}
        assert p2[row] == len(above)
        assert p1[row] == len(above - set(history[row].tolist()))
    infinite = scores.clone()
    infinite[3, 5], infinite[7, 6] = float("inf"), float("-inf")  # a NaN sum, but no NaN score
    p2_infinite, _ = protocol_ranks(infinite, targets, history)  # no error
    assert p2_infinite[3] == int((infinite[3, 1:] > infinite[3, targets[3]]).sum())
    scores[149, 2] = float("nan")
    with pytest.raises(FloatingPointError, match="NaN"):
        protocol_ranks(scores, targets, history)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_compiled_count_above_matches_the_eager_count(dtype):
    # ties, infinities and a short last batch: the compiled kernel and the eager blocks agree
    from rec import evaluation

    if not any(shutil.which(cxx) for cxx in ("c++", "g++", "clang++")):
        pytest.skip("no C++ compiler: count_above runs eagerly")
    assert evaluation._compiled_count() is not None, "a compiler is present, but the compiled count failed its probe"
    g = torch.Generator().manual_seed(1)
    scores = torch.randint(-3, 4, (70, 25), generator=g).to(dtype)  # many exact ties
    scores[0, 3], scores[1, 4] = float("inf"), float("-inf")
    threshold = scores[:, 7:8].clone()
    for rows in (70, 5, 0):
        compiled = evaluation.count_above(scores[:rows], threshold[:rows])
        eager = evaluation._count_above_eager(scores[:rows], threshold[:rows])
        assert compiled.dtype == torch.long
        assert torch.equal(compiled, eager)
        assert torch.equal(compiled, (scores[:rows] > threshold[:rows]).sum(dim=1))
