"""Shared oracle set-up for the optimizer tests: one small net, its data, and a training loop.

Each test builds two identical copies of the parameters, drives one with `torch.optim` (the
oracle) and one with `groundup.optim`, and compares. The net is written with
`torch.nn.functional` here in the tests, so these tests do not depend on `groundup.nn`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F

N_BATCHES = 4
_gen = torch.Generator().manual_seed(1234)
X = torch.randn(N_BATCHES, 16, 6, generator=_gen, dtype=torch.float64)  # 4 batches of 16 rows
Y = torch.randint(0, 3, (N_BATCHES, 16), generator=_gen)
SHAPES = {"w1": (12, 6), "b1": (12,), "w2": (3, 12), "b2": (3,), "sometimes": (5,), "frozen": (2,)}


def make_params(dtype: torch.dtype = torch.float64, seed: int = 0,
                device: str = "cpu") -> list[torch.Tensor]:
    """Return fresh leaf tensors [w1, b1, w2, b2, sometimes, frozen], the same for a given seed.

    `sometimes` gets a gradient only every third step and `frozen` never does, so the
    optimizers must skip parameters without `.grad` and keep per-parameter step counts.
    """
    g = torch.Generator().manual_seed(seed)
    return [
        (torch.randn(shape, generator=g, dtype=torch.float64) * 0.5).to(device, dtype)
        .requires_grad_()
        for shape in SHAPES.values()
    ]


def loss_at(params: list[torch.Tensor], t: int) -> torch.Tensor:
    """Return the cross-entropy loss of the small net on mini-batch t % 4 (plus a side term)."""
    w1, b1, w2, b2, sometimes, _frozen = params
    x, y = X[t % N_BATCHES].to(w1.device, w1.dtype), Y[t % N_BATCHES].to(w1.device)
    loss = F.cross_entropy(F.linear(F.relu(F.linear(x, w1, b1)), w2, b2), y)
    if t % 3 == 0:
        loss = loss + 0.1 * (sometimes - 1).pow(2).sum()
    return loss


def train(opt, params: list[torch.Tensor], steps: int, start: int = 0,
          lr_at: Callable[[int], float] | None = None) -> None:
    """Run `steps` optimizer steps from step number `start` (zero_grad, backward, step)."""
    for t in range(start, start + steps):
        if lr_at is not None:
            for group in opt.param_groups:
                group["lr"] = lr_at(t)
        opt.zero_grad()
        loss_at(params, t).backward()
        opt.step()


def max_diff(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    """Return the largest absolute difference between matching tensors of two lists."""
    pairs = zip(a, b, strict=True)
    return max((x.detach().double() - y.detach().double()).abs().max().item() for x, y in pairs)


def assert_same_state(ours, theirs, ours_params, their_params, tol: float) -> None:
    """Check our optimizer's per-parameter state against torch.optim's, key by key."""
    for p, q in zip(ours_params, their_params, strict=True):
        s, r = ours.state.get(p, {}), theirs.state.get(q, {})
        assert set(s) == {k for k, v in r.items() if v is not None}
        for key, value in s.items():
            if key == "step":
                assert value == int(r["step"])
            else:
                assert (value - r[key]).abs().max().item() <= tol, key


@pytest.fixture(scope="session")
def oracle():
    """Return the helpers above as one namespace (fixtures keep test modules import-free)."""
    import types

    return types.SimpleNamespace(make_params=make_params, loss_at=loss_at, train=train,
                                 max_diff=max_diff, assert_same_state=assert_same_state)
