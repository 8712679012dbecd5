"""The convolution ladder: the same 2-d convolution written four ways, each a rung faster.

Every function has the signature `(x, weight, bias=None, stride=1, padding=0)` of
`torch.conv2d`, for x (n, c_in, h, w) and weight (c_out, c_in, k, k), and returns the same
(n, c_out, oh, ow) tensor, with oh = (h + 2 * padding - k) // stride + 1 (ow likewise).
Autograd differentiates through all of them.

Each output pixel is one dot product: the k x k patch of every input channel under the
filter, times the filter, summed. The rungs move the loops over pixels out of Python: first
a loop over every (image, filter, pixel), then one over pixels only (images and filters
broadcast), then none at all — unfold (im2col) lays every patch out as a row of one matrix,
and the convolution becomes a single matmul. `torch.conv2d` is the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from groundup.errors import GroundupError

ConvFn = Callable[..., torch.Tensor]


def conv_loops(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
               stride: int = 1, padding: int = 0) -> torch.Tensor:
    """Return conv2d(x, weight) by four Python loops: image, filter, output row, output column.

    Each output element is `(patch * filter).sum()` over c_in, k, k: n*c_out*oh*ow steps.
    """
    n, c_out, oh, ow, k = conv_shape(x, weight, stride, padding)
    xp = pad2d(x, padding)
    rows = []
    for b in range(n):
        maps = []
        for o in range(c_out):
            pixels = [
                (xp[b, :, i * stride : i * stride + k, j * stride : j * stride + k]
                 * weight[o]).sum()
                for i in range(oh)
                for j in range(ow)
            ]
            maps.append(torch.stack(pixels).reshape(oh, ow))
        rows.append(torch.stack(maps))
    out = torch.stack(rows) if rows else xp.new_zeros(0, c_out, oh, ow)
    return _add_bias(out, bias)


def conv_pixels(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                stride: int = 1, padding: int = 0) -> torch.Tensor:
    """Return conv2d(x, weight) by two Python loops over output pixels only.

    Each pixel's patches, (n, 1, c_in, k, k), broadcast against all filters,
    (1, c_out, c_in, k, k), and are summed over c_in, k, k: every image and filter at once.
    """
    n, c_out, oh, ow, k = conv_shape(x, weight, stride, padding)
    xp = pad2d(x, padding)
    out = xp.new_zeros(n, c_out, oh, ow)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, None, :, i * stride : i * stride + k, j * stride : j * stride + k]
            out[:, :, i, j] = (patch * weight[None]).sum(dim=(2, 3, 4))
    return _add_bias(out, bias)


def conv_unfold(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                stride: int = 1, padding: int = 0) -> torch.Tensor:
    """Return conv2d(x, weight) as unfold (im2col) then one matmul, with no Python loop.

    `Tensor.unfold` twice gives a strided view (n, c_in, oh, ow, k, k) of every patch without
    copying; reshaped to (n*oh*ow, c_in*k*k) it is the im2col matrix, and times the filters
    as a (c_in*k*k, c_out) matrix it gives every output pixel of every filter.
    """
    n, c_out, oh, ow, k = conv_shape(x, weight, stride, padding)
    size = x.shape[1] * k * k  # one patch: c_in x k x k
    patches = pad2d(x, padding).unfold(2, k, stride).unfold(3, k, stride)
    cols = patches.permute(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, size)  # copies: im2col
    out = cols @ weight.reshape(c_out, size).T  # (n*oh*ow, c_out)
    return _add_bias(out.reshape(n, oh, ow, c_out).permute(0, 3, 1, 2), bias)


def conv_torch(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
               stride: int = 1, padding: int = 0) -> torch.Tensor:
    """Return torch.conv2d(x, weight, bias, stride, padding), after the same shape checks."""
    conv_shape(x, weight, stride, padding)
    return torch.conv2d(x, weight, bias, stride, padding)


def conv_shape(x: torch.Tensor, weight: torch.Tensor, stride: int,
               padding: int) -> tuple[int, int, int, int, int]:
    """Return (n, c_out, oh, ow, k) for conv2d(x, weight); GroundupError if they do not fit."""
    if x.ndim != 4 or weight.ndim != 4:
        raise GroundupError(
            f"conv2d: expected x (n, c_in, h, w) and weight (c_out, c_in, k, k), got shapes "
            f"{tuple(x.shape)} and {tuple(weight.shape)}"
        )
    (n, c_in, h, w), (c_out, c_in2, k, k2) = x.shape, weight.shape
    if c_in != c_in2 or k != k2:
        raise GroundupError(
            f"conv2d: weight {tuple(weight.shape)} must be (c_out, {c_in}, k, k) for x "
            f"{tuple(x.shape)}"
        )
    if stride < 1 or padding < 0 or min(k, c_in, c_out) < 1:
        raise GroundupError(
            f"conv2d: need stride >= 1, padding >= 0 and k, c_in, c_out >= 1; got "
            f"stride={stride}, padding={padding}, k={k}, c_in={c_in}, c_out={c_out}"
        )
    if k > h + 2 * padding or k > w + 2 * padding:
        raise GroundupError(f"conv2d: a {k}x{k} kernel does not fit a {h}x{w} image padded "
                            f"by {padding}")
    return n, c_out, (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1, k


def pad2d(x: torch.Tensor, padding: int) -> torch.Tensor:
    """Return x (n, c, h, w) with `padding` zeros around each image: (n, c, h+2p, w+2p)."""
    if padding == 0:
        return x
    n, c, h, w = x.shape
    xp = x.new_zeros(n, c, h + 2 * padding, w + 2 * padding)
    xp[:, :, padding : padding + h, padding : padding + w] = x
    return xp


def _add_bias(out: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """Return out (n, c_out, oh, ow) plus one bias per filter, if there is a bias."""
    return out if bias is None else out + bias[:, None, None]


@dataclass(frozen=True)
class ConvRung:
    """One rung of the convolution ladder: a name, the function, how it works, its loops."""

    name: str
    fn: ConvFn
    how: str
    python_loops: str  # which of n, o (c_out), h (oh), w (ow) Python loops over ("nohw" ... "")

    def __repr__(self) -> str:
        return f"ConvRung({self.name!r}, {self.fn.__name__}, python_loops={self.python_loops!r})"


#: The ladder, slowest first.
CONV_LADDER: tuple[ConvRung, ...] = (
    ConvRung("loops", conv_loops, "loop over image, filter, pixel: (patch * filter).sum()",
             "nohw"),
    ConvRung("pixels", conv_pixels, "loop over pixels; images and filters broadcast", "hw"),
    ConvRung("unfold", conv_unfold, "unfold (im2col), then one matmul", ""),
    ConvRung("conv2d", conv_torch, "torch.conv2d: PyTorch's own kernel", ""),
)
