"""Adam, and AdamW (Adam with decoupled weight decay), optionally with AMSGrad.

Layer 1. The rule, for a parameter p with gradient g at step t = 1, 2, ..., as `torch.optim.Adam`
and `torch.optim.AdamW` do it:

    p = p * (1 - lr * weight_decay)               (decoupled: AdamW)
    g = g + weight_decay * p                      (coupled: classic Adam's L2 penalty)
    m = beta1 * m + (1 - beta1) * g               running mean of the gradient
    v = beta2 * v + (1 - beta2) * g * g           running mean of its square
    v_max = max(v_max, v); use v_max for v        (amsgrad)
    p = p - lr / (1 - beta1^t) * m / (sqrt(v / (1 - beta2^t)) + eps)

m and v start at zero, so early on they underestimate; dividing by 1 - beta^t undoes that.
We compute the last line in the equivalent form

    p = p - [lr * sqrt(1 - beta2^t) / (1 - beta1^t)] * m / (sqrt(v) + eps * sqrt(1 - beta2^t))

which moves the bias corrections onto two scalars and saves one pass over every tensor
(it agrees with PyTorch's form to rounding: ~1e-16 relative in float64).

`adam()` applies the rule to lists of tensors, by a plain per-tensor loop or by the
multi-tensor `torch._foreach_*` path; `Adam` and `AdamW` are the small classes around it
that keep m, v and the step count per parameter.
"""

from __future__ import annotations

from typing import Any

import torch

from groundup.errors import SettingError
from groundup.optim.checks import check_flag, check_number
from groundup.optim.optimizer import Optimizer, ParamsArg

Tensors = list[torch.Tensor]


def adam(
    params: Tensors,
    grads: Tensors,
    exp_avgs: Tensors,
    exp_avg_sqs: Tensors,
    max_exp_avg_sqs: Tensors,
    steps: list[int],
    *,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    decoupled: bool = False,
    amsgrad: bool = False,
    foreach: bool = False,
) -> None:
    """Return None; update `params`, `exp_avgs` (m), `exp_avg_sqs` (v) in place by one Adam step.

    `steps[i]` is parameter i's step number t counting this one (1 on its first step).
    `max_exp_avg_sqs` is used only with `amsgrad` (pass [] otherwise). Gradients are never
    modified.
    """
    update = _adam_foreach if foreach else _adam_plain
    update(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr=lr, beta1=beta1,
           beta2=beta2, eps=eps, weight_decay=weight_decay, decoupled=decoupled, amsgrad=amsgrad)


def _bias_scalars(t: int, lr: float, beta1: float, beta2: float, eps: float) -> tuple[float, float]:
    """Return (-step size, eps') for step t of the rewritten update (see the module docstring)."""
    bc2_sqrt = (1 - beta2**t) ** 0.5
    return -lr * bc2_sqrt / (1 - beta1**t), eps * bc2_sqrt


def _adam_plain(
    params: Tensors,
    grads: Tensors,
    exp_avgs: Tensors,
    exp_avg_sqs: Tensors,
    max_exp_avg_sqs: Tensors,
    steps: list[int],
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    decoupled: bool,
    amsgrad: bool,
) -> None:
    for i, (p, g, m, v) in enumerate(zip(params, grads, exp_avgs, exp_avg_sqs, strict=True)):
        if weight_decay != 0:
            if decoupled:
                p.mul_(1 - lr * weight_decay)
            else:
                g = g.add(p, alpha=weight_decay)
        m.lerp_(g, 1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        if amsgrad:
            v = torch.maximum(max_exp_avg_sqs[i], v, out=max_exp_avg_sqs[i])
        neg_step_size, eps_hat = _bias_scalars(steps[i], lr, beta1, beta2, eps)
        p.addcdiv_(m, v.sqrt().add_(eps_hat), value=neg_step_size)


def _adam_foreach(
    params: Tensors,
    grads: Tensors,
    exp_avgs: Tensors,
    exp_avg_sqs: Tensors,
    max_exp_avg_sqs: Tensors,
    steps: list[int],
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    decoupled: bool,
    amsgrad: bool,
) -> None:
    if weight_decay != 0:
        if decoupled:
            torch._foreach_mul_(params, 1 - lr * weight_decay)
        else:
            grads = torch._foreach_add(grads, params, alpha=weight_decay)
    torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
    torch._foreach_mul_(exp_avg_sqs, beta2)
    torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
    if amsgrad:
        torch._foreach_maximum_(max_exp_avg_sqs, exp_avg_sqs)
    denom = torch._foreach_sqrt(max_exp_avg_sqs if amsgrad else exp_avg_sqs)
    if steps.count(steps[0]) == len(steps):
        # The usual case: every parameter is on the same step, so one scalar serves them all.
        neg_step_size, eps_hat = _bias_scalars(steps[0], lr, beta1, beta2, eps)
        torch._foreach_add_(denom, eps_hat)
        torch._foreach_addcdiv_(params, exp_avgs, denom, neg_step_size)
    else:
        scalars = [_bias_scalars(t, lr, beta1, beta2, eps) for t in steps]
        torch._foreach_add_(denom, [eps_hat for _, eps_hat in scalars])
        torch._foreach_addcdiv_(params, exp_avgs, denom, [size for size, _ in scalars])


class Adam(Optimizer):
    """Adam; with `decoupled=True` it is AdamW (weight decay applied to p, not added to g).

    Same numbers as `torch.optim.Adam` (and `torch.optim.AdamW` when decoupled). `foreach=None`
    takes the multi-tensor path, which measured fastest on CPU and GPU alike.

    >>> w = torch.zeros(3, requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> (w - 1).pow(2).sum().backward(); opt.step(); w
    tensor([0.1000, 0.1000, 0.1000], requires_grad=True)
    """

    state_keys = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    foreach_on_cpu = True

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled=decoupled, amsgrad=amsgrad, foreach=foreach)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        betas = group["betas"]
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise SettingError(
                "betas", f"must be a pair (beta1, beta2) for {self.name}, got {betas!r}"
            )
        for name, b in zip(("beta1", "beta2"), betas, strict=True):
            check_number(self.name, name, b, low=0.0, high=1.0, high_open=True)
        group["betas"] = tuple(betas)  # a state dict that went through JSON brings a list
        check_number(self.name, "eps", group["eps"], low=0.0)
        check_number(self.name, "weight_decay", group["weight_decay"], low=0.0)
        check_flag(self.name, "decoupled", group["decoupled"])
        check_flag(self.name, "amsgrad", group["amsgrad"])

    def _update_group(self, group: dict[str, Any], params: list[torch.Tensor]) -> None:
        amsgrad = group["amsgrad"]
        grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps = [], [], [], [], []
        for p in params:
            s = self.state.get(p)
            if s is None:
                s = self.state[p] = {
                    "step": 0,
                    "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                    "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format),
                }
            if amsgrad and "max_exp_avg_sq" not in s:
                s["max_exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            s["step"] += 1
            grads.append(p.grad)
            exp_avgs.append(s["exp_avg"])
            exp_avg_sqs.append(s["exp_avg_sq"])
            if amsgrad:
                max_exp_avg_sqs.append(s["max_exp_avg_sq"])
            steps.append(s["step"])
        beta1, beta2 = group["betas"]
        adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr=group["lr"],
             beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
             decoupled=group["decoupled"], amsgrad=amsgrad,
             foreach=self._use_foreach(group, params))


class AdamW(Adam):
    """AdamW: `Adam(decoupled=True)` with `torch.optim.AdamW`'s default weight_decay of 0.01."""

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         decoupled=True, amsgrad=amsgrad, foreach=foreach)
