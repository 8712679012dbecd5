"""Tests for groundup.tune.metrics: multi-class probability metrics against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.svm import LinearSVC

from groundup.errors import GroundupError
from groundup.tune.metrics import METRICS, SearchMetric, get_metric, roc_auc_ovr


@pytest.fixture(scope="module")
def three_class() -> tuple[np.ndarray, ...]:
    X, y = make_classification(300, 8, n_informative=5, n_classes=3, random_state=0)
    return X[:200], y[:200], X[200:], y[200:]


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(0, 10_000))
def test_roc_auc_ovr_matches_sklearn_on_probabilities(k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.arange(k), rng.integers(0, k, 40)])  # every class present
    p = rng.random((len(y), k)) + 1e-3
    p /= p.sum(axis=1, keepdims=True)
    labels = np.arange(k)
    if k == 2:
        oracle = roc_auc_score(y, p[:, 1])
    else:
        oracle = roc_auc_score(y, p, multi_class="ovr", labels=labels)
    assert roc_auc_ovr(y, p, labels) == pytest.approx(oracle, abs=1e-12)


def test_roc_auc_works_for_string_labels_in_classes_order() -> None:
    y = np.array(["cat", "dog", "eel", "dog", "cat", "eel"])
    p = np.eye(3)[[0, 1, 2, 1, 2, 0]] * 0.8 + 0.2 / 3
    labels = np.array(["cat", "dog", "eel"])
    oracle = roc_auc_score(y, p, multi_class="ovr", labels=labels)
    assert roc_auc_ovr(y, p, labels) == pytest.approx(oracle)


def test_roc_auc_refuses_a_class_missing_from_validation() -> None:
    with pytest.raises(GroundupError, match="absent"):
        roc_auc_ovr(np.array([0, 1, 0, 1]), np.full((4, 3), 1 / 3), np.arange(3))


def test_probability_metrics_on_a_multiclass_model_match_sklearn(three_class) -> None:
    Xt, yt, Xv, yv = three_class
    model = LogisticRegression(max_iter=500).fit(Xt, yt)
    proba = model.predict_proba(Xv)
    assert METRICS["log_loss"](model, Xv, yv) == pytest.approx(log_loss(yv, proba))
    assert METRICS["roc_auc"](model, Xv, yv) == pytest.approx(
        roc_auc_score(yv, proba, multi_class="ovr"))
    assert METRICS["accuracy"](model, Xv, yv) == accuracy_score(yv, model.predict(Xv))


def test_log_loss_uses_the_models_classes_when_validation_lacks_one(three_class) -> None:
    Xt, yt, Xv, yv = three_class
    model = LogisticRegression(max_iter=500).fit(Xt, yt)
    keep = yv != 2
    oracle = log_loss(yv[keep], model.predict_proba(Xv[keep]), labels=model.classes_)
    assert METRICS["log_loss"](model, Xv[keep], yv[keep]) == pytest.approx(oracle)


def test_roc_auc_falls_back_to_decision_function(three_class) -> None:
    Xt, yt, Xv, yv = three_class
    model = LinearSVC().fit(Xt, yt)  # no predict_proba
    d = model.decision_function(Xv)
    oracle = np.mean([roc_auc_score(yv == c, d[:, j]) for j, c in enumerate(model.classes_)])
    assert METRICS["roc_auc"](model, Xv, yv) == pytest.approx(oracle)


def test_log_loss_without_predict_proba_says_so(three_class) -> None:
    Xt, yt, Xv, yv = three_class
    model = SGDClassifier(loss="hinge", random_state=0).fit(Xt, yt)
    with pytest.raises(GroundupError, match="predict_proba"):
        METRICS["log_loss"](model, Xv, yv)


def test_get_metric_names_functions_and_direction() -> None:
    assert get_metric("log_loss").greater_is_better is False
    assert get_metric("accuracy").greater_is_better is True
    assert get_metric("accuracy", greater_is_better=False).greater_is_better is False
    m = get_metric(accuracy_score)
    assert m.name == "accuracy_score" and m.needs == "predict" and m.greater_is_better
    assert get_metric(SearchMetric("x", accuracy_score)).name == "x"
    with pytest.raises(GroundupError, match="unknown"):
        get_metric("accurasy")
    with pytest.raises(GroundupError):
        get_metric(3)  # type: ignore[arg-type]
    assert "higher is better" in repr(get_metric("accuracy"))
