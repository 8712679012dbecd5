"""On a GPU: the cnn trains there, everything stays there, and an epoch never waits for it.

Skipped without CUDA. `torch.cuda.set_sync_debug_mode("error")` makes every operation
that would make the host wait for the device raise instead: it is on from an epoch's first
batch until its last one is handed out, so everything the epoch does per step (loader,
model, loss, backward, optimizer, schedule) is held to it, and only the one read at the
epoch's end (its mean loss) runs outside. The loader's start of an epoch is checked alone. The same
promise is checked on the CPU by counting, in tests/train/test_fit_syncs.py.
"""

from __future__ import annotations

import math

import pytest
import torch

from groundup.models import TrainSpec, train_mnist
from groundup.nn.functional import nll_loss
from groundup.train import fit

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

BS, BATCHES = 64, 8


@pytest.fixture(autouse=True)
def _sync_mode_restored():
    yield
    torch.cuda.set_sync_debug_mode("default")


class NoSyncWhileBatching:
    """Wraps a loader: syncs raise from the epoch's first batch until its last one is out.

    The loader's own start of an epoch (drawing the order) is checked on its own, below.
    """

    def __init__(self, loader) -> None:
        self.loader = loader

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        batches = iter(self.loader)
        torch.cuda.set_sync_debug_mode("error")
        try:
            yield from batches
        finally:  # after the last batch: the epoch's one read (its mean loss) may wait
            torch.cuda.set_sync_debug_mode("default")


def _cnn_run(**spec_args):
    """Return (spec, model, optimizer, loader) of a small cnn on random 28x28 data on cuda."""
    spec = TrainSpec(model="cnn", channels=(4, 8), bs=BS, epochs=2, device="cuda",
                     **spec_args).validate()
    device = spec.torch_device()
    g = torch.Generator(device=device).manual_seed(0)
    x = torch.randn(BS * BATCHES, 784, device=device, generator=g)
    y = torch.randint(0, 10, (BS * BATCHES,), device=device, generator=g)
    torch.manual_seed(0)
    model = spec.build_model()
    return spec, model, spec.build_optimizer(model.parameters()), spec.build_loader(x, y)


def _on_cuda(tensors) -> bool:
    return all(t.device.type == "cuda" for t in tensors)


def test_the_cnn_trains_a_few_steps_and_everything_stays_on_the_device() -> None:
    spec, model, opt, loader = _cnn_run()
    assert loader.device.type == "cuda"
    assert _on_cuda(model.parameters())
    batches = list(loader)
    assert len(batches) == BATCHES and _on_cuda(t for b in batches for t in b)
    before = [p.detach().clone() for p in model.parameters()]
    history = fit(model, nll_loss, opt, loader, epochs=1, sched=spec.build_schedule(len(loader)))
    assert math.isfinite(history.train_loss[0])
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert _on_cuda(model.parameters())
    assert _on_cuda(v for s in opt.state.values() for v in s.values()
                    if isinstance(v, torch.Tensor))
    assert model(batches[0][0]).device.type == "cuda"


@pytest.mark.parametrize("opt", ["adam", "sgd"])
def test_an_epoch_makes_no_host_sync_until_its_end(opt: str) -> None:
    spec, model, optimizer, loader = _cnn_run(opt=opt)
    sched = spec.build_schedule(len(loader))
    # a first epoch outside the check: one-time set-up (cuDNN, cuBLAS handles) is not a step
    fit(model, nll_loss, optimizer, loader, epochs=1, sched=sched)
    history = fit(model, nll_loss, optimizer, NoSyncWhileBatching(loader), epochs=1,
                  sched=sched)
    assert len(history.epochs) == 1 and math.isfinite(history.train_loss[0])


def test_starting_an_epoch_does_not_wait_for_the_device() -> None:
    _, _, _, loader = _cnn_run()
    list(loader)  # the first epoch: one-time set-up is not checked
    torch.cuda.set_sync_debug_mode("error")
    xb, yb = next(iter(loader))
    assert xb.device.type == yb.device.type == "cuda"


def test_a_read_per_step_is_refused_by_the_check() -> None:
    """The check can fail: a loss read on the host at every step raises inside the epoch."""
    spec, model, optimizer, loader = _cnn_run()

    def loss_read_every_step(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        loss = nll_loss(out, y)
        float(loss.detach())
        return loss

    fit(model, nll_loss, optimizer, loader, epochs=1)
    with pytest.raises(RuntimeError, match="synchroniz"):
        fit(model, loss_read_every_step, optimizer, NoSyncWhileBatching(loader), epochs=1)


def test_the_recipe_trains_a_cnn_on_cuda() -> None:
    """train_mnist end to end on the GPU: data, model and result all on the device."""
    result = train_mnist(TrainSpec(model="cnn", channels=(4, 8), epochs=1, device="cuda"),
                         train_rows=1024)
    assert _on_cuda(result.model.parameters())
    assert 0.0 <= result.test_acc <= 1.0 and math.isfinite(result.history.train_loss[0])
