"""CSV to numbers a forest can use, as the lecture's `proc_df` does it.

- string (and other non-numeric) columns become category codes: 1, 2, ... in sorted order
  of the labels, 0 for a missing value;
- missing numbers are filled with the column's median, and a `COL_na` column (0/1) records
  where they were, because "was missing" is often informative in itself;
- true/false columns become 0/1, dates become seconds since 1970;
- the target column is split off: floats for regression, class codes for classification;
- an infinite number, or one too big for float32, is refused, naming its column and row.

`Table` keeps what was done (categories, medians) so the user can read the codes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from groundup.errors import GroundupError, SettingError
from groundup.fileio import check_finite

TABLE_TASKS = ("auto", "regression", "classification")
# An integer target with at most this many distinct values is taken to be class labels.
MAX_AUTO_CLASSES = 20
# Feature columns a table may have: every one is encoded, shuffled and refitted in turn.
MAX_FEATURES = 10_000


@dataclass(frozen=True, repr=False)
class Table:
    """Features ready for a forest, the target, and how the columns were encoded."""

    X: pd.DataFrame  # all numeric
    y: np.ndarray  # float64 (regression) or int class codes (classification)
    target: str
    task: str  # "regression" or "classification"
    classes: tuple[str, ...] | None = None  # class code i means classes[i]
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code c: [c - 1]
    medians: dict[str, float] = field(default_factory=dict)  # fill value per column
    dropped_rows: int = 0  # rows dropped because their target was missing

    def __repr__(self) -> str:
        extra = f", classes={len(self.classes)}" if self.classes else ""
        return (
            f"Table({self.X.shape[0]} rows x {self.X.shape[1]} features, target={self.target!r}, "
            f"{self.task}{extra}, categorical={len(self.categories)}, filled={len(self.medians)})"
        )


def infer_task(y: pd.Series) -> str:
    """Return "classification" for labels (text, booleans, few whole numbers), else "regression"."""
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return "classification"
    values = y.dropna().to_numpy(dtype=np.float64)
    labels = np.all(values == np.round(values)) and len(np.unique(values)) <= MAX_AUTO_CLASSES
    return "classification" if labels else "regression"


def proc_df(frame: pd.DataFrame, target: str, task: str = "auto", source: str = "data") -> Table:
    """Return the features of `frame` as numbers and its `target` column as y.

    task: "auto" guesses from the target (see `infer_task`). source: how to name the data
    in error messages (the file name).
    """
    if task not in TABLE_TASKS:
        raise SettingError("task", f"must be one of {', '.join(TABLE_TASKS)}, not {task!r}")
    if target not in frame.columns:
        shown = ", ".join(map(str, frame.columns[:12])) + (" ..." if frame.shape[1] > 12 else "")
        raise GroundupError(f"{source}: no column {target!r}; columns are: {shown}")
    if frame.shape[1] - 1 > MAX_FEATURES:
        raise GroundupError(
            f"{source}: {frame.shape[1] - 1:,} feature columns; at most {MAX_FEATURES:,} can be "
            "explained (each one is shuffled and refitted); keep the columns you need"
        )
    check_finite(frame, frame.columns, source, missing_ok=True)  # gaps are filled below
    y_raw = frame[target]
    keep = y_raw.notna().to_numpy()
    if not keep.any():
        raise GroundupError(f"{source}: target column {target!r} has no values")
    frame, y_raw = frame.loc[keep], y_raw[keep]
    if y_raw.nunique() < 2:
        raise GroundupError(
            f"{source}: target column {target!r} has only one value ({y_raw.iloc[0]!r}); "
            "there is nothing to predict"
        )
    if task == "auto":
        task = infer_task(y_raw)
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y_raw) or pd.api.types.is_bool_dtype(y_raw):
            raise GroundupError(
                f"{source}: target column {target!r} is not numeric; use `task='classification'`"
            )
        y, classes = y_raw.to_numpy(dtype=np.float64), None
    else:
        labels, y = np.unique(y_raw.to_numpy(), return_inverse=True)
        classes = tuple(str(c) for c in labels)

    columns, categories, medians = _encode_features(frame, target)
    if not columns:
        raise GroundupError(f"{source}: no feature columns besides the target {target!r}")
    X = pd.DataFrame(columns, index=pd.RangeIndex(len(y)))
    X.columns = [str(c) for c in X.columns]
    return Table(X, y, str(target), task, classes, categories, medians, int((~keep).sum()))


def _encode_features(
    frame: pd.DataFrame, target: str
) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, ...]], dict[str, float]]:
    """Return every column but `target` as numbers, the category labels and the fill values."""
    columns: dict[str, np.ndarray] = {}
    categories: dict[str, tuple[str, ...]] = {}
    medians: dict[str, float] = {}
    for name in frame.columns:
        if name == target:
            continue
        col = frame[name]
        if pd.api.types.is_bool_dtype(col):
            columns[name] = col.to_numpy(dtype=np.int8)
            continue
        if pd.api.types.is_datetime64_any_dtype(col):
            col = col.astype("int64").where(col.notna()) / 1e9  # seconds; NaT stays missing
        if pd.api.types.is_numeric_dtype(col):
            values = col.to_numpy(dtype=np.float64, na_value=np.nan)
            missing = np.isnan(values)
            if not missing.any():
                plain_int = isinstance(col.dtype, np.dtype) and col.dtype.kind in "iu"
                columns[name] = col.to_numpy() if plain_int else values
                continue
            median = float(np.nanmedian(values)) if not missing.all() else 0.0
            medians[str(name)] = median
            columns[name] = np.where(missing, median, values)
            flag = _unique_name(f"{name}_na", frame.columns, columns)
            columns[flag] = missing.astype(np.int8)
            continue
        cat = pd.Categorical(col.astype("string").to_numpy(dtype=object, na_value=None))
        categories[str(name)] = tuple(str(c) for c in cat.categories)
        columns[name] = (cat.codes + 1).astype(np.int32)  # 0: missing
    return columns, categories, medians


def _unique_name(name: str, *taken) -> str:
    """Return `name`, with underscores added until no column in `taken` has it."""
    used = {str(c) for group in taken for c in group}
    while name in used:
        name += "_"
    return name


def example_frame(task: str = "regression") -> tuple[pd.DataFrame, str, str]:
    """Return `(frame, target, description)`: a data set scikit-learn ships, no download.

    Regression (and "auto"): diabetes progression, 442 patients, 10 features.
    Classification: breast cancer diagnosis, 569 tumours, 30 features.
    """
    from sklearn.datasets import load_breast_cancer, load_diabetes

    if task == "classification":
        data = load_breast_cancer(as_frame=True)
        frame = data.frame.copy()
        frame["target"] = np.asarray(data.target_names)[data.target]  # malignant / benign
        return frame, "target", "breast cancer data (ships with scikit-learn)"
    data = load_diabetes(as_frame=True)
    return data.frame.copy(), "target", "diabetes data (ships with scikit-learn)"
