"""Random shifts, rotations and scalings of a whole batch of images at once, on its device.

    from groundup.data import Augment, DataLoader
    dl = DataLoader(x, y, bs=512, seed=0, transform=Augment())   # every batch a new draw
    xb = Augment(shift=2, rotate=10, scale=(0.9, 1.1))(xb, torch.Generator().manual_seed(0))

Each image gets its own affine map, drawn from the generator it is given: a digit is drawn
`s` times as large about the image's centre, turned by `a` degrees, then moved by
(`dx`, `dy`) pixels, with `s` uniform in `scale`, `a` in [-rotate, rotate] and `dx`, `dy` in
[-shift, shift]. `warp` does the work with tensor ops alone, like torch's `affine_grid` +
`grid_sample` (bilinear, align_corners=False) but written out: every output pixel's
coordinates are mapped back into the source image and the four pixels around that point are
gathered and blended. Points outside the image read the background, `fill`.

MNIST is normalised, `(pixel - mean) / std`, so its background is not 0 but -mean/std
(about -0.42). The default `fill=None` therefore takes each image's own minimum, which is its
background whether or not the data was normalised; a number sets it explicitly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

import torch

from groundup.errors import SettingError


@dataclass(frozen=True)
class Augment:
    """A random affine transform per image: `aug(x, generator)` returns an augmented copy of x.

    shift: the most pixels an image moves along each axis (>= 0).
    rotate: the most degrees an image turns either way (0 .. 180).
    scale: (low, high), the range of the size factor (0 < low <= high).
    fill: the value of pixels that come from outside the image; None: each image's minimum.
    """

    shift: float = 2.0
    rotate: float = 10.0
    scale: tuple[float, float] = (0.9, 1.1)
    fill: float | None = None

    def __post_init__(self) -> None:
        # kept as the checked floats, so equal settings make equal (and equally shown) values
        object.__setattr__(self, "shift", _number("shift", self.shift, 0.0, None))
        object.__setattr__(self, "rotate", _number("rotate", self.rotate, 0.0, 180.0))
        scale = self.scale
        if not isinstance(scale, tuple | list) or len(scale) != 2:
            raise SettingError("scale", f"must be a pair (low, high), got {scale!r}")
        low, high = (_number("scale", s, 0.0, None) for s in scale)
        if not 0 < low <= high:
            raise SettingError("scale", f"must be a pair with 0 < low <= high, got {scale!r}")
        object.__setattr__(self, "scale", (low, high))
        if self.fill is not None:
            object.__setattr__(self, "fill", _number("fill", self.fill, None, None))

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Return a new tensor of x's shape: each image of the batch under its own random map.

        x: (bs, h*w) flat rows of square images (the DataLoader's layout) or (bs, 1, h, w),
        floating point. generator: a torch.Generator on x's device.
        """
        images = _as_images(x)
        if not isinstance(generator, torch.Generator) or generator.device.type != x.device.type:
            got = getattr(generator, "device", type(generator).__name__)
            raise SettingError("generator", f"must be a torch.Generator on {x.device}, got {got}")
        matrix = self.draw(len(x), generator, x.dtype)
        if self.fill is not None:
            fill: float | torch.Tensor = self.fill
        else:  # each image's background; an empty batch has none to take
            fill = images.flatten(1).amin(1) if len(x) else 0.0
        return warp(images, matrix, fill).reshape(x.shape)

    def draw(self, n: int, generator: torch.Generator, dtype: torch.dtype) -> torch.Tensor:
        """Return (n, 2, 3) matrices for `warp`: n maps drawn from the generator, on its device.

        The uniform numbers are drawn in float32 and then converted, so one seed gives the same
        maps in float32 and float64.
        """
        u = torch.rand(n, 4, generator=generator, device=generator.device).to(dtype) * 2 - 1
        angle = u[:, 0] * math.radians(self.rotate)
        low, high = self.scale
        inv = 1 / (low + (high - low) * (u[:, 1] + 1) / 2)
        shift = u[:, 2:] * self.shift  # (n, 2) pixels: dx, dy
        return inverse_maps(angle, inv, shift)


