"""lecture_loop: one epoch of predict, loss, backward, step, zero_grad, checked against torch."""

from __future__ import annotations

import torch

from groundup.data import DataLoader
from groundup.ladder import lecture_loop
from groundup.nn import Linear
from groundup.nn.functional import cross_entropy


def test_loop_matches_torch_sgd_step_by_step() -> None:
    torch.manual_seed(0)
    x, y = torch.randn(40, 5, dtype=torch.float64), torch.randint(0, 3, (40,))
    model = Linear(5, 3, dtype=torch.float64)
    w, b = model.weight.detach().clone(), model.bias.detach().clone()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = lecture_loop(model, cross_entropy, opt, DataLoader(x, y, bs=16, shuffle=False))
    assert steps == 3
    # the oracle: the same updates written with plain tensors and torch's own loss
    w.requires_grad_(), b.requires_grad_()
    for i in range(0, 40, 16):
        loss = torch.nn.functional.cross_entropy(x[i : i + 16] @ w + b, y[i : i + 16])
        gw, gb = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w -= 0.1 * gw
            b -= 0.1 * gb
    torch.testing.assert_close(model.weight.detach(), w.detach())
    torch.testing.assert_close(model.bias.detach(), b.detach())
    assert model.weight.grad is None  # zero_grad ran after the last step


def test_report_every_n_steps() -> None:
    x, y = torch.randn(100, 4), torch.randint(0, 2, (100,))
    model = Linear(4, 2)
    seen = []
    lecture_loop(
        model, cross_entropy, torch.optim.SGD(model.parameters(), lr=0.1),
        DataLoader(x, y, bs=10, seed=0), every=3, report=lambda step, loss: seen.append(step),
    )  # fmt: skip
    assert seen == [3, 6, 9]
    seen.clear()
    lecture_loop(model, cross_entropy, torch.optim.SGD(model.parameters(), lr=0.1),
                 DataLoader(x, y, bs=10), every=0, report=lambda s, l: seen.append(s))  # fmt: skip
    assert seen == []
