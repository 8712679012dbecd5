"""Feature importance three ways: permutation, drop-column, and the forest's own impurity.

*Permutation importance* breaks one feature (or a group of features together) by shuffling
its column in the validation set and reports how much worse the fitted model scores. The
model is never refit, so it is cheap, and any model and any metric work.

*Drop-column importance* refits a clone without the feature and scores it on the
validation set: the ground truth recommended by "Beware Default Random Forest
Importances" (Parr, Turgutlu, Csiszar, Howard), at the price of one refit per feature.

*Impurity importance* is scikit-learn's `feature_importances_`: free, but computed on the
training data and biased towards features with many distinct values; shown for contrast.

All three return an `Importance`: `drops[i, r]` is how much worse the score got when
feature (or group) `i` was broken in repeat `r` — positive means the model needed it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone

from groundup.errors import GroundupError, SettingError
from groundup.forest.interpret.scoring import Scorer, resolve_metric

Progress = Callable[[], None]  # called once per finished feature (or group)


@dataclass(frozen=True, repr=False)
class Importance:
    """How much worse the score got with each feature broken, per repeat."""

    method: str  # "permutation", "drop-column" or "impurity"
    names: tuple[str, ...]
    drops: np.ndarray  # (n_features_or_groups, n_repeats)
    metric: str
    baseline: float | None = None  # the unbroken model's score
    greater_is_better: bool = True  # the metric's direction: worse is lower (or higher)

    @property
    def mean(self) -> np.ndarray:
        """Return the mean drop per feature, `(n_features,)`."""
        return self.drops.mean(axis=1)

    @property
    def std(self) -> np.ndarray:
        """Return the spread of the drop over repeats (population std, as scikit-learn)."""
        return self.drops.std(axis=1)

    def order(self) -> np.ndarray:
        """Return feature indices from most to least important (ties keep column order)."""
        return np.argsort(-self.mean, kind="stable")

    def to_frame(self) -> pd.DataFrame:
        """Return a table `feature, importance, std`, most important first."""
        order = self.order()
        return pd.DataFrame(
            {
                "feature": [self.names[i] for i in order],
                "importance": self.mean[order],
                "std": self.std[order],
            }
        )

    def __repr__(self) -> str:
        top = ", ".join(f"{self.names[i]}={self.mean[i]:.3g}" for i in self.order()[:5])
        more = ", ..." if len(self.names) > 5 else ""
        base = "" if self.baseline is None else f", baseline={self.baseline:.4g}"
        return (
            f"Importance({self.method}, metric={self.metric!r}{base}, "
            f"repeats={self.drops.shape[1]}: {top}{more})"
        )

    def _repr_html_(self) -> str:
        """Return `to_frame()` as an HTML table under a line saying what was measured."""
        repeats = self.drops.shape[1]
        if self.method == "impurity":
            what = "the forest's own feature_importances_ (measured on the training data)"
        else:
            base = "" if self.baseline is None else f", unbroken score {self.baseline:.4g}"
            what = (f"how much the validation {self.metric} drops without each feature "
                    f"({repeats} repeat{'s' if repeats > 1 else ''}{base})")
        frame = self.to_frame() if repeats > 1 else self.to_frame().drop(columns="std")
        return (f"<p>{self.method} importance: {html.escape(what)}</p>"
                + frame.to_html(index=False, float_format=lambda v: f"{v:.4g}"))


def make_permutations(n_rows: int, n_repeats: int, seed: int = 0) -> np.ndarray:
    """Return `(n_repeats, n_rows)` row orders from `numpy.random.default_rng(seed)`.

    Every feature is shuffled with the same orders, so features are compared on equal
    terms; pass your own array as `permutations=` to reproduce another tool's shuffles.
    """
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(n_rows) for _ in range(n_repeats)])


def permutation_importance(
    model: object,
    X,
    y,
    metric: str | Scorer | Callable | None = None,
    n_repeats: int = 5,
    groups: Mapping[str, Sequence[str | int]] | None = None,
    seed: int = 0,
    n_jobs: int = 1,
    *,
    greater_is_better: bool = True,
    permutations: np.ndarray | None = None,
    progress: Progress | None = None,
) -> Importance:
    """Return the score lost when each column (or named group) of X is shuffled.

    model: a fitted estimator. X, y: validation data (array or DataFrame).
    metric: a name ("r2", "mse", "accuracy", "log_loss", ...), a `Scorer`, a callable
    `metric(y_true, y_pred)` (with `greater_is_better`), or None for R²/accuracy.
    groups: {"name": [columns]} to shuffle columns together (one row order for all).
    permutations: `(n_repeats, n_rows)` row orders to use instead of drawing them.
    n_jobs: threads scoring features in parallel.
    """
    scorer = resolve_metric(metric, model, greater_is_better=greater_is_better)
    n_rows = _check_xy(X, y)
    names, columns = _groups(X, model, groups)
    if permutations is None:
        if n_repeats < 1:
            raise SettingError("n_repeats", f"must be at least 1, got {n_repeats}")
        permutations = make_permutations(n_rows, n_repeats, seed)
    permutations = np.asarray(permutations)
    if permutations.ndim != 2 or permutations.shape[1] != n_rows:
        raise SettingError(
            "permutations", f"must have shape (n_repeats, {n_rows}), got {permutations.shape}"
        )
    baseline = scorer.score(model, X, y)

    def broken_scores(cols: np.ndarray) -> np.ndarray:
        shuffled = X.copy()  # one copy per task: only `cols` change between repeats
        scores = []
        for order in permutations:
            _shuffle_columns(shuffled, X, cols, order)
            scores.append(scorer.score(model, shuffled, y))
        return np.array(scores)

    scores = _run(broken_scores, columns, n_jobs, progress)
    drops = scorer.worsening(baseline, np.stack(scores))
    return Importance(
        "permutation", names, drops, scorer.name, baseline, scorer.greater_is_better
    )


def drop_column_importance(
    model: object,
    X_train,
    y_train,
    X_valid,
    y_valid,
    metric: str | Scorer | Callable | None = None,
    groups: Mapping[str, Sequence[str | int]] | None = None,
    n_jobs: int = 1,
    *,
    greater_is_better: bool = True,
    progress: Progress | None = None,
) -> Importance:
    """Return the validation score lost when a clone of `model` is refit without each column.

    The baseline is a clone refit on all columns (same hyper-parameters, same
    `random_state`), so the comparison is refit against refit. Fix `random_state` on a
    forest, or the drops include the forest's own run-to-run noise. One column or group
    per refit; `n_jobs` refits run in parallel threads.
    """
    scorer = resolve_metric(metric, model, greater_is_better=greater_is_better)
    _check_xy(X_train, y_train)
    _check_xy(X_valid, y_valid)
    if _n_cols(X_train) != _n_cols(X_valid):
        raise GroundupError(
            f"X_train has {_n_cols(X_train)} columns but X_valid has {_n_cols(X_valid)}"
        )
    names, columns = _groups(X_valid, model, groups)
    if _n_cols(X_train) < 2:
        raise GroundupError("drop-column importance needs at least 2 columns")
    baseline = scorer.score(clone(model).fit(X_train, y_train), X_valid, y_valid)

    def refit_without(cols: np.ndarray) -> float:
        fitted = clone(model).fit(_drop_columns(X_train, cols), y_train)
        return scorer.score(fitted, _drop_columns(X_valid, cols), y_valid)

    scores = np.array(_run(refit_without, columns, n_jobs, progress))
    drops = scorer.worsening(baseline, scores)[:, None]
    return Importance(
        "drop-column", names, drops, scorer.name, baseline, scorer.greater_is_better
    )


def impurity_importance(model: object, names: Sequence[str] | None = None) -> Importance:
    """Return the model's own `feature_importances_` (mean impurity decrease, training data)."""
    values = getattr(model, "feature_importances_", None)
    if values is None:
        raise GroundupError(f"{type(model).__name__} has no feature_importances_")
    if names is None:
        names = _default_names(model, len(values))
    return Importance("impurity", tuple(names), np.asarray(values, float)[:, None], "impurity")


