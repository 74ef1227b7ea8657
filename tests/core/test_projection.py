import pytest
import torch
from torch import nn

from graphcl.core import ProjectionHead


def test_layers_and_shapes():
    head = ProjectionHead(8, 16, 4, num_layers=3, activation="relu")
    linears = [m for m in head.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(8, 16), (16, 16), (16, 4)]
    assert sum(isinstance(m, nn.ReLU) for m in head.modules()) == 2
    assert head(torch.randn(5, 8)).shape == (5, 4)
    single = ProjectionHead(8, 16, 4, num_layers=1)
    assert [type(m) for m in single.net] == [nn.Linear]


def test_heco_style_is_linear_elu_linear():
    head = ProjectionHead(4, 4, 4)
    assert [type(m) for m in head.net] == [nn.Linear, nn.ELU, nn.Linear]
    x = torch.randn(3, 4)
    first, act, last = head.net
    torch.testing.assert_close(head(x), last(act(first(x))))


def test_batch_norm_and_dropout_layers():
    head = ProjectionHead(4, 6, 2, num_layers=2, batch_norm=True, dropout=0.1)
    assert [type(m) for m in head.net] == [nn.Linear, nn.BatchNorm1d, nn.ELU, nn.Dropout, nn.Linear]


def test_errors():
    with pytest.raises(ValueError, match="activation"):
        ProjectionHead(4, 4, 4, activation="swishy")
    with pytest.raises(ValueError, match="num_layers"):
        ProjectionHead(4, 4, 4, num_layers=0)
    with pytest.raises(ValueError, match="last dim 4"):
        ProjectionHead(4, 4, 4)(torch.randn(2, 3))
