"""groundup.models: the training recipe, the named models, the MNIST job, evaluation.

    spec.py           TrainSpec: every training setting (name, default, check) and builders
    architectures.py  logreg, mlp, cnn, and build_model by name
    job.py            train_mnist(spec): data -> model -> fit -> test
    classifier.py     GroundupClassifier: the recipe as a scikit-learn estimator
    io.py             save_model / load_model (safetensors + JSON)
    evaluate.py       scoring a saved model; plots.py draws its pictures

Only `spec` is imported eagerly (it needs no torch, so the NumPy predictor can use its
`MODELS`); the rest load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from groundup.models.spec import DEFAULT_LR, MODELS, OPTIMIZERS, TrainSpec

_LAZY = {
    "build_model": "architectures",
    "logreg": "architectures",
    "mlp": "architectures",
    "train_mnist": "job",
    "TrainResult": "job",
    "GroundupClassifier": "classifier",
    "save_model": "io",
    "load_model": "io",
}

__all__ = ["DEFAULT_LR", "MODELS", "OPTIMIZERS", "TrainSpec", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"groundup.models.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'groundup.models' has no attribute {name!r}")