def _run(task: Callable, columns: list[np.ndarray], n_jobs: int, progress: Progress | None):
    """Return `[task(cols) for cols in columns]`, threaded when n_jobs != 1."""
    if n_jobs == 1:
        results = map(task, columns)
    else:
        # Threads, not processes: scikit-learn's tree code releases the GIL, and the model
        # and data need no pickling. Results arrive in order.
        results = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
            delayed(task)(cols) for cols in columns
        )
    done = []
    for result in results:
        done.append(result)
        if progress:
            progress()
    return done


def _check_xy(X, y) -> int:
    if not hasattr(X, "shape") or len(X.shape) != 2:
        raise GroundupError("X must be a 2-D array or DataFrame")
    n = X.shape[0]
    if n == 0:
        raise GroundupError("X has no rows")
    if len(y) != n:
        raise GroundupError(f"X has {n} rows but y has {len(y)}")
    return n


def _n_cols(X) -> int:
    return int(X.shape[1])


def _default_names(model: object, n: int) -> tuple[str, ...]:
    names = getattr(model, "feature_names_in_", None)
    if names is not None and len(names) == n:
        return tuple(str(c) for c in names)
    return tuple(f"x{i}" for i in range(n))


def _groups(X, model: object, groups) -> tuple[tuple[str, ...], list[np.ndarray]]:
    """Return group names and, for each, the column positions it covers."""
    if isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
    else:
        columns = list(_default_names(model, _n_cols(X)))
    if groups is None:
        return tuple(columns), [np.array([i]) for i in range(len(columns))]
    if not groups:
        raise GroundupError("groups is empty; give at least one {name: [columns]}")
    names, positions = [], []
    for name, members in groups.items():
        if isinstance(members, (str, int, np.integer)):
            members = [members]
        cols = []
        for m in members:
            if isinstance(m, (int, np.integer)) and not isinstance(m, bool):
                if not 0 <= m < len(columns):
                    raise GroundupError(f"group {name!r}: column {m} is out of range")
                cols.append(int(m))
            elif str(m) in columns:
                cols.append(columns.index(str(m)))
            else:
                raise GroundupError(f"group {name!r}: no column named {m!r}")
        if not cols:
            raise GroundupError(f"group {name!r} has no columns")
        names.append(str(name))
        positions.append(np.array(sorted(set(cols))))
    return tuple(names), positions


def _shuffle_columns(target, source, cols: np.ndarray, order: np.ndarray) -> None:
    """Set `target[:, cols] = source[order][:, cols]` in place (arrays or DataFrames)."""
    if isinstance(source, pd.DataFrame):
        for col in cols:  # column by column keeps each column's own dtype
            target.isetitem(int(col), source.iloc[order, int(col)].to_numpy())
    else:
        target[:, cols] = np.asarray(source)[order[:, None], cols]


def _drop_columns(X, cols: np.ndarray):
    """Return X without the columns at positions `cols`."""
    if isinstance(X, pd.DataFrame):
        return X.drop(columns=X.columns[cols])
    return np.delete(np.asarray(X), cols, axis=1)
