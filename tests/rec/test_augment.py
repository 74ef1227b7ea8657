import pytest
import torch

from rec.augment import AUGMENTERS, augment_views, crop, mask, register_augmenter, reorder


def batch(seed=0, rows=64, width=20, num_items=100):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(0, width + 1, (rows,), generator=g)
    lengths[0], lengths[1] = 1, width
    seq = torch.randint(1, num_items + 1, (rows, width), generator=g)
    seq = torch.where(torch.arange(width) < lengths.unsqueeze(1), seq, torch.zeros_like(seq))
    return seq, lengths


def rows(seq, lengths):
    return [seq[i, : int(lengths[i])].tolist() for i in range(seq.shape[0])]


@pytest.mark.parametrize(
    "fn",
    [
        lambda s, n, g: crop(s, n, 0.4, g),
        lambda s, n, g: mask(s, n, 0.5, 999, g),
        lambda s, n, g: reorder(s, n, 0.6, g),
    ],
)
def test_augmenters_never_mutate_and_keep_padding(fn):
    seq, lengths = batch()
    seq_copy, len_copy = seq.clone(), lengths.clone()
    out, out_len = fn(seq, lengths, torch.Generator().manual_seed(1))
    assert torch.equal(seq, seq_copy) and torch.equal(lengths, len_copy)
    assert out.shape == seq.shape and out_len.shape == lengths.shape
    beyond = torch.arange(seq.shape[1]) >= out_len.unsqueeze(1)
    assert (out[beyond] == 0).all()
    assert out.data_ptr() != seq.data_ptr()


def test_crop_is_contiguous_subsequence_of_expected_length():
    seq, lengths = batch(seed=2)
    out, out_len = crop(seq, lengths, 0.3, torch.Generator().manual_seed(0))
    expected = torch.where(lengths > 0, torch.clamp(torch.floor(lengths * 0.3), min=1), lengths).long()
    assert torch.equal(out_len, expected)
    for original, cropped in zip(rows(seq, lengths), rows(out, out_len)):
        n = len(cropped)
        assert any(original[s : s + n] == cropped for s in range(len(original) - n + 1))


def test_crop_start_is_random_across_rows():
    seq = torch.arange(1, 21).repeat(200, 1)
    out, _ = crop(seq, torch.full((200,), 20), 0.5, torch.Generator().manual_seed(0))
    starts = set(out[:, 0].tolist())
    assert starts == set(range(1, 12))  # every start 0..10 drawn


def test_mask_rate_and_positions():
    seq, lengths = batch(seed=3, num_items=50)
    out, out_len = mask(seq, lengths, 0.5, 999, torch.Generator().manual_seed(0))
    assert torch.equal(out_len, lengths)
    masked = out == 999
    assert torch.equal(masked.sum(1), torch.floor(lengths * 0.5).long())
    valid = torch.arange(seq.shape[1]) < lengths.unsqueeze(1)
    assert not (masked & ~valid).any()
    assert torch.equal(out[~masked], seq[~masked])


def test_reorder_permutes_one_window_only():
    seq, lengths = batch(seed=4)
    out, out_len = reorder(seq, lengths, 0.5, torch.Generator().manual_seed(0))
    assert torch.equal(out_len, lengths)
    moved_any = False
    for original, new in zip(rows(seq, lengths), rows(out, out_len)):
        assert sorted(original) == sorted(new)
        changed = [i for i, (a, b) in enumerate(zip(original, new)) if a != b]
        if changed:
            moved_any = True
            assert changed[-1] - changed[0] + 1 <= int(len(original) * 0.5)
    assert moved_any


def test_generator_makes_augmentation_reproducible():
    seq, lengths = batch()
    a = reorder(seq, lengths, 0.8, torch.Generator().manual_seed(5))[0]
    b = reorder(seq, lengths, 0.8, torch.Generator().manual_seed(5))[0]
    c = reorder(seq, lengths, 0.8, torch.Generator().manual_seed(6))[0]
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_bad_rate_and_shapes_raise_clear_errors():
    seq, lengths = batch()
    with pytest.raises(ValueError, match="crop rate"):
        crop(seq, lengths, 1.5)
    with pytest.raises(ValueError, match="item_seq_len"):
        mask(seq, lengths[:3], 0.2, 7)
    with pytest.raises(ValueError, match="integer"):
        reorder(seq.float(), lengths, 0.2)


def test_distinct_views_use_different_augmenters():
    seq = torch.arange(1, 11).repeat(300, 1)
    lengths = torch.full((300,), 10)
    s1, l1, s2, l2 = augment_views(
        seq,
        lengths,
        ["crop", "mask"],
        {"crop": 0.5, "mask": 0.5},
        torch.Generator().manual_seed(0),
        distinct=True,
        mask_token=99,
    )
    cropped1, cropped2 = l1 == 5, l2 == 5
    assert not (cropped1 & cropped2).any() and (cropped1 | cropped2).all()
    assert cropped1.any() and (~cropped1).any()


def test_registered_augmenter_is_used_by_views():
    def identity_plus_one(seq, lens, rate, generator, offset=1, **ctx):
        return torch.where(seq > 0, seq + offset, seq), lens.clone()

    register_augmenter("test_plus", identity_plus_one, overwrite=True)
    try:
        with pytest.raises(ValueError, match="already registered"):
            register_augmenter("test_plus", identity_plus_one)
        seq, lengths = batch()
        s1, _, s2, _ = augment_views(seq, lengths, ["test_plus"], {}, None, offset=3)
        assert torch.equal(s1[seq > 0], seq[seq > 0] + 3) and torch.equal(s1, s2)
    finally:
        AUGMENTERS.pop("test_plus", None)
