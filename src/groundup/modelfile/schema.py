"""The schema of a model file's metadata: JSON depth, types, ranges, and the tensors they imply.

Layer 0, torch-free. Everything here works on the parsed metadata and on the safetensors
header (each tensor's dtype and shape, known before a byte of data is read), so a file is
judged before anything is allocated or built. Each check raises `ModelFileError` with one
line naming the file (`where`).

A small typed schema of our own rather than pydantic: the checks that matter are across
fields and across the file (a model's layer sizes against the header's tensor shapes,
checkpoint markers against the tensors they name), which would be custom validators in
pydantic anyway; the per-field checks are a dozen lines; and the errors must be one line in
our words. pydantic is no dependency of ours (typer brings it, for the CLI), and defining
pydantic models costs ~0.1 s at import, a fifth of `groundup predict` on 100 pictures.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from typing import Any

from groundup.errors import ModelFileError

FORMAT = "groundup-1"
# The architectures and activations a file may name. MODELS is the one list of model names
# (groundup.models.spec takes it from here); groundup.nn.ACTIVATIONS and
# groundup.predictor.ACTIVATIONS are held to ACTIVATIONS by a test (this layer may not
# import them).
MODELS = ("logreg", "mlp", "cnn")
ACTIVATIONS = ("relu", "leaky_relu", "elu", "sigmoid", "tanh", "sin")
MAX_DEPTH = 32  # JSON nesting; groundup writes 5
MAX_UNITS = 2**24  # one layer's width, n_in or n_out
MAX_LAYERS = 64  # hidden layers
MAX_PARAMS = 2**28  # parameters of a whole model (1 GiB of float32)
MAX_RANK = 8  # dimensions of one tensor
ARCH_FIELDS = ("model", "hidden", "act", "n_in", "n_out")  # the metadata keys of an `Arch`
# a cnn also states "channels", and "pool" (absent: "max"), how each conv block halves the image:
#   max:    Conv2d(k=CNN_KERNEL, padding=CNN_KERNEL // 2) (the image keeps its size), the
#           activation, MaxPool2d(2) (halves it, rounding down)
#   stride: Conv2d(k=CNN_KERNEL, stride=2, padding=CNN_KERNEL // 2) (halves it, rounding up),
#           the activation: a quarter of the arithmetic, as the conv skips every other pixel
CNN_KERNEL = 5
POOLS = ("max", "stride")

Header = dict[str, tuple[str, tuple[int, ...]]]  # tensor name -> (dtype, shape)


def show(value: Any, limit: int = 60) -> str:
    """Return repr(value), cut to `limit` characters: one safe line for any hostile value."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def whole(value: Any, low: int = 0, high: int | None = None) -> bool:
    """Return True if `value` is an int (not a bool) in [low, high]."""
    return (isinstance(value, int) and not isinstance(value, bool) and value >= low
            and (high is None or value <= high))


