"""Climb the ladder: train every chosen rung with the same settings and collect one table.

Timing is fair across rungs: each epoch's clock covers training only (validation is scored
after the clock stops), every rung records its batch losses the same way, and on a GPU the
clock waits for queued work before it stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from groundup.data import load_mnist
from groundup.ladder.lecture_loop import lecture_loop
from groundup.ladder.rungs import Rung, select_rungs
from groundup.ladder.setup import LadderConfig, StartWeights, start_weights
from groundup.tensor import format_table
from groundup.train import evaluate, fit


@dataclass
class RungResult:
    """One row of the ladder's table, plus the curves behind it."""

    key: str
    ours: str
    valid_loss: float
    valid_acc: float
    test_acc: float
    epoch_seconds: list[float]  # training time of each epoch (wall clock)
    epoch_valid_acc: list[float]
    batch_losses: list[float] = field(repr=False)  # one training loss per step, all epochs
    # CPU time of this process during each epoch (all threads): on a busy machine it
    # measures the work done, where the wall clock also counts waiting for other programs
    epoch_cpu_seconds: list[float] = field(default_factory=list)

    @property
    def seconds_per_epoch(self) -> float:
        """Return the mean training time of one epoch."""
        return sum(self.epoch_seconds) / len(self.epoch_seconds)


@dataclass
class LadderResult:
    """Returned by `run_ladder`: the settings and one RungResult per rung climbed."""

    config: LadderConfig
    rungs: list[RungResult]
    n_train: int

    def __getitem__(self, key: str) -> RungResult:
        """Return the result of rung `key` ("1" ... "5b")."""
        for rung in self.rungs:
            if rung.key == key:
                return rung
        raise KeyError(key)

    def table(self) -> list[str]:
        """Return the table lines: rung, what is ours now, valid and test accuracy, s/epoch."""
        rows = [["rung", "ours now", "valid acc", "test acc", "s/epoch"]]
        for r in self.rungs:
            rows.append(
                [
                    r.key,
                    r.ours,
                    f"{r.valid_acc:.2%}",
                    f"{r.test_acc:.2%}",
                    f"{r.seconds_per_epoch:.2f}",
                ]
            )
        return format_table(rows, left=(0, 1))


Log = Callable[[str], None]


@dataclass(frozen=True)
class _Hooks:
    """How a caller watches the climb: progress callbacks and the verbose log."""

    every: int = 0
    log: Log | None = None
    on_batch: Callable[[], None] | None = None
    on_rung: Callable[[str, int], None] | None = None


@dataclass(frozen=True)
class _Data:
    """The three MNIST splits, on the device the ladder runs on."""

    x: torch.Tensor
    y: torch.Tensor
    valid: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]


def run_ladder(
    config: LadderConfig | None = None,
    rungs: str | None = None,
    *,
    every: int = 0,
    log: Log | None = None,
    on_batch: Callable[[], None] | None = None,
    on_rung: Callable[[str, int], None] | None = None,
) -> LadderResult:
    """Return the LadderResult of training each rung in `rungs` ("1,4,5"; None = all).

    Every rung starts from the same seeded weights and sees the same data in the same
    first-epoch order. With `every` > 0, rungs 4 and 5 call `log` with the loss and the
    validation accuracy every `every` steps, as the lecture's loop prints them (scoring the
    validation set takes time, so the seconds per epoch of those rungs grow a little).
    `on_rung(key, steps)` (as a rung starts, with its number of steps) and `on_batch()`
    let a caller show progress.
    """
    config = (config or LadderConfig()).validate()
    chosen = select_rungs(rungs)
    x, y = load_mnist("train", device=config.device)
    if config.n_train is not None:
        x, y = x[: config.n_train], y[: config.n_train]
    data = _Data(
        x, y, load_mnist("valid", device=config.device), load_mnist("test", device=config.device)
    )
    start = start_weights(x.shape[1], 10, seed=config.seed, device=x.device)
    hooks = _Hooks(every, log, on_batch, on_rung)
    results = [_climb(rung, config, data, start, hooks) for rung in chosen]
    return LadderResult(config, results, len(x))


class LossRecorder:
    """Wraps a loss function: returns its value and keeps every batch's loss (on the device)."""

    def __init__(self, loss_fn: Callable, on_batch: Callable[[], None] | None = None) -> None:
        self.loss_fn, self.on_batch = loss_fn, on_batch
        self.losses: list[torch.Tensor] = []

    def __call__(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        loss = self.loss_fn(output, target)
        self.losses.append(loss.detach())  # no .item(): that would wait for the device
        if self.on_batch is not None:
            self.on_batch()
        return loss

    def __repr__(self) -> str:
        name = getattr(self.loss_fn, "__name__", type(self.loss_fn).__name__)
        return f"LossRecorder({name}, {len(self.losses)} losses)"


def _climb(
    rung: Rung, config: LadderConfig, data: _Data, start: StartWeights, hooks: _Hooks
) -> RungResult:
    """Return the RungResult of training one rung for `config.epochs` epochs."""
    torch.manual_seed(config.seed)  # anything a rung draws from the global generator repeats
    setup = rung.build(data.x, data.y, start, config)
    if hooks.on_rung is not None:
        hooks.on_rung(rung.key, len(setup.train_dl) * config.epochs)
    recorder = LossRecorder(setup.loss_fn, hooks.on_batch)
    sync = torch.cuda.synchronize if data.x.device.type == "cuda" else (lambda: None)
    every = hooks.every if hooks.log is not None else 0
    seconds, cpu_seconds, valid_accs = [], [], []
    for epoch in range(1, config.epochs + 1):

        def report(step: int, loss: torch.Tensor, epoch: int = epoch) -> None:
            _, acc = evaluate(setup.model, *data.valid)
            hooks.log(f"rung {rung.key} epoch {epoch} step {step}: loss {float(loss):.4f}, "
                      f"valid accuracy {acc:.2%}")  # fmt: skip

        sync()
        begin, cpu_begin = time.perf_counter(), time.process_time()
        if rung.loop == "fit":
            fit(setup.model, recorder, setup.opt, setup.train_dl)
        else:
            lecture_loop(
                setup.model, recorder, setup.opt, setup.train_dl, every=every, report=report
            )
        sync()
        seconds.append(time.perf_counter() - begin)
        cpu_seconds.append(time.process_time() - cpu_begin)
        valid_loss, valid_acc = evaluate(setup.model, *data.valid)
        valid_accs.append(valid_acc)
    _, test_acc = evaluate(setup.model, *data.test)
    losses = torch.stack(recorder.losses).tolist()
    return RungResult(
        rung.key, rung.ours, valid_loss, valid_acc, test_acc, seconds, valid_accs, losses,
        cpu_seconds,
    )  # fmt: skip