def inverse_maps(angle: torch.Tensor, inv_scale: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Return (n, 2, 3) `warp` matrices that scale by 1/inv_scale, turn by angle, then shift.

    The forward map of an image point q, in pixels about the centre, is
    p = R(angle) q / inv_scale + shift; `warp` needs its inverse,
    q = inv_scale R(-angle) (p - shift).
    """
    cos, sin = torch.cos(angle) * inv_scale, torch.sin(angle) * inv_scale
    linear = torch.stack([torch.stack([cos, sin], -1), torch.stack([-sin, cos], -1)], -2)
    # -(linear @ shift), written out: a matmul may run in TF32 on a GPU, off by 1e-3 pixel
    offset = -(linear * shift[:, None, :]).sum(-1, keepdim=True)  # (n, 2, 1)
    return torch.cat([linear, offset], -1)


# On a CPU a batch is warped in blocks of about this many bytes per (rows, h, w) temporary:
# then a block's dozen temporaries stay in the L2 cache and in malloc's reused heap. Whole
# (512, 784) batches at once took 4x longer, mostly page faults on fresh memory
# (benchmarks/bench_augment.py). A GPU takes the whole batch in one go.
BLOCK_BYTES = 2**18


def warp(images: torch.Tensor, matrix: torch.Tensor, fill: float | torch.Tensor) -> torch.Tensor:
    """Return (n, h, w) images resampled bilinearly through n affine maps; outside reads `fill`.

    images: (n, h, w) floating point. matrix: (n, 2, 3), mapping each output pixel (x, y),
    counted from the image centre ((w - 1) / 2, (h - 1) / 2) in pixels, to the source point
    matrix[:, :, :2] @ (x, y) + matrix[:, :, 2] in the same coordinates. fill: a number or an
    (n,) tensor, one background value per image. Equals torch's affine_grid + grid_sample
    (bilinear, align_corners=False) with the translation in pixels rather than half-sizes.
    """
    n, h, w = images.shape
    dtype, dev = images.dtype, images.device
    m = matrix.to(dtype)
    if isinstance(fill, torch.Tensor):
        fill = fill.to(dtype).expand(n)
    else:  # made on the device, not copied there: no host-device transfer per batch
        fill = torch.full((n,), fill, dtype=dtype, device=dev)
    out = torch.empty((n, h, w), dtype=dtype, device=dev)
    per_image = h * w * images.element_size()
    rows = max(1, n if dev.type != "cpu" else BLOCK_BYTES // per_image)
    for i in range(0, n, rows):
        block = slice(i, i + rows)
        _warp_block(images[block], m[block], fill[block], out[block])
    return out


def _warp_block(
    images: torch.Tensor, m: torch.Tensor, fill: torch.Tensor, out: torch.Tensor
) -> None:
    """Write into `out` (contiguous) what `warp` returns for these images, maps and fills."""
    n, h, w = images.shape
    dev = images.device
    # the image inside a border of fill, 1 pixel before and 2 after: every clamped point
    # below has its four neighbours in this frame, so no neighbour needs an in-bounds test
    hp, wp = h + 3, w + 3
    frame = fill[:, None, None].expand(n, hp, wp).clone()
    frame[:, 1 : h + 1, 1 : w + 1] = images
    xs = torch.arange(w, dtype=images.dtype, device=dev) - (w - 1) / 2
    ys = torch.arange(h, dtype=images.dtype, device=dev) - (h - 1) / 2
    # source x = m00 x + (m01 y + m02), a row term plus a column term: one (n, h, w) add
    src_x = (m[:, 0, :1] * xs)[:, None, :] + (m[:, 0, 1:2] * ys + m[:, 0, 2:])[:, :, None]
    src_y = (m[:, 1, :1] * xs)[:, None, :] + (m[:, 1, 1:2] * ys + m[:, 1, 2:])[:, :, None]
    # to frame pixels; beyond [-1, w] both neighbours along that axis are already fill.
    # In place wherever it can be: fewer temporaries, less memory traffic
    src_x = src_x.add_((w - 1) / 2 + 1).clamp_(0, w + 1).view(n, h * w)
    src_y = src_y.add_((h - 1) / 2 + 1).clamp_(0, h + 1).view(n, h * w)
    corner, x0 = src_y.floor(), src_x.floor()
    fy, fx = src_y.sub_(corner), src_x.sub_(x0)
    # frame index of each point's top-left neighbour (whole numbers, exact in float32 for
    # frames of up to 2**24 pixels)
    corner = corner.mul_(wp).add_(x0)
    size = hp * wp  # one frame; the index counts through all n of them
    itype = torch.int32 if n * size < 2**31 else torch.int64
    starts = torch.arange(0, n * size, size, dtype=itype, device=dev)[:, None]
    corner = corner.to(itype).add_(starts)
    # the other three neighbours are the same index into the frames shifted by 1, wp, wp + 1
    flat, at = frame.view(-1), corner.view(-1)
    v00, v01, v10, v11 = (flat[k:].index_select(0, at).view(n, h * w) for k in (0, 1, wp, wp + 1))
    top, bottom = v00.lerp_(v01, fx), v10.lerp_(v11, fx)
    torch.lerp(top, bottom, fy, out=out.view(n, h * w))


def _as_images(x: Any) -> torch.Tensor:
    """Return x as (n, h, w) square images (a view): x is (n, h*w) or (n, 1, h, w)."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        got = x.dtype if isinstance(x, torch.Tensor) else type(x).__name__
        raise SettingError("x", f"must be a floating-point tensor, got {got}")
    if x.ndim == 4 and x.shape[1] == 1:
        return x[:, 0]
    side = math.isqrt(x.shape[1]) if x.ndim == 2 else 0
    if x.ndim != 2 or side * side != x.shape[1] or side == 0:
        raise SettingError(
            "x", f"must be (n, h*w) rows of square images or (n, 1, h, w), got {tuple(x.shape)}"
        )
    return x.reshape(len(x), side, side)


def _number(name: str, value: Any, low: float | None, high: float | None) -> float:
    """Return value as a float after checking it is a finite real in [low, high]."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (low is not None and value < low) or (high is not None and value > high):
        span = "" if low is None else f" >= {low:g}" if high is None else f" in [{low:g}, {high:g}]"
        raise SettingError(name, f"must be a finite number{span}, got {value!r}")
    return float(value)
