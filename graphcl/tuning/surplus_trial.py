"""Exception for a trial that would take the study past ``n_trials``."""


class SurplusTrial(Exception):
    """Other workers already started enough trials to reach ``n_trials``; this one is not run
    (it is marked FAIL with ``fail_reason: surplus ...`` and not counted)."""
