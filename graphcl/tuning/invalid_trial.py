"""Exception for a sampled combination the model's params dataclass rejects."""


class InvalidTrialConfig(Exception):
    """The sampled combination is rejected by the params dataclass (e.g. ``hidden_size`` not
    divisible by ``n_heads``): that trial fails with ``fail_reason``, the study goes on."""
