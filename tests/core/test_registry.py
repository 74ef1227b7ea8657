import pytest

from graphcl.core import LOSSES, DebiasedInfoNCE, InfoNCE, build_loss


def test_every_registered_loss_builds_with_defaults():
    for name, cls in LOSSES.items():
        assert isinstance(build_loss(name), cls)


def test_kwargs_are_passed():
    loss = build_loss("infonce", temperature=0.2, chunk_size=128)
    assert isinstance(loss, InfoNCE) and loss.temperature == 0.2 and loss.chunk_size == 128
    assert build_loss("debiased", tau_plus=0.2).tau_plus == 0.2
    assert LOSSES["debiased"] is DebiasedInfoNCE


def test_errors():
    with pytest.raises(KeyError, match="known losses"):
        build_loss("triplet")
    with pytest.raises(TypeError, match="valid arguments"):
        build_loss("infonce", temprature=0.2)
    with pytest.raises(ValueError, match="temperature"):
        build_loss("ntxent", temperature=-1)
