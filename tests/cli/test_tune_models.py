"""Tests for groundup.cli.tune_models: what `groundup tune --model` names."""

from __future__ import annotations

import pytest
from sklearn.linear_model import SGDClassifier

from groundup.cli.tune_models import DEFAULT_GRIDS, estimator_for
from groundup.errors import SettingError
from groundup.models import MODELS, GroundupClassifier


def test_our_models_and_sklearn_classifiers_by_name() -> None:
    for name in MODELS:
        est = estimator_for(name, seed=3)
        assert isinstance(est, GroundupClassifier) and (est.model, est.seed) == (name, 3)
        assert set(DEFAULT_GRIDS[name]) == {"lr", "wd"}
    sgd = estimator_for("sklearn:SGDClassifier", seed=5)
    assert isinstance(sgd, SGDClassifier) and sgd.random_state == 5


@pytest.mark.parametrize(
    "model, message",
    [("xgboost", "model: unknown 'xgboost'; choose logreg, mlp, cnn or sklearn:<Classifier>"),
     ("sklearn:SGDClassifer", "model: scikit-learn has no classifier 'SGDClassifer'; did you"
                              " mean SGDClassifier"),
     ("sklearn:StackingClassifier", "model: StackingClassifier needs constructor arguments")],
)
def test_unknown_names_raise_a_setting_error_for_model(model: str, message: str) -> None:
    with pytest.raises(SettingError) as info:
        estimator_for(model)
    assert str(info.value).startswith(message), str(info.value)
