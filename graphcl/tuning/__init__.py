"""Optuna studies over graphcl models (``graphcl tune``); see docs/tuning.md.

Modules: ``study_config`` (study file schema: ``StudyConfig``, ``ParamSpec``, ``SamplerSpec``,
``PrunerSpec``), ``space_check`` (search space vs the model's params), ``sampling``,
``objective`` (one trial), ``worker`` (trial loop), ``storage``, ``liveness`` (dead workers),
``results`` (best YAML, re-runs, summary), ``plots``, ``commands`` (the CLI entry point).
"""
