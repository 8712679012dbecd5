"""What a search checks before it fits anything: the grid against the estimator, and the data.

Every mistake raises a SettingError that names the grid entry in Python's words
(`grid['alpha']: SGDClassifier has no parameter 'alpha'`), so the search stops before a
worker starts, a store is written or a model is fitted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from groundup.errors import GroundupError, SettingError
from groundup.tune.grid import Config, ParamGrid, expand_grid, format_config

# The columns of a search's results table besides the grid's own parameters.
RESULT_COLUMNS = ("score", "fit_seconds", "score_seconds", "status", "error", "warnings", "worker")


def check_estimator_params(estimator: Any, names: Sequence[str]) -> None:
    """Return None if `estimator` is clonable and has every parameter in `names`, else raise."""
    if not (hasattr(estimator, "get_params") and hasattr(estimator, "fit")):
        raise SettingError(
            "estimator", f"{estimator!r} needs scikit-learn's get_params/set_params and fit"
        )
    valid = set(estimator.get_params(deep=True))
    for name in names:
        if name not in valid:
            close = difflib.get_close_matches(name, sorted(valid), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise SettingError(
                f"grid[{name!r}]", f"{type(estimator).__name__} has no parameter {name!r}{hint}"
            )


def check_values(estimator: Any, configs: Sequence[Config]) -> None:
    """Return None if the estimator accepts every config's values, else raise SettingError.

    Uses what the estimator offers to check parameters without data: `_validate_params`
    (scikit-learn's check of its `_parameter_constraints`, or GroundupClassifier's own).
    Others are checked at fit time.
    """
    from sklearn.base import clone

    for config in configs:
        check = _param_check(clone(estimator).set_params(**config))
        if check is None:
            continue
        try:
            check()
        except (ValueError, TypeError) as e:  # sklearn's InvalidParameterError is a ValueError
            raise _rejected(e, config) from None


def _param_check(est: Any) -> Callable[[], Any] | None:
    from sklearn.base import BaseEstimator

    own = getattr(type(est), "_validate_params", None)
    if own is not None and (hasattr(est, "_parameter_constraints")
                            or own is not getattr(BaseEstimator, "_validate_params", None)):
        return est._validate_params
    return None


def _rejected(e: Exception, config: Config) -> SettingError:
    """Return the SettingError that names the grid entry whose value the estimator rejected."""
    if isinstance(e, SettingError):
        if e.param in config:
            return SettingError(f"grid[{e.param!r}]", e.problem)
        text = str(e)
    else:
        text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        for pattern in ("'{}'", r"(?<!\w){}(?!\w)"):  # "The 'alpha' parameter", "lr=-1: ..."
            named = [n for n in config if re.search(pattern.format(re.escape(n)), text)]
            if named:
                return SettingError(f"grid[{named[0]!r}]", text)
        if len(config) == 1:
            return SettingError(f"grid[{next(iter(config))!r}]", text)
    if not config:
        return SettingError("estimator", text)
    return SettingError("grid", f"{format_config(config)}: {text}")


def _grid_names(configs: Sequence[Config]) -> list[str]:
    names: dict[str, None] = {}
    for c in configs:
        names.update(dict.fromkeys(c))
    return list(names)


def prepare_configs(estimator: Any, grid: ParamGrid, parallel: bool = True
                    ) -> tuple[list[Config], list[str]]:
    """Return (configs, parameter names) of `grid` after checking them against `estimator`.

    Raises SettingError for a malformed grid, a parameter the estimator lacks or a value it
    rejects, a name that clashes with a results column, or an n_jobs in the grid of a
    `parallel` search.
    """
    configs = expand_grid(grid)
    names = _grid_names(configs)
    check_estimator_params(estimator, names)
    clash = [n for n in names if n in RESULT_COLUMNS or n in ("key", "rank")]
    if clash:
        raise SettingError(f"grid[{clash[0]!r}]", "name clashes with a results-table column")
    check_values(estimator, configs)
    jobs_params = [n for n in names if n == "n_jobs" or n.endswith("__n_jobs")]
    if parallel and jobs_params:
        raise SettingError(f"grid[{jobs_params[0]!r}]",
                           "the search is already parallel; inner n_jobs is fixed at 1")
    return configs, names


def check_xy(X: Any, y: Any, what: str) -> None:
    """Return None if X and y are given, non-empty and of one length, else raise GroundupError."""
    if X is None or y is None:
        raise GroundupError(f"{what}: X and y are both required")
    if np.ndim(y) < 1 or len(X) != len(y):
        raise GroundupError(f"{what}: X has {len(X)} rows but y has {np.shape(y)}")
    if len(X) == 0:
        raise GroundupError(f"{what}: no rows")


def check_split(X_train: Any, y_train: Any, X_val: Any, y_val: Any) -> None:
    """Return None if the training and validation data fit together, else raise GroundupError."""
    check_xy(X_train, y_train, "training data")
    check_xy(X_val, y_val, "validation data")
    if np.ndim(X_train) == 2 and np.ndim(X_val) == 2 and np.shape(X_train)[1] != np.shape(X_val)[1]:
        raise GroundupError(
            f"validation data: {np.shape(X_val)[1]} features, training data has "
            f"{np.shape(X_train)[1]}"
        )
