"""Tests for groundup.tune.checks: a rejected grid value is named as `grid['name']`, whichever
way the estimator checks its parameters."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import SGDClassifier

from groundup.errors import GroundupError, SettingError
from groundup.tune.checks import check_split, check_values, prepare_configs

from .estimators import ConstantClassifier


class Validating(ConstantClassifier):
    """Checks its params like GroundupClassifier: its own `_validate_params` -> SettingError."""

    def _validate_params(self) -> None:
        if self.c < 0:
            raise SettingError("c", f"must be >= 0, got {self.c!r}")
        if self.c > 9 and self.delay:
            raise SettingError("delay", "only applies when c <= 9")


@pytest.mark.parametrize(
    "estimator, grid, message",
    [(Validating(), {"c": [1, -2]}, "grid['c']: must be >= 0, got -2"),
     (Validating(), {"c": [10], "delay": [0.5]}, "grid['delay']: only applies when c <= 9"),
     (Validating(delay=0.5), {"c": [10]}, "grid: c=10: delay: only applies when c <= 9"),
     (SGDClassifier(), {"alpha": [0.1], "penalty": ["bogus"]},
      "grid['penalty']: The 'penalty' parameter of SGDClassifier must be")],
)
def test_a_rejected_value_names_its_grid_entry(estimator, grid, message) -> None:
    with pytest.raises(SettingError) as info:
        prepare_configs(estimator, grid, parallel=False)
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


def test_estimators_without_a_check_and_good_values_pass() -> None:
    check_values(ConstantClassifier(), [{"c": -1}])  # no check without data: fit will tell
    check_values(Validating(), [{"c": 3}, {"c": 0}])
    configs, names = prepare_configs(SGDClassifier(), {"alpha": [1e-4, 1e-3]})
    assert configs == [{"alpha": 1e-4}, {"alpha": 1e-3}] and names == ["alpha"]


def test_a_grid_n_jobs_is_refused_only_in_a_parallel_search() -> None:
    assert prepare_configs(ConstantClassifier(), {"n_jobs": [2]}, parallel=False)[1] == ["n_jobs"]
    with pytest.raises(SettingError, match=r"^grid\['n_jobs'\]: the search is already parallel"):
        prepare_configs(ConstantClassifier(), {"n_jobs": [2]}, parallel=True)


def test_a_non_estimator_is_refused() -> None:
    with pytest.raises(SettingError, match="^estimator: .* needs scikit-learn's get_params"):
        prepare_configs(object(), {})


def test_check_split_refuses_data_that_do_not_fit_together() -> None:
    X, y = np.zeros((4, 3)), np.zeros(4)
    check_split(X, y, X, y)
    with pytest.raises(GroundupError, match="training data: X has 4 rows"):
        check_split(X, y[:3], X, y)
    with pytest.raises(GroundupError, match="validation data: 2 features"):
        check_split(X, y, X[:, :2], y)
    with pytest.raises(GroundupError, match="validation data: X and y are both required"):
        check_split(X, y, None, None)
