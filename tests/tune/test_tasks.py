"""Tests for groundup.tune.tasks: fresh clones, pinned n_jobs, errors and warnings kept."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from groundup.tune.grid import config_key
from groundup.tune.metrics import get_metric
from groundup.tune.tasks import configured_clone, run_config

from .estimators import ConstantClassifier

X = np.arange(40, dtype=float).reshape(20, 2)
y = np.array([0] * 12 + [1] * 8)


def test_configured_clone_returns_a_fresh_clone_with_params() -> None:
    base = ConstantClassifier(c=0)
    a = configured_clone(base, {"c": 1}, None)
    b = configured_clone(base, {"c": 2}, None)
    assert a is not base and b is not base and a is not b
    assert (base.c, a.c, b.c) == (0, 1, 2)


def test_configured_clone_pins_every_n_jobs_including_nested() -> None:
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_jobs=-1))
    pinned = configured_clone(pipe, {}, 1)
    assert pinned.get_params()["randomforestclassifier__n_jobs"] == 1
    assert pipe.get_params()["randomforestclassifier__n_jobs"] == -1  # original untouched
    # None already means one job: left alone (no deprecation warnings for no reason)
    assert configured_clone(ConstantClassifier(n_jobs=None), {}, 1).n_jobs is None


def test_run_config_scores_with_the_metric() -> None:
    params = {"c": 1}
    r = run_config(ConstantClassifier(), config_key(params), params, X, y, X, y,
                   get_metric("accuracy"))
    assert r.status == "ok" and r.score == pytest.approx(8 / 20)
    assert r.fit_seconds >= 0 and r.score_seconds >= 0
    assert isinstance(r.model, ConstantClassifier) and r.model.c == 1


def test_run_config_records_an_error_with_its_first_line_and_traceback() -> None:
    params = {"fail": True}
    r = run_config(ConstantClassifier(), config_key(params), params, X, y, X, y,
                   get_metric("accuracy"))
    assert r.status == "error" and np.isnan(r.score) and r.model is None
    assert r.error == "ValueError: planned failure for c=0"
    assert "Traceback" in r.traceback and "planned failure" in r.traceback


def test_run_config_can_let_errors_through() -> None:
    with pytest.raises(ValueError, match="planned"):
        run_config(ConstantClassifier(fail=True), "{}", {}, X, y, catch_errors=False)


def test_run_config_records_warnings_without_touching_global_filters() -> None:
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as outside:
        warnings.simplefilter("always")
        r = run_config(ConstantClassifier(warn=True), "{}", {}, X, y)
    assert r.warnings == ["UserWarning: planned warning for c=0"]
    assert not [w for w in outside if "planned" in str(w.message)]  # recorded, not re-shown
    assert warnings.filters == before
