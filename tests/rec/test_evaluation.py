"""What the model sees at evaluation: leave-one-out inputs, no target in its own input."""
from types import SimpleNamespace

import torch

from rec.evaluation import evaluate_part
from rec.split import LeaveOneOut


class SpyModel(torch.nn.Module):
    """Records its inputs and puts the highest score on *last input item + 1* (a "next id" rule)."""

    ITEM_SEQ, ITEM_SEQ_LEN, POS_ITEM_ID, USER_ID = "item_id_list", "item_length", "item_id", "user_id"

    def __init__(self, num_items):
        super().__init__()
        self.num_items, self.seen = num_items, []

    def full_sort_predict(self, inter):
        seq, lens = inter[self.ITEM_SEQ], inter[self.ITEM_SEQ_LEN]
        self.seen.append((seq.clone(), lens.clone(), inter[self.POS_ITEM_ID].clone()))
        last = seq.gather(1, (lens - 1).view(-1, 1)).squeeze(1)
        scores = torch.zeros(seq.shape[0], self.num_items + 1)
        scores[torch.arange(seq.shape[0]), (last + 1).clamp(max=self.num_items)] = 1.0
        scores[:, 0] = 10.0  # padding gets the top score: it must not be ranked
        return scores


def test_valid_and_test_inputs_stop_right_before_their_target():
    seqs = [[1, 2, 3, 4, 5, 6, 7], [3, 4, 5], [9, 2, 7, 8]]
    split = LeaveOneOut.from_sequences(SimpleNamespace(sequences=seqs, num_items=9), max_seq_length=4)
    model = SpyModel(9)
    valid = evaluate_part(model, split, "valid", batch_size=2, ks=(1,))
    test = evaluate_part(model, split, "test", batch_size=2, ks=(1,))
    rows = [(s, n, t) for part in model.seen for s, n, t in zip(*part)]
    assert len(rows) == 6  # 3 users x (valid, test)
    for (seq, n, target), user_seq, cut in zip(rows, seqs + seqs, [2] * 3 + [1] * 3):
        expected = user_seq[:-cut][-4:]  # last max_seq_length items before the held-out one
        assert seq[:n].tolist() == expected and int(target) == user_seq[-cut]
        assert (seq[n:] == 0).all()
    # test input ends with the validation target (as in the official code)
    assert [int(s[n - 1]) for s, n, _ in rows[3:]] == [s[-2] for s in seqs]
    # "next id" ranks first: users 0, 1 in both parts, user 2 only at test (7 -> 8, not 2 -> 7);
    # padding has the top score but is not ranked
    assert valid["hr@1"] == valid["ndcg@1"] == 2 / 3 and test["hr@1"] == 1.0
