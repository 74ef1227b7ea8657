"""Why a sampled trial is not run: each ends that trial as FAIL with a ``fail_reason``, is not
counted towards ``n_trials``, and the study goes on."""


class InvalidTrialConfig(Exception):
    """The sampled combination is rejected by the params dataclass (e.g. ``hidden_size`` not
    divisible by ``n_heads``): that trial fails with ``fail_reason``, the study goes on."""


class RepeatedTrial(Exception):
    """The sampler proposed parameters identical to a complete (or running) trial's; the trial is
    marked FAIL with ``fail_reason: duplicate ...``, not run and not counted."""


class SurplusTrial(Exception):
    """Other workers already started enough trials to reach ``n_trials``; this one is not run
    (it is marked FAIL with ``fail_reason: surplus ...`` and not counted)."""
