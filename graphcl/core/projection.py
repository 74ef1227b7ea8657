"""MLP projection head mapping encoder outputs into the contrastive space."""
from __future__ import annotations

from torch import nn

ACTIVATIONS = {"elu": nn.ELU, "relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "prelu": nn.PReLU,
               "leaky_relu": nn.LeakyReLU}


class ProjectionHead(nn.Module):
    """``num_layers`` linear layers with an activation between them (none after the last).

    The non-linear projection of SimCLR (Chen et al., ICML 2020) and HeCo/MEOW (Linear-ELU-Linear,
    ``num_layers=2, activation="elu"``). ``num_layers=1`` is a single linear map.

    Args:
        in_dim: input feature size.
        hidden_dim: width of the hidden layers (unused when ``num_layers=1``).
        out_dim: output size.
        num_layers: number of linear layers, >= 1.
        activation: one of ``elu, relu, gelu, tanh, prelu, leaky_relu``.
        dropout: dropout probability before each hidden linear layer after the first, in ``[0, 1)``.
        batch_norm: add ``BatchNorm1d`` after each hidden linear layer (SimCLR v2 style).

    Example:
        >>> import torch
        >>> ProjectionHead(64, 64, 32)(torch.randn(5, 64)).shape
        torch.Size([5, 32])
    """

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, num_layers: int = 2,
                 activation: str = "elu", dropout: float = 0.0, batch_norm: bool = False):
        super().__init__()
        for name, value in (("in_dim", in_dim), ("hidden_dim", hidden_dim), ("out_dim", out_dim), ("num_layers", num_layers)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.in_dim, self.out_dim = in_dim, out_dim
        dims = [in_dim] + [hidden_dim] * (num_layers - 1) + [out_dim]
        layers: list[nn.Module] = []
        for i in range(num_layers):
            if i > 0 and dropout > 0:
                layers.append(nn.Dropout(dropout))
            layers.append(nn.Linear(dims[i], dims[i + 1]))
            if i < num_layers - 1:
                if batch_norm:
                    layers.append(nn.BatchNorm1d(dims[i + 1]))
                layers.append(ACTIVATIONS[activation]())
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        if x.shape[-1] != self.in_dim:
            raise ValueError(f"ProjectionHead expects inputs with last dim {self.in_dim}, got shape {tuple(x.shape)}")
        return self.net(x)
