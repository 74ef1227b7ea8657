from graphcl.utils.device import resolve_device
from graphcl.utils.seed import seed_everything

__all__ = ["resolve_device", "seed_everything"]
