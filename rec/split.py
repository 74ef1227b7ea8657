"""Leave-one-out split of users' sequences into padded training prefixes and evaluation rows."""

from __future__ import annotations

import logging
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

log = logging.getLogger(__name__)


def _windows(flat: np.ndarray, begin: np.ndarray, end: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``flat[max(begin, end - width):end]`` left-aligned in ``[n, width]`` (0-padded) + lengths."""
    start = np.maximum(begin, end - width)
    length = end - start
    index = start[:, None] + np.arange(width)[None, :]
    valid = np.arange(width)[None, :] < length[:, None]
    rows = np.where(valid, flat[np.minimum(index, len(flat) - 1)], 0)
    return rows.astype(np.int64), length.astype(np.int64)


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    return int(value)


def _flat_item_ids(sequences: Any, num_items: int) -> np.ndarray:
    """All item ids as one int64 array; floats (1.5 would become 1), strings and ids outside
    1..num_items are refused."""
    flat = np.asarray([i for s in sequences for i in s])
    if flat.size and flat.dtype.kind not in "iu":
        raise ValueError(
            f"item ids must be integers, found {flat.dtype} values such as {flat.flat[0]!r}; build the "
            "data with graphcl.data.SequenceData.from_raw_ids to map other ids to 1..n"
        )
    flat = flat.astype(np.int64)
    if flat.size and (flat.min() < 1 or flat.max() > num_items):
        raise ValueError(
            f"item ids must lie in 1..num_items={num_items}, found {flat.min()}..{flat.max()}; "
            "ids are 1-based with 0 reserved for padding"
        )
    return flat


@dataclass
class LeaveOneOut:
    """Leave-one-out protocol of SASRec / CL4SRec / MCLRec: per user the last item is the test
    target, the second-to-last the validation target, and training uses *every prefix* of the
    remaining items (each prefix predicts its next item), keeping the last ``max_seq_length``
    items of each input. The official MCLRec code gets the prefixes from RecBole's sequential
    data augmentation, ICLRec / CoSeRec build them in their datasets: the same examples.

    Users with fewer than 3 items (no non-empty validation input) are dropped, with a log line
    saying how many; users with 3 items are evaluated but give no training prefix.

    Attributes (tensors, item ids 1..num_items, 0 = padding, inputs left-aligned):
        train_seq, train_len, train_target, train_user: all training prefixes.
        valid_seq, valid_len, valid_target, test_seq, test_len, test_target: one row per user.
        users: user index per evaluation row (``0..num_users-1``, rows of the source data).
        valid_history, test_history: ``[U, H]`` full input histories (not truncated), for
            optional history-item exclusion.
        num_items, num_users, max_seq_length, source: the ``SequenceData``.
        dropped_users: users left out for having fewer than 3 items (also logged).
    """

    train_seq: torch.Tensor
    train_len: torch.Tensor
    train_target: torch.Tensor
    train_user: torch.Tensor
    valid_seq: torch.Tensor
    valid_len: torch.Tensor
    valid_target: torch.Tensor
    test_seq: torch.Tensor
    test_len: torch.Tensor
    test_target: torch.Tensor
    users: torch.Tensor
    valid_history: torch.Tensor
    test_history: torch.Tensor
    num_items: int
    num_users: int
    max_seq_length: int
    source: Any = None
    dropped_users: int = 0

    @classmethod
    def from_sequences(cls, data: Any, max_seq_length: int = 50) -> LeaveOneOut:
        """Split a ``SequenceData`` (``sequences``: per-user item lists in time order, ids 1..num_items).

        Args:
            data: object with ``sequences`` and ``num_items`` (``graphcl.data.SequenceData``).
            max_seq_length: inputs keep their last ``max_seq_length`` items.
        """
        if max_seq_length < 1:
            raise ValueError(f"max_seq_length must be >= 1, got {max_seq_length}")
        sequences, num_items = data.sequences, _integer(data.num_items, "num_items")
        lengths_all = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
        flat = _flat_item_ids(sequences, num_items)
        offsets = np.concatenate([[0], np.cumsum(lengths_all)[:-1]]).astype(np.int64)
        keep = np.nonzero(lengths_all >= 3)[0]
        if keep.size == 0:
            raise ValueError(
                "no user has 3 or more items: leave-one-out needs a training, a validation and a test item"
            )
        if keep.size < len(sequences):
            log.warning(
                "%d of %d users have fewer than 3 items and are left out of training and evaluation "
                "(leave-one-out needs a training, a validation and a test item per user)",
                len(sequences) - keep.size,
                len(sequences),
            )
        begin, n = offsets[keep], lengths_all[keep]
        valid_seq, valid_len = _windows(flat, begin, begin + n - 2, max_seq_length)
        test_seq, test_len = _windows(flat, begin, begin + n - 1, max_seq_length)
        hist_width = int(n.max()) - 1
        valid_hist, _ = _windows(flat, begin, begin + n - 2, hist_width)
        test_hist, _ = _windows(flat, begin, begin + n - 1, hist_width)
        # training prefixes: targets at positions 1..n-3 of each user (the rest is valid/test)
        per_user = np.maximum(n - 3, 0)
        owner = np.repeat(np.arange(keep.size), per_user)
        step = np.arange(per_user.sum()) - np.repeat(np.cumsum(per_user) - per_user, per_user)
        end = begin[owner] + 1 + step  # exclusive end of the input = index of the target
        train_seq, train_len = _windows(flat, begin[owner], end, max_seq_length)
        t = torch.from_numpy
        return cls(
            train_seq=t(train_seq),
            train_len=t(train_len),
            train_target=t(flat[end]),
            train_user=t(keep[owner].astype(np.int64)),
            valid_seq=t(valid_seq),
            valid_len=t(valid_len),
            valid_target=t(flat[begin + n - 2]),
            test_seq=t(test_seq),
            test_len=t(test_len),
            test_target=t(flat[begin + n - 1]),
            users=t(keep.astype(np.int64)),
            valid_history=t(valid_hist),
            test_history=t(test_hist),
            num_items=num_items,
            num_users=len(sequences),
            max_seq_length=max_seq_length,
            source=data,
            dropped_users=len(sequences) - int(keep.size),
        )

    def part(self, name: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(seq, len, target, history)`` of ``"valid"`` or ``"test"``."""
        if name == "valid":
            return self.valid_seq, self.valid_len, self.valid_target, self.valid_history
        if name == "test":
            return self.test_seq, self.test_len, self.test_target, self.test_history
        raise ValueError(f"part must be 'valid' or 'test', got {name!r}")

    def all_positions(self) -> dict[str, torch.Tensor]:
        """One training row per user for next-item loss at every position (SASRec's original
        objective): the user's last ``max_seq_length`` training inputs (its longest prefix) and
        ``target_seq``, the item after each position (0 = padding).

        Returns ``{"seq", "len", "target", "user", "target_seq"}`` (``target``: the row's last
        target, which equals its longest prefix's target). Under the causal mask the row's
        position ``t`` sees exactly the prefix of length ``t + 1``, so this trains on the same
        examples as the prefixes of users that fit into ``max_seq_length`` items.
        """
        users = self.train_user
        if users.numel() == 0:
            raise ValueError("no training prefixes: every user has fewer than 4 items")
        last = torch.nonzero(torch.cat([users[1:] != users[:-1], torch.tensor([True])])).flatten()
        seq, lengths, target = self.train_seq[last], self.train_len[last], self.train_target[last]
        target_seq = torch.zeros_like(seq)
        target_seq[:, :-1] = seq[:, 1:]
        target_seq[torch.arange(seq.shape[0]), lengths - 1] = target
        return {"seq": seq, "len": lengths, "target": target, "user": users[last], "target_seq": target_seq}
