"""Loss registry so that configs can name a loss."""
from __future__ import annotations

import inspect

from torch import nn

from graphcl.core.debiased import DebiasedInfoNCE
from graphcl.core.decoupled import DecoupledInfoNCE
from graphcl.core.hard_negative_mixing import HardNegativeMixing
from graphcl.core.infonce import InfoNCE
from graphcl.core.ntxent import NTXent
from graphcl.core.protonce import ProtoNCE

LOSSES: dict[str, type] = {
    "infonce": InfoNCE,
    "ntxent": NTXent,
    "dcl": DecoupledInfoNCE,
    "debiased": DebiasedInfoNCE,
    "mochi": HardNegativeMixing,
    "protonce": ProtoNCE,
}


def build_loss(name: str, **kwargs) -> nn.Module:
    """Instantiate ``LOSSES[name](**kwargs)``; unknown names or arguments raise with the valid ones."""
    if name not in LOSSES:
        raise KeyError(f"unknown loss {name!r}; known losses: {sorted(LOSSES)}")
    cls = LOSSES[name]
    valid = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = sorted(set(kwargs) - set(valid))
    if unknown:
        raise TypeError(f"loss {name!r} got unknown argument(s) {unknown}; valid arguments: {valid}")
    return cls(**kwargs)
