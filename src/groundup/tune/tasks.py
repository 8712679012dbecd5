"""The work one config does inside a worker: clone, set params, fit, score, report.

These functions run in whatever process the back end picks (this one, a loky worker, a Dask
worker), so they take everything they need as arguments and return a plain `TaskResult`.
A config that raises is caught here and reported with its error: one bad config never stops
a search, and nothing is hidden (the message and the traceback are kept).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sklearn.base import clone

from groundup.tune.metrics import SearchMetric


@dataclass
class TaskResult:
    """What one config produced: its score (nan if it failed), timings, status and error."""

    key: str
    params: dict[str, Any]
    score: float = float("nan")
    fit_seconds: float = float("nan")
    score_seconds: float = float("nan")
    status: str = "ok"  # "ok" | "error"
    error: str = ""  # one line: "ExceptionType: message"
    traceback: str = ""
    warnings: list[str] = field(default_factory=list)
    worker: str = ""
    model: Any = None  # the fitted estimator, when the caller asked for it back

    def __repr__(self) -> str:
        what = f"score={self.score:.6g}" if self.status == "ok" else f"error={self.error!r}"
        return f"TaskResult({self.params}, {what}, fit_seconds={self.fit_seconds:.3g})"


def worker_name() -> str:
    """Return `host:pid` of the process running this task."""
    return f"{socket.gethostname()}:{os.getpid()}"


_PINNED = False


def single_threaded() -> None:
    """Pin this worker process to one thread for BLAS/OpenMP and torch (no oversubscription)."""
    global _PINNED
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"  # for libraries (torch) first imported later in this process
    if not _PINNED:  # scanning the loaded libraries costs milliseconds: once per process
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
        _PINNED = True
    torch = sys.modules.get("torch")  # only if the estimator already imported it
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def configured_clone(estimator: Any, params: Mapping[str, Any], inner_n_jobs: int | None) -> Any:
    """Return a fresh, unfitted clone of `estimator` with `params` set (and n_jobs pinned)."""
    model = clone(estimator)
    if params:
        model.set_params(**params)
    if inner_n_jobs is not None:
        # None already means one job outside a joblib context; leaving it alone also spares
        # estimators whose n_jobs is deprecated (LogisticRegression) a FutureWarning.
        pins = {k: inner_n_jobs for k, v in model.get_params(deep=True).items()
                if (k == "n_jobs" or k.endswith("__n_jobs")) and v not in (None, inner_n_jobs)}
        if pins:
            model.set_params(**pins)
    return model


def run_config(
    estimator: Any,
    key: str,
    params: dict[str, Any],
    X_train: Any,
    y_train: Any,
    X_val: Any = None,
    y_val: Any = None,
    metric: SearchMetric | None = None,
    *,
    keep_model: bool = True,
    inner_n_jobs: int | None = None,
    pin_threads: bool = False,
    catch_errors: bool = True,
) -> TaskResult:
    """Return the TaskResult of fitting a fresh clone with `params` (and scoring it, if `metric`).

    `pin_threads` limits this process to one compute thread (set in parallel workers).
    Warnings raised while fitting are recorded, but only on the main thread: the `warnings`
    module's state is process-wide, so recording it from a worker thread (Dask) would race.
    """
    if pin_threads:
        single_threaded()
    result = TaskResult(key=key, params=dict(params), worker=worker_name())
    record = threading.current_thread() is threading.main_thread()
    recorder = warnings.catch_warnings(record=True) if record else contextlib.nullcontext([])
    with recorder as caught:
        if record:
            warnings.simplefilter("always")
        try:
            model = configured_clone(estimator, params, inner_n_jobs)
            t0 = time.perf_counter()
            model.fit(X_train, y_train)
            result.fit_seconds = time.perf_counter() - t0
            if metric is not None:
                t0 = time.perf_counter()
                result.score = metric(model, X_val, y_val)
                result.score_seconds = time.perf_counter() - t0
            if keep_model:
                result.model = model
        except Exception as e:
            if not catch_errors:
                raise
            result.status = "error"
            result.error = one_line(e)
            result.traceback = traceback.format_exc()
    result.warnings = _unique_messages(caught)
    return result


def one_line(e: BaseException) -> str:
    """Return `ExceptionType: first line of the message`."""
    text = str(e).strip()
    return f"{type(e).__name__}: {text.splitlines()[0]}" if text else type(e).__name__


def _unique_messages(caught: list[warnings.WarningMessage]) -> list[str]:
    out: list[str] = []
    for w in caught:
        msg = str(w.message).strip()
        text = f"{w.category.__name__}: {msg.splitlines()[0]}" if msg else w.category.__name__
        if text not in out:
            out.append(text)
    return out
