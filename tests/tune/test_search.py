"""Tests for groundup.tune.search: fresh clones, GridSearchCV as the oracle, errors, resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GridSearchCV, PredefinedSplit

from groundup.errors import GroundupError, SettingError
from groundup.tune import best_fit, fit_models, score_models
from groundup.tune.grid import config_key
from groundup.tune.results import best_index

from .estimators import ConstantClassifier


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, ...]:
    X, y = make_classification(360, 8, n_informative=5, n_classes=3, random_state=1)
    return X[:240], y[:240], X[240:], y[240:]


def test_fit_models_serial_returns_distinct_fresh_models(data) -> None:
    Xt, yt, _, _ = data
    base = SGDClassifier(random_state=0)
    models = fit_models(base, {"alpha": [1e-4, 1e-2, 1.0]}, Xt, yt, n_jobs=1)
    assert len({id(m) for m in models}) == 3 and all(m is not base for m in models)
    assert [m.alpha for m in models] == [1e-4, 1e-2, 1.0]  # parfit returned 1.0 three times
    assert not hasattr(base, "coef_")
    coefs = [m.coef_.copy() for m in models]
    assert not np.allclose(coefs[0], coefs[2])


def test_fit_models_raises_or_skips_failures(data) -> None:
    Xt, yt, Xv, yv = data
    grid = {"c": [0, 1], "fail": [False, True]}
    with pytest.raises(ValueError, match="planned failure"):
        fit_models(ConstantClassifier(), grid, Xt, yt, n_jobs=1)
    models = fit_models(ConstantClassifier(), grid, Xt, yt, n_jobs=1, error_score=np.nan)
    assert [m is None for m in models] == [False, True, False, True]
    scores = score_models(models, Xv, yv, "accuracy")
    assert np.isnan(scores.scores[[1, 3]]).all()
    assert scores[0] == pytest.approx(np.mean(yv == 0))
    assert scores.best_index in (0, 2) and scores.errors[1] == "not fitted"


def test_score_models_matches_sklearn_metrics(data) -> None:
    Xt, yt, Xv, yv = data
    models = fit_models(LogisticRegression(max_iter=300), {"C": [0.01, 1.0]}, Xt, yt, n_jobs=1)
    acc = score_models(models, Xv, yv)
    assert list(acc.scores) == [accuracy_score(yv, m.predict(Xv)) for m in models]
    ll = score_models(models, Xv, yv, "log_loss")
    assert ll.greater_is_better is False
    assert np.allclose(ll.scores, [log_loss(yv, m.predict_proba(Xv)) for m in models])
    assert ll.best_index == int(np.argmin(ll.scores))
    assert "log_loss" in repr(ll)


@pytest.mark.parametrize("metric, scoring", [("accuracy", "accuracy"),
                                             ("log_loss", "neg_log_loss"),
                                             ("roc_auc", "roc_auc_ovr")])
def test_best_fit_matches_gridsearchcv_with_a_predefined_split(data, metric, scoring) -> None:
    Xt, yt, Xv, yv = data
    est = SGDClassifier(loss="log_loss", random_state=0, max_iter=50, tol=None)
    grid = {"alpha": [1e-4, 1e-3, 1e-2, 1e-1], "penalty": ["l2", "l1"]}
    ours = best_fit(est, grid, Xt, yt, Xv, yv, metric=metric, n_jobs=1)
    X, y = np.concatenate([Xt, Xv]), np.concatenate([yt, yv])
    split = PredefinedSplit(np.r_[np.full(len(yt), -1), np.zeros(len(yv), dtype=int)])
    gs = GridSearchCV(est, grid, scoring=scoring, cv=split, refit=False).fit(X, y)
    sign = -1.0 if metric == "log_loss" else 1.0
    oracle = {config_key(p): sign * s for p, s in
              zip(gs.cv_results_["params"], gs.cv_results_["mean_test_score"], strict=True)}
    for _, row in ours.table.iterrows():
        key = config_key({"alpha": row["alpha"], "penalty": row["penalty"]})
        assert row["score"] == pytest.approx(oracle[key], rel=1e-9)
    assert ours.best_params == gs.cv_results_["params"][gs.cv_results_["rank_test_score"].argmin()]
    assert ours.best_score == pytest.approx(sign * gs.cv_results_["mean_test_score"].max())
    assert ours.best_model.get_params()["alpha"] == ours.best_params["alpha"]


def test_best_fit_table_is_tidy_and_keeps_errors(data) -> None:
    Xt, yt, Xv, yv = data
    grid = {"c": [0, 1, 2], "fail": [False, True]}
    r = best_fit(ConstantClassifier(), grid, Xt, yt, Xv, yv, n_jobs=1)
    t = r.table
    assert list(t.columns) == ["c", "fail", "score", "fit_seconds", "score_seconds", "status",
                               "error", "warnings", "worker"]
    assert len(t) == 6 and r.n_failed == 3
    failed = t[t["fail"].astype(bool)]
    assert (failed["status"] == "error").all() and failed["score"].isna().all()
    assert failed["error"].str.startswith("ValueError: planned failure").all()
    shares = np.bincount(yv, minlength=3) / len(yv)
    assert r.best_score == pytest.approx(shares.max())
    assert r.best_params == {"c": int(np.argmax(shares)), "fail": False}
    st = r.sorted_table()
    assert list(st["rank"]) == [1, 2, 3, 4, 5, 6]
    assert list(st["status"]) == ["ok"] * 3 + ["error"] * 3
    assert st["score"].iloc[0] >= st["score"].iloc[1] >= st["score"].iloc[2]
    assert "failed=3" in repr(r)


def test_ties_go_to_the_first_config_in_grid_order(data) -> None:
    Xt, yt, Xv, yv = data
    r = best_fit(ConstantClassifier(), {"c": [4, 1]}, Xt, yt, Xv, yv, n_jobs=1)  # 4 % 3 == 1
    assert r.best_params == {"c": 4}
    assert best_index([0.5, 0.7, 0.7]) == 1 and best_index([0.5, 0.2, 0.2], False) == 1
    assert best_index([np.nan, np.nan]) is None


def test_all_configs_failing_gives_no_best(data) -> None:
    Xt, yt, Xv, yv = data
    r = best_fit(ConstantClassifier(fail=True), {"c": [0, 1]}, Xt, yt, Xv, yv, n_jobs=1)
    assert r.best_model is None and r.best_params is None and np.isnan(r.best_score)


@pytest.mark.parametrize(
    "grid, kwargs, words",
    [({"lr": [0.1]}, {}, "grid['lr']: SGDClassifier has no parameter 'lr'"),
     ({"alpa": [0.1]}, {}, "grid['alpa']: SGDClassifier has no parameter 'alpa'; did you mean"
                           " alpha"),
     ({"alpha": [-1.0]}, {}, "grid['alpha']: The 'alpha' parameter of SGDClassifier must be"),
     ({"n_jobs": [2]}, {"n_jobs": 2}, "grid['n_jobs']: the search is already parallel; inner"
                                      " n_jobs is fixed at 1"),
     ({"alpha": [0.1]}, {"backend": "spark"}, "backend: unknown 'spark'; choose 'local' or"
                                              " 'dask'"),
     ({"alpha": [0.1]}, {"n_jobs": 0}, "n_jobs: must be -1 (all cores) or a whole number in"),
     ({"alpha": [0.1]}, {"metric": "acc"}, "metric: unknown 'acc'"),
     ({"alpha": [0.1]}, {"resume": True}, "resume: needs `store`")],
)
def test_user_mistakes_fail_before_any_fitting(data, grid, kwargs, words) -> None:
    Xt, yt, Xv, yv = data
    est = SGDClassifier()
    with pytest.raises(SettingError) as info:
        best_fit(est, grid, Xt, yt, Xv, yv, **{"n_jobs": 1, **kwargs})
    assert str(info.value).startswith(words), str(info.value)
    assert "--" not in str(info.value)  # the library speaks Python, not command-line flags
    assert not hasattr(est, "coef_")


class StatusClassifier(ConstantClassifier):
    def __init__(self, status: int = 0) -> None:
        self.status = status


def test_a_param_named_like_a_table_column_is_refused(data) -> None:
    Xt, yt, Xv, yv = data
    with pytest.raises(GroundupError, match="clashes"):
        best_fit(StatusClassifier(), {"status": [1]}, Xt, yt, Xv, yv, n_jobs=1)


def test_mismatched_data_is_refused(data) -> None:
    Xt, yt, Xv, yv = data
    with pytest.raises(GroundupError, match="rows"):
        best_fit(SGDClassifier(), {}, Xt, yt[:-1], Xv, yv, n_jobs=1)
    with pytest.raises(GroundupError, match="features"):
        best_fit(SGDClassifier(), {}, Xt, yt, Xv[:, :3], yv, n_jobs=1)


def test_resume_fits_only_missing_configs_and_refits_an_old_best(tmp_path: Path, data) -> None:
    Xt, yt, Xv, yv = data
    store = tmp_path / "s.db"
    best_c = int(np.argmax(np.bincount(yv, minlength=3)))
    first = best_fit(ConstantClassifier(), {"c": [best_c]}, Xt, yt, Xv, yv, n_jobs=1, store=store)
    assert first.n_fitted == 1
    seen = []
    again = best_fit(ConstantClassifier(), {"c": [0, 1, 2]}, Xt, yt, Xv, yv, n_jobs=1,
                     store=store, resume=True, on_result=seen.append)
    assert sorted(r.params["c"] for r in seen) == sorted({0, 1, 2} - {best_c})
    assert (again.n_fitted, again.n_resumed) == (2, 1)
    assert again.best_params == {"c": best_c}
    assert isinstance(again.best_model, ConstantClassifier) and again.best_model.c == best_c
    assert len(again.table) == 3


def test_ctrl_c_leaves_a_consistent_store_that_resumes(tmp_path: Path, data) -> None:
    Xt, yt, Xv, yv = data
    store = tmp_path / "s.db"
    grid = {"c": [0, 1, 2, 3, 4]}

    def interrupt_after_two(r) -> None:
        if len(seen) == 1:
            raise KeyboardInterrupt
        seen.append(r)

    seen: list = []
    with pytest.raises(KeyboardInterrupt):
        best_fit(ConstantClassifier(), grid, Xt, yt, Xv, yv, n_jobs=1, store=store,
                 on_result=interrupt_after_two)
    fitted: list = []
    r = best_fit(ConstantClassifier(), grid, Xt, yt, Xv, yv, n_jobs=1, store=store,
                 resume=True, on_result=fitted.append)
    assert (r.n_resumed, r.n_fitted) == (2, 3)
    assert sorted(x.params["c"] for x in fitted) == [2, 3, 4]
    assert r.table["score"].notna().all()


def test_pandas_inputs_work(data) -> None:
    Xt, yt, Xv, yv = data
    cols = [f"f{i}" for i in range(Xt.shape[1])]
    r = best_fit(LogisticRegression(max_iter=200), {"C": [0.1, 1.0]},
                 pd.DataFrame(Xt, columns=cols), pd.Series(yt),
                 pd.DataFrame(Xv, columns=cols), pd.Series(yv), n_jobs=1)
    assert r.table["status"].eq("ok").all()
