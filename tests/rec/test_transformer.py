"""Our Transformer encoder equals RecBole 1.2.1's with copied weights; the last-position path
equals the full output at that position."""

import pytest
import torch

from rec.transformer import TransformerEncoder, causal_padding_mask


def _batch(seed=0, batch=5, width=7, hidden=16):
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([7, 1, 4, 3, 6])[:batch]
    seq = torch.randint(1, 30, (batch, width), generator=generator)
    seq[torch.arange(width) >= lengths.unsqueeze(1)] = 0
    return seq, lengths, torch.randn(batch, width, hidden, generator=generator, dtype=torch.float64)


@pytest.mark.parametrize("act", ["gelu", "relu", "swish"])
def test_equal_to_recbole_with_copied_weights(act):
    from rec.recbole import SequentialRecommender
    from rec.recbole import TransformerEncoder as RecBoleEncoder

    kwargs = dict(
        n_layers=2,
        n_heads=2,
        hidden_size=16,
        inner_size=32,
        hidden_dropout_prob=0.3,
        attn_dropout_prob=0.3,
        hidden_act=act,
        layer_norm_eps=1e-12,
    )
    ours, theirs = TransformerEncoder(**kwargs).double().eval(), RecBoleEncoder(**kwargs).double().eval()
    assert set(ours.state_dict()) == set(theirs.state_dict())  # same names: state dicts load both ways
    theirs.load_state_dict(ours.state_dict())
    seq, lengths, hidden = _batch()
    mask = causal_padding_mask(seq)
    recbole_mask = SequentialRecommender.get_attention_mask(None, seq)
    assert torch.equal(mask, recbole_mask)
    expected = theirs(hidden, recbole_mask.double(), output_all_encoded_layers=True)[-1]
    assert torch.allclose(ours(hidden, mask.double()), expected, atol=1e-12)
    last = ours(hidden, mask.double(), query_positions=lengths - 1)
    assert torch.allclose(last, expected[torch.arange(5), lengths - 1], atol=1e-12)


def test_last_position_path_has_the_same_gradients():
    encoder = TransformerEncoder(n_layers=2, n_heads=2, hidden_size=16, inner_size=32).double().eval()
    seq, lengths, hidden = _batch(seed=1)
    mask = causal_padding_mask(seq).double()
    full = encoder(hidden, mask)[torch.arange(5), lengths - 1].pow(2).sum()
    grads_full = torch.autograd.grad(full, list(encoder.parameters()))
    last = encoder(hidden, mask, query_positions=lengths - 1).pow(2).sum()
    grads_last = torch.autograd.grad(last, list(encoder.parameters()))
    assert torch.allclose(full, last, atol=1e-12)
    for a, b in zip(grads_full, grads_last):
        assert torch.allclose(a, b, atol=1e-10)


def test_bad_arguments():
    with pytest.raises(ValueError, match="multiple of n_heads"):
        TransformerEncoder(hidden_size=10, n_heads=3)
    with pytest.raises(ValueError, match="hidden_act must be one of"):
        TransformerEncoder(hidden_act="elu")
    with pytest.raises(ValueError, match="n_layers"):
        TransformerEncoder(n_layers=0)
