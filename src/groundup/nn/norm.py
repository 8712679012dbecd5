"""`BatchNorm1d` and `BatchNorm2d`: each channel scaled to mean 0, variance 1, then affine.

In training the statistics are the batch's own, and running averages of them are kept
(`running = (1 - momentum) * running + momentum * batch`, the variance unbiased, as torch
does); in evaluation the running averages are used, so one picture's output does not
depend on the rest of its batch. The running averages are buffers: they are in `state_dict`.
"""

from __future__ import annotations

import torch

from groundup.errors import GroundupError, SettingError
from groundup.nn.conv import check_int
from groundup.nn.module import Module
from groundup.nn.parameter import Parameter


class _BatchNorm(Module):
    """Shared by both: `n` channels in dimension 1, statistics over every other dimension."""

    name = "BatchNorm"
    dims: tuple[int, ...] = (2,)  # the input ranks this layer takes

    def __init__(self, n: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True,
                 device: str | torch.device | None = None,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        self.n = check_int("n", n, 1)
        if not eps > 0:
            raise SettingError("eps", f"must be > 0, got {eps!r}")
        if not 0 <= momentum <= 1:
            raise SettingError("momentum", f"must be between 0 and 1, got {momentum!r}")
        self.eps, self.momentum = float(eps), float(momentum)
        kw = {"device": device, "dtype": dtype}
        self.weight = Parameter(torch.ones(n, **kw)) if affine else None
        self.bias = Parameter(torch.zeros(n, **kw)) if affine else None
        self.register_buffer("running_mean", torch.zeros(n, **kw))
        self.register_buffer("running_var", torch.ones(n, **kw))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long,
                                                                 device=device))

    def check(self, x: torch.Tensor) -> tuple[int, ...]:
        """Return the dimensions to average over, after checking the shape of `x`."""
        if x.dim() not in self.dims or x.shape[1] != self.n:
            ranks = " or ".join(f"{d}-D" for d in self.dims)
            raise GroundupError(f"{self.name} expects a {ranks} input with {self.n} channels "
                                f"in dimension 1, got shape {tuple(x.shape)}")
        reduce = (0, *range(2, x.dim()))
        if self.training and x.numel() // self.n < 2:
            raise GroundupError(f"{self.name} needs more than one value per channel to train, "
                                f"got shape {tuple(x.shape)}")
        return reduce

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        reduce = self.check(x)
        shape = (1, self.n) + (1,) * (x.dim() - 2)  # broadcasts a per-channel vector
        if self.training:
            mean = x.mean(dim=reduce)
            var = x.var(dim=reduce, unbiased=False)
            self.track(mean, var, x.numel() // self.n)
        else:
            mean, var = self.running_mean, self.running_var
        out = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + self.eps)
        if self.weight is not None:
            out = out * self.weight.reshape(shape) + self.bias.reshape(shape)
        return out

    def track(self, mean: torch.Tensor, var: torch.Tensor, count: int) -> None:
        """Fold one batch's mean and (biased) variance into the running averages."""
        with torch.no_grad():
            m = self.momentum
            self.running_mean.mul_(1 - m).add_(mean, alpha=m)
            self.running_var.mul_(1 - m).add_(var * (count / (count - 1)), alpha=m)
            self.num_batches_tracked.add_(1)

    def extra_repr(self) -> str:
        parts = [str(self.n)]
        if self.eps != 1e-5:
            parts.append(f"eps={self.eps}")
        if self.momentum != 0.1:
            parts.append(f"momentum={self.momentum}")
        if self.weight is None:
            parts.append("affine=False")
        return ", ".join(parts)


class BatchNorm1d(_BatchNorm):
    """Normalises (bs, n) or (bs, n, length) inputs: one mean and variance per feature n."""

    name = "BatchNorm1d"
    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Normalises (bs, c, h, w) inputs: one mean and variance per channel, over bs, h and w."""

    name = "BatchNorm2d"
    dims = (4,)
