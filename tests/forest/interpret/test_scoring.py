"""Named metrics: scikit-learn's own functions as oracles, directions, defaults."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import mean_absolute_error

from groundup.errors import GroundupError
from groundup.forest.interpret.scoring import METRIC_NAMES, Scorer, resolve_metric


@pytest.fixture(scope="module")
def classifiers() -> dict[int, tuple[RandomForestClassifier, np.ndarray, np.ndarray]]:
    fitted = {}
    for k in (2, 3):
        X, y = make_classification(150, n_features=5, n_informative=3, n_redundant=0,
                                   n_classes=k, random_state=k)
        fitted[k] = (RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y), X, y)
    return fitted


def test_regression_metrics_match_sklearn() -> None:
    X, y = make_regression(80, n_features=3, noise=5.0, random_state=0)
    model = RandomForestRegressor(n_estimators=5, random_state=0).fit(X[:50], y[:50])
    pred = model.predict(X[50:])
    expected = {
        "r2": skm.r2_score(y[50:], pred),
        "mse": skm.mean_squared_error(y[50:], pred),
        "rmse": np.sqrt(skm.mean_squared_error(y[50:], pred)),
        "mae": skm.mean_absolute_error(y[50:], pred),
    }
    for name, value in expected.items():
        assert resolve_metric(name, model).score(model, X[50:], y[50:]) == pytest.approx(value)


@pytest.mark.parametrize("k", [2, 3])
def test_probability_metrics_match_sklearn(classifiers, k: int) -> None:
    model, X, y = classifiers[k]
    proba = model.predict_proba(X)
    score = {name: resolve_metric(name, model).score(model, X, y) for name in METRIC_NAMES
             if name not in ("r2", "mse", "rmse", "mae")}
    assert score["accuracy"] == pytest.approx(skm.accuracy_score(y, model.predict(X)))
    assert score["log_loss"] == pytest.approx(skm.log_loss(y, proba))
    if k == 2:
        assert score["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba[:, 1]))
        # sklearn's binary Brier score counts one class; ours sums both, so it is twice.
        assert score["brier"] == pytest.approx(2 * skm.brier_score_loss(y, proba[:, 1]))
    else:
        assert score["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"))
        onehot = np.eye(k)[y]
        assert score["brier"] == pytest.approx(np.mean(np.sum((proba - onehot) ** 2, axis=1)))


def test_directions_and_defaults() -> None:
    reg, clf = RandomForestRegressor(), RandomForestClassifier()
    assert resolve_metric(None, reg).name == "r2"
    assert resolve_metric(None, clf).name == "accuracy"
    loss = resolve_metric("log_loss", clf)
    assert not loss.greater_is_better and loss.response == "predict_proba"
    assert loss.worsening(0.2, 0.5) == pytest.approx(0.3)
    assert resolve_metric("r2", reg).worsening(0.9, 0.5) == pytest.approx(0.4)
    custom = Scorer("mine", mean_absolute_error, greater_is_better=False)
    assert resolve_metric(custom, reg) is custom
    assert "lower is better" in repr(custom)
    wrapped = resolve_metric(mean_absolute_error, reg, greater_is_better=False)
    assert wrapped.name == "mean_absolute_error" and not wrapped.greater_is_better


def test_bad_metrics_are_user_errors() -> None:
    with pytest.raises(GroundupError, match="unknown metric 'f1'"):
        resolve_metric("f1", RandomForestRegressor())
    with pytest.raises(GroundupError, match="response"):
        resolve_metric(mean_absolute_error, RandomForestRegressor(), response="score")
    with pytest.raises(GroundupError, match="callable"):
        resolve_metric(3, RandomForestRegressor())
