"""How a search runs: its metric, where its configs are fitted, and where its results are kept.

`SearchOptions` holds every setting of `best_fit` beyond the estimator, the grid and the data,
and checks them all when it is made, so a mistake fails before any data is hashed or anything
is fitted. `best_fit(..., n_jobs=2, store="r.db")` makes one from its keyword arguments; a
caller that wants to reach a Dask scheduler early (to say how many workers it has) opens the
back end itself with `opened(options)` and hands the result to `best_fit`, which then uses
that back end as it is instead of making a second one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from groundup.errors import SettingError
from groundup.fileio import check_output_file
from groundup.tune.backends import Backend, check_backend, make_backend, resolve_n_jobs
from groundup.tune.metrics import SearchMetric, get_metric
from groundup.tune.scheduler import check_timeout
from groundup.tune.store_file import peek
from groundup.tune.tasks import TaskResult


@dataclass(frozen=True)
class SearchOptions:
    """The settings of one search, checked when made (a SettingError names the bad one).

    metric: a name in METRICS, a SearchMetric or a plain `fn(y_true, y_pred)`;
        `greater_is_better` overrides its direction. `search_metric` is the SearchMetric.
    backend: "local" (`n_jobs` worker processes; 1 fits in this process) or "dask" (the
        cluster whose scheduler is at `scheduler`, an address or a distributed.Client, waited
        for `scheduler_timeout` seconds); or a back end already made, which its maker closes.
    store: a SQLite file that keeps each result as it arrives (None: in memory only);
        `resume=True` fits only the configs the store does not hold yet.
    refit: fit the best config again when its result came from an earlier (resumed) run, so
        the best model is always a fitted one.
    progress: show a progress bar on stderr. max_worker_restarts: how often the configs of
        dead worker processes are rerun. on_start: called once the store is open and checked,
        before the first config is fitted. on_result: called with each new TaskResult.
    """

    metric: str | SearchMetric | Callable[..., float] = "accuracy"
    greater_is_better: bool | None = None
    n_jobs: int | None = -1
    backend: str | Backend = "local"
    scheduler: Any = None
    scheduler_timeout: float = 10.0
    store: str | os.PathLike | None = None
    resume: bool = False
    refit: bool = True
    progress: bool = False
    max_worker_restarts: int = 2
    on_start: Callable[[], None] | None = None
    on_result: Callable[[TaskResult], None] | None = None
    search_metric: SearchMetric = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "search_metric", get_metric(self.metric, self.greater_is_better))
        if isinstance(self.backend, str):
            check_backend(self.backend, self.scheduler)
            if self.backend == "local":
                resolve_n_jobs(self.n_jobs)
        elif self.scheduler is not None:
            raise SettingError("scheduler", "only applies when `backend` is a name ('dask')")
        check_timeout(self.scheduler_timeout)
        if self.resume and self.store is None:
            raise SettingError("resume", "needs `store`, the file that holds the earlier results")
        if self.store is not None:  # a writable file name, and no other application's file
            peek(check_output_file(self.store, "store"))
        r = self.max_worker_restarts
        if not (_is_number(r) and isinstance(r, int) and r >= 0):
            raise SettingError("max_worker_restarts", f"must be a whole number >= 0, got {r!r}")

    @property
    def parallel(self) -> bool:
        """Return whether configs may be fitted in more than one process at once."""
        if not isinstance(self.backend, str):
            return bool(self.backend.parallel)
        return self.backend == "dask" or self.n_jobs not in (1, None)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


@contextmanager
def opened(options: SearchOptions) -> Iterator[SearchOptions]:
    """Yield `options` with its back end made (a Dask scheduler is reached now); close it after.

    Options whose back end is already made are yielded as they are: whoever made it closes it.
    """
    if not isinstance(options.backend, str):
        yield options
        return
    backend = make_backend(options.backend, options.n_jobs, options.scheduler,
                           timeout=options.scheduler_timeout)
    try:
        yield replace(options, backend=backend, scheduler=None)
    finally:
        backend.close()
