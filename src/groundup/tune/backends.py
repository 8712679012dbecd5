"""Where configs are fitted: in this process, in local worker processes (joblib/loky), or on a
Dask distributed cluster. Every back end runs the same `run_config` and yields `TaskResult`s as
they finish, in whatever order they finish.

One level of parallelism only: in parallel back ends every worker fits one config at a time
with one compute thread (BLAS/OpenMP and torch pinned to 1, any `n_jobs` of the estimator set
to 1), so N workers use N cores, never N x N.

`check_backend` is the one place that knows which back ends exist and when a scheduler
applies; `make_backend` builds one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np

from groundup.checks import check_jobs
from groundup.errors import SettingError
from groundup.tune.metrics import SearchMetric
from groundup.tune.tasks import TaskResult, one_line, run_config


class WorkerLost(RuntimeError):
    """A worker process died mid-search; the configs it was fitting have no result yet."""


@dataclass
class Job:
    """What every config of one search shares: the estimator, the data and the metric."""

    estimator: Any
    X_train: Any
    y_train: Any
    X_val: Any = None
    y_val: Any = None
    metric: SearchMetric | None = None
    keep_model: bool = True
    catch_errors: bool = True

    def __repr__(self) -> str:
        return (f"Job({type(self.estimator).__name__}, train={np.shape(self.X_train)}, "
                f"metric={None if self.metric is None else self.metric.name})")


Item = tuple[str, dict[str, Any]]  # (config key, params)
BACKENDS = ("local", "dask")


def check_backend(backend: str, scheduler: Any = None) -> None:
    """Return None if `backend` names a back end and `scheduler` fits it; else raise SettingError.

    A Dask back end needs its scheduler (an address "tcp://host:port" or a distributed.Client);
    the local one takes none.
    """
    if backend not in BACKENDS:
        raise SettingError("backend", f"unknown {backend!r}; choose 'local' or 'dask'")
    if backend == "dask" and (scheduler is None or scheduler == ""):
        raise SettingError("scheduler", "needed with `backend='dask'`: the Dask scheduler's"
                           " address, e.g. tcp://HOST:PORT")
    if backend == "local" and scheduler is not None:
        raise SettingError("scheduler", "only applies to `backend='dask'`")
    if backend == "dask" and isinstance(scheduler, str):
        from groundup.tune.scheduler import check_address

        check_address(scheduler)  # http:// and the like: refused before anything is loaded


def resolve_n_jobs(n_jobs: int | None) -> int:
    """Return the worker count for joblib-style `n_jobs`: None -> 1, -1 -> every core, -2 -> all
    but one."""
    if n_jobs is None:
        return 1
    cpus = joblib.cpu_count()
    if isinstance(n_jobs, int | np.integer) and not isinstance(n_jobs, bool) and (
            -cpus <= n_jobs < 0):
        return max(1, cpus + 1 + int(n_jobs))
    return check_jobs("n_jobs", n_jobs)  # 1 .. cores x 4: never a million processes


class SerialBackend:
    """Fit configs one after another in this process (n_jobs=1): simplest, easiest to debug."""

    name = "serial"
    parallel = False

    def __init__(self) -> None:
        self.n_workers = 1

    def run(self, job: Job, items: Sequence[Item]) -> Iterator[TaskResult]:
        """Yield each config's result as it finishes."""
        for key, params in items:
            yield run_config(job.estimator, key, params, job.X_train, job.y_train, job.X_val,
                             job.y_val, job.metric, keep_model=job.keep_model,
                             catch_errors=job.catch_errors)

    def describe(self) -> str:
        """Return where the configs are fitted, in words."""
        return "1 local worker(s)"

    def close(self) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return "SerialBackend()"


class LocalBackend:
    """Fit configs in `n_jobs` local worker processes (joblib's loky), results as they finish.

    Big arrays are written once to a temporary memory-mapped file that every worker maps,
    instead of being pickled to each worker for each config.
    """

    name = "local"
    parallel = True

    def __init__(self, n_jobs: int = -1) -> None:
        self.n_workers = resolve_n_jobs(n_jobs)

    def run(self, job: Job, items: Sequence[Item]) -> Iterator[TaskResult]:
        """Yield each config's result as it finishes; raise WorkerLost if a worker dies."""
        from joblib.externals.loky.process_executor import TerminatedWorkerError

        n = min(self.n_workers, len(items))
        if n <= 1:  # joblib would run it here anyway: do so without pinning this process
            yield from SerialBackend().run(job, items)
            return
        tmp = tempfile.mkdtemp(prefix="groundup-tune-")
        try:
            data = [_memmap(a, tmp, i) for i, a in
                    enumerate((job.X_train, job.y_train, job.X_val, job.y_val))]
            tasks = (
                joblib.delayed(run_config)(
                    job.estimator, key, params, *data, job.metric, keep_model=job.keep_model,
                    inner_n_jobs=1, pin_threads=True, catch_errors=job.catch_errors,
                )
                for key, params in items
            )
            with joblib.parallel_config(backend="loky", inner_max_num_threads=1):
                parallel = joblib.Parallel(n_jobs=n, return_as="generator_unordered",
                                           max_nbytes=None)
                try:
                    yield from parallel(tasks)
                except TerminatedWorkerError as e:
                    raise WorkerLost(one_line(e)) from e
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def describe(self) -> str:
        """Return where the configs are fitted, in words."""
        return f"{self.n_workers} local worker(s)"

    def close(self) -> None:
        """Nothing to release: loky keeps its worker pool warm for the next search."""

    def __repr__(self) -> str:
        return f"LocalBackend(n_jobs={self.n_workers})"


