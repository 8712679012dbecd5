"""Tests for groundup.tune.backends (local): same answers as serial, one thread per worker,
and a worker process that dies mid-search loses nothing and duplicates nothing."""

from __future__ import annotations

import os
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification

from groundup.errors import GroundupError, SettingError
from groundup.tune import best_fit, fit_models
from groundup.tune.backends import LocalBackend, SerialBackend, make_backend, resolve_n_jobs

from .estimators import ConstantClassifier, TorchProbe


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, ...]:
    X, y = make_classification(200, 6, n_informative=4, n_classes=3, random_state=2)
    return X[:150], y[:150], X[150:], y[150:]


def test_resolve_n_jobs_follows_joblib() -> None:
    cpus = joblib.cpu_count()
    assert resolve_n_jobs(None) == 1 and resolve_n_jobs(3) == 3
    assert resolve_n_jobs(-1) == cpus and resolve_n_jobs(-2) == max(1, cpus - 1)
    with pytest.raises(GroundupError):
        resolve_n_jobs(0)
    assert isinstance(make_backend("local", 1), SerialBackend)
    assert isinstance(make_backend("local", 2), LocalBackend)
    with pytest.raises(SettingError, match="scheduler: only applies to `backend='dask'`"):
        make_backend("local", 2, scheduler="tcp://127.0.0.1:1")


def test_two_workers_give_the_serial_answers_one_thread_each(data) -> None:
    Xt, yt, Xv, yv = data
    grid = {"c": [0, 1, 2, 3], "n_jobs": [None]}
    serial = best_fit(ConstantClassifier(), grid, Xt, yt, Xv, yv, n_jobs=1)
    grid_par = {"c": [0, 1, 2, 3]}
    models = fit_models(TorchProbe(n_jobs=-1, delay=0.05), grid_par, Xt, yt, n_jobs=2)
    assert all(m.fit_pid_ != os.getpid() for m in models)
    assert all(m.fit_n_jobs_ == 1 for m in models)  # the estimator's own n_jobs=-1 was pinned
    assert all(set(m.blas_threads_) <= {1} for m in models)
    assert all(m.torch_threads_ == 1 for m in models)
    par = best_fit(ConstantClassifier(), grid_par, Xt, yt, Xv, yv, n_jobs=2)
    assert list(par.table["score"]) == list(serial.table["score"])
    assert par.best_params == {"c": serial.best_params["c"]}


def test_a_killed_local_worker_loses_and_duplicates_nothing(tmp_path: Path, data) -> None:
    Xt, yt, Xv, yv = data
    marker = tmp_path / "died"
    grid = {"c": [0, 1, 2, 3, 4, 5], "die_once": [str(marker)]}
    seen: list = []
    r = best_fit(ConstantClassifier(delay=0.05), grid, Xt, yt, Xv, yv, n_jobs=2,
                 store=tmp_path / "s.db", on_result=seen.append)
    assert marker.exists()  # a worker really was killed
    assert sorted(x.params["c"] for x in seen) == [0, 1, 2, 3, 4, 5]  # each exactly once
    assert r.table["status"].eq("ok").all() and len(r.table) == 6


def test_workers_that_keep_dying_stop_the_search_with_a_clear_message(tmp_path: Path,
                                                                     data) -> None:
    Xt, yt, Xv, yv = data
    grid = {"c": [0, 1], "die_once": [str(tmp_path / "died")]}
    with pytest.raises(GroundupError, match=r"died 1 time\(s\).*`resume=True`"):
        best_fit(ConstantClassifier(), grid, Xt, yt, Xv, yv, n_jobs=2, store=tmp_path / "s.db",
                 max_worker_restarts=0)


def test_a_single_config_runs_here_and_leaves_this_process_threads_alone(data) -> None:
    import torch

    Xt, yt, _, _ = data
    before = torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")
    (model,) = fit_models(ConstantClassifier(), {"c": [1]}, Xt, yt, n_jobs=2)
    assert model.fit_pid_ == os.getpid()
    assert (torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")) == before
