"""GroundupClassifier: our own model, optimizer, data loader and fit loop as a scikit-learn
estimator, so the search can tune them like any other (the lecture's follow-up tuned an SGD
logistic regression on MNIST this way).

It is a plain scikit-learn classifier: every hyper-parameter is an `__init__` keyword (so
`get_params`, `set_params` and `clone` work), `fit(X, y)` takes NumPy arrays with any class
labels, and `predict`, `predict_proba` and `classes_` behave as scikit-learn's do. The model
underneath is `groundup.models.build_model(...)`, which outputs log-probabilities, trained
with `groundup.train.fit` on the negative log-likelihood.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
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

from groundup.data import DataLoader, resolve_device
from groundup.errors import GroundupError
from groundup.models import MODELS, build_model
from groundup.models.job import make_optimizer
from groundup.nn import ACTIVATIONS
from groundup.nn.functional import nll_loss
from groundup.train import SCHEDULES, fit, make_schedule
from groundup.train import predict_proba as _predict_proba

OPTIMIZERS = ("sgd", "adam")


class GroundupClassifier(ClassifierMixin, BaseEstimator):
    """A scikit-learn classifier trained by groundup's own nn/optim/data/fit code.

    model:    "logreg" (one Linear layer) or "mlp" (hidden layers with `act` between)
    hidden:   hidden layer sizes for "mlp" (an int is one layer)
    lr, wd:   learning rate and weight decay; momentum is SGD's
    bs:       mini-batch size; epochs: passes over the training data
    opt:      "sgd" or "adam"; sched: "const" or "onecycle" learning-rate schedule
    seed:     fixes the initial weights and the batch order (torch's global RNG is untouched)
    device:   "cpu", "cuda", "auto"
    """

    def __init__(
        self,
        model: str = "logreg",
        hidden: int | Sequence[int] = (100,),
        act: str = "relu",
        lr: float = 0.01,
        wd: float = 0.0,
        momentum: float = 0.0,
        bs: int = 64,
        epochs: int = 1,
        opt: str = "sgd",
        sched: str = "const",
        seed: int = 0,
        device: str = "cpu",
    ) -> None:
        self.model = model
        self.hidden = hidden
        self.act = act
        self.lr = lr
        self.wd = wd
        self.momentum = momentum
        self.bs = bs
        self.epochs = epochs
        self.opt = opt
        self.sched = sched
        self.seed = seed
        self.device = device

    def _checked_params(self) -> tuple[tuple[int, ...], torch.device]:
        """Return (hidden sizes, device) after checking every hyper-parameter."""
        if self.model not in MODELS:
            raise GroundupError(f"model={self.model!r}: choose one of {', '.join(MODELS)}")
        if self.opt not in OPTIMIZERS:
            raise GroundupError(f"opt={self.opt!r}: choose one of {', '.join(OPTIMIZERS)}")
        if self.sched not in SCHEDULES:
            raise GroundupError(f"sched={self.sched!r}: choose one of {', '.join(SCHEDULES)}")
        if self.act not in ACTIVATIONS:
            raise GroundupError(f"act={self.act!r}: choose one of {', '.join(ACTIVATIONS)}")
        hidden = (self.hidden,) if isinstance(self.hidden, int | np.integer) else self.hidden
        try:
            hidden = tuple(int(h) for h in hidden)
        except (TypeError, ValueError):
            raise GroundupError(f"hidden={self.hidden!r}: expected layer sizes") from None
        if self.model == "mlp" and (not hidden or min(hidden) <= 0):
            raise GroundupError(f"hidden={self.hidden!r}: sizes must be positive")
        for name in ("bs", "epochs"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
                raise GroundupError(f"{name}={v!r}: must be a positive integer")
        if not (isinstance(self.lr, int | float) and self.lr >= 0):
            raise GroundupError(f"lr={self.lr!r}: must be a number >= 0")
        if not (isinstance(self.wd, int | float) and self.wd >= 0):
            raise GroundupError(f"wd={self.wd!r}: must be a number >= 0")
        if not (isinstance(self.momentum, int | float) and 0 <= self.momentum < 1):
            raise GroundupError(f"momentum={self.momentum!r}: must be in [0, 1)")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer):
            raise GroundupError(f"seed={self.seed!r}: must be an integer")
        return hidden, resolve_device(self.device)

    def fit(self, X: Any, y: Any) -> GroundupClassifier:
        """Return self after training a fresh model on X (n, features) and labels y (n,)."""
        hidden, device = self._checked_params()
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        x_t = _tensor(X, device)
        y_t = torch.as_tensor(y_idx.astype(np.int64), device=device)
        # Seed a private copy of torch's RNG: the caller's random stream is left as it was.
        with torch.random.fork_rng(devices=[] if device.type == "cpu" else [device]):
            torch.manual_seed(int(self.seed))
            net = build_model(self.model, hidden=hidden, act=self.act, n_in=X.shape[1],
                              n_out=max(2, len(self.classes_))).to(device)
        dl = DataLoader(x_t, y_t, bs=int(self.bs), shuffle=True, seed=int(self.seed))
        opt = make_optimizer(self.opt, net.parameters(), self.lr, self.momentum, self.wd)
        sched = make_schedule(self.sched, float(self.lr), int(self.epochs) * len(dl))
        history = fit(net, nll_loss, opt, dl, epochs=int(self.epochs), sched=sched,
                      progress=False, guard=True)
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
