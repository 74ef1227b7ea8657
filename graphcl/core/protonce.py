"""Prototypical contrastive loss (PCL) over several clusterings."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.core._checks import REDUCTIONS, check_choice, check_embeddings, check_positive_float, reduce


class ProtoNCE(nn.Module):
    r"""ProtoNCE prototype term of Prototypical Contrastive Learning.

    Li et al., "Prototypical Contrastive Learning of Unsupervised Representations", ICLR 2021; used
    by MEOW/AdaMEOW (Yu et al.) as their prototype loss. For M clusterings with centroids
    :math:`c^m_k`, assignments :math:`a^m(i)` and concentrations :math:`\phi^m_k`:

    .. math::
        \ell_i = \frac{1}{M}\sum_{m=1}^{M} -\log
            \frac{\exp(z_i\cdot c^m_{a^m(i)} / \phi^m_{a^m(i)})}{\sum_{k} \exp(z_i\cdot c^m_k / \phi^m_k)}

    All prototypes of a clustering are used as negatives (as in MEOW's official code; PCL samples
    r of them, which only matters for very large k). With ``concentrations=None`` every
    :math:`\phi = ` ``temperature``. Use :func:`graphcl.core.cluster_concentration` for PCL's
    :math:`\phi`.

    Args:
        temperature: :math:`\phi` used when no concentrations are given (> 0).
        normalize: L2-normalise ``z`` and the centroids first (PCL and MEOW do).
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (``[N]``).

    Forward:
        z: ``[N, D]`` embeddings.
        assignments: list of M LongTensors ``[N]`` with values in ``[0, k_m)``.
        centroids: list of M tensors ``[k_m, D]``.
        concentrations: list of M tensors ``[k_m]`` (> 0), or ``None``.

    Example:
        >>> z = torch.randn(10, 4)
        >>> ProtoNCE(0.1)(z, [torch.arange(10) % 2], [torch.randn(2, 4)]).shape
        torch.Size([])
    """

    def __init__(self, temperature: float = 0.1, normalize: bool = True, reduction: str = "mean"):
        super().__init__()
        self.temperature = check_positive_float(temperature, "temperature")
        self.normalize = bool(normalize)
        self.reduction = check_choice(reduction, "reduction", REDUCTIONS)

    def forward(self, z: torch.Tensor, assignments, centroids, concentrations=None) -> torch.Tensor:
        check_embeddings(z, "z")
        if isinstance(assignments, torch.Tensor) or isinstance(centroids, torch.Tensor):
            raise TypeError(
                "assignments and centroids must be lists (one entry per clustering); wrap single tensors in [ ]"
            )
        if len(assignments) == 0 or len(assignments) != len(centroids):
            raise ValueError(
                f"need one centroid tensor per assignment vector and at least one clustering, "
                f"got {len(assignments)} assignments and {len(centroids)} centroids"
            )
        if concentrations is not None and len(concentrations) != len(assignments):
            raise ValueError(
                f"concentrations must have one entry per clustering ({len(assignments)}), got {len(concentrations)}"
            )
        zz = F.normalize(z, dim=1) if self.normalize else z
        total = z.new_zeros(z.shape[0])
        for m, (assign, cents) in enumerate(zip(assignments, centroids)):
            check_embeddings(cents, f"centroids[{m}]", like=z)
            k = cents.shape[0]
            if (
                not isinstance(assign, torch.Tensor)
                or assign.dtype != torch.long
                or tuple(assign.shape) != (z.shape[0],)
            ):
                raise ValueError(f"assignments[{m}] must be a LongTensor of shape [{z.shape[0]}]")
            if assign.device != z.device:
                raise ValueError(f"assignments[{m}] is on {assign.device} but z is on {z.device}; move it")
            if assign.min() < 0 or assign.max() >= k:
                raise ValueError(f"assignments[{m}] has values outside [0, {k}) (centroids[{m}] has {k} rows)")
            if concentrations is None:
                phi = z.new_full((k,), self.temperature)
            else:
                phi = concentrations[m]
                if not isinstance(phi, torch.Tensor) or tuple(phi.shape) != (k,):
                    raise ValueError(f"concentrations[{m}] must be a tensor of shape [{k}]")
                if not (torch.isfinite(phi).all() and (phi > 0).all()):
                    raise ValueError(f"concentrations[{m}] must be finite and > 0")
                phi = phi.to(device=z.device, dtype=z.dtype)
            cc = F.normalize(cents, dim=1) if self.normalize else cents
            logits = zz @ cc.t() / phi[None, :]
            total = total + F.cross_entropy(logits, assign, reduction="none")
        return reduce(total / len(assignments), self.reduction)
