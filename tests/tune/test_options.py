"""Tests for groundup.tune.options: every setting is checked once, when the options are made,
and a back end is made once: by `opened`, or by the caller who hands it in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification

from groundup.errors import GroundupError, SettingError
from groundup.tune import SearchOptions, best_fit
from groundup.tune.backends import LocalBackend, SerialBackend
from groundup.tune.options import opened

from .estimators import ConstantClassifier


def test_defaults_are_valid_and_the_metric_is_resolved() -> None:
    opts = SearchOptions()
    assert opts.search_metric.name == "accuracy" and opts.search_metric.greater_is_better
    assert SearchOptions(metric="log_loss").search_metric.greater_is_better is False
    assert SearchOptions(metric="accuracy", greater_is_better=False).search_metric \
        .greater_is_better is False


@pytest.mark.parametrize(
    "settings, message",
    [({"backend": "spark"}, "backend: unknown 'spark'; choose 'local' or 'dask'"),
     ({"backend": "dask"}, "scheduler: needed with `backend='dask'`"),
     ({"scheduler": "tcp://127.0.0.1:1"}, "scheduler: only applies to `backend='dask'`"),
     ({"backend": SerialBackend(), "scheduler": "tcp://x:1"}, "scheduler: only applies when"),
     ({"n_jobs": 0}, "n_jobs: must be -1 (all cores) or a whole number in [1, "),
     ({"n_jobs": 10**8}, "n_jobs: must be -1 (all cores) or a whole number in [1, "),
     ({"n_jobs": -(10**8)}, "n_jobs: must be -1 (all cores) or a whole number in [1, "),
     ({"scheduler_timeout": 0}, "scheduler_timeout: must be a positive number of seconds"),
     ({"scheduler_timeout": -1}, "scheduler_timeout: must be a positive number of seconds"),
     ({"scheduler_timeout": float("nan")}, "scheduler_timeout: must be a positive number of"),
     ({"scheduler_timeout": float("inf")}, "scheduler_timeout: must be a positive number of"),
     ({"scheduler_timeout": True}, "scheduler_timeout: must be a positive number of seconds"),
     ({"backend": "dask", "scheduler": "http://127.0.0.1:8787"},
      "scheduler: 'http://127.0.0.1:8787' is not a Dask scheduler address (http:// is not"),
     ({"backend": "dask", "scheduler": "tcp://"}, "scheduler: 'tcp://' is not a Dask"),
     ({"resume": True}, "resume: needs `store`"),
     ({"max_worker_restarts": -1}, "max_worker_restarts: must be a whole number >= 0"),
     ({"metric": "acc"}, "metric: unknown 'acc'")],
)
def test_each_bad_setting_is_named_in_python(settings, message) -> None:
    with pytest.raises(SettingError) as info:
        SearchOptions(**settings)
    assert str(info.value).startswith(message), str(info.value)


def test_a_store_in_a_missing_folder_fails_when_the_options_are_made(tmp_path: Path) -> None:
    with pytest.raises(GroundupError, match="does not exist"):
        SearchOptions(store=tmp_path / "missing" / "r.db")
    assert not (tmp_path / "missing").exists()


def test_parallel_follows_the_back_end() -> None:
    assert not SearchOptions(n_jobs=1).parallel and SearchOptions(n_jobs=2).parallel
    assert not SearchOptions(backend=SerialBackend()).parallel
    assert SearchOptions(backend=LocalBackend(2)).parallel


class CountingBackend(SerialBackend):
    def __init__(self) -> None:
        super().__init__()
        self.runs = self.closes = 0

    def run(self, job, items):
        self.runs += 1
        yield from super().run(job, items)

    def close(self) -> None:
        self.closes += 1


def test_opened_makes_a_named_back_end_and_passes_a_made_one_through() -> None:
    with opened(SearchOptions(n_jobs=1)) as opts:
        assert isinstance(opts.backend, SerialBackend) and opts.scheduler is None
    made = CountingBackend()
    with opened(SearchOptions(backend=made)) as opts:
        assert opts.backend is made
    assert made.closes == 0  # its maker closes it


def test_best_fit_uses_a_made_back_end_as_it_is_and_takes_options() -> None:
    X, y = make_classification(80, 4, n_informative=2, n_classes=2, random_state=0)
    made = CountingBackend()
    opts = SearchOptions(backend=made, metric="accuracy")
    r = best_fit(ConstantClassifier(), {"c": [0, 1]}, X[:60], y[:60], X[60:], y[60:], opts,
                 metric="balanced_accuracy")  # a keyword overrides the options' field
    assert (made.runs, made.closes) == (1, 0)
    assert r.metric == "balanced_accuracy" and np.isfinite(r.best_score)
    assert r.table["status"].eq("ok").all()
