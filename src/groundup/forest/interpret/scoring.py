"""Validation metrics by name, each knowing whether bigger is better and what it scores.

Importance is "how much worse the model got", so every metric must say which way is
worse. A `Scorer` bundles the function, its direction and the model method whose output it
scores (`predict`, `predict_proba` or `decision_function`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm
from sklearn.base import is_classifier

from groundup.errors import SettingError

_RESPONSES = ("predict", "predict_proba", "decision_function")


@dataclass(frozen=True)
class Scorer:
    """A named score `fn(y_true, model_output) -> float` and which way is better."""

    name: str
    fn: Callable[[np.ndarray, np.ndarray], float]
    greater_is_better: bool = True
    response: str = "predict"

    def __repr__(self) -> str:
        way = "higher" if self.greater_is_better else "lower"
        return f"Scorer({self.name!r}, {way} is better, scores {self.response})"

    def score(self, model: object, X, y) -> float:
        """Return the metric of `model` on `(X, y)`."""
        return float(self.fn(y, getattr(model, self.response)(X)))

    def worsening(self, baseline: float | np.ndarray, score: float | np.ndarray):
        """Return how much worse `score` is than `baseline` (positive = worse)."""
        return baseline - score if self.greater_is_better else score - baseline


def _rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.sqrt(skm.mean_squared_error(y_true, y_pred)))


def _builtin(name: str, model: object) -> Scorer:
    """Return the built-in metric called `name` (probability metrics use model.classes_)."""
    classes = getattr(model, "classes_", None)

    def log_loss(y: np.ndarray, proba: np.ndarray) -> float:
        return skm.log_loss(y, proba, labels=classes)

    def brier(y: np.ndarray, proba: np.ndarray) -> float:
        # Multiclass Brier score: squared distance from the one-hot truth, per row.
        truth = np.asarray(y)[:, None] == np.asarray(classes)[None, :]
        return float(np.mean(np.sum((proba - truth) ** 2, axis=1)))

    def roc_auc(y: np.ndarray, proba: np.ndarray) -> float:
        if proba.shape[1] == 2:
            return skm.roc_auc_score(y, proba[:, 1])
        return skm.roc_auc_score(y, proba, multi_class="ovr", labels=classes)

    table = {
        "r2": Scorer("r2", skm.r2_score),
        "mse": Scorer("mse", skm.mean_squared_error, greater_is_better=False),
        "rmse": Scorer("rmse", _rmse, greater_is_better=False),
        "mae": Scorer("mae", skm.mean_absolute_error, greater_is_better=False),
        "accuracy": Scorer("accuracy", skm.accuracy_score),
        "balanced_accuracy": Scorer("balanced_accuracy", skm.balanced_accuracy_score),
        "log_loss": Scorer("log_loss", log_loss, False, "predict_proba"),
        "brier": Scorer("brier", brier, False, "predict_proba"),
        "roc_auc": Scorer("roc_auc", roc_auc, True, "predict_proba"),
    }
    return table[check_metric_name(name)]


METRIC_NAMES = (
    "r2", "mse", "rmse", "mae", "accuracy", "balanced_accuracy", "log_loss", "brier", "roc_auc"
)


def check_metric_name(name: str) -> str:
    """Return `name` if it is a built-in metric's name; otherwise raise a `SettingError`."""
    if name not in METRIC_NAMES:
        raise SettingError(
            "metric", f"unknown metric {name!r}; choose one of {', '.join(METRIC_NAMES)}"
        )
    return name


def resolve_metric(
    metric: str | Scorer | Callable | None,
    model: object,
    *,
    greater_is_better: bool = True,
    response: str = "predict",
) -> Scorer:
    """Return a `Scorer`: by name, as given, wrapped around a callable, or the model's default.

    The default is R² for regressors and accuracy for classifiers (what `model.score`
    uses). A callable is called as `metric(y_true, output)` where `output` comes from
    `model.<response>(X)`; say `greater_is_better=False` for a loss.
    """
    if metric is None:
        return _builtin("accuracy" if is_classifier(model) else "r2", model)
    if isinstance(metric, Scorer):
        return metric
    if isinstance(metric, str):
        return _builtin(metric, model)
    if callable(metric):
        if response not in _RESPONSES:
            raise SettingError("response", f"must be one of {', '.join(_RESPONSES)}")
        name = getattr(metric, "__name__", type(metric).__name__)
        return Scorer(name, metric, greater_is_better=greater_is_better, response=response)
    raise SettingError("metric", f"must be a name, a Scorer or a callable, not {metric!r}")
