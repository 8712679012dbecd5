"""The main job: train a named model on MNIST with our own pieces, test it, describe it.

`TrainConfig` holds every knob `groundup train` exposes (validated, with defaults that
train a good model); `train_mnist(cfg)` runs data -> model -> optimizer -> fit -> test.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from rich.console import Console

from groundup.data import DataLoader, load_mnist, mnist_stats, resolve_device
from groundup.errors import GroundupError
from groundup.models import MODELS, build_model
from groundup.nn import ACTIVATIONS, Module
from groundup.nn.functional import nll_loss
from groundup.optim import SGD, Adam
from groundup.train import SCHEDULES, History, ProgressCallback, evaluate, fit, make_schedule
from groundup.train.resume import Checkpoint, CheckpointCallback, StopOnInterrupt, restore

OPTIMIZERS = ("adam", "sgd")


@dataclass
class TrainConfig:
    """Every setting of a training run; the defaults reach >= 98% test accuracy on MNIST."""

    model: str = "mlp"
    hidden: tuple[int, ...] = (512,)
    act: str = "relu"
    epochs: int = 10
    bs: int = 128
    lr: float = 3e-3
    opt: str = "adam"
    momentum: float = 0.9
    wd: float = 0.0
    sched: str = "onecycle"
    device: str = "auto"
    seed: int = 42
    data_dir: str | None = None
    train_rows: int | None = None  # use only the first N training rows (quick experiments)

    def validate(self) -> TrainConfig:
        """Return self after checking every value; a bad one raises GroundupError."""

        def bad(what: str) -> GroundupError:
            return GroundupError(what)

        if self.model not in MODELS:
            raise bad(f"unknown model {self.model!r}; choose one of {', '.join(MODELS)}")
        if self.act not in ACTIVATIONS:
            raise bad(f"unknown activation {self.act!r}; choose one of {', '.join(ACTIVATIONS)}")
        if self.opt not in OPTIMIZERS:
            raise bad(f"unknown optimizer {self.opt!r}; choose one of {', '.join(OPTIMIZERS)}")
        if self.sched not in SCHEDULES:
            raise bad(f"unknown schedule {self.sched!r}; choose one of {', '.join(SCHEDULES)}")
        if not self.hidden or any(h <= 0 for h in self.hidden):
            raise bad(f"hidden sizes must be positive, got {list(self.hidden)}")
        for name in ("epochs", "bs"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise bad(f"{name} must be a positive integer, got {v!r}")
        if not self.lr > 0:
            raise bad(f"lr must be positive, got {self.lr!r}")
        if not 0 <= self.momentum < 1:
            raise bad(f"momentum must be in [0, 1), got {self.momentum!r}")
        if not self.wd >= 0:
            raise bad(f"wd must be >= 0, got {self.wd!r}")
        if self.train_rows is not None and self.train_rows <= 0:
            raise bad(f"train_rows must be positive, got {self.train_rows!r}")
        return self


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


def make_optimizer(name: str, params, lr: float, momentum: float = 0.9, wd: float = 0.0):
    """Return our optimizer called `name` ("adam" or "sgd") over `params`."""
    if name == "adam":
        return Adam(params, lr=lr, weight_decay=wd, decoupled=wd > 0)
    if name == "sgd":
        return SGD(params, lr=lr, momentum=momentum, weight_decay=wd)
    raise GroundupError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def train_mnist(
    cfg: TrainConfig,
    progress: bool = True,
    console: Console | None = None,
    callbacks=(),
    checkpoint_path: str | Path | None = None,
    checkpoint_every: int = 0,
    resume: Checkpoint | None = None,
    interruptible: bool = False,
) -> TrainResult:
    """Return the result of training `cfg.model` on MNIST train, scored on valid and test.

    With `checkpoint_path`, a full training checkpoint is written every `checkpoint_every`
    epochs (0: never) and when a Ctrl-C stops the run (`interruptible=True` turns the first
    Ctrl-C into a clean stop after the current step). `resume` continues a run exactly
    where its checkpoint left it; `cfg` must be the config saved in that checkpoint.
    """
    cfg.validate()
    device = resolve_device(cfg.device)
    torch.manual_seed(cfg.seed)  # the model's initial weights
    x_train, y_train = load_mnist("train", device=device, data_dir=cfg.data_dir)
    if cfg.train_rows is not None:
        x_train, y_train = x_train[: cfg.train_rows], y_train[: cfg.train_rows]
    x_valid, y_valid = load_mnist("valid", device=device, data_dir=cfg.data_dir)
    train_dl = DataLoader(x_train, y_train, bs=cfg.bs, shuffle=True, seed=cfg.seed)
    valid_dl = DataLoader(x_valid, y_valid, bs=2048, shuffle=False)

    model = build_model(cfg.model, hidden=cfg.hidden, act=cfg.act).to(device)
    opt = make_optimizer(cfg.opt, model.parameters(), cfg.lr, cfg.momentum, cfg.wd)
    sched = make_schedule(cfg.sched, cfg.lr, cfg.epochs * len(train_dl))
    meta = model_meta(cfg)
    start_epoch = start_step = 0
    done: list = []
    if resume is not None:
        restore(resume, model, opt, train_dl)
        start_epoch, start_step, done = resume.epoch, resume.step, resume.history
    callbacks = list(callbacks)
    if interruptible:
        callbacks.append(StopOnInterrupt())
    if checkpoint_path is not None:
        callbacks.append(CheckpointCallback(checkpoint_path, checkpoint_every, meta))
    if progress and console is not None:
        callbacks.append(ProgressCallback(console))
        progress = False

    start = time.perf_counter()
    history = fit(model, nll_loss, opt, train_dl, valid_dl, epochs=cfg.epochs, sched=sched,
                  callbacks=callbacks, progress=progress, start_epoch=start_epoch,
                  start_step=start_step)
    seconds = time.perf_counter() - start
    history.epochs = done + history.epochs

    x_test, y_test = load_mnist("test", device=device, data_dir=cfg.data_dir)
    test_loss, test_acc = evaluate(model, x_test, y_test, nll_loss)
    meta.update(
        test_accuracy=test_acc,
        valid_accuracy=history.valid_acc[-1] if history.epochs else None,
        train_seconds=seconds,
    )
    return TrainResult(model, history, test_loss, test_acc, seconds, meta)


def model_meta(cfg: TrainConfig) -> dict[str, Any]:
    """Return the metadata saved with a model: architecture, normalisation stats, config."""
    mean, std = mnist_stats(data_dir=cfg.data_dir)
    return {
        "model": cfg.model,
        "hidden": list(cfg.hidden) if cfg.model == "mlp" else [],
        "act": cfg.act,
        "n_in": 784,
        "n_out": 10,
        "norm_mean": float(mean),
        "norm_std": float(std),
        "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(cfg).items()},
    }


def config_from_checkpoint(ckpt: Checkpoint) -> TrainConfig:
    """Return the TrainConfig a checkpoint was made with."""
    saved = dict(ckpt.meta["config"])
    saved["hidden"] = tuple(saved["hidden"])
    try:
        return TrainConfig(**saved).validate()
    except TypeError as e:
        raise GroundupError(f"{ckpt.path}: checkpoint config is not understood ({e})") from None
