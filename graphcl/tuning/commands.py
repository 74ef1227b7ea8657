"""``graphcl tune <study.yaml>``: check the study file, run the trials, summarise the best."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
from pathlib import Path

from graphcl.config import ConfigError, load_run_config, to_dict
from graphcl.tuning.metrics import check_objective
from graphcl.tuning.run_configs import base_mapping
from graphcl.tuning.sampling import default_trial
from graphcl.tuning.space_check import check_search_space
from graphcl.tuning.storage import check_storage_url, default_storage_url
from graphcl.tuning.study_config import StudyConfig, load_study_config
from graphcl.tuning.worker import INTERRUPTED, WorkerJob, run_worker, worker_process_main
from graphcl.utils.signals import sigterm_as_keyboard_interrupt
from graphcl.validation import validate_run

log = logging.getLogger(__name__)


def study_file(name: str) -> Path:
    """A study YAML path, or a shipped study name (``meow_acm`` or ``studies/meow_acm``).

    Args:
        name: what the user typed.
    """
    from graphcl.utils.resources import configs_dir

    path = Path(name)
    if path.is_file():
        return path
    stem = name[:-5] if name.endswith(".yaml") else name
    stem = stem[len("studies/") :] if stem.startswith("studies/") else stem
    shipped = configs_dir() / "studies" / f"{stem}.yaml"
    if shipped.is_file():
        return shipped
    names = sorted(p.stem for p in (configs_dir() / "studies").glob("*.yaml"))
    raise ConfigError(f"no study file {name!r}: give a path or one of the shipped studies {names}")


def prepare(args) -> tuple[StudyConfig, WorkerJob, Path, dict | None]:
    """Check everything that can be checked before a trial runs; return the study config,
    a worker job template, the study's output folder and the base config's values to enqueue
    as the first trial of a new study (``None`` when ``enqueue_default`` is off).

    Args:
        args: parsed ``graphcl tune`` arguments (see ``graphcl.cli``).
    """
    from graphcl.registry import MODELS, params_class

    study, folder = load_study_config(study_file(args.study), list(args.set or []))
    if args.n_trials is not None:
        if args.n_trials < 1:
            raise ConfigError(f"--n-trials must be >= 1, got {args.n_trials}")
        study.n_trials = args.n_trials
    workers = args.workers if args.workers is not None else 1
    if workers < 1:
        raise ConfigError(f"--workers must be >= 1, got {workers}")
    base = base_mapping(study.base_config, folder, study.overrides)
    if args.data_root and "data_root" in (study.overrides or {}):
        raise ConfigError(
            f"--data-root {args.data_root} and the study's overrides.data_root "
            f"{study.overrides['data_root']} both set data_root; give only one of them"
        )
    study_dir = Path(args.out_dir or "runs/studies") / study.study_name
    # the base config must pass the checks every trial's `graphcl train` makes
    run = load_run_config(base, [f"out_dir={study_dir / 'trials'}"])
    validate_run(run)
    check_objective(study.objective, run.model)
    try:
        params_cls = params_class(run.model)
    except ImportError as exc:
        raise ConfigError(f"model {run.model!r} cannot be imported ({exc}); is it installed?") from exc
    order = check_search_space(study.search_space, params_cls, base)
    default = default_trial(study.search_space, order, to_dict(run)) if study.enqueue_default else None
    url = args.storage or study.storage or default_storage_url(study_dir)
    check_storage_url(url)
    if url.startswith("sqlite") and workers > 1:
        log.warning(
            "%d workers on SQLite: works (writes wait on a lock) but journal:///path.log scales better", workers
        )
    job = WorkerJob(
        study=study,
        base=base,
        order=order,
        storage_url=url,
        trials_dir=study_dir / "trials",
        data_root=args.data_root,
        deadline=time.time() + study.timeout if study.timeout else None,
        registry_entry=MODELS[run.model],
        threads=worker_threads(getattr(args, "threads", None), workers),
    )
    return study, job, study_dir, default


def create_or_load(study: StudyConfig, url: str, default_trial: dict | None = None):
    """Create the study in its storage, or load it to resume; the direction must match.

    Args:
        study: the study config.
        url: storage URL.
        default_trial: parameters to enqueue as the first trial of a new study (the base
            config's values, see ``enqueue_default``), by the one invocation that creates it; a
            resumed study is left as it is.
    """
    import optuna

    from graphcl.tuning.storage import open_storage

    storage = open_storage(url, study.heartbeat_interval)
    try:  # only the invocation that creates the study enqueues the defaults (several may start at once)
        optuna_study = optuna.create_study(
            storage=storage,
            study_name=study.study_name,
            direction=study.direction,
            sampler=study.sampler.build(),
            pruner=study.pruner.build(),
        )
        created = True
    except optuna.exceptions.DuplicatedStudyError:
        optuna_study = optuna.load_study(
            study_name=study.study_name, storage=storage, sampler=study.sampler.build(), pruner=study.pruner.build()
        )
        created = False
    if optuna_study.direction.name.lower() != study.direction:
        raise ConfigError(
            f"study {study.study_name!r} in {url} was created to {optuna_study.direction.name.lower()}, "
            f"the study file says {study.direction}; use another study_name or storage"
        )
    check_resumable(optuna_study, study)
    optuna_study.set_user_attr("study_config", to_dict(study))
    if default_trial is not None and created:
        optuna_study.enqueue_trial(default_trial, user_attrs={"base_config_values": True})
    return optuna_study


def check_resumable(optuna_study, study: StudyConfig) -> None:
    """Raise :class:`ConfigError` when the study file changed a parameter's distribution in a way
    Optuna cannot mix with the stored trials (other categorical choices, int/float or log).

    Args:
        optuna_study: the loaded study.
        study: the study config about to add trials.
    """
    from optuna.distributions import check_distribution_compatibility

    seen = set()
    for trial in optuna_study.get_trials(deepcopy=False):
        for name, stored in trial.distributions.items():
            if name in seen or name not in study.search_space:
                continue
            seen.add(name)
            try:
                check_distribution_compatibility(stored, study.search_space[name].distribution())
            except ValueError as exc:
                raise ConfigError(
                    f"search_space.{name} differs from the stored study {study.study_name!r} "
                    f"({stored} there; {exc}); restore it with --set search_space.{name}... "
                    "or start a new study (another study_name or storage)"
                ) from exc


def worker_threads(threads: int | None, workers: int) -> int:
    """Torch threads per worker: ``--threads`` as given, else the machine's cores shared out."""
    if threads is not None:
        if threads < 1:
            raise ConfigError(f"--threads must be >= 1, got {threads}")
        return threads
    return max(1, (os.cpu_count() or 1) // workers)


def run_workers(job: WorkerJob, workers: int) -> None:
    """Run ``workers`` workers on the study: in this process for one, else spawned processes.

    Args:
        job: the worker job template (``worker_index`` is set per worker).
        workers: how many.
    """
    if workers == 1:
        run_worker(job)
        return
    # spawn, not fork: forking a process that holds torch/CUDA state or open DB connections is unsafe
    ctx = multiprocessing.get_context("spawn")
    procs = []
    for index in range(workers):
        job_k = WorkerJob(**{**job.__dict__, "worker_index": index, "parent_pid": os.getpid()})
        proc = ctx.Process(target=worker_process_main, args=(job_k,), name=f"graphcl-tune-{index}")
        proc.start()
        procs.append(proc)
    try:
        for proc in procs:
            proc.join()
    except KeyboardInterrupt:
        stop_workers(procs)
        raise
    failed = [p.name for p in procs if p.exitcode not in (0, INTERRUPTED)]
    if failed:
        raise RuntimeError(f"tuning workers {failed} exited with an error (see their log above)")
    if any(p.exitcode == INTERRUPTED for p in procs):
        raise KeyboardInterrupt("a tuning worker was interrupted")


def stop_workers(procs: list, grace_s: float = 2.0, finish_s: float = 30.0) -> None:
    """Stop worker processes after Ctrl-C: those the terminal's SIGINT did not reach get one;
    each fails its running trial and exits. Whoever still runs after ``finish_s`` is killed (its
    trial is failed by :func:`fail_orphaned_trials` afterwards)."""
    import signal

    _join_all(procs, grace_s)
    for proc in procs:
        if proc.is_alive():
            os.kill(proc.pid, signal.SIGINT)
    _join_all(procs, finish_s)
    for proc in procs:
        if proc.is_alive():
            proc.kill()
            proc.join()


def _join_all(procs: list, seconds: float) -> None:
    deadline = time.time() + seconds
    for proc in procs:
        proc.join(max(0.0, deadline - time.time()))


def run(args) -> int:
    """Entry point of ``graphcl tune``.

    Args:
        args: parsed arguments: ``study``, ``storage``, ``n_trials``, ``workers``, ``data_root``,
            ``out_dir``, ``set``.
    """

    from graphcl.tuning.plots import write_plots
    from graphcl.tuning.results import format_summary, summarize, trial_counts

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    study, job, study_dir, default = prepare(args)
    study_dir.mkdir(parents=True, exist_ok=True)
    optuna_study = create_or_load(study, job.storage_url, default)
    print(
        f"study {study.study_name}: storage {job.storage_url}, target {study.n_trials} trials, "
        f"{args.workers or 1} local worker(s)",
        flush=True,
    )
    try:
        with sigterm_as_keyboard_interrupt():
            run_workers(job, args.workers or 1)
    except KeyboardInterrupt:
        return summarize_interrupted(study, optuna_study, job, study_dir)
    counts = trial_counts(optuna_study)
    if counts.get("complete", 0) == 0:
        print(f"study {study.study_name}: no complete trial yet ({counts}); nothing to summarise", file=sys.stderr)
        return 1
    note = progress_note(study, counts)
    if note:
        print(note)
    plots = write_plots(optuna_study, study_dir / "plots")
    summary = summarize(study, optuna_study, job.base, study_dir, job.storage_url, job.data_root, plots)
    print(format_summary(summary))
    for name, files in plots.items():
        print(f"plot {name}: {files if isinstance(files, str) else ', '.join(files)}")
    print(f"summary: {study_dir / 'summary.json'}")
    return 0


def progress_note(study: StudyConfig, counts: dict[str, int]) -> str | None:
    """What to do about a study short of ``n_trials`` (``None`` when it is complete)."""
    finished = counts.get("complete", 0) + counts.get("pruned", 0)
    if finished >= study.n_trials:
        return None
    running = counts.get("running", 0)
    if running:
        return (
            f"note: {finished}/{study.n_trials} trials finished ({counts}); {running} still run in other "
            "processes and join the study when they end: rerun this command after they stop to summarise them"
        )
    return f"note: {finished}/{study.n_trials} trials finished ({counts}); run the same command to continue"


def summarize_interrupted(study: StudyConfig, optuna_study, job: WorkerJob, study_dir: Path) -> int:
    """After Ctrl-C: fail what the stopped workers left RUNNING, write ``best.yaml`` and
    ``summary.json`` of the finished trials (no final re-runs, no plots) and return 130."""
    from graphcl.tuning.liveness import fail_orphaned_trials
    from graphcl.tuning.results import format_summary, summarize, trial_counts

    try:
        fail_orphaned_trials(optuna_study)
        counts = trial_counts(optuna_study)
        if not counts.get("complete", 0):
            print(
                f"graphcl: interrupted before any trial completed ({counts}); run the same command to start again",
                file=sys.stderr,
            )
            return 130
        summary = summarize(study, optuna_study, job.base, study_dir, job.storage_url, job.data_root, rerun_final=False)
        print(format_summary(summary))
        print(f"summary: {study_dir / 'summary.json'}")
        print(
            f"graphcl: interrupted; {progress_note(study, counts) or 'every trial had finished'} "
            "(the final re-runs were skipped)",
            file=sys.stderr,
        )
    except KeyboardInterrupt:
        print("graphcl: interrupted again while writing the summary; run the same command to write it", file=sys.stderr)
    return 130
