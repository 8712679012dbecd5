"""The fit loop never waits for the device inside an epoch: proved on the CPU, by counting.

On a GPU, every read of a tensor's value on the host (`float(loss)`, `.item()`, `if t:`,
`.tolist()`, `.cpu()`, ...) stops the Python thread until the device has caught up, so a
loop that does one per step runs at the speed of its launches, not of its kernels. No GPU
is needed to see such reads: a `TorchFunctionMode` sees every tensor function the loop
calls, on any device. Here it counts the calls that would synchronise, during one epoch of
`fit` over few batches and over many: the count must not grow with the number of batches
(the one allowed read is the epoch's mean loss, at its end), for every model, optimizer
path, the one-cycle schedule the recipes use and the augmenting loader. Tensors made from
Python numbers are counted too: on a GPU each is a copy from the host that it waits for.
tests/train/test_cuda.py checks the same thing on a real GPU with
`torch.cuda.set_sync_debug_mode("error")`.
"""

from __future__ import annotations

import io
import traceback
from collections import Counter
from collections.abc import Callable

import pytest
import torch
from rich.console import Console
from torch.overrides import TorchFunctionMode, resolve_name

from groundup.data import DataLoader
from groundup.models import TrainSpec
from groundup.nn.functional import nll_loss
from groundup.optim import SGD, Adam, AdamW
from groundup.train import Callback, DivergenceGuard, ProgressCallback, fit

# Tensor functions that hand a value (or a data-dependent shape) to the host: on a GPU each
# waits for the device. (A copy to the CPU is `.cpu()`; `.to` is not counted: on the CPU it
# cannot tell a copy from a no-op.)
SYNCING = frozenset(
    f"torch.{name}"
    for name in (
        "Tensor.item", "Tensor.__float__", "Tensor.__int__", "Tensor.__bool__",
        "Tensor.__index__", "Tensor.__complex__", "Tensor.tolist", "Tensor.cpu",
        "Tensor.numpy", "Tensor.nonzero", "nonzero", "Tensor.masked_select", "masked_select",
        "Tensor.unique", "unique", "Tensor.equal", "equal", "Tensor.allclose", "allclose",
        "Tensor.is_nonzero", "is_nonzero", "Tensor.__repr__", "Tensor.__format__",
    )
)
# Tensors made from host data (a Python number or list): on a GPU, a copy the host waits for.
FROM_HOST = frozenset({"torch.tensor", "torch.as_tensor", "torch.asarray"})
N_IN, N_OUT, BS = 64, 3, 4  # 8x8 "images" for the cnn


class SyncCounter(TorchFunctionMode):
    """Counts the SYNCING functions called while it is active, and where each was called."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()
        self.where: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = resolve_name(func) or ""
        from_host = name in FROM_HOST and not isinstance(args[0] if args else None, torch.Tensor)
        if name in SYNCING or from_host:
            self.counts[name] += 1
            caller = traceback.extract_stack(limit=2)[0]  # the frame that called `func`
            self.where.append(f"{name} at {caller.filename}:{caller.lineno}")
        return func(*args, **(kwargs or {}))


OPTIMIZERS: dict[str, Callable] = {
    "adam (spec)": lambda spec, params: spec.build_optimizer(params),
    "sgd (spec)": lambda spec, params: TrainSpec(opt="sgd").build_optimizer(params),
    "adam plain": lambda spec, params: Adam(params, lr=1e-3, foreach=False),
    "adamw amsgrad foreach": lambda spec, params: AdamW(params, lr=1e-3, amsgrad=True,
                                                        foreach=True),
    "adamw amsgrad plain": lambda spec, params: AdamW(params, lr=1e-3, amsgrad=True,
                                                      foreach=False),
    "sgd nesterov foreach": lambda spec, params: SGD(params, lr=0.1, momentum=0.9, nesterov=True,
                                                     weight_decay=1e-4, foreach=True),
    "sgd dampened plain": lambda spec, params: SGD(params, lr=0.1, momentum=0.9, dampening=0.1,
                                                   weight_decay=1e-4, foreach=False),
    "sgd no momentum": lambda spec, params: SGD(params, lr=0.1),
}


def syncs(
    batches: int,
    model: str = "cnn",
    opt: str = "adam (spec)",
    valid_batches: int = 0,
    loss_fn: Callable = nll_loss,
    callbacks: tuple[Callback, ...] = (),
    transform: Callable | None = None,
) -> SyncCounter:
    """Return the SyncCounter of one epoch of `fit` over `batches` batches of in-memory data,
    built as the recipe builds it (TrainSpec: model, loader, one-cycle schedule)."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(batches * BS, N_IN, generator=g), torch.randint(0, N_OUT, (batches * BS,))
    spec = TrainSpec(model=model, hidden=(8,), channels=(2, 4), epochs=1, bs=BS, device="cpu",
                     seed=1).validate()
    torch.manual_seed(0)
    net = spec.build_model(N_IN, N_OUT)
    optimizer = OPTIMIZERS[opt](spec, net.parameters())
    train_dl = spec.build_loader(x, y)
    if transform is not None:
        train_dl = DataLoader(x, y, bs=BS, seed=spec.seed, transform=transform)
    valid_dl = None
    if valid_batches:
        valid_dl = DataLoader(x[: valid_batches * BS], y[: valid_batches * BS], bs=BS,
                              shuffle=False)
    with SyncCounter() as counter:
        fit(net, loss_fn, optimizer, train_dl, valid_dl, epochs=1,
            sched=spec.build_schedule(len(train_dl)), callbacks=callbacks)
    return counter


