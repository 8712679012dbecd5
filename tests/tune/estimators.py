"""Tiny test estimators whose behaviour a test controls exactly (importable by worker processes)."""

from __future__ import annotations

import os
import signal
import sys
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


class ConstantClassifier(ClassifierMixin, BaseEstimator):
    """Always predicts class `classes_[c % n_classes]`, after sleeping `delay` seconds in fit.

    `fail=True` makes fit raise; `warn=True` makes it warn; `die_once=PATH` kills the process
    fitting it the first time (PATH marks that it happened). Its validation accuracy is simply
    the share of that class, so a test knows every score in advance.
    """

    def __init__(self, c: int = 0, delay: float = 0.0, fail: bool = False, warn: bool = False,
                 n_jobs: int | None = None, die_once: str = "") -> None:
        self.c = c
        self.delay = delay
        self.fail = fail
        self.warn = warn
        self.n_jobs = n_jobs
        self.die_once = die_once

    def fit(self, X, y) -> ConstantClassifier:
        if self.die_once and not os.path.exists(self.die_once):
            open(self.die_once, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)  # the worker process dies, as if OOM-killed
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise ValueError(f"planned failure for c={self.c}\nsecond line")
        if self.warn:
            warnings.warn(f"planned warning for c={self.c}", UserWarning, stacklevel=2)
        self.classes_ = np.unique(y)
        self.fit_pid_ = os.getpid()
        self.fit_n_jobs_ = self.n_jobs
        from threadpoolctl import threadpool_info

        self.blas_threads_ = [lib["num_threads"] for lib in threadpool_info()]
        torch = sys.modules.get("torch")
        self.torch_threads_ = None if torch is None else torch.get_num_threads()
        return self

    def predict_proba(self, X) -> np.ndarray:
        p = np.full((len(X), len(self.classes_)), 0.1 / max(1, len(self.classes_) - 1))
        p[:, self.c % len(self.classes_)] = 0.9
        return p

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class TorchProbe(ConstantClassifier):
    """A ConstantClassifier that imports torch first, as GroundupClassifier does."""

    def fit(self, X, y) -> TorchProbe:
        import torch  # noqa: F401

        return super().fit(X, y)
