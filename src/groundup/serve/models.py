"""The models a server answers with: each loaded once, by the NumPy predictor, under a short name.

Layer 4, beside `groundup.cli`. A client names a model by its name here (a file's stem), never
by a path: the files are the ones the server was started with.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundup.errors import GroundupError
from groundup.modelfile import Arch
from groundup.predictor import Predictor, load_digit_predictor


@dataclass(frozen=True)
class ServedModel:
    """One model file, loaded: its name for clients, its predictor, what its metadata says."""

    name: str
    path: Path
    predictor: Predictor = field(repr=False)
    arch: str
    test_accuracy: float | None
    n_params: int

    def info(self) -> dict[str, Any]:
        """Return what `GET /api/models` says of this model."""
        return {
            "name": self.name,
            "arch": self.arch,
            "test_accuracy": self.test_accuracy,
            "params": self.n_params,
        }


def load_models(paths: list[str | os.PathLike]) -> dict[str, ServedModel]:
    """Return {name: ServedModel} for the model files in `paths`, in order (the first is the
    default); each must be a digit model (784 inputs, 10 classes). Names are the files' stems,
    made unique (`model`, `model-2`). A file that is not a model is a ModelFileError naming it."""
    if not paths:
        raise GroundupError("no model to serve")
    models: dict[str, ServedModel] = {}
    for path in paths:
        model = load_one(Path(path))
        name, n = model.name, 1
        while name in models:
            n += 1
            name = f"{model.name}-{n}"
        models[name] = ServedModel(name, model.path, model.predictor, model.arch,
                                   model.test_accuracy, model.n_params)
    return models


def load_one(path: Path) -> ServedModel:
    """Return the model in `path`, named by its stem; a model that does not read 28x28 digits
    into 10 classes is a GroundupError naming the file."""
    predictor = load_digit_predictor(path)
    meta = predictor.meta
    arch = Arch.from_meta(meta, str(path))  # already checked by load_digit_predictor
    accuracy = meta.get("test_accuracy")
    accuracy = float(accuracy) if isinstance(accuracy, (int, float)) else None
    return ServedModel(path.stem or "model", path, predictor, str(arch), accuracy,
                       arch.n_params())
