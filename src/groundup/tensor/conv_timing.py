"""Time the convolution ladder side by side with `torch.conv2d`, within a time budget.

The same method as the matmul ladder (`groundup.tensor.timing`): each rung is first checked
equal to `torch.conv2d`; a rung whose Python loops would make one call slower than the
budget is not run in full, and its time is estimated from a slice of the problem (fewer
images, filters and output pixels) scaled by how many more Python steps the full one has.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial

import torch

from groundup.checks import check_memory, check_seed, whole_number
from groundup.errors import GroundupError, SettingError
from groundup.tensor.conv import CONV_LADDER, ConvRung, pad2d
from groundup.tensor.timing import MatmulTiming, Timed, _synchronizer, time_rungs

# Probe sizes for the sizes a rung loops over in Python: images, filters, output rows, columns.
_PROBE = {"n": 1, "o": 1, "h": 4, "w": 4}
_BIG = 2**31  # no size here is meant to be larger; check_memory stops far smaller products


def time_conv_ladder(
    shape: Sequence[int] = (64, 1, 28, 28),
    filters: int = 16,
    kernel: int = 5,
    *,
    stride: int = 1,
    padding: int = 0,
    rungs: Sequence[str] | None = None,
    budget: float = 2.0,
    dtype: torch.dtype = torch.float32,
    device: str | torch.device = "cpu",
    seed: int = 0,
    on_rung: Callable[[str], None] | None = None,
) -> list[MatmulTiming]:
    """Return one timing row per rung (`torch.conv2d` itself first) for conv2d(x, weight).

    x is `shape` (n, c_in, h, w) and weight (filters, c_in, kernel, kernel); the ratio column
    is each rung's time over torch.conv2d's. Raises SettingError naming the parameter for a
    bad size, a kernel that does not fit the padded image, or sizes past the memory limit.
    """
    n, c_in, h, w = _check_sizes(shape, filters, kernel, stride, padding)
    if not budget > 0:
        raise SettingError("budget", f"must be > 0 seconds, got {budget}")
    chosen = _select(rungs)
    seed = check_seed("seed", seed)
    size = torch.empty(0, dtype=dtype).element_size()
    _check_memory((n, c_in, h, w), filters, kernel, stride, padding, size, chosen)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c_in, h, w, generator=gen, dtype=dtype).to(device)
    weight = torch.randn(filters, c_in, kernel, kernel, generator=gen, dtype=dtype).to(device)
    bias = torch.randn(filters, generator=gen, dtype=dtype).to(device)
    sync = _synchronizer(x.device)
    expected = torch.conv2d(x, weight, bias, stride, padding)
    reference = partial(torch.conv2d, bias=bias, stride=stride, padding=padding)

    timed = []
    for rung in chosen:
        timed.append(Timed(rung.name, rung.how,
                           partial(rung.fn, bias=bias, stride=stride, padding=padding),
                           partial(_estimate, rung, x, weight, stride, padding, sync),
                           partial(_check_equal, rung, expected=expected)))
    return time_rungs("torch.conv2d", "the reference", reference, timed, x, weight, budget,
                      sync, on_rung)


def _check_sizes(shape: Sequence[int], filters: int, kernel: int, stride: int,
                 padding: int) -> tuple[int, int, int, int]:
    """Return (n, c_in, h, w) after checking every size; SettingError naming the bad one."""
    if isinstance(shape, (str, bytes)) or len(shape) != 4:
        raise SettingError("shape", f"must be four sizes (n, c_in, h, w), got {shape!r}")
    n, c_in, h, w = (whole_number("shape", s, 1, _BIG) for s in shape)
    whole_number("filters", filters, 1, _BIG)
    whole_number("kernel", kernel, 1, _BIG)
    whole_number("stride", stride, 1, _BIG)
    whole_number("padding", padding, 0, _BIG)
    if kernel > h + 2 * padding or kernel > w + 2 * padding:
        raise SettingError(
            "kernel", f"a {kernel}x{kernel} kernel does not fit a {h}x{w} image padded by "
            f"{padding} ({h + 2 * padding}x{w + 2 * padding})"
        )
    return n, c_in, h, w


def _check_memory(shape: tuple[int, int, int, int], filters: int, kernel: int, stride: int,
                  padding: int, size: int, rungs: Sequence[ConvRung]) -> None:
    """Raise a SettingError if the tensors or a rung's working memory would pass the limit,
    before anything is allocated."""
    n, c_in, h, w = shape
    hp, wp = h + 2 * padding, w + 2 * padding
    oh, ow = (hp - kernel) // stride + 1, (wp - kernel) // stride + 1
    images = size * n * c_in * (h * w + (hp * wp if padding else 0))  # x and a padded copy
    padded = f" and their copy padded by {padding}" if padding else ""
    check_memory("shape", images, f"{n} images of {c_in}x{h}x{w}{padded}")
    weights = size * filters * (c_in * kernel * kernel + 1)
    check_memory("filters", weights, f"{filters} filters of {c_in}x{kernel}x{kernel}")
    base = images + weights + 2 * size * n * filters * oh * ow  # expected and a rung's answer
    check_memory("shape", base, f"{n} images through {filters} filters")
    if any(rung.name == "unfold" for rung in rungs):
        cols = size * n * oh * ow * c_in * kernel * kernel
        check_memory("shape", base + cols, "the unfold rung's im2col matrix",
                     hint="leave the 'unfold' rung out")


def _select(names: Sequence[str] | None) -> list[ConvRung]:
    """Return the rungs called `names`, in that order (all of them for None)."""
    if names is None:
        return list(CONV_LADDER)
    by_name = {rung.name: rung for rung in CONV_LADDER}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise SettingError("rungs", f"unknown rung {unknown[0]!r}; known: {', '.join(by_name)}")
    return [by_name[name] for name in names]


def _estimate(rung: ConvRung, x: torch.Tensor, weight: torch.Tensor, stride: int, padding: int,
              sync: Callable[[], None]) -> float | None:
    """Return the estimated seconds per full call of a rung with Python loops (None if none).

    Times the rung on a slice — the padded images cropped to a few output pixels, one image
    and one filter where it loops over those — and scales by the number of Python steps.
    """
    if not rung.python_loops:
        return None
    k = weight.shape[-1]
    xp = pad2d(x, padding)
    full = {"n": x.shape[0], "o": weight.shape[0],
            "h": (xp.shape[2] - k) // stride + 1, "w": (xp.shape[3] - k) // stride + 1}
    part = {d: min(full[d], _PROBE[d]) if d in rung.python_loops else full[d] for d in full}
    x_part = xp[: part["n"], :, : (part["h"] - 1) * stride + k, : (part["w"] - 1) * stride + k]
    w_part = weight[: part["o"]]
    rung.fn(x_part, w_part, None, stride, 0)  # warm-up: first calls pay for lazy set-up
    sync()
    start = time.perf_counter()
    rung.fn(x_part, w_part, None, stride, 0)
    sync()
    seconds = time.perf_counter() - start
    for d in rung.python_loops:
        seconds *= full[d] / part[d]
    return seconds


def _check_equal(rung: ConvRung, got: torch.Tensor, expected: torch.Tensor) -> None:
    """Raise if a rung's answer differs from torch.conv2d's beyond float rounding."""
    tol = 1e-3 if expected.dtype in (torch.float16, torch.bfloat16, torch.float32) else 1e-9
    if got.shape != expected.shape or not torch.allclose(got, expected, rtol=tol, atol=tol):
        raise GroundupError(f"conv rung {rung.name!r} does not match torch.conv2d")
