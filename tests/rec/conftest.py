"""Tiny synthetic sequence data shared by the rec tests."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest


def synthetic_sequences(num_users: int = 40, num_items: int = 30, seed: int = 0, max_len: int = 12):
    """SequenceData-like object: each user walks item ids upward (learnable next-item signal)."""
    rng = random.Random(seed)
    sequences = []
    for _ in range(num_users):
        start, length = rng.randint(1, num_items), rng.randint(4, max_len)
        sequences.append([(start + k - 1) % num_items + 1 for k in range(length)])
    return SimpleNamespace(user_ids=list(range(num_users)), sequences=sequences, num_items=num_items, item_text=None)


@pytest.fixture
def tiny_data():
    return synthetic_sequences()


class InterruptAtEpoch:
    """An ``on_epoch_start`` hook that stands in for Ctrl-C / SIGTERM: raises KeyboardInterrupt
    when ``epoch`` starts."""

    def __init__(self, epoch):
        self.epoch = epoch

    def __call__(self, trainer):
        if trainer.epoch == self.epoch:
            raise KeyboardInterrupt
