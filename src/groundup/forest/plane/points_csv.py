"""Read your own points from a CSV file: two numeric input columns and a target column.

Defaults keep the common case short: the target is the column named `target` if there is
one, else the last column; the inputs are the first two numeric columns that are not the
target. A target of text labels, or of whole numbers with at most `MAX_AUTO_CLASSES`
distinct values, is a classification target; anything else numeric is regressed. Every
problem (no file, empty file, a missing column, fewer than two numeric inputs, missing
values, infinities, numbers too big for float32) is a one-line GroundupError naming the
file and the column.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from groundup.errors import GroundupError, SettingError
from groundup.fileio import check_finite, read_csv
from groundup.forest.plane.synthetic import PlaneData

MAX_AUTO_CLASSES = 10
PAD = 0.05  # picture bounds reach 5% beyond the data on every side
TASK_CHOICES = ("auto", "regression", "classification")


def _column(frame: pd.DataFrame, name: str, param: str, path: Path) -> pd.Series:
    """Return column `name` of `frame`, which the caller's parameter `param` named."""
    if name not in frame.columns:
        have = ", ".join(map(str, frame.columns))
        raise GroundupError(f"{path}: no column {name!r} for `{param}` (columns: {have})")
    return frame[name]


def _numeric(series: pd.Series, path: Path) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(series):
        raise GroundupError(f"{path}: input column {series.name!r} is not numeric")
    return series.to_numpy(dtype=np.float64)


def _bounds(X: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.where(hi > lo, PAD * (hi - lo), 0.5)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0]),
            float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def _is_classes(target: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(target) or pd.api.types.is_bool_dtype(target):
        return True
    values = target.to_numpy(dtype=np.float64)
    whole = np.isfinite(values).all() and np.array_equal(values, np.round(values))
    return bool(whole and len(np.unique(values)) <= MAX_AUTO_CLASSES)


def load_points_csv(
    path: str | os.PathLike,
    *,
    x: str | None = None,
    y: str | None = None,
    target: str | None = None,
    task: str = "auto",
) -> PlaneData:
    """Return the points of a CSV file as PlaneData (inputs x, y; the target as colour)."""
    if task not in TASK_CHOICES:
        raise SettingError("task", f"must be one of {', '.join(TASK_CHOICES)}, got {task!r}")
    path = Path(path)
    frame = read_csv(path)
    if target is None:
        target = "target" if "target" in frame.columns else str(frame.columns[-1])
    t = _column(frame, target, "target", path)
    if x is None or y is None:
        numeric = [str(c) for c in frame.columns
                   if str(c) != target and str(c) not in (x, y)
                   and pd.api.types.is_numeric_dtype(frame[c])]
        picked = [c for c in (x, y) if c is not None]
        numeric = picked + numeric
        if len(numeric) < 2:
            raise GroundupError(
                f"{path}: need two numeric input columns besides the target {target!r}, "
                f"found {len(numeric)}" + (f" ({', '.join(numeric)})" if numeric else ""))
        x, y = numeric[0], numeric[1]
    if x == y:
        raise GroundupError(f"{path}: `x` and `y` are both {x!r}; pick two different columns")
    if target in (x, y):
        raise GroundupError(f"{path}: column {target!r} cannot be both an input and the target")
    X = np.column_stack([_numeric(_column(frame, x, "x", path), path),
                         _numeric(_column(frame, y, "y", path), path)])
    check_finite(frame, [x, y, target], str(path))  # inputs and a numeric target
    if t.isna().any():  # a text target (numbers were checked above)
        row = int(np.argmax(t.isna().to_numpy())) + 1
        raise GroundupError(f"{path}: column {target!r}, row {row}: the value is missing")
    if task == "auto":
        task = "classification" if _is_classes(t) else "regression"
    name = path.stem
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t):
            raise GroundupError(f"{path}: target {target!r} is not numeric, so it cannot be "
                                f"regressed; use `task='classification'`")
        values = _numeric(t, path)
        return PlaneData(X, values, name, "regression", _bounds(X), (x, y), target)
    labels, codes = np.unique(t.astype(str).to_numpy() if not pd.api.types.is_numeric_dtype(t)
                              else t.to_numpy(), return_inverse=True)
    class_names = tuple(_label(v) for v in labels)
    if len(class_names) < 2:
        raise GroundupError(f"{path}: target {target!r} has only one class "
                            f"({class_names[0]!r}); there is nothing to tell apart")
    return PlaneData(X, codes.astype(np.int64), name, "classification", _bounds(X), (x, y),
                     target, class_names)


def _label(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)
