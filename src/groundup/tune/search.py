"""Search a grid of hyper-parameters on a fixed validation set (parfit's idea, done right).

    fit_models(estimator, grid, X, y)             -> one fitted fresh clone per config
    score_models(models, X_val, y_val, metric)    -> their validation scores
    best_fit(estimator, grid, X, y, X_val, y_val) -> SearchResult (best model, tidy table)

Every config gets its own fresh clone, so no two results share an object (parfit mutated one
estimator, so with n_jobs=1 every "model" it returned was the same one). Errors are kept,
not hidden; warnings are recorded per config, never silenced process-wide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from groundup.errors import GroundupError
from groundup.tune.backends import Backend, Job, WorkerLost
from groundup.tune.checks import check_split, check_xy, prepare_configs
from groundup.tune.fingerprint import Fingerprint, fingerprint
from groundup.tune.grid import Config, ParamGrid, config_key
from groundup.tune.metrics import SearchMetric, get_metric
from groundup.tune.options import SearchOptions, opened
from groundup.tune.results import ModelScores, SearchResult, best_index, result_table
from groundup.tune.store import ResultStore
from groundup.tune.tasks import TaskResult, run_config

# ----------------------------------------------------------------------------- fit / score


def fit_models(estimator: Any, grid: ParamGrid, X_train: Any, y_train: Any,
               n_jobs: int | None = -1, backend: str | Backend = "local", scheduler: Any = None,
               error_score: str | float = "raise", scheduler_timeout: float = 10.0) -> list[Any]:
    """Return one fitted fresh clone of `estimator` per config of `grid`, in grid order.

    With `error_score="raise"` a config that fails raises its error; with any other value
    (e.g. `np.nan`) its entry is None and the others are still fitted. `n_jobs`, `backend`,
    `scheduler` and `scheduler_timeout` say where, as in SearchOptions.
    """
    opts = SearchOptions(n_jobs=n_jobs, backend=backend, scheduler=scheduler,
                         scheduler_timeout=scheduler_timeout)
    configs, _ = prepare_configs(estimator, grid, opts.parallel)
    check_xy(X_train, y_train, "training data")
    keys = [config_key(c) for c in configs]
    job = Job(estimator, X_train, y_train, keep_model=True, catch_errors=error_score != "raise")
    with opened(opts) as run:
        got = {r.key: r for r in run.backend.run(job, list(zip(keys, configs, strict=True)))}
    return [got[k].model if got[k].status == "ok" else None for k in keys]


def score_models(models: Sequence[Any], X_val: Any, y_val: Any,
                 metric: str | SearchMetric | Callable[..., float] = "accuracy",
                 greater_is_better: bool | None = None) -> ModelScores:
    """Return the ModelScores of fitted `models` on the validation set (None models -> nan)."""
    m = get_metric(metric, greater_is_better)
    check_xy(X_val, y_val, "validation data")
    scores, errors = np.full(len(models), np.nan), []
    for i, model in enumerate(models):
        if model is None:
            errors.append("not fitted")
            continue
        try:
            scores[i] = m(model, X_val, y_val)
            errors.append("")
        except GroundupError as e:
            errors.append(str(e))
    return ModelScores(scores, m.name, m.greater_is_better, errors)


# ----------------------------------------------------------------------------- best_fit


def _progress(total: int, done: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(TextColumn("[bold]tune[/]"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TimeRemainingColumn(),
                        TextColumn("{task.fields[last]}"), console=Console(stderr=True))
    progress.add_task("configs", total=total, completed=done, last="")
    return progress


class _BestSoFar:
    """The best result seen in this run and its model (the others' models are dropped)."""

    def __init__(self, greater_is_better: bool, keys: Sequence[str]) -> None:
        self.sign = 1.0 if greater_is_better else -1.0
        self.position = {k: i for i, k in enumerate(keys)}
        self.rank: tuple[float, int] | None = None  # (signed score, -grid index): max wins
        self.index: int | None = None
        self.model: Any = None

    def offer(self, r: TaskResult) -> None:
        """Keep `r`'s model if it beats the best so far (ties: the earlier config in the grid)."""
        if r.status != "ok" or not np.isfinite(r.score):
            return
        rank = (self.sign * r.score, -self.position[r.key])
        if self.rank is None or rank > self.rank:
            self.rank, self.index, self.model = rank, self.position[r.key], r.model

    def __repr__(self) -> str:
        return f"_BestSoFar(index={self.index})"


def _fit_missing(job: Job, todo: list[tuple[str, Config]], db: ResultStore, best: _BestSoFar,
                 bar: Any, opts: SearchOptions) -> None:
    """Fit the `todo` configs, storing each result as it arrives; rerun configs of dead workers."""
    restarts = 0
    if bar is not None:
        bar.start()
    while todo:
        try:
            for r in opts.backend.run(job, todo):
                if not db.add(r):
                    continue  # already stored: never count a config twice
                best.offer(r)
                if opts.on_result is not None:
                    opts.on_result(r)
                if bar is not None:
                    last = f"{job.metric.name} {r.score:.4g}" if r.status == "ok" else "error"
                    bar.update(bar.task_ids[0], advance=1, last=last)
            return
        except WorkerLost as e:
            restarts += 1
            stored = db.done_keys()
            todo = [(k, c) for k, c in todo if k not in stored]
            if restarts > opts.max_worker_restarts:
                e.deaths = restarts
                raise


def _fit_all(job: Job, configs: list[Config], names: list[str], opts: SearchOptions
             ) -> tuple[dict[str, TaskResult], _BestSoFar, int]:
    """Return (every config's result by key, this run's best, how many came from the store)."""
    # Hashing the data only matters for a store on disk that a later run may resume.
    fp = (fingerprint(job.estimator, names, job.X_train, job.y_train, job.X_val, job.y_val,
                      job.metric)
          if opts.store is not None else Fingerprint("", "", type(job.estimator).__qualname__))
    keys = [config_key(c) for c in configs]
    with ResultStore.open(opts.store, fp, resume=opts.resume) as db:
        if opts.on_start is not None:
            opts.on_start()
        done = db.done_keys()
        todo = [(k, c) for k, c in zip(keys, configs, strict=True) if k not in done]
        best = _BestSoFar(job.metric.greater_is_better, keys)
        bar = _progress(len(keys), len(keys) - len(todo), opts.progress)
        try:
            _fit_missing(job, todo, db, best, bar, opts)
        finally:
            if bar is not None:
                bar.stop()
        return {r.key: r for r in db.results(keys)}, best, len(keys) - len(todo)


def best_fit(estimator: Any, grid: ParamGrid, X_train: Any, y_train: Any, X_val: Any, y_val: Any,
             options: SearchOptions | None = None, **settings: Any) -> SearchResult:
    """Return the SearchResult of fitting every config of `grid` and scoring it on (X_val, y_val).

    How the search runs (metric, back end, store, resume, ...) is a SearchOptions: pass one as
    `options`, or its fields as keywords (`metric="log_loss", n_jobs=2, store="r.db"`); keywords
    given with `options` override its fields. Results go to the store as each config finishes,
    and `resume=True` fits only the configs it does not hold yet. A config that raises is
    recorded with its error and the search goes on.
    """
    if options is None:
        opts = SearchOptions(**settings)
    else:
        opts = replace(options, **settings) if settings else options
    configs, names = prepare_configs(estimator, grid, opts.parallel)
    check_split(X_train, y_train, X_val, y_val)
    m = opts.search_metric
    job = Job(estimator, X_train, y_train, X_val, y_val, m, keep_model=True)
    try:
        # An unreachable scheduler fails here, before the store is touched or anything is fitted.
        with opened(opts) as run:
            results, best, n_resumed = _fit_all(job, configs, names, run)
    except WorkerLost as e:
        where = f" in {opts.store}" if opts.store is not None else ""
        raise GroundupError(
            f"worker processes died {getattr(e, 'deaths', 1)} time(s) (last: {e}); the finished"
            f" configs are stored{where}; rerun with `resume=True` to fit the rest"
        ) from None
    table = result_table(configs, names, results)
    i = best_index(table["score"].to_numpy(dtype=float), m.greater_is_better)
    best_model, best_params, best_score = None, None, float("nan")
    if i is not None:
        best_params, best_score = dict(configs[i]), float(table["score"].iloc[i])
        if best.index == i:
            best_model = best.model
        elif opts.refit:  # the winner came from an earlier run: fit it again here
            best_model = run_config(estimator, config_key(best_params), best_params, X_train,
                                    y_train, catch_errors=False).model
    return SearchResult(best_model, best_score, best_params, table, m.name, m.greater_is_better,
                        names, n_fitted=len(configs) - n_resumed, n_resumed=n_resumed,
                        store=None if opts.store is None else str(opts.store))
