"""`Conv2d`: a 2-D convolution as im2col (unfold) + our matmul, or torch's conv2d primitive.

The lecture-style path cuts every k x k patch of the (padded) input out with two strided
views, lays the patches out as the rows of a matrix, and multiplies by the filters: the
convolution becomes one matmul, the layer of the lecture again. The fast path calls the
tensor primitive `torch.conv2d` (the way `Linear` calls `addmm`); both give the same numbers.
"""

from __future__ import annotations

import torch

from groundup.errors import GroundupError, SettingError
from groundup.nn.init import init_weight
from groundup.nn.module import Module
from groundup.nn.parameter import Parameter


def check_int(param: str, value: object, least: int) -> int:
    """Return `value` if it is an int >= `least`; otherwise raise SettingError naming `param`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise SettingError(param, f"must be a whole number, got {value!r}")
    if value < least:
        raise SettingError(param, f"must be >= {least}, got {value}")
    return value


def check_window(x: torch.Tensor, k: int, padding: int, layer: str) -> None:
    """Return None if `x` is (bs, c, h, w) and a k x k window fits its padded h and w."""
    if x.dim() != 4:
        raise GroundupError(f"{layer} takes (batch, channels, height, width), "
                            f"got shape {tuple(x.shape)}")
    h, w = x.shape[2] + 2 * padding, x.shape[3] + 2 * padding
    if k > h or k > w:
        where = f"the padded input {h}x{w}" if padding else f"the input {h}x{w}"
        raise SettingError("k", f"{layer}'s kernel {k}x{k} is larger than {where}")


def pad2d(x: torch.Tensor, padding: int) -> torch.Tensor:
    """Return `x` with `padding` zeros added on every side of its last two dimensions."""
    if padding == 0:
        return x
    n, c, h, w = x.shape
    out = x.new_zeros(n, c, h + 2 * padding, w + 2 * padding)
    out[:, :, padding:padding + h, padding:padding + w] = x  # autograd routes the gradient back
    return out


def patches(x: torch.Tensor, k: int, stride: int) -> torch.Tensor:
    """Return the view (bs, c, out_h, out_w, k, k) of every k x k window of `x`, no copy."""
    return x.unfold(2, k, stride).unfold(3, k, stride)


def conv2d_im2col(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None,
                  stride: int = 1, padding: int = 0) -> torch.Tensor:
    """Return the convolution of `x` with `weight` (c_out, c_in, k, k), as unfold + matmul."""
    c_out, _, k, _ = weight.shape
    cols = patches(pad2d(x, padding), k, stride)  # (bs, c_in, oh, ow, k, k)
    bs, _, oh, ow = cols.shape[:4]
    rows = cols.permute(0, 2, 3, 1, 4, 5).reshape(bs * oh * ow, -1)  # one patch per row
    out = rows @ weight.reshape(c_out, -1).t()  # (bs*oh*ow, c_in*k*k) @ (c_in*k*k, c_out)
    if bias is not None:
        out = out + bias
    return out.reshape(bs, oh, ow, c_out).permute(0, 3, 1, 2)


class Conv2d(Module):
    """A 2-D convolution: c_out filters of shape (c_in, k, k), slid with `stride` over the input.

    The input is (bs, c_in, h, w), zero-padded by `padding` on every side; the output is
    (bs, c_out, (h + 2p - k) // stride + 1, ...). `im2col=True` computes it the lecture's way
    (`conv2d_im2col`: unfold + matmul); the default calls `torch.conv2d`. `init` is "kaiming"
    (N(0, 2/fan_in), fan_in = c_in*k*k) or "lecture", as for `Linear`.
    """

    def __init__(self, c_in: int, c_out: int, k: int, stride: int = 1, padding: int = 0,
                 bias: bool = True, im2col: bool = False, init: str = "kaiming",
                 device: str | torch.device | None = None,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        self.c_in, self.c_out = check_int("c_in", c_in, 1), check_int("c_out", c_out, 1)
        self.k, self.stride = check_int("k", k, 1), check_int("stride", stride, 1)
        self.padding, self.im2col, self.init = check_int("padding", padding, 0), im2col, init
        fan_in = c_in * k * k
        w = init_weight(init, fan_in, c_out, device=device, dtype=dtype).t()  # contiguous
        self.weight = Parameter(w.reshape(c_out, c_in, k, k))
        self.bias = Parameter(torch.zeros(c_out, device=device, dtype=dtype)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_window(x, self.k, self.padding, "Conv2d")
        if x.shape[1] != self.c_in:
            raise GroundupError(f"Conv2d expects {self.c_in} input channels, "
                                f"got {x.shape[1]} (input shape {tuple(x.shape)})")
        if self.im2col:
            return conv2d_im2col(x, self.weight, self.bias, self.stride, self.padding)
        return torch.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        parts = [f"{self.c_in} -> {self.c_out}", f"k={self.k}"]
        if self.stride != 1:
            parts.append(f"stride={self.stride}")
        if self.padding:
            parts.append(f"padding={self.padding}")
        if self.bias is None:
            parts.append("bias=False")
        if self.im2col:
            parts.append("im2col=True")
        if self.init != "kaiming":
            parts.append(f"init={self.init!r}")
        return ", ".join(parts)