def _same(few: SyncCounter, many: SyncCounter) -> None:
    assert many.counts == few.counts, (
        "host syncs grow with the number of batches:\n  " + "\n  ".join(many.where))


@pytest.mark.parametrize("model", ["logreg", "mlp", "cnn"])
def test_one_epoch_reads_the_device_once_however_many_batches(model: str) -> None:
    few, many = syncs(5, model), syncs(20, model)
    _same(few, many)
    # the one read: the epoch's mean loss, once the epoch is done
    assert many.counts == {"torch.Tensor.__float__": 1}, many.where


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_no_optimizer_path_reads_the_device_per_step(opt: str) -> None:
    _same(syncs(5, "mlp", opt), syncs(20, "mlp", opt))


def _augment() -> type | None:
    try:
        from groundup.data import Augment
    except ImportError:  # the augmenting loader is younger than this test
        return None
    return Augment


@pytest.mark.skipif(_augment() is None, reason="groundup.data has no Augment yet")
@pytest.mark.parametrize("fill", [None, 0.0])
def test_the_augmenting_loader_reads_nothing_per_batch(fill: float | None) -> None:
    augment = _augment()(fill=fill)
    _same(syncs(5, transform=augment), syncs(20, transform=augment))


def test_validation_reads_the_device_once_however_many_batches() -> None:
    few, many = syncs(20, "cnn", valid_batches=3), syncs(20, "cnn", valid_batches=12)
    _same(few, many)
    assert sum(many.counts.values()) == 2, many.where  # the train loss, the valid scores


# ---------------------------------------------------------------- the counter can fail


def _loss_read_every_step(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    loss = nll_loss(out, y)
    float(loss.detach())  # the defect: the host waits for the device at every step
    return loss


@pytest.mark.parametrize(
    "kind", ["float(loss) each step", "DivergenceGuard(every=1)", "ProgressCallback(1)"])
def test_a_read_per_step_is_caught(kind: str) -> None:
    def run(batches: int) -> SyncCounter:
        if kind == "float(loss) each step":
            return syncs(batches, loss_fn=_loss_read_every_step)
        quiet = Console(file=io.StringIO())
        cb = DivergenceGuard(every=1) if kind.startswith("Divergence") else ProgressCallback(
            quiet, refresh_every=1)
        return syncs(batches, callbacks=(cb,))

    few, many = run(5), run(20)
    with pytest.raises(AssertionError, match="grow with the number of batches"):
        _same(few, many)
    assert sum(many.counts.values()) - sum(few.counts.values()) >= 15  # one per extra step


def test_the_recipe_guard_reads_the_device_only_every_hundred_steps() -> None:
    """train_mnist always adds DivergenceGuard(): its reads are per 100 steps, not per step."""
    with_guard = syncs(20, callbacks=(DivergenceGuard(),))
    assert with_guard.counts["torch.Tensor.__bool__"] == 1, with_guard.where  # at the epoch's end
