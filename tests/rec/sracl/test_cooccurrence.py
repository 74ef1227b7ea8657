import torch
import torch.nn.functional as F

from rec.sracl.cooccurrence import cooccurrence_item_embeddings


def test_items_that_cooccur_are_closer_and_holdout_items_stay_unseen():
    # two "genres": items 1-4 co-occur, items 5-8 co-occur; 9 and 10 only appear as held-out targets
    seqs = [
        [1, 2, 3, 4, 1, 2, 9, 10],
        [2, 3, 4, 1, 3, 4, 9, 10],
        [5, 6, 7, 8, 5, 6, 9, 10],
        [6, 7, 8, 5, 7, 8, 9, 10],
    ] * 3
    emb = cooccurrence_item_embeddings(seqs, 10, dim=4, window=2)
    assert emb.shape == (11, 4)
    assert torch.equal(emb[9], torch.zeros(4)) and torch.equal(emb[10], torch.zeros(4))
    x = F.normalize(emb[1:9], dim=1)
    sim = x @ x.T
    within = (sim[:4, :4].sum() - 4) / 12
    across = sim[:4, 4:].mean()
    assert within > across + 0.3


def test_deterministic():
    seqs = [[1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 1], [6, 5, 4, 3, 2, 1]]
    a = cooccurrence_item_embeddings(seqs, 6, dim=3)
    b = cooccurrence_item_embeddings(seqs, 6, dim=3)
    assert torch.equal(a, b)
