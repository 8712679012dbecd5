"""Search a grid of hyper-parameters on a fixed validation set (parfit's idea, done right).

    fit_models(estimator, grid, X, y)             -> one fitted fresh clone per config
    score_models(models, X_val, y_val, metric)    -> their validation scores
    best_fit(estimator, grid, X, y, X_val, y_val) -> SearchResult (best model, tidy table)

Every config gets its own fresh clone, so no two results share an object (parfit mutated one
estimator, so with n_jobs=1 every "model" it returned was the same one). Errors are kept,
not hidden; warnings are recorded per config, never silenced process-wide.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from groundup.errors import GroundupError
from groundup.tune.backends import Job, WorkerLost, make_backend
from groundup.tune.grid import Config, Grid, config_key, expand_grid, format_config
from groundup.tune.metrics import Metric, get_metric
from groundup.tune.store import Fingerprint, ResultStore, fingerprint
from groundup.tune.tasks import TaskResult, run_config

RESULT_COLUMNS = ("score", "fit_seconds", "score_seconds", "status", "error", "warnings", "worker")


# ----------------------------------------------------------------------------- validation


def check_estimator_params(estimator: Any, names: Sequence[str]) -> None:
    """Raise GroundupError if `estimator` is not clonable or lacks a parameter in `names`."""
    if not (hasattr(estimator, "get_params") and hasattr(estimator, "fit")):
        raise GroundupError(
            f"estimator {estimator!r}: needs scikit-learn's get_params/set_params and fit"
        )
    valid = set(estimator.get_params(deep=True))
    for name in names:
        if name not in valid:
            close = difflib.get_close_matches(name, sorted(valid), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise GroundupError(
                f"--grid {name}: {type(estimator).__name__} has no parameter {name!r}{hint}"
            )


def check_values(estimator: Any, configs: Sequence[Config]) -> None:
    """Raise GroundupError for a config whose values the estimator rejects, before any fit.

    Uses what the estimator offers to check parameters without data: scikit-learn's
    constraint check (`_validate_params`, where it declares `_parameter_constraints`) or
    GroundupClassifier's own `_checked_params`. Estimators with neither are checked at fit.
    """
    from sklearn.base import clone

    for config in configs:
        est = clone(estimator).set_params(**config)
        check = getattr(est, "_checked_params", None)
        if check is None and hasattr(est, "_parameter_constraints"):
            check = getattr(est, "_validate_params", None)
        if check is None:
            continue
        try:
            check()
        except (ValueError, TypeError) as e:  # sklearn's InvalidParameterError is a ValueError
            text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise GroundupError(f"--grid {format_config(config)}: {text}") from None


def _grid_names(configs: Sequence[Config]) -> list[str]:
    names: dict[str, None] = {}
    for c in configs:
        names.update(dict.fromkeys(c))
    return list(names)


def _check_xy(X: Any, y: Any, what: str) -> None:
    if X is None or y is None:
        raise GroundupError(f"{what}: X and y are both required")
    if np.ndim(y) < 1 or len(X) != len(y):
        raise GroundupError(f"{what}: X has {len(X)} rows but y has {np.shape(y)}")
    if len(X) == 0:
        raise GroundupError(f"{what}: no rows")


def prepare_configs(estimator: Any, grid: Grid, n_jobs: int | None = -1, backend: str = "local"
                    ) -> tuple[list[Config], list[str]]:
    """Return (configs, parameter names) of `grid` after checking them against `estimator`.

    Raises GroundupError for a malformed grid, a parameter the estimator lacks, a name that
    clashes with a results column, or an n_jobs in the grid of a parallel search.
    """
    configs = expand_grid(grid)
    names = _grid_names(configs)
    check_estimator_params(estimator, names)
    clash = [n for n in names if n in RESULT_COLUMNS or n in ("key", "rank")]
    if clash:
        raise GroundupError(f"--grid {clash[0]}: name clashes with a results-table column")
    check_values(estimator, configs)
    parallel = backend == "dask" or (n_jobs not in (1, None))
    jobs_params = [n for n in names if n == "n_jobs" or n.endswith("__n_jobs")]
    if parallel and jobs_params:
        raise GroundupError(
            f"--grid {jobs_params[0]}: the search is already parallel; inner n_jobs is fixed at 1"
        )
    return configs, names


# ----------------------------------------------------------------------------- fit / score


def fit_models(estimator: Any, grid: Grid, X_train: Any, y_train: Any, n_jobs: int | None = -1,
               backend: str = "local", scheduler: Any = None, error_score: str | float = "raise",
               scheduler_timeout: float = 10.0) -> list[Any]:
    """Return one fitted fresh clone of `estimator` per config of `grid`, in grid order.

    With `error_score="raise"` a config that fails raises its error; with any other value
    (e.g. `np.nan`) its entry is None and the others are still fitted.
    """
    configs, _ = prepare_configs(estimator, grid, n_jobs, backend)
    _check_xy(X_train, y_train, "training data")
    keys = [config_key(c) for c in configs]
    job = Job(estimator, X_train, y_train, keep_model=True, catch_errors=error_score != "raise")
    runner = make_backend(backend, n_jobs, scheduler, timeout=scheduler_timeout)
    try:
        got = {r.key: r for r in runner.run(job, list(zip(keys, configs, strict=True)))}
    finally:
        runner.close()
    return [got[k].model if got[k].status == "ok" else None for k in keys]


@dataclass
class ModelScores:
    """Validation scores of a list of models (nan where a model is None or failed to score)."""

    scores: np.ndarray
    metric: str
    greater_is_better: bool
    errors: list[str] = field(default_factory=list)

    @property
    def best_index(self) -> int | None:
        """Return the index of the best score (the first one on ties), or None if all are nan."""
        return best_index(self.scores, self.greater_is_better)

    @property
    def best_score(self) -> float:
        """Return the best score (nan if every model failed)."""
        i = self.best_index
        return float("nan") if i is None else float(self.scores[i])

    def __len__(self) -> int:
        return len(self.scores)

    def __getitem__(self, i: int) -> float:
        return float(self.scores[i])

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.scores if dtype is None else self.scores.astype(dtype)

    def __repr__(self) -> str:
        return (f"ModelScores({self.metric}, n={len(self.scores)}, best={self.best_score:.6g} "
                f"at {self.best_index})")


def best_index(scores: Sequence[float] | np.ndarray, greater_is_better: bool = True) -> int | None:
    """Return the index of the best finite score (first on ties), or None if there is none."""
    s = np.asarray(scores, dtype=np.float64)
    finite = np.isfinite(s)
    if not finite.any():
        return None
    masked = np.where(finite, s if greater_is_better else -s, -np.inf)
    return int(np.argmax(masked))


def score_models(models: Sequence[Any], X_val: Any, y_val: Any,
                 metric: str | Metric | Callable[..., float] = "accuracy",
                 greater_is_better: bool | None = None) -> ModelScores:
    """Return the ModelScores of fitted `models` on the validation set (None models -> nan)."""
    m = get_metric(metric, greater_is_better)
    _check_xy(X_val, y_val, "validation data")
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


@dataclass
class SearchResult:
    """The outcome of a search: the best model, its score and params, and one row per config.

    `table` is a tidy DataFrame in grid order: one column per parameter, then score,
    fit_seconds, score_seconds, status ("ok"/"error"), error, warnings, worker.
    `sorted_table()` puts the best first and failures last.
    """

    best_model: Any
    best_score: float
    best_params: dict[str, Any] | None
    table: pd.DataFrame
    metric: str
    greater_is_better: bool
    param_names: list[str]
    n_fitted: int = 0  # configs fitted by this call
    n_resumed: int = 0  # configs whose result was already in the store
    store: str | None = None

    @property
    def n_failed(self) -> int:
        """Return how many configs raised an error."""
        return int((self.table["status"] != "ok").sum())

    def sorted_table(self) -> pd.DataFrame:
        """Return the table sorted best-first (failures last), with a 1-based `rank` column."""
        t = self.table.copy()
        sign = -1.0 if self.greater_is_better else 1.0
        order = np.lexsort((np.arange(len(t)), np.where(np.isfinite(t["score"]),
                            sign * t["score"].to_numpy(dtype=float), np.inf)))
        t = t.iloc[order].reset_index(drop=True)
        t.insert(0, "rank", np.arange(1, len(t) + 1))
        return t

    def __repr__(self) -> str:
        best = "none" if self.best_params is None else format_config(self.best_params)
        return (f"SearchResult({len(self.table)} configs, {self.metric}={self.best_score:.6g}, "
                f"best: {best}, failed={self.n_failed})")


def _table(configs: Sequence[Config], names: Sequence[str], results: dict[str, TaskResult]
           ) -> pd.DataFrame:
    rows = []
    for c in configs:
        r = results[config_key(c)]
        row: dict[str, Any] = {n: c.get(n) for n in names}
        row.update(score=r.score, fit_seconds=r.fit_seconds, score_seconds=r.score_seconds,
                   status=r.status, error=r.error, warnings="; ".join(r.warnings),
                   worker=r.worker)
        rows.append(row)
    columns = [*names, *RESULT_COLUMNS]
    table = pd.DataFrame(rows, columns=columns)
    for n in names:  # keep parameter values as the Python objects they are (no float coercion)
        table[n] = pd.Series([c.get(n) for c in configs], dtype=object)
    return table


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


def _fit_missing(runner: Any, job: Job, todo: list[tuple[str, Config]], db: ResultStore,
                 best: _BestSoFar, bar: Any, on_result: Callable[[TaskResult], None] | None,
                 max_restarts: int) -> None:
    """Fit the `todo` configs, storing each result as it arrives; rerun configs of dead workers."""
    restarts = 0
    if bar is not None:
        bar.start()
    while todo:
        try:
            for r in runner.run(job, todo):
                if not db.add(r):
                    continue  # already stored: never count a config twice
                best.offer(r)
                if on_result is not None:
                    on_result(r)
                if bar is not None:
                    last = f"{job.metric.name} {r.score:.4g}" if r.status == "ok" else "error"
                    bar.update(bar.task_ids[0], advance=1, last=last)
            return
        except WorkerLost as e:
            restarts += 1
            stored = db.done_keys()
            todo = [(k, c) for k, c in todo if k not in stored]
            if restarts > max_restarts:
                e.deaths = restarts
                raise


def best_fit(
    estimator: Any,
    grid: Grid,
    X_train: Any,
    y_train: Any,
    X_val: Any,
    y_val: Any,
    metric: str | Metric | Callable[..., float] = "accuracy",
    greater_is_better: bool | None = None,
    n_jobs: int | None = -1,
    backend: str = "local",
    scheduler: Any = None,
    scheduler_timeout: float = 10.0,
    store: str | os.PathLike | None = None,
    resume: bool = False,
    refit: bool = True,
    progress: bool = False,
    max_worker_restarts: int = 2,
    on_result: Callable[[TaskResult], None] | None = None,
) -> SearchResult:
    """Return the SearchResult of fitting every config of `grid` and scoring it on (X_val, y_val).

    The work runs on `backend`: "local" (`n_jobs` worker processes; 1 = in this process) or
    "dask" (the cluster whose scheduler is at `scheduler`, waited for `scheduler_timeout` s).
    Results go to `store` (a SQLite file; None keeps them in memory) as each config finishes;
    `resume=True` fits only the configs the store does not hold yet. A config that raises is
    recorded with its error and the search goes on. If the best config was fitted by an earlier
    (resumed) run, `refit=True` fits it again here so `best_model` is always a fitted model.
    """
    m = get_metric(metric, greater_is_better)
    configs, names = prepare_configs(estimator, grid, n_jobs, backend)
    _check_xy(X_train, y_train, "training data")
    _check_xy(X_val, y_val, "validation data")
    if np.ndim(X_train) == 2 and np.ndim(X_val) == 2 and np.shape(X_train)[1] != np.shape(X_val)[1]:
        raise GroundupError(
            f"validation data: {np.shape(X_val)[1]} features, training data has "
            f"{np.shape(X_train)[1]}"
        )
    keys = [config_key(c) for c in configs]
    # An unreachable scheduler fails here, before the store is touched or anything is fitted.
    runner = make_backend(backend, n_jobs, scheduler, timeout=scheduler_timeout)
    try:
        # Hashing the data only matters for a store on disk that a later run may resume.
        fp = (fingerprint(estimator, names, X_train, y_train, X_val, y_val, m)
              if store is not None else Fingerprint("", "", type(estimator).__qualname__))
        with ResultStore.open(store, fp, resume=resume) as db:
            done = db.done_keys()
            todo = [(k, c) for k, c in zip(keys, configs, strict=True) if k not in done]
            n_resumed = len(keys) - len(todo)
            job = Job(estimator, X_train, y_train, X_val, y_val, m, keep_model=True)
            best = _BestSoFar(m.greater_is_better, keys)
            bar = _progress(len(keys), n_resumed, progress)
            try:
                _fit_missing(runner, job, todo, db, best, bar, on_result, max_worker_restarts)
            finally:
                if bar is not None:
                    bar.stop()
            results = {r.key: r for r in db.results(keys)}
    except WorkerLost as e:
        where = f" in {store}" if store is not None else ""
        raise GroundupError(
            f"worker processes died {getattr(e, 'deaths', 1)} time(s) (last: {e}); the finished"
            f" configs are stored{where}; rerun with --resume to fit the rest"
        ) from None
    finally:
        runner.close()

    table = _table(configs, names, results)
    i = best_index(table["score"].to_numpy(dtype=float), m.greater_is_better)
    best_model, best_params, best_score = None, None, float("nan")
    if i is not None:
        best_params, best_score = dict(configs[i]), float(table["score"].iloc[i])
        if best.index == i:
            best_model = best.model
        elif refit:  # the winner came from an earlier run: fit it again here
            r = run_config(estimator, keys[i], best_params, X_train, y_train, catch_errors=False)
            best_model = r.model
    return SearchResult(best_model, best_score, best_params, table, m.name, m.greater_is_better,
                        names, n_fitted=len(keys) - n_resumed, n_resumed=n_resumed,
                        store=None if store is None else str(store))
