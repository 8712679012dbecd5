"""What `groundup tune --model` names: our own models or any scikit-learn classifier.

    logreg, mlp            -> GroundupClassifier(model=...) (our nn/optim/data/fit)
    sklearn:SGDClassifier  -> sklearn.linear_model.SGDClassifier(random_state=seed)
    sklearn:<Classifier>   -> any classifier scikit-learn lists in all_estimators()
"""

from __future__ import annotations

import difflib
from typing import Any

from groundup.checks import check_seed
from groundup.errors import SettingError
from groundup.models import MODELS

# Without a grid our models get the grid the lecture's follow-up searched.
DEFAULT_GRIDS: dict[str, dict[str, list[Any]]] = {
    name: {"lr": [1e-3, 1e-2, 1e-1], "wd": [0.0, 1e-4]} for name in MODELS
}


def sklearn_classifiers() -> dict[str, type]:
    """Return {class name: class} for every classifier scikit-learn offers."""
    from sklearn.utils import all_estimators

    return dict(all_estimators(type_filter="classifier"))


def estimator_for(model: str, seed: int = 0, device: str = "cpu") -> Any:
    """Return the unfitted estimator that `model` names (see the module docstring).

    Raises SettingError("model", ...) for a name that does not exist, and for our own models
    `resolve_device`'s error for a device that does not.
    """
    check_seed("seed", seed)  # before any model is made: its error would name the grid
    if model in MODELS:
        from groundup.data import resolve_device
        from groundup.models.classifier import GroundupClassifier

        resolve_device(device)  # a typo or a missing GPU fails now, not in every config
        return GroundupClassifier(model=model, seed=seed, device=device)
    prefix, sep, name = model.partition(":")
    if not (sep and prefix == "sklearn"):
        raise SettingError("model", f"unknown {model!r}; choose {', '.join(MODELS)} or"
                           " sklearn:<Classifier> (e.g. sklearn:SGDClassifier)")
    found = sklearn_classifiers()
    if name not in found:
        close = difflib.get_close_matches(name, sorted(found), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise SettingError("model", f"scikit-learn has no classifier {name!r}{hint}")
    try:
        est = found[name]()
    except TypeError:
        raise SettingError(
            "model", f"{name} needs constructor arguments, so it cannot be tuned by name"
        ) from None
    if "random_state" in est.get_params():
        est.set_params(random_state=seed)
    return est
