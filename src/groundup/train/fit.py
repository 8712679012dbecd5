"""`fit`: the training loop of the lecture — predict, loss, backward, step, zero_grad — with hooks.

    for xb, yb in train_dl:
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()

Everything else (progress bar, epoch table, divergence guard, checkpoints) is a `Callback`.
The loop itself never waits for the device: losses are summed on the device and read
once per epoch (callbacks read them more often only if they choose to).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from groundup.errors import GroundupError, SettingError
from groundup.nn import Module
from groundup.train.callbacks import Callback
from groundup.train.metrics import MetricFn, score_batches

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Schedule = Callable[[int], float]


@dataclass
class EpochLog:
    """One row of the training table."""

    epoch: int  # 1-based
    train_loss: float
    valid_loss: float | None
    valid_acc: float | None
    lr: float
    seconds: float  # training time of this epoch (validation excluded)
    metrics: dict[str, float] = field(default_factory=dict)  # extra validation metrics


@dataclass(repr=False)
class History:
    """Returned by `fit`: one EpochLog per finished epoch, and why training stopped early."""

    epochs: list[EpochLog] = field(default_factory=list)
    stop_reason: str | None = None

    @property
    def train_loss(self) -> list[float]:
        return [e.train_loss for e in self.epochs]

    @property
    def valid_loss(self) -> list[float | None]:
        return [e.valid_loss for e in self.epochs]

    @property
    def valid_acc(self) -> list[float | None]:
        return [e.valid_acc for e in self.epochs]

    @property
    def seconds(self) -> list[float]:
        return [e.seconds for e in self.epochs]

    def to_frame(self) -> Any:
        """Return the epoch table as a pandas DataFrame, one row per epoch."""
        import pandas as pd

        return pd.DataFrame(
            [{k: v for k, v in vars(e).items() if k != "metrics"} | e.metrics for e in self.epochs]
        )

    def plot(self, title: str | None = None) -> Any:
        """Return a matplotlib Figure of the loss and validation accuracy curves by epoch."""
        from groundup.train.plots import plot_history

        return plot_history(self, title)

    def __repr__(self) -> str:
        if not self.epochs:
            text = "History(no epochs"
        else:
            last = self.epochs[-1]
            acc = "" if last.valid_acc is None else f", valid_acc={last.valid_acc:.4f}"
            text = (f"History({len(self.epochs)} epochs, train_loss={last.train_loss:.4f}"
                    f"{acc}, {sum(self.seconds):.1f} s")
        stop = "" if self.stop_reason is None else f", stopped: {self.stop_reason}"
        return text + stop + ")"

    def _repr_html_(self) -> str:
        from groundup.train.notebook import COLUMNS, epoch_cells, html_table

        names = list(self.epochs[0].metrics) if self.epochs else []
        caption = "" if self.stop_reason is None else f"stopped: {self.stop_reason}"
        return html_table([*COLUMNS, *names], [epoch_cells(e) for e in self.epochs], caption)


@dataclass
class FitState:
    """What callbacks can see and change while `fit` runs."""

    model: Module
    opt: Any
    loss_fn: LossFn
    train_dl: Iterable
    valid_dl: Iterable | None
    epochs: int
    sched: Schedule | None
    history: History
    metrics: Sequence[MetricFn] = ()
    epoch: int = 0  # 0-based index of the current epoch
    step: int = 0  # optimizer steps taken since the start of training (all epochs)
    batch: int = 0  # batches done in the current epoch
    running_loss: torch.Tensor | None = None  # sum of this epoch's batch losses, on the device
    stop: bool = False
    stop_reason: str | None = None


def fit(
    model: Module,
    loss_fn: LossFn,
    opt: Any,
    train_dl: Iterable,
    valid_dl: Iterable | None = None,
    epochs: int = 1,
    sched: Schedule | None = None,
    metrics: Sequence[MetricFn] = (),
    callbacks: Sequence[Callback] = (),
) -> History:
    """Return the History of training `model` for `epochs` epochs over `train_dl`.

    loss_fn(output, target) -> scalar; `opt` has step()/zero_grad()/param_groups;
    `sched(step) -> lr` sets every param group's lr before each step; `valid_dl` yields
    (x, y) batches scored after each epoch (loss, accuracy, and each of `metrics`, functions
    (output, target) -> scalar named by their `__name__`). Everything else is a callback the
    caller passes, called in order: `ProgressCallback()` for a bar and a table,
    `DivergenceGuard()` to stop on a NaN/inf loss, `Resume(checkpoint)` (first) to continue
    a saved run.
    """
    if epochs < 0:
        raise SettingError("epochs", f"must be >= 0, got {epochs}")
    cbs = list(callbacks)
    state = FitState(model, opt, loss_fn, train_dl, valid_dl, epochs, sched, History(), metrics)
    model.train()
    for cb in cbs:
        cb.before_fit(state)
    try:
        while state.epoch < epochs and not state.stop:
            _one_epoch(state, cbs)
            if not state.stop:
                state.epoch += 1
    finally:
        state.history.stop_reason = state.stop_reason
        for cb in cbs:
            cb.after_fit(state)
    return state.history


def _one_epoch(state: FitState, cbs: list[Callback]) -> None:
    model, opt, loss_fn, sched = state.model, state.opt, state.loss_fn, state.sched
    state.batch = 0
    state.running_loss = None
    for cb in cbs:
        cb.before_epoch(state)
    batch_cbs = [cb for cb in cbs if type(cb).after_batch is not Callback.after_batch]
    lr = opt.param_groups[0]["lr"]
    start = time.perf_counter()
    for xb, yb in state.train_dl:
        if sched is not None:
            lr = sched(state.step)
            for group in opt.param_groups:
                group["lr"] = lr
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        loss = loss.detach()
        if state.running_loss is None:
            state.running_loss = loss.clone()
        else:
            state.running_loss += loss
        state.step += 1
        state.batch += 1
        for cb in batch_cbs:
            cb.after_batch(state)
        if state.stop:
            return
    if state.batch == 0:
        raise GroundupError("the training data loader yielded no batches")
    train_loss = float(state.running_loss) / state.batch  # waits for the device: end of epoch
    seconds = time.perf_counter() - start
    valid_loss = valid_acc = None
    extra: dict[str, float] = {}
    if state.valid_dl is not None:
        valid_loss, valid_acc, extra = score_batches(
            model, state.valid_dl, state.loss_fn, state.metrics
        )
    log = EpochLog(state.epoch + 1, train_loss, valid_loss, valid_acc, lr, seconds, extra)
    state.history.epochs.append(log)
    for cb in cbs:
        cb.after_epoch(state, log)