def _memmap(a: Any, folder: str, i: int) -> Any:
    # Plain numeric arrays over 1 MB travel as a file name; everything else is pickled as is.
    if type(a) is not np.ndarray or a.dtype.hasobject or a.nbytes < 2**20:
        return a
    path = os.path.join(folder, f"array{i}.npy")
    np.save(path, a, allow_pickle=False)
    return np.load(path, mmap_mode="r")


class DaskBackend:
    """Fit configs on a Dask distributed cluster at `scheduler` ("tcp://host:port" or a Client).

    The data is scattered to every worker once. If a worker dies, the scheduler reruns its
    configs on the others; a config that keeps killing workers is reported as an error.
    """

    name = "dask"
    parallel = True

    def __init__(self, scheduler: Any, timeout: float = 10.0) -> None:
        from distributed import Client

        from groundup.tune.scheduler import check_timeout, connect_client, quiet

        check_backend("dask", scheduler)
        timeout = check_timeout(timeout)
        if isinstance(scheduler, Client):
            self.client, self._owns = scheduler, False
        else:  # bounded, quiet, and refused early if the address is not a Dask scheduler's
            self.client, self._owns = connect_client(scheduler, timeout), True
        try:
            with quiet():
                self.client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            self.close()
            raise SettingError("scheduler", f"the Dask scheduler at {scheduler} has no workers"
                               ) from None
        self.address = self.client.scheduler.address

    @property
    def n_workers(self) -> int:
        """Return the number of worker threads the cluster offers right now."""
        return max(1, sum(self.client.nthreads().values()))

    def describe(self) -> str:
        """Return where the configs are fitted, in words."""
        return f"dask {self.address} ({self.n_workers} worker threads)"

    def run(self, job: Job, items: Sequence[Item]) -> Iterator[TaskResult]:
        """Yield each config's result as it finishes (a config whose workers died -> error)."""
        from distributed import as_completed

        client = self.client
        data = client.scatter([job.X_train, job.y_train, job.X_val, job.y_val], broadcast=True,
                              hash=False)
        run_id = os.urandom(4).hex()
        futures = {}
        try:
            for key, params in items:
                tag = hashlib.sha1(key.encode()).hexdigest()[:12]
                fut = client.submit(
                    run_config, job.estimator, key, params, *data, job.metric,
                    keep_model=job.keep_model, inner_n_jobs=1, pin_threads=True,
                    catch_errors=job.catch_errors, pure=False,
                    key=f"groundup-tune-{run_id}-{tag}",
                )
                futures[fut] = (key, params)
            for fut in as_completed(futures, loop=client.loop):
                key, params = futures[fut]
                if fut.status == "error":  # not the estimator's error (that is caught inside)
                    exc = fut.exception()
                    if not job.catch_errors:
                        raise exc
                    yield TaskResult(key=key, params=params, status="error", error=one_line(exc))
                else:
                    yield fut.result()
                fut.release()
        finally:
            pending = [f for f in futures if not f.done()]
            if pending:
                client.cancel(pending)
            client.cancel(data)

    def close(self) -> None:
        """Disconnect from the scheduler (only if this back end opened the connection)."""
        if self._owns:
            from groundup.tune.scheduler import close_client

            close_client(self.client)

    def __repr__(self) -> str:
        return f"DaskBackend({getattr(self, 'address', '?')})"


Backend = SerialBackend | LocalBackend | DaskBackend


def make_backend(backend: str = "local", n_jobs: int | None = -1, scheduler: Any = None,
                 timeout: float = 10.0) -> Backend:
    """Return the back end named `backend` ("local" or "dask"); local with one job is serial.

    `timeout` is how long to wait for a Dask scheduler (and its first worker) to answer; an
    unreachable one raises SettingError now.
    """
    check_backend(backend, scheduler)
    if backend == "dask":
        return DaskBackend(scheduler, timeout=timeout)
    n = resolve_n_jobs(n_jobs)
    return SerialBackend() if n == 1 else LocalBackend(n)
