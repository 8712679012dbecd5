"""The main job: train a model on MNIST with our own pieces, test it, describe it.

`train_mnist(spec)` runs data -> model -> optimizer -> fit -> test, every piece built by the
`TrainSpec`. What to show or save along the way (progress, checkpoints, Ctrl-C) are callbacks
the caller passes in.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from groundup.data import N_CLASSES, N_PIXELS, DataLoader, load_mnist, mnist_stats
from groundup.errors import GroundupError, ModelFileError
from groundup.modelfile import Arch
from groundup.models.spec import TrainSpec, positive_int
from groundup.nn import Module
from groundup.nn.functional import nll_loss
from groundup.train import Callback, DivergenceGuard, History, Resume, evaluate, fit
from groundup.train.checkpoint import Checkpoint

VALID_BS = 2048  # scoring needs no gradients: big batches are faster ...
SCORING_BYTES = 256 * 2**20  # ... as long as one batch's feature maps stay this small


def scoring_bs(spec: TrainSpec) -> int:
    """Return the batch size to score `spec`'s model with: VALID_BS, or fewer images for a
    wide cnn, whose conv outputs (activation included) for 2048 images could take gigabytes."""
    per_image = 2 * 4 * spec.feature_map_floats()  # conv output and its activation, float32
    return max(1, min(VALID_BS, SCORING_BYTES // max(1, per_image)))


@dataclass
class TrainResult:
    """What `train_mnist` returns: the trained model, its history, test score and metadata."""

    model: Module
    history: History
    test_loss: float
    test_acc: float
    train_seconds: float
    meta: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"TrainResult({self.meta.get('model')!r}, epochs={len(self.history.epochs)}, "
                f"test_acc={self.test_acc:.4f}, train_seconds={self.train_seconds:.1f})")


def train_mnist(
    spec: TrainSpec,
    *,
    train_rows: int | None = None,
    data_dir: str | None = None,
    callbacks: Sequence[Callback] = (),
    resume: Checkpoint | None = None,
) -> TrainResult:
    """Return the result of training `spec.model` on MNIST train, scored on valid and test.

    `train_rows` keeps only the first N training images (quick experiments); `data_dir`
    holds the four MNIST IDX files instead of the shipped copy. `callbacks` watch or steer
    `fit` (they run before the divergence guard); `resume` continues the run saved in that
    checkpoint, which must have been made with this spec.
    """
    spec = spec.validate()
    if train_rows is not None:
        positive_int("train_rows", train_rows)
    device = spec.torch_device()
    torch.manual_seed(spec.seed)  # the model's initial weights
    x_train, y_train = load_mnist("train", device=device, data_dir=data_dir)
    x_train, y_train = x_train[:train_rows], y_train[:train_rows]
    x_valid, y_valid = load_mnist("valid", device=device, data_dir=data_dir)
    train_dl = spec.build_loader(x_train, y_train)
    valid_dl = DataLoader(x_valid, y_valid, bs=scoring_bs(spec), shuffle=False)
    model = spec.build_model()
    opt = spec.build_optimizer(model.parameters())
    first = [Resume(resume)] if resume is not None else []  # restores before anything looks

    start = time.perf_counter()
    history = fit(model, nll_loss, opt, train_dl, valid_dl, epochs=spec.epochs,
                  sched=spec.build_schedule(len(train_dl)),
                  callbacks=[*first, *callbacks, DivergenceGuard()])
    seconds = time.perf_counter() - start

    x_test, y_test = load_mnist("test", device=device, data_dir=data_dir)
    test_loss, test_acc = evaluate(model, x_test, y_test, nll_loss, bs=scoring_bs(spec))
    meta = model_meta(spec, train_rows=train_rows, data_dir=data_dir)
    meta.update(
        test_accuracy=test_acc,
        valid_accuracy=history.valid_acc[-1] if history.epochs else None,
        train_seconds=seconds,
    )
    return TrainResult(model, history, test_loss, test_acc, seconds, meta)


def model_meta(
    spec: TrainSpec, *, train_rows: int | None = None, data_dir: str | None = None
) -> dict[str, Any]:
    """Return the metadata saved with a model: architecture, normalisation stats, settings."""
    mean, std = mnist_stats(data_dir=data_dir)
    return {
        "model": spec.model,
        "hidden": list(spec.hidden) if spec.model == "mlp" else [],
        "act": spec.act,
        **({"channels": list(spec.channels), "pool": spec.pool} if spec.model == "cnn" else {}),
        "n_in": 784,
        "n_out": 10,
        "norm_mean": float(mean),
        "norm_std": float(std),
        "config": {**spec.to_dict(), "train_rows": train_rows, "data_dir": data_dir},
    }


def saved_run(ckpt: Checkpoint) -> tuple[TrainSpec, int | None]:
    """Return (spec, train_rows) of the run a checkpoint was made with.

    The settings must describe the very model the checkpoint's weights are: its metadata's
    architecture, which the reader has held to the tensors. So a spec built from them is
    never bigger than the file, and anything else is a ModelFileError naming the file.
    """
    where = str(ckpt.path)
    config = ckpt.meta.get("config")
    if not isinstance(config, dict):
        raise ModelFileError(f"{where}: checkpoint lacks its run's settings")
    try:
        spec = TrainSpec.from_dict({k: config[k] for k in TrainSpec.names() if k in config})
    except GroundupError as e:
        raise ModelFileError(f"{where}: checkpoint settings are not understood ({e})") from None
    weights = Arch.from_meta(ckpt.meta, where)
    settings = spec.arch(N_PIXELS, N_CLASSES)
    same_act = spec.model == "logreg" or settings.act == weights.act
    same = settings.tensor_shapes() == weights.tensor_shapes() and settings.pool == weights.pool
    if not same or not same_act:
        raise ModelFileError(
            f"{where}: its run settings ({settings}) do not match its weights ({weights})"
        )
    return spec, config.get("train_rows")
