"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay.

Layer 1. The rule, for a parameter p with gradient g, exactly as `torch.optim.SGD` does it:

    g = g + weight_decay * p                      (if weight_decay != 0)
    b = g                       on the first step (if momentum != 0; no dampening yet)
    b = momentum * b + (1 - dampening) * g        afterwards
    g = g + momentum * b        if nesterov, else g = b
    p = p - lr * g

`sgd()` applies it to lists of tensors, by one of two paths that give the same numbers:
a plain loop over the tensors, and a multi-tensor path built from `torch._foreach_*` ops,
which runs each operation over the whole list in one call (one kernel launch per list on a
GPU). `SGD` is the small class around it that keeps the momentum buffers.
"""

from __future__ import annotations

from typing import Any

import torch

from groundup.errors import GroundupError
from groundup.optim.checks import check_flag, check_number
from groundup.optim.optimizer import Optimizer, ParamsArg

Tensors = list[torch.Tensor]


def sgd(
    params: Tensors,
    grads: Tensors,
    momentum_buffers: list[torch.Tensor | None],
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    foreach: bool = False,
) -> None:
    """Return None; update `params` in place by one SGD step.

    `momentum_buffers[i]` is None before parameter i's first step; it is replaced by the new
    buffer (when momentum != 0), so keep the list to pass in next time. Gradients are never
    modified.
    """
    update = _sgd_foreach if foreach else _sgd_plain
    update(params, grads, momentum_buffers, lr=lr, momentum=momentum, dampening=dampening,
           weight_decay=weight_decay, nesterov=nesterov)


def _sgd_plain(
    params: Tensors,
    grads: Tensors,
    bufs: list[torch.Tensor | None],
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
) -> None:
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if weight_decay != 0:
            g = g.add(p, alpha=weight_decay)
        if momentum != 0:
            b = bufs[i]
            if b is None:
                b = bufs[i] = g.detach().clone()
            elif dampening == 0:
                # b = g + momentum * b in one pass instead of mul_ then add_.
                torch.add(g, b, alpha=momentum, out=b)
            else:
                b.mul_(momentum).add_(g, alpha=1 - dampening)
            g = g.add(b, alpha=momentum) if nesterov else b
        p.add_(g, alpha=-lr)


def _sgd_foreach(
    params: Tensors,
    grads: Tensors,
    bufs: list[torch.Tensor | None],
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
) -> None:
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)
    if momentum != 0:
        if any(b is None for b in bufs):
            # First step for some parameter: its buffer starts as a copy of its gradient.
            for i, g in enumerate(grads):
                if bufs[i] is None:
                    bufs[i] = g.detach().clone()
                else:
                    bufs[i].mul_(momentum).add_(g, alpha=1 - dampening)
        else:
            torch._foreach_mul_(bufs, momentum)
            torch._foreach_add_(bufs, grads, alpha=1 - dampening)
        if nesterov:
            grads = torch._foreach_add(grads, bufs, alpha=momentum)
        else:
            grads = bufs
    torch._foreach_add_(params, grads, alpha=-lr)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay.

    Same arguments and the same numbers as `torch.optim.SGD`. `foreach=None` picks the
    faster path: the plain loop for CPU tensors (it fuses the momentum update into one
    pass), the multi-tensor path elsewhere.

    >>> w = torch.zeros(3, requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> (w - 1).pow(2).sum().backward(); opt.step(); w
    tensor([0.2000, 0.2000, 0.2000], requires_grad=True)
    """

    state_keys = ("momentum_buffer",)
    foreach_on_cpu = False

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        foreach: bool | None = None,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, foreach=foreach)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        check_number(self.name, "momentum", group["momentum"], low=0.0)
        check_number(self.name, "dampening", group["dampening"])
        check_number(self.name, "weight_decay", group["weight_decay"], low=0.0)
        check_flag(self.name, "nesterov", group["nesterov"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise GroundupError(
                f"{self.name}: nesterov=True needs momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _update_group(self, group: dict[str, Any], params: list[torch.Tensor]) -> None:
        momentum = group["momentum"]
        states = [self.state.get(p) for p in params]
        bufs = [s.get("momentum_buffer") if s else None for s in states]
        sgd(params, [p.grad for p in params], bufs, lr=group["lr"], momentum=momentum,
            dampening=group["dampening"], weight_decay=group["weight_decay"],
            nesterov=group["nesterov"], foreach=self._use_foreach(group, params))
        if momentum != 0:
            for p, s, b in zip(params, states, bufs, strict=True):
                if s is None:
                    s = self.state[p] = {}
                s["momentum_buffer"] = b
