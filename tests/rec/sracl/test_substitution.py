import pytest
import torch

from rec.sracl.substitution import semantic_substitute

NEIGHBOURS = torch.tensor([[0, 0], [2, 3], [1, 3], [4, 1], [3, 2], [1, 2]])  # row i: items near i


def batch():
    seq = torch.tensor([[1, 2, 3, 0, 0], [4, 5, 1, 2, 3], [5, 0, 0, 0, 0]])
    return seq, (seq > 0).sum(1)


def test_keeps_length_swaps_only_to_neighbours_and_does_not_mutate():
    seq, lens = batch()
    before = seq.clone()
    g = torch.Generator().manual_seed(0)
    out = semantic_substitute(seq, lens, NEIGHBOURS, rate=0.5, generator=g)
    assert torch.equal(seq, before)
    assert out.shape == seq.shape
    assert torch.equal((out > 0).sum(1), lens)
    assert torch.equal(out == 0, seq == 0)
    changed = out != seq
    assert changed.any()
    for b, t in changed.nonzero().tolist():
        assert int(out[b, t]) in NEIGHBOURS[seq[b, t]].tolist()


def test_rate_extremes():
    seq, lens = batch()
    assert torch.equal(semantic_substitute(seq, lens, NEIGHBOURS, 0.0), seq)
    out = semantic_substitute(seq, lens, NEIGHBOURS, 1.0)
    present = seq > 0
    for b, t in present.nonzero().tolist():
        assert int(out[b, t]) in NEIGHBOURS[seq[b, t]].tolist()


def test_rate_is_respected_on_average():
    seq = torch.randint(1, 6, (400, 20))
    out = semantic_substitute(seq, (seq > 0).sum(1), NEIGHBOURS, 0.2, torch.Generator().manual_seed(3))
    frac = (out != seq).float().mean().item()  # neighbours never equal the item itself
    assert 0.17 < frac < 0.23


def test_errors():
    seq, lens = batch()
    with pytest.raises(ValueError, match="rate"):
        semantic_substitute(seq, lens, NEIGHBOURS, 1.5)
    with pytest.raises(ValueError, match="item_seq_len does not match"):
        semantic_substitute(seq, lens + 1, NEIGHBOURS, 0.2)
    with pytest.raises(ValueError, match="no row in item_neighbours"):
        semantic_substitute(seq, lens, NEIGHBOURS[:4], 0.2)
    with pytest.raises(ValueError, match="long tensor"):
        semantic_substitute(seq.float(), lens, NEIGHBOURS, 0.2)


def test_registered_as_rec_augmenter():
    from rec.augment import get_augmenter

    seq, lens = batch()
    fn = get_augmenter("substitute")
    out, out_len = fn(seq, lens, 1.0, torch.Generator().manual_seed(0), item_neighbours=NEIGHBOURS, mask_token=9)
    assert torch.equal(out_len, lens) and (out[seq > 0] != seq[seq > 0]).all()
    with pytest.raises(ValueError, match="augment_context"):
        fn(seq, lens, 0.5, None)
