"""Callbacks: small objects the `fit` loop calls at fixed moments, to watch or steer training.

Each callback overrides some of `before_fit`, `before_epoch`, `after_batch`, `after_epoch`,
`after_fit`; each receives the `FitState` (model, optimizer, epoch, step, last loss, ...).
Setting `state.stop = True` (with a `state.stop_reason`) ends training after the current
batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from groundup.train.notebook import COLUMNS, NotebookProgress, in_notebook

if TYPE_CHECKING:
    from groundup.train.fit import EpochLog, FitState


class Callback:
    """Base class: every hook does nothing."""

    def before_fit(self, state: FitState) -> None: ...
    def before_epoch(self, state: FitState) -> None: ...
    def after_batch(self, state: FitState) -> None: ...
    def after_epoch(self, state: FitState, log: EpochLog) -> None: ...
    def after_fit(self, state: FitState) -> None: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class DivergenceGuard(Callback):
    """Stops training when the loss becomes NaN or infinite, restoring the last good weights.

    Checking a loss value means waiting for the device; doing it every `every` steps on the
    epoch's running loss sum (one NaN/inf anywhere makes the sum non-finite) keeps the GPU
    busy. The weights are snapshotted at each good check, so the restored ones are at most
    `every` steps old and certainly finite.
    """

    def __init__(self, every: int = 100) -> None:
        self.every = every
        self.good: dict[str, torch.Tensor] | None = None
        self.good_step = 0

    def before_fit(self, state: FitState) -> None:
        self._snapshot(state)

    def after_batch(self, state: FitState) -> None:
        if state.step % self.every == 0:
            self._check(state)

    def after_epoch(self, state: FitState, log: EpochLog) -> None:
        self._check(state)

    def _check(self, state: FitState) -> None:
        if state.stop:
            return
        if bool(torch.isfinite(state.running_loss)):
            self._snapshot(state)
            return
        state.model.load_state_dict(self.good)
        state.stop = True
        state.stop_reason = (
            f"training diverged (loss became nan/inf) in epoch {state.epoch + 1} before step "
            f"{state.step}; kept the last good weights (from step {self.good_step}). "
            f"Try a smaller learning rate."
        )

    def _snapshot(self, state: FitState) -> None:
        self.good = {k: v.clone() for k, v in state.model.state_dict().items()}
        self.good_step = state.step

    def __repr__(self) -> str:
        return f"DivergenceGuard(every={self.every})"


class ProgressCallback(Callback):
    """Shows a progress bar per epoch and one table row per finished epoch.

    In a terminal it is rich's bar and a text table; in a Jupyter notebook (or with
    `notebook=True`) one HTML block, the bar above the table, updated in place. `bar=False`
    shows the table alone. To show nothing, leave the callback out: `fit` prints nothing
    by itself.
    """

    HEADER = (
        f"{'epoch':>5}  {'train_loss':>10}  {'valid_loss':>10}  {'valid_acc':>9}  {'lr':>8}  "
        f"{'seconds':>7}"
    )

    def __init__(self, console: Console | None = None, refresh_every: int = 50, *,
                 bar: bool = True, notebook: bool | None = None) -> None:
        self.notebook = (console is None and in_notebook()) if notebook is None else notebook
        self.console = console or Console(soft_wrap=True)
        self.refresh_every = refresh_every
        self.bar = bar
        self.progress: Progress | None = None
        self.view: NotebookProgress | None = None
        self.task = None

    def before_fit(self, state: FitState) -> None:
        names = [m.__name__ for m in state.metrics]
        header = self.HEADER + "".join(f"  {n:>10}" for n in names)
        if self.notebook:
            self.view = NotebookProgress([*COLUMNS, *names], header, bar=self.bar)
            self.view.start()
            return
        if self.bar:
            self.progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[loss]}"),
                console=self.console,
                transient=True,
            )
            self.progress.start()
        self.console.print(header, highlight=False)

    def before_epoch(self, state: FitState) -> None:
        desc = f"epoch {state.epoch + 1}/{state.epochs}"
        total = len(state.train_dl) if hasattr(state.train_dl, "__len__") else None
        if self.view is not None:
            self.view.epoch(desc, total)
        if self.progress is None:
            return
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(desc, total=total, loss="")

    def after_batch(self, state: FitState) -> None:
        if (self.progress is None and self.view is None) or not self.bar:
            return
        if state.batch % self.refresh_every == 0:  # reading the loss syncs the device
            mean = float(state.running_loss) / max(1, state.batch)
            if self.view is not None:
                self.view.batch(state.batch, f"loss {mean:.4f}")
            else:
                self.progress.update(self.task, completed=state.batch, loss=f"loss {mean:.4f}")

    def after_epoch(self, state: FitState, log: EpochLog) -> None:
        if self.view is not None:
            self.view.add_row(log, format_epoch_row(log))
            return
        if self.progress is not None:
            self.progress.update(self.task, completed=state.batch)
        self.console.print(format_epoch_row(log), highlight=False)

    def after_fit(self, state: FitState) -> None:
        if self.view is not None:
            self.view.finish()
        if self.progress is not None:
            self.progress.stop()

    def __repr__(self) -> str:
        where = ", notebook=True" if self.notebook else ""
        return f"ProgressCallback(refresh_every={self.refresh_every}, bar={self.bar}{where})"


def format_epoch_row(log: EpochLog) -> str:
    """Return one aligned text row of the per-epoch table."""

    def num(v: float | None, fmt: str) -> str:
        return "-" if v is None else format(v, fmt)

    return (
        f"{log.epoch:>5}  {num(log.train_loss, '.4f'):>10}  {num(log.valid_loss, '.4f'):>10}  "
        f"{num(log.valid_acc, '.4f'):>9}  {log.lr:>8.2e}  {log.seconds:>7.2f}"
        + "".join(f"  {v:>10.4f}" for v in log.metrics.values())
    )