def finite(value: Any) -> bool:
    """Return True if `value` is a finite real number (not a bool)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def parse_meta(text: str, where: str) -> Any:
    """Return the parsed metadata JSON; bad or too deeply nested JSON is a ModelFileError."""
    try:
        meta = json.loads(text)
    except RecursionError:  # the C parser stops at Python's recursion limit, cleanly
        meta = None
        depth = MAX_DEPTH + 1
    except ValueError:  # JSONDecodeError, or an integer of more than 4300 digits
        raise ModelFileError(f"{where}: its groundup metadata is not valid JSON") from None
    else:
        depth = json_depth(meta)
    if depth > MAX_DEPTH:
        raise ModelFileError(
            f"{where}: its groundup metadata is nested more than {MAX_DEPTH} levels deep"
        )
    return meta


def json_depth(value: Any) -> int:
    """Return how deeply lists and dicts nest in `value` (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, depth = stack.pop()
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        stack.extend((c, depth + 1) for c in children)
    return deepest


def check_header(meta: Any, header: Header, where: str) -> dict:
    """Return `meta` if it is groundup metadata whose "tensors" are the file's own."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        fmt = meta.get("format") if isinstance(meta, dict) else None
        raise ModelFileError(f"{where}: unknown format {show(fmt)}, expected {FORMAT}")
    declared = meta.get("tensors")
    if not isinstance(declared, dict) or not all(
        isinstance(shape, list) and len(shape) <= MAX_RANK and all(whole(n) for n in shape)
        for shape in declared.values()
    ):
        raise ModelFileError(
            f"{where}: metadata 'tensors' must map each tensor's name to its shape, "
            f"got {show(declared)}"
        )
    for name in sorted(set(declared) | set(header)):
        ours = tuple(declared[name]) if name in declared else None
        theirs = header[name][1] if name in header else None
        if ours != theirs:
            raise ModelFileError(
                f"{where}: tensors do not match the metadata: {show(name)} is "
                f"{_shape(theirs)} in the file, {_shape(ours)} in the metadata"
            )
    return meta


def _shape(shape: tuple[int, ...] | None) -> str:
    return "absent" if shape is None else str(list(shape))


@dataclass(frozen=True)
class Arch:
    """A model's architecture as its metadata states it: enough to know every tensor."""

    model: str
    hidden: tuple[int, ...]
    act: str
    n_in: int
    n_out: int
    channels: tuple[int, ...] = ()  # a cnn's conv widths
    pool: str = "max"  # how a cnn's blocks halve the image (POOLS)

    @classmethod
    def from_meta(cls, meta: dict, where: str) -> Arch:
        """Return the checked architecture of `meta`; any bad value is a ModelFileError."""
        missing = [k for k in ARCH_FIELDS if k not in meta]
        if missing or meta["model"] not in MODELS:
            problem = f"it lacks {show(missing[0])}" if missing else f"model {show(meta['model'])}"
            raise ModelFileError(
                f"{where}: metadata does not describe a known model ({problem}; "
                f"groundup knows {', '.join(MODELS)})"
            )
        hidden = meta["hidden"]
        if not (isinstance(hidden, list) and len(hidden) <= MAX_LAYERS
                and all(whole(n, 1, MAX_UNITS) for n in hidden)
                and (hidden or meta["model"] != "mlp")):
            raise ModelFileError(
                f"{where}: metadata 'hidden' must be a list of at most {MAX_LAYERS} layer "
                f"sizes from 1 to {MAX_UNITS}, got {show(hidden)}"
            )
        if not isinstance(meta["act"], str) or meta["act"] not in ACTIVATIONS:
            raise ModelFileError(
                f"{where}: metadata 'act' must be one of {', '.join(ACTIVATIONS)}, "
                f"got {show(meta['act'])}"
            )
        for key in ("n_in", "n_out"):
            if not whole(meta[key], 1, MAX_UNITS):
                raise ModelFileError(
                    f"{where}: metadata {key!r} must be a whole number from 1 to {MAX_UNITS}, "
                    f"got {show(meta[key])}"
                )
        channels, pool = _channels_of(meta, where), meta.get("pool", "max")
        if meta["model"] == "cnn" and pool not in POOLS:
            raise ModelFileError(
                f"{where}: metadata 'pool' must be one of {', '.join(POOLS)}, got {show(pool)}"
            )
        arch = cls(meta["model"], tuple(hidden), meta["act"], meta["n_in"], meta["n_out"],
                   channels, pool if meta["model"] == "cnn" else "max")
        if arch.model == "cnn" and arch.cnn_problem():
            raise ModelFileError(f"{where}: metadata describes no cnn: {arch.cnn_problem()}")
        if arch.n_params() > MAX_PARAMS:
            raise ModelFileError(
                f"{where}: metadata describes {arch} of {arch.n_params():,} parameters, "
                f"more than groundup reads ({MAX_PARAMS:,})"
            )
        return arch

    def cnn_problem(self) -> str:
        """Return what keeps the cnn's image from passing its pools ('' if nothing does)."""
        side = math.isqrt(self.n_in)
        if side * side != self.n_in:
            return f"n_in {self.n_in} is not a square image"
        if not self.channels:
            return "it has no conv layers ('channels' is empty)"
        for i in range(len(self.channels)):
            if side < 2:
                return (f"{len(self.channels)} conv blocks are too many for a "
                        f"{math.isqrt(self.n_in)}x{math.isqrt(self.n_in)} image "
                        f"(at most {i}: each halves it)")
            side = self.halve(side)
        return ""

    def halve(self, side: int) -> int:
        """Return the image side after one cnn block: a 2x2 max-pool rounds down, a stride-2
        conv padded by k // 2 rounds up."""
        return side // 2 if self.pool == "max" else (side + 1) // 2

    def cnn_sides(self) -> list[int]:
        """Return the side of each cnn block's output image, in order (a square image)."""
        sides, side = [], math.isqrt(self.n_in)
        for _ in self.channels:
            side = self.halve(side)
            sides.append(side)
        return sides

    @property
    def block(self) -> int:
        """Return the layers per cnn block: conv, act (and the max-pool)."""
        return 3 if self.pool == "max" else 2

    def sizes(self) -> list[int]:
        """Return the widths of the Linear layers from input to output: [n_in, *hidden, n_out]
        (logreg: no hidden; cnn: the last conv block's flattened output, then n_out)."""
        if self.model == "cnn":
            side = self.cnn_sides()[-1]
            return [self.channels[-1] * side * side, self.n_out]
        return [self.n_in, *(self.hidden if self.model == "mlp" else ()), self.n_out]

    def conv_names(self, prefix: str = "") -> list[tuple[str, str]]:
        """Return (weight, bias) tensor names of each Conv2d of a cnn (none for the others):
        Sequential(reshape, then per block conv, act, [pool,] ...): convs at 1, 4, 7, ... with
        max-pools, at 1, 3, 5, ... with strides."""
        n = len(self.channels) if self.model == "cnn" else 0
        return [(f"{prefix}{1 + self.block * i}.weight", f"{prefix}{1 + self.block * i}.bias")
                for i in range(n)]

    def linear_names(self, prefix: str = "") -> list[tuple[str, str]]:
        """Return (weight, bias) tensor names of each Linear, in order (Sequential indices)."""
        if self.model == "cnn":  # after the conv blocks and the Flatten
            i = self.block * len(self.channels) + 2
            return [(f"{prefix}{i}.weight", f"{prefix}{i}.bias")]
        n = len(self.sizes()) - 1  # Linear, act, Linear, ..., LogSoftmax: Linears at 0, 2, ...
        return [(f"{prefix}{2 * i}.weight", f"{prefix}{2 * i}.bias") for i in range(n)]

    def tensor_shapes(self, prefix: str = "") -> dict[str, tuple[int, ...]]:
        """Return {tensor name: shape} of the model's state dict; Linear weights are
        (n_in, n_out), Conv2d weights (c_out, c_in, k, k)."""
        sizes = self.sizes()
        shapes: dict[str, tuple[int, ...]] = {}
        c_ins = (1, *self.channels)  # a cnn's image has one channel
        for (w, b), c_in, c_out in zip(self.conv_names(prefix), c_ins, self.channels,
                                       strict=False):
            shapes[w], shapes[b] = (c_out, c_in, CNN_KERNEL, CNN_KERNEL), (c_out,)
        for (w, b), n_in, n_out in zip(self.linear_names(prefix), sizes, sizes[1:], strict=False):
            shapes[w], shapes[b] = (n_in, n_out), (n_out,)
        return shapes

    def n_params(self) -> int:
        """Return the number of parameters (weights and biases)."""
        return sum(math.prod(s) for s in self.tensor_shapes().values())

    def __str__(self) -> str:
        act = f" ({self.act})" if self.model in ("mlp", "cnn") else ""
        if self.model == "cnn":
            convs = "-".join(f"conv{c}" for c in self.channels)
            pool = ", stride-2 convs" if self.pool == "stride" else ""
            return f"cnn {self.n_in}-{convs}-{self.n_out} ({self.act}{pool})"
        return f"{self.model} {'-'.join(map(str, self.sizes()))}{act}"


def _channels_of(meta: dict, where: str) -> tuple[int, ...]:
    """Return a cnn's checked conv widths, () for the other models (which need none)."""
    if meta["model"] != "cnn":
        return ()
    channels = meta.get("channels")
    if not (isinstance(channels, list) and 0 < len(channels) <= MAX_LAYERS
            and all(whole(n, 1, MAX_UNITS) for n in channels)):
        raise ModelFileError(
            f"{where}: metadata 'channels' must be a list of 1 to {MAX_LAYERS} conv widths "
            f"from 1 to {MAX_UNITS}, got {show(channels)}"
        )
    return tuple(channels)


def norm_of(meta: dict, where: str) -> tuple[float, float]:
    """Return (norm_mean, norm_std) of `meta`: finite, std > 0; else a ModelFileError."""
    mean, std = meta.get("norm_mean"), meta.get("norm_std")
    if not finite(mean):
        raise ModelFileError(
            f"{where}: bad normalisation: norm_mean must be a finite number, got {show(mean)}"
        )
    if not (finite(std) and std > 0):
        raise ModelFileError(
            f"{where}: bad normalisation: norm_std must be a finite number > 0, got {show(std)}"
        )
    return float(mean), float(std)


def check_model(meta: dict, header: Header, where: str) -> list[str]:
    """Return the names of the model's tensors, after checking `meta` describes a model
    (architecture, normalisation) whose every tensor is in the file as float32, in its shape.

    `meta` has passed `check_header`. A checkpoint holds its model's tensors under "model.".
    """
    if meta.get("kind") not in ("model", "checkpoint"):
        raise ModelFileError(f"{where}: not a groundup model (kind {show(meta.get('kind'))})")
    arch = Arch.from_meta(meta, where)
    norm_of(meta, where)
    prefix = "model." if meta["kind"] == "checkpoint" else ""
    expected = arch.tensor_shapes(prefix)
    for name, shape in expected.items():
        dtype, found = header.get(name, (None, None))
        if found != shape:
            raise ModelFileError(
                f"{where}: its weights do not fit its metadata: {arch} has {name!r} of shape "
                f"{list(shape)}, the file's is {_shape(found)}"
            )
        if dtype != "F32":
            raise ModelFileError(f"{where}: tensor {name!r} is {dtype}, expected F32 (float32)")
    extra = [n for n in header if n.startswith(prefix) and n not in expected]
    if extra:
        raise ModelFileError(f"{where}: holds tensor {show(extra[0])} that {arch} does not have")
    return list(expected)
