"""The lecture's broadcasting moves: outer operations and ogrid-style grids.

`c[:, None] * c[None]` multiplies every element of one vector by every element of another —
an outer product — with no loop and no copy; any elementwise operation works the same way
(`>` gives a comparison table, `+` an addition table). A grid is the same trick with ranges:
one axis per range, every other axis of size 1, so that combining them broadcasts to the full
grid only when needed.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from groundup.errors import GroundupError

#: Operations `outer` knows by name (a callable works too).
OUTER_OPS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "mul": torch.mul,
    "add": torch.add,
    "sub": torch.sub,
    "div": torch.div,
    "max": torch.maximum,
    "min": torch.minimum,
    "gt": torch.gt,
    "ge": torch.ge,
    "lt": torch.lt,
    "le": torch.le,
    "eq": torch.eq,
}
_SYMBOLS = {"*": "mul", "+": "add", "-": "sub", "/": "div", ">": "gt", ">=": "ge", "<": "lt",
            "<=": "le", "==": "eq"}  # fmt: skip


def outer(
    a: torch.Tensor,
    b: torch.Tensor,
    op: str | Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = "mul",
) -> torch.Tensor:
    """Return `op` applied to every pair (a[i], b[j]): shape a.shape + b.shape.

    For vectors this is `op(a[:, None], b[None])`: `a` becomes a column, `b` a row, and
    broadcasting stretches both to (len(a), len(b)). `op` is a name from OUTER_OPS ("mul",
    "add", "gt", ...), its symbol ("*", "+", ">", ...) or any broadcasting callable.
    Matches NumPy's `np.multiply.outer`, `np.add.outer`, `np.greater.outer`, ...
    """
    fn = _op(op)
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    # (*a.shape, 1, ..., 1): one trailing 1 per axis of b, so b's axes broadcast against them
    column = a.reshape(tuple(a.shape) + (1,) * b.ndim)
    return fn(column, b)


def grid(
    *sizes: int,
    dtype: torch.dtype = torch.int64,
    device: str | torch.device | None = None,
) -> tuple[torch.Tensor, ...]:
    """Return one range per size, each shaped to broadcast against the others (like np.ogrid).

    `grid(3, 4)` gives `arange(3)` as a (3, 1) column and `arange(4)` as a (1, 4) row:
    `i * 10 + j` is then the full (3, 4) grid, computed without building index matrices.
    """
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise GroundupError(f"grid: sizes must be whole numbers >= 0, got {sizes}")
    ndim = len(sizes)
    return tuple(
        torch.arange(n, dtype=dtype, device=device).reshape([1] * k + [n] + [1] * (ndim - k - 1))
        for k, n in enumerate(sizes)
    )


def _op(op: str | Callable) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    if callable(op):
        return op
    name = _SYMBOLS.get(op, op)
    if name not in OUTER_OPS:
        known = ", ".join([*OUTER_OPS, *_SYMBOLS])
        raise GroundupError(f"outer: unknown op {op!r}; known: {known}")
    return OUTER_OPS[name]
