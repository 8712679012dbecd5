"""Validation metrics: score one fitted model on the fixed validation set.

A `SearchMetric` knows what it needs from the model (hard predictions, class probabilities, or
any per-class score) and whether bigger is better. The probability metrics work for any number of
classes: log loss gets the model's own class order (`classes_`), and ROC AUC is one-vs-rest,
macro-averaged, so a 10-class MNIST model is scored as easily as a binary one. ROC AUC only
needs a ranking, so it falls back to `decision_function` when a model has no
`predict_proba` (SGDClassifier with hinge loss, for example).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import metrics as skm

from groundup.errors import GroundupError, SettingError


@dataclass(frozen=True)
class SearchMetric:
    """A named validation metric: `metric(model, X, y)` returns a float score.

    `needs` is "predict" (fn gets hard predictions), "proba" (fn gets `predict_proba`, columns in
    `model.classes_` order, plus `labels=classes_`) or "score" (like proba, but any per-class
    score will do: probabilities if the model has them, else `decision_function`).
    """

    name: str
    fn: Callable[..., float]
    needs: str = "predict"
    greater_is_better: bool = True

    def __call__(self, model: Any, X: Any, y: Any) -> float:
        """Return the metric of `model` on (X, y)."""
        if self.needs == "predict":
            return float(self.fn(y, model.predict(X)))
        classes = getattr(model, "classes_", None)
        if classes is None:
            raise GroundupError(f"metric {self.name}: {_name(model)} is not a classifier")
        if self.needs == "proba" or hasattr(model, "predict_proba"):
            if not hasattr(model, "predict_proba"):
                raise GroundupError(
                    f"metric {self.name} needs predict_proba, which {_name(model)} does not have"
                )
            out = model.predict_proba(X)
        else:
            if not hasattr(model, "decision_function"):
                raise GroundupError(
                    f"metric {self.name} needs predict_proba or decision_function;"
                    f" {_name(model)} has neither"
                )
            out = model.decision_function(X)
        return float(self.fn(y, np.asarray(out), labels=np.asarray(classes)))

    def __repr__(self) -> str:
        direction = "higher" if self.greater_is_better else "lower"
        return f"SearchMetric({self.name!r}, needs={self.needs!r}, {direction} is better)"


def _name(model: Any) -> str:
    return type(model).__name__


def _log_loss(y: Any, proba: np.ndarray, labels: np.ndarray) -> float:
    return skm.log_loss(y, proba, labels=labels)


def roc_auc_ovr(y: Any, scores: np.ndarray, labels: np.ndarray) -> float:
    """Return ROC AUC, one-vs-rest and macro-averaged over `labels` for multi-class scores.

    `scores` is (n,) or (n, 1) for a binary model (score of labels[1]) or (n, n_classes) with
    one column per label. Every label must occur in `y`, else its AUC is undefined.
    """
    y = np.asarray(y)
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.ndim == 1 or (len(labels) == 2 and scores.shape[1] == 2):
        positive = scores if scores.ndim == 1 else scores[:, 1]
        return float(skm.roc_auc_score(y == labels[1], positive))
    if scores.shape[1] != len(labels):
        raise GroundupError(f"roc_auc: {scores.shape[1]} score columns for {len(labels)} classes")
    aucs = []
    for j, label in enumerate(labels):
        is_label = y == label
        if is_label.all() or not is_label.any():
            raise GroundupError(
                f"roc_auc: class {label!r} is {'all' if is_label.all() else 'absent'} "
                "in the validation labels, so its one-vs-rest AUC is undefined"
            )
        aucs.append(skm.roc_auc_score(is_label, scores[:, j]))
    return float(np.mean(aucs))


def _mse(y: Any, pred: Any) -> float:
    return skm.mean_squared_error(y, pred)


def _f1_macro(y: Any, pred: Any) -> float:
    return skm.f1_score(y, pred, average="macro")


METRICS: dict[str, SearchMetric] = {
    m.name: m
    for m in [
        SearchMetric("accuracy", skm.accuracy_score),
        SearchMetric("balanced_accuracy", skm.balanced_accuracy_score),
        SearchMetric("f1_macro", _f1_macro),
        SearchMetric("log_loss", _log_loss, needs="proba", greater_is_better=False),
        SearchMetric("roc_auc", roc_auc_ovr, needs="score"),
        SearchMetric("r2", skm.r2_score),
        SearchMetric("mse", _mse, greater_is_better=False),
        SearchMetric("mae", skm.mean_absolute_error, greater_is_better=False),
    ]
}


def get_metric(metric: str | SearchMetric | Callable[..., float],
               greater_is_better: bool | None = None) -> SearchMetric:
    """Return the SearchMetric for a name in METRICS, a SearchMetric or a `fn(y_true, y_pred)`.

    A plain function scores hard predictions and counts as higher-is-better unless
    `greater_is_better=False` says otherwise. Passing `greater_is_better` overrides a named
    metric's direction too.
    """
    if isinstance(metric, SearchMetric):
        m = metric
    elif isinstance(metric, str):
        if metric not in METRICS:
            raise SettingError(
                "metric", f"unknown {metric!r}; choose one of {', '.join(METRICS)} or a function"
            )
        m = METRICS[metric]
    elif callable(metric):
        name = getattr(metric, "__name__", type(metric).__name__)
        m = SearchMetric(name, metric)
    else:
        raise SettingError("metric", f"expected a name or a function, got {metric!r}")
    if greater_is_better is not None and greater_is_better != m.greater_is_better:
        m = SearchMetric(m.name, m.fn, m.needs, bool(greater_is_better))
    return m
