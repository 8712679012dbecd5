"""Tests for the Dask back end on a real cluster: a `dask scheduler` process and `dask worker`
processes on 127.0.0.1, started here and always shut down, one worker killed mid-search."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification

from groundup.errors import GroundupError, SettingError
from groundup.tune import best_fit, fit_models
from groundup.tune.backends import DaskBackend
from groundup.tune.scheduler import identify

from .estimators import ConstantClassifier

distributed = pytest.importorskip("distributed")

DASK = str(Path(sys.executable).with_name("dask"))
ROOT = str(Path(__file__).resolve().parents[2])  # so workers can import tests.tune.estimators


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    address: str
    client: distributed.Client
    logs: Path
    workers: list[subprocess.Popen] = field(default_factory=list)
    procs: list[subprocess.Popen] = field(default_factory=list)

    def start_worker(self, name: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [DASK, "worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
             "--host", "127.0.0.1", "--name", name, "--death-timeout", "60"],
            env=_env(), stdout=log, stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        self.procs.append(proc)
        return proc


def _env() -> dict[str, str]:
    # The scheduler unpickles task graphs too, so every process must import the test estimators.
    paths = (ROOT, os.environ.get("PYTHONPATH", ""))
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + 3  # then SIGKILL: a test cluster needs no graceful goodbye
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    logs = tmp_path_factory.mktemp("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    sched_log = open(logs / "scheduler.log", "wb")  # noqa: SIM115
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        env=_env(), stdout=sched_log, stderr=subprocess.STDOUT,
    )
    c = Cluster(address, None, logs, procs=[scheduler])  # type: ignore[arg-type]
    try:
        c.start_worker("w0")
        c.start_worker("w1")
        c.client = distributed.Client(address, timeout="60s", set_as_default=False)
        c.client.wait_for_workers(2, timeout=90)
        yield c
    finally:
        if c.client is not None:
            with contextlib.suppress(Exception):
                c.client.shutdown()  # asks the scheduler and workers to close, quickly
            c.client.close()
        _stop(c.procs[1:])  # then make sure: workers first, so they do not try to reconnect
        _stop(c.procs[:1])
        sched_log.close()


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, ...]:
    X, y = make_classification(200, 6, n_informative=4, n_classes=3, random_state=3)
    return X[:150], y[:150], X[150:], y[150:]


def test_a_dask_search_gives_the_serial_answers_on_the_workers(cluster: Cluster, data) -> None:
    Xt, yt, Xv, yv = data
    grid = {"c": [0, 1, 2, 3, 4, 5], "warn": [True]}
    serial = best_fit(ConstantClassifier(), grid, Xt, yt, Xv, yv, n_jobs=1)
    dask = best_fit(ConstantClassifier(), grid, Xt, yt, Xv, yv, backend="dask",
                    scheduler=cluster.address)
    assert list(dask.table["score"]) == list(serial.table["score"])
    assert dask.best_params == serial.best_params
    worker_pids = {str(p.pid) for p in cluster.workers}
    assert {w.rsplit(":", 1)[1] for w in dask.table["worker"]} <= worker_pids
    assert isinstance(dask.best_model, ConstantClassifier)


def test_dask_workers_fit_fresh_clones_single_threaded(cluster: Cluster, data) -> None:
    Xt, yt, _, _ = data
    models = fit_models(ConstantClassifier(n_jobs=4), {"c": [0, 1, 2]}, Xt, yt,
                        backend="dask", scheduler=cluster.client)
    assert [m.c for m in models] == [0, 1, 2]
    assert all(m.fit_n_jobs_ == 1 for m in models)
    assert all(set(m.blas_threads_) <= {1} for m in models)
    assert not cluster.client.status == "closed"  # a Client we passed in is left open


def test_an_unreachable_scheduler_is_one_clear_error_before_fitting(data) -> None:
    Xt, yt, Xv, yv = data
    est = ConstantClassifier()
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(GroundupError, match="cannot reach the Dask scheduler") as info:
        best_fit(est, {"c": [0]}, Xt, yt, Xv, yv, backend="dask", scheduler=address,
                 scheduler_timeout=1)
    assert address in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(SettingError, match="scheduler: needed with `backend='dask'`"):
        DaskBackend(None)


def test_a_workers_address_is_not_taken_for_the_schedulers(cluster: Cluster, data) -> None:
    worker = next(iter(cluster.client.scheduler_info()["workers"]))
    assert identify(cluster.address, 30)["type"] == "Scheduler"
    with pytest.raises(SettingError, match=f"scheduler: {worker} is not a Dask scheduler"
                                           " \\(it says it is Worker\\)"):
        DaskBackend(worker, timeout=30)


def test_killing_a_worker_mid_search_loses_and_duplicates_nothing(
        cluster: Cluster, data, tmp_path: Path) -> None:
    # Runs last in this module: it leaves the cluster one worker short.
    Xt, yt, Xv, yv = data
    victim = cluster.workers[0]
    store = tmp_path / "s.db"
    grid = {"c": list(range(12))}
    seen: list = []
    killed_at: list[int] = []

    def on_result(r) -> None:
        seen.append(r)
        if len(seen) == 2 and victim.poll() is None:
            os.kill(victim.pid, signal.SIGKILL)  # mid-search: it is busy with its next config
            victim.wait()
            killed_at.append(len(seen))

    r = best_fit(ConstantClassifier(delay=0.15), grid, Xt, yt, Xv, yv, backend="dask",
                 scheduler=cluster.address, store=store, on_result=on_result)
    assert killed_at == [2] and victim.returncode == -signal.SIGKILL
    assert sorted(x.params["c"] for x in seen) == list(range(12))  # each config exactly once
    assert r.table["status"].eq("ok").all() and len(r.table) == 12
    with sqlite3.connect(store) as raw:
        keys = [k for (k,) in raw.execute("SELECT key FROM results")]
    assert len(keys) == len(set(keys)) == 12
