"""Partial dependence and ICE: how the prediction moves as one or two features sweep a grid.

For each grid value, every row of X gets that value in the chosen column(s) and the model
predicts; one row's predictions across the grid is its ICE line (individual conditional
expectation), and the average over rows is the partial dependence. The grid is the one
scikit-learn's `partial_dependence` builds (its unique values when there are fewer than
`grid_resolution`, else evenly spaced between two percentiles), so the two agree.

Rather than one `predict` call per grid value, the copies of X for a batch of grid values
are stacked and predicted in one call: a forest pays its per-call overhead once per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd
from scipy.stats.mstats import mquantiles
from sklearn.base import is_classifier

from groundup.errors import GroundupError

# Stack at most this many cells (rows x columns) per predict call: bounded memory.
BATCH_CELLS = 2**22


@dataclass(frozen=True, repr=False)
class PartialDependence:
    """Average (and optionally per-row) model output over a grid of feature values."""

    features: tuple[str, ...]  # one or two feature names
    grid: tuple[np.ndarray, ...]  # the values each feature sweeps
    average: np.ndarray  # (n_outputs, *grid_shape), as scikit-learn's `average`
    outputs: tuple[str, ...]  # what each output is: "prediction", "P(class)", ...
    individual: np.ndarray | None = None  # (n_outputs, len(rows), *grid_shape): ICE lines
    rows: np.ndarray | None = None  # which rows of X the ICE lines belong to

    def __repr__(self) -> str:
        shape = "x".join(str(len(g)) for g in self.grid)
        ice = "" if self.rows is None else f", ice rows={len(self.rows)}"
        return (
            f"PartialDependence({' & '.join(self.features)}, grid={shape}, "
            f"outputs={list(self.outputs)}{ice})"
        )


def feature_grid(
    column: np.ndarray, grid_resolution: int = 100, percentiles: tuple[float, float] = (0.05, 0.95)
) -> np.ndarray:
    """Return the values a feature sweeps: its unique values if few, else an even grid.

    Matches scikit-learn: fewer than `grid_resolution` unique values -> those values;
    otherwise `grid_resolution` points between the two percentiles (scipy's `mquantiles`).
    """
    if grid_resolution < 2:
        raise GroundupError(f"grid_resolution must be at least 2, got {grid_resolution}")
    low, high = percentiles
    if not 0 <= low < high <= 1:
        raise GroundupError(f"percentiles must satisfy 0 <= low < high <= 1, got {percentiles}")
    column = np.asarray(column)
    if column.dtype.kind not in "biuf":
        raise GroundupError("partial dependence needs numeric columns; encode categories first")
    uniques = np.unique(column)
    if len(uniques) < grid_resolution:
        return uniques
    ends = mquantiles(column, prob=percentiles, axis=0)
    if np.allclose(ends[0], ends[1]):
        raise GroundupError("the percentiles of this feature are equal; widen `percentiles`")
    return np.linspace(ends[0], ends[1], num=grid_resolution, endpoint=True)


def partial_dependence(
    model: object,
    X,
    features: int | str | Sequence[int | str],
    *,
    grid_resolution: int = 100,
    percentiles: tuple[float, float] = (0.05, 0.95),
    ice: int = 0,
    seed: int = 0,
    response: str = "auto",
) -> PartialDependence:
    """Return the partial dependence of `model` on one or two features of X.

    features: a column index or name, or a pair of them for a 2-D grid.
    ice: draw this many rows (without replacement, `seed`) and keep their ICE lines;
    a number at least len(X) keeps every row, in order.
    response: "auto" (predict for regressors; predict_proba, else decision_function,
    for classifiers), "predict_proba" or "decision_function". A binary classifier gives
    one output, the positive class; a multiclass one gives one output per class.
    """
    if not hasattr(X, "shape") or len(X.shape) != 2 or X.shape[0] == 0:
        raise GroundupError("X must be a non-empty 2-D array or DataFrame")
    if ice < 0:
        raise GroundupError(f"ice must be 0 or more rows, got {ice}")
    names = _column_names(model, X)
    cols = _feature_columns(features, names)
    try:
        values = np.asarray(X, dtype=np.float64)  # float, so grid values are not truncated
    except (TypeError, ValueError):
        raise GroundupError(
            "partial dependence needs numeric columns; encode categories first"
        ) from None
    grid = tuple(feature_grid(values[:, c], grid_resolution, percentiles) for c in cols)
    method, outputs = _response(model, response)
    predictions = _predict_on_grid(model, method, X, values, cols, grid)  # (n_outputs, n, G)
    n = values.shape[0]
    grid_shape = tuple(len(g) for g in grid)
    average = predictions.mean(axis=1).reshape(-1, *grid_shape)
    individual = rows = None
    if ice:
        if ice >= n:
            rows = np.arange(n)
        else:
            rows = np.sort(np.random.default_rng(seed).choice(n, size=ice, replace=False))
        individual = predictions[:, rows].reshape(len(outputs), len(rows), *grid_shape)
    return PartialDependence(
        tuple(names[c] for c in cols), grid, average, outputs, individual, rows
    )


def _feature_columns(features: int | str | Sequence[int | str], names: list[str]) -> list[int]:
    """Return the column positions of one or two distinct features, by index or name."""
    wanted = [features] if isinstance(features, (int, str, np.integer)) else list(features)
    if not 1 <= len(wanted) <= 2:
        raise GroundupError(f"give one or two features, got {len(wanted)}")
    cols = [_column_index(f, names) for f in wanted]
    if len(set(cols)) != len(cols):
        raise GroundupError("the two features must be different columns")
    return cols


def _predict_on_grid(
    model: object, method: str, X, values: np.ndarray, cols: list[int],
    grid: tuple[np.ndarray, ...],
) -> np.ndarray:
    """Return `(n_outputs, n_rows, n_grid_points)`: every row predicted at every grid point.

    The copies of X for a batch of grid points are stacked into one `predict` call.
    """
    points = np.array(list(product(*grid)))  # (G, n_features_swept), first feature slowest
    n = values.shape[0]
    per_batch = max(1, BATCH_CELLS // max(1, values.size))
    chunks = []
    for start in range(0, len(points), per_batch):
        batch = points[start : start + per_batch]  # (g, k)
        stacked = np.tile(values, (len(batch), 1))  # (g*n, F): X repeated, grid value g
        for j, c in enumerate(cols):
            stacked[:, c] = np.repeat(batch[:, j], n)
        if isinstance(X, pd.DataFrame):
            stacked = pd.DataFrame(stacked, columns=X.columns)
        out = np.asarray(getattr(model, method)(stacked), dtype=np.float64)
        out = _pick_outputs(out, model, method).reshape(len(batch), n, -1)
        chunks.append(out)
    return np.concatenate(chunks).transpose(2, 1, 0)


def _column_names(model: object, X) -> list[str]:
    if isinstance(X, pd.DataFrame):
        return [str(c) for c in X.columns]
    fitted = getattr(model, "feature_names_in_", None)
    if fitted is not None and len(fitted) == X.shape[1]:
        return [str(c) for c in fitted]
    return [f"x{i}" for i in range(X.shape[1])]


def _column_index(feature: int | str, names: list[str]) -> int:
    if isinstance(feature, (int, np.integer)) and not isinstance(feature, bool):
        if not 0 <= feature < len(names):
            raise GroundupError(f"feature {feature} is out of range (X has {len(names)} columns)")
        return int(feature)
    if str(feature) not in names:
        raise GroundupError(f"no feature named {feature!r}; columns are {', '.join(names)}")
    return names.index(str(feature))


def _response(model: object, response: str) -> tuple[str, tuple[str, ...]]:
    """Return the model method to call and a label per output it yields."""
    if response not in ("auto", "predict_proba", "decision_function"):
        raise GroundupError(
            f"response must be 'auto', 'predict_proba' or 'decision_function', not {response!r}"
        )
    if not is_classifier(model):
        return "predict", ("prediction",)
    method = response
    if response == "auto":
        method = "predict_proba" if hasattr(model, "predict_proba") else "decision_function"
    classes = [str(c) for c in model.classes_]
    if len(classes) == 2:
        classes = classes[1:]  # binary: the positive class only, as scikit-learn
    label = "P({})" if method == "predict_proba" else "decision({})"
    return method, tuple(label.format(c) for c in classes)


def _pick_outputs(out: np.ndarray, model: object, method: str) -> np.ndarray:
    """Return the model output as `(rows, n_outputs)`: binary probability -> positive class."""
    if method == "predict_proba" and out.ndim == 2 and out.shape[1] == 2:
        return out[:, 1:]
    return out.reshape(out.shape[0], -1)
