"""Exception for a trial whose sampled parameters were already run."""


class RepeatedTrial(Exception):
    """The sampler proposed parameters identical to a complete (or running) trial's; the trial is
    marked FAIL with ``fail_reason: duplicate ...``, not run and not counted."""
