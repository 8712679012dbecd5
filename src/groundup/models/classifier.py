"""GroundupClassifier: the training recipe as a scikit-learn estimator, so the search can tune
our own model, optimizer, data loader and fit loop like any other (the lecture's follow-up tuned
an SGD logistic regression on MNIST this way).

Its keyword arguments are `TrainSpec`'s fields, with defaults for tuning (`TUNING`): a new
setting in the spec is a new parameter here, with nothing to copy. It is a plain scikit-learn
classifier: `get_params`, `set_params` and `clone` work, `fit(X, y)` takes NumPy arrays with
any class labels, and `predict`, `predict_proba` and `classes_` behave as scikit-learn's do.
Bad settings raise `SettingError` naming the parameter, before any data is touched.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6 has it as a method

    def validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        return estimator._validate_data(*args, **kwargs)

from groundup.models.spec import TrainSpec
from groundup.nn.functional import nll_loss
from groundup.train import DivergenceGuard, fit
from groundup.train import predict_proba as _predict_proba

# The defaults a search starts from: one epoch of plain SGD on the lecture's logreg.
TUNING = TrainSpec(model="logreg", hidden=(100,), act="relu", opt="sgd", lr=0.01, momentum=0.0,
                   wd=0.0, sched="const", augment=False, epochs=1, bs=64, seed=0, device="cpu")


class GroundupClassifier(ClassifierMixin, BaseEstimator):
    """A scikit-learn classifier trained by groundup's own nn/optim/data/fit code.

    Parameters: the fields of `groundup.models.TrainSpec` (model, hidden, act, channels, pool,
    opt, lr, momentum, wd, sched, augment, epochs, bs, seed, device), defaulting to `TUNING`.
    `seed` fixes the initial weights and the batch order (torch's global RNG is left as it
    was).
    """

    def __init__(self, **settings: Any) -> None:
        unknown = sorted(set(settings) - set(TrainSpec.names()))
        if unknown:
            raise TypeError(f"GroundupClassifier got unexpected keyword argument {unknown[0]!r}")
        for name in TrainSpec.names():
            setattr(self, name, settings.get(name, getattr(TUNING, name)))

    # scikit-learn reads the parameter names from __init__'s signature: show it the spec's.
    __init__.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=getattr(TUNING, n))
           for n in TrainSpec.names()]
    )

    def _validate_params(self) -> TrainSpec:
        """Return the checked spec of these settings; a bad one raises SettingError."""
        return TrainSpec(**{n: getattr(self, n) for n in TrainSpec.names()}).validate()

    def fit(self, X: Any, y: Any) -> GroundupClassifier:
        """Return self after training a fresh model on X (n, features) and labels y (n,)."""
        spec = self._validate_params()
        device = spec.torch_device()
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        x_t = _tensor(X, device)
        y_t = torch.as_tensor(y_idx.astype(np.int64), device=device)
        # Seed a private copy of torch's RNG: the caller's random stream is left as it was.
        with torch.random.fork_rng(devices=[] if device.type == "cpu" else [device]):
            torch.manual_seed(spec.seed)
            net = spec.build_model(n_in=X.shape[1], n_out=max(2, len(self.classes_)))
        dl = spec.build_loader(x_t, y_t)
        opt = spec.build_optimizer(net.parameters())
        history = fit(net, nll_loss, opt, dl, epochs=spec.epochs,
                      sched=spec.build_schedule(len(dl)), callbacks=[DivergenceGuard()])
        self.model_ = net
        self.history_ = history
        self.stop_reason_ = history.stop_reason
        if history.stop_reason:
            warnings.warn(f"training stopped early: {history.stop_reason} (lr={self.lr})",
                          RuntimeWarning, stacklevel=2)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return class probabilities (n, n_classes), columns in `classes_` order."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=np.float32, reset=False)
        device = next(iter(self.model_.parameters())).device
        proba = _predict_proba(self.model_, _tensor(X, device))
        p = proba.cpu().numpy().astype(np.float64)[:, : len(self.classes_)]
        return p / p.sum(axis=1, keepdims=True)  # exact sums for log-loss checks

    def predict(self, X: Any) -> np.ndarray:
        """Return the most probable class label for each row of X."""
        proba = self.predict_proba(X)  # first: it raises NotFittedError before classes_ exists
        return self.classes_[np.argmax(proba, axis=1)]


def _tensor(X: np.ndarray, device: torch.device) -> torch.Tensor:
    """Return X as a float32 tensor on `device` (copying read-only arrays, e.g. memory maps)."""
    X = np.ascontiguousarray(X, dtype=np.float32)
    if not X.flags.writeable:  # torch cannot share memory it may not write: copy it once
        X = X.copy()
    return torch.from_numpy(X).to(device)
