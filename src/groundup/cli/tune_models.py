"""Name -> estimator for `groundup tune --model`: our own models or any scikit-learn classifier.

    logreg, mlp            -> GroundupClassifier(model=...) (our nn/optim/data/fit)
    sklearn:SGDClassifier  -> sklearn.linear_model.SGDClassifier(random_state=seed)
    sklearn:<Classifier>   -> any classifier scikit-learn lists in all_estimators()
"""

from __future__ import annotations

import difflib
from typing import Any

from groundup.errors import GroundupError

OURS = ("logreg", "mlp")

# Without --grid our models get the grid the lecture's follow-up searched.
DEFAULT_GRIDS: dict[str, dict[str, list[Any]]] = {
    "logreg": {"lr": [1e-3, 1e-2, 1e-1], "wd": [0.0, 1e-4]},
    "mlp": {"lr": [1e-3, 1e-2, 1e-1], "wd": [0.0, 1e-4]},
}


def sklearn_classifiers() -> dict[str, type]:
    """Return {class name: class} for every classifier scikit-learn offers."""
    from sklearn.utils import all_estimators

    return dict(all_estimators(type_filter="classifier"))


def make_estimator(spec: str, seed: int = 0, device: str = "cpu") -> Any:
    """Return an unfitted estimator for a `--model` spec (see the module docstring)."""
    if spec in OURS:
        from groundup.models.classifier import GroundupClassifier

        return GroundupClassifier(model=spec, seed=seed, device=device)
    prefix, sep, name = spec.partition(":")
    if sep and prefix == "sklearn":
        found = sklearn_classifiers()
        if name not in found:
            close = difflib.get_close_matches(name, sorted(found), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise GroundupError(f"--model {spec}: scikit-learn has no classifier {name!r}{hint}")
        try:
            est = found[name]()
        except TypeError:
            raise GroundupError(
                f"--model {spec}: needs constructor arguments, so it cannot be tuned from the CLI"
            ) from None
        if "random_state" in est.get_params():
            est.set_params(random_state=seed)
        return est
    raise GroundupError(
        f"--model {spec}: choose logreg, mlp or sklearn:<Classifier> (e.g. sklearn:SGDClassifier)"
    )
