from types import SimpleNamespace

import pytest
import torch

from rec.split import LeaveOneOut


def test_leave_one_out_with_all_prefixes():
    data = SimpleNamespace(sequences=[[1, 2, 3, 4, 5], [6, 7], [8, 2, 3]], num_items=8)
    s = LeaveOneOut.from_sequences(data, max_seq_length=3)
    # user 0: train items 1,2,3 -> prefixes [1]->2, [1,2]->3 ; user 2: no prefix; user 1 dropped
    assert s.train_seq.tolist() == [[1, 0, 0], [1, 2, 0]]
    assert s.train_target.tolist() == [2, 3] and s.train_len.tolist() == [1, 2]
    assert s.users.tolist() == [0, 2]
    assert s.valid_seq.tolist() == [[1, 2, 3], [8, 0, 0]] and s.valid_target.tolist() == [4, 2]
    assert s.test_seq.tolist() == [[2, 3, 4], [8, 2, 0]] and s.test_target.tolist() == [5, 3]
    assert s.test_len.tolist() == [3, 2]
    assert s.test_history.tolist() == [[1, 2, 3, 4], [8, 2, 0, 0]]


def test_prefix_count_and_truncation(tiny_data):
    s = LeaveOneOut.from_sequences(tiny_data, max_seq_length=4)
    assert s.train_seq.shape[0] == sum(len(q) - 3 for q in tiny_data.sequences)
    assert int(s.train_len.max()) <= 4 and s.train_seq.shape[1] == 4
    # every training row is the window right before its target in the user's sequence
    for row in range(0, s.train_seq.shape[0], 7):
        user, n = int(s.train_user[row]), int(s.train_len[row])
        seq = tiny_data.sequences[user]
        window = s.train_seq[row, :n].tolist()
        ends = [e for e in range(1, len(seq) - 2) if seq[max(0, e - 4) : e] == window and seq[e] == s.train_target[row]]
        assert ends


def test_bad_ids_raise():
    with pytest.raises(ValueError, match="1-based"):
        LeaveOneOut.from_sequences(SimpleNamespace(sequences=[[0, 1, 2]], num_items=2))
    with pytest.raises(ValueError, match="3 or more"):
        LeaveOneOut.from_sequences(SimpleNamespace(sequences=[[1, 2]], num_items=2))
    assert torch.is_tensor(LeaveOneOut.from_sequences(SimpleNamespace(sequences=[[1, 2, 1]], num_items=2)).test_seq)


def test_dropped_users_are_counted_and_logged(caplog):
    data = SimpleNamespace(sequences=[[1, 2, 3, 4], [5, 6], [7], [8, 2, 3]], num_items=8)
    with caplog.at_level("WARNING"):
        split = LeaveOneOut.from_sequences(data, max_seq_length=4)
    assert split.dropped_users == 2 and split.users.tolist() == [0, 3]
    assert "2 of 4 users have fewer than 3 items" in caplog.text


@pytest.mark.parametrize(
    "sequences, num_items, message",
    [
        ([[1, 1.5, 2, 3]], 3, "item ids must be integers, found float64"),
        ([[1, 2, 3]], 3.5, r"num_items must be an integer, got 3.5"),
    ],
)
def test_split_refuses_what_it_would_truncate(sequences, num_items, message):
    with pytest.raises(ValueError, match=message):
        LeaveOneOut.from_sequences(SimpleNamespace(sequences=sequences, num_items=num_items))
