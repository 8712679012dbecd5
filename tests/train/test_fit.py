"""The fit loop: it learns, it is repeatable, the schedule reaches the optimizer, NaN is caught."""

from __future__ import annotations

import pytest
import torch

from groundup.data import DataLoader
from groundup.models import build_model
from groundup.nn.functional import nll_loss
from groundup.optim import SGD, Adam
from groundup.train import Callback, DivergenceGuard, ProgressCallback, evaluate, fit
from groundup.train.schedules import OneCycle


def blobs(n: int = 600, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Three well-separated Gaussian blobs in 784-d: a task a working loop must solve."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    centres = torch.randn(3, 784, generator=g)
    return centres[y] + 0.5 * torch.randn(n, 784, generator=g), y


def run(seed: int = 0, epochs: int = 3, **kw):
    x, y = blobs()
    torch.manual_seed(seed)
    model = build_model("logreg", n_out=3)
    opt = Adam(model.parameters(), lr=1e-2)
    hist = fit(model, nll_loss, opt, DataLoader(x, y, bs=32, seed=seed),
               valid_dl=DataLoader(x, y, bs=200, shuffle=False), epochs=epochs, **kw)
    return model, hist


def test_fit_learns_and_logs_each_epoch() -> None:
    model, hist = run()
    assert len(hist.epochs) == 3
    assert hist.train_loss[-1] < hist.train_loss[0]
    assert hist.valid_acc[-1] > 0.95
    assert [e.epoch for e in hist.epochs] == [1, 2, 3]
    assert hist.stop_reason is None


def test_fit_is_bit_for_bit_repeatable_on_cpu() -> None:
    a, _ = run(seed=5)
    b, _ = run(seed=5)
    for (na, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert torch.equal(pa, pb), na


def test_schedule_sets_the_learning_rate_each_step() -> None:
    seen = []

    class Spy(Callback):
        def after_batch(self, state) -> None:
            seen.append(state.opt.param_groups[0]["lr"])

    sched = OneCycle(0.1, total_steps=3 * 19)
    run(epochs=3, sched=sched, callbacks=[Spy()])
    assert seen == [sched(i) for i in range(len(seen))]


def test_divergence_guard_stops_and_keeps_finite_weights() -> None:
    x, y = blobs()
    x[300:] = float("nan")  # poisoned rows: a nan loss appears within the first epoch
    torch.manual_seed(0)
    model = build_model("mlp", hidden=(8,), n_out=3)
    opt = SGD(model.parameters(), lr=0.01)
    hist = fit(model, nll_loss, opt, DataLoader(x, y, bs=32, seed=1), epochs=2,
               callbacks=[DivergenceGuard()])
    assert hist.stop_reason is not None and "diverged" in hist.stop_reason
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert len(hist.epochs) <= 1  # the epoch in which it happened, if it finished; no more


def test_progress_prints_a_table(capsys) -> None:
    run(epochs=2)  # no ProgressCallback: nothing printed
    assert capsys.readouterr().out == ""
    x, y = blobs()
    model = build_model("logreg", n_out=3)
    fit(model, nll_loss, SGD(model.parameters(), lr=0.1), DataLoader(x, y, bs=64), epochs=2,
        callbacks=[ProgressCallback()])
    out = capsys.readouterr().out
    assert "train_loss" in out and "valid_acc" in out
    assert len([line for line in out.splitlines() if line.strip().startswith(("1 ", "2 "))]) == 2


def test_evaluate_matches_manual_accuracy() -> None:
    x, y = blobs()
    model, _ = run()
    loss, acc = evaluate(model, x, y, bs=7)
    with torch.no_grad():
        out = model(x)
    assert acc == pytest.approx(float((out.argmax(-1) == y).float().mean()), abs=1e-9)
    assert acc > 0.95
    assert abs(loss - float(nll_loss(out, y))) < 1e-5


def test_extra_metrics_are_scored_on_validation_and_printed(capsys) -> None:
    x, y = blobs()

    def top2(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return (out.topk(2, dim=-1).indices == target[:, None]).any(-1).float().mean()

    torch.manual_seed(0)
    model = build_model("logreg", n_out=3)
    valid = DataLoader(x, y, bs=64, shuffle=False)  # 600 rows: batches of 64 and a last of 24
    hist = fit(model, nll_loss, SGD(model.parameters(), lr=0.1), DataLoader(x, y, bs=64),
               valid_dl=valid, epochs=1, metrics=[top2], callbacks=[ProgressCallback()])
    with torch.no_grad():
        out = model(x)
    expected = float(top2(out, y))
    assert hist.epochs[0].metrics["top2"] == pytest.approx(expected, abs=1e-12)
    assert hist.epochs[0].valid_acc == pytest.approx(float((out.argmax(-1) == y).float().mean()))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-1] == "top2"
    assert float(lines[1].split()[-1]) == pytest.approx(expected, abs=1e-4)
