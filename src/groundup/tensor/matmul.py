"""The matmul ladder: the same matrix multiply written six ways, each a rung faster.

Every function has the signature `(a, b) -> a @ b` for 2-d tensors a (n, k) and b (k, m), so
any of them can stand in for `@` — `Linear(..., matmul=matmul_broadcast)` trains with it,
and autograd differentiates through all of them except the Python-list one.

The lecture's point: each rung moves one loop out of Python and into a kernel — first the
innermost loop (elementwise), then a second one (broadcasting), then all of them (einsum, BLAS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from groundup.errors import GroundupError

MatmulFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def matmul_loops(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return a @ b by three Python loops over single tensor elements (n*k*m tiny tensor ops)."""
    n, k, m = _check(a, b)
    c = torch.zeros(n, m, dtype=torch.result_type(a, b), device=a.device)
    for i in range(n):
        for j in range(m):
            for p in range(k):
                c[i, j] += a[i, p] * b[p, j]
    return c


def matmul_lists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return a @ b by three Python loops over Python lists of floats (no autograd).

    The same loops as `matmul_loops`, but on plain Python numbers: far cheaper per step than
    indexing a tensor, which shows that the cost of `matmul_loops` is per-element overhead.
    """
    n, k, m = _check(a, b)
    a_rows, b_rows = a.tolist(), b.tolist()
    c = [[0] * m for _ in range(n)]
    for i in range(n):
        a_row, c_row = a_rows[i], c[i]
        for j in range(m):
            total = 0
            for p in range(k):
                total += a_row[p] * b_rows[p][j]
            c_row[j] = total
    return torch.tensor(c, dtype=torch.result_type(a, b), device=a.device).reshape(n, m)


def matmul_elementwise(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return a @ b with two Python loops; each entry is one elementwise row * column sum."""
    n, _, m = _check(a, b)
    c = torch.zeros(n, m, dtype=torch.result_type(a, b), device=a.device)
    for i in range(n):
        for j in range(m):
            c[i, j] = (a[i, :] * b[:, j]).sum()
    return c


def matmul_broadcast_row(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return a @ b with one Python loop: row i of a, as a (k, 1) column, broadcast against b."""
    n, _, m = _check(a, b)
    c = torch.zeros(n, m, dtype=torch.result_type(a, b), device=a.device)
    for i in range(n):
        c[i] = (a[i, :, None] * b).sum(dim=0)  # (k, 1) * (k, m) -> (k, m) -> (m,)
    return c


def matmul_broadcast(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return a @ b with no Python loop: (n, k, 1) * (1, k, m) -> (n, k, m), summed over k.

    Builds the whole (n, k, m) product in memory, so it trades memory for speed.
    """
    _check(a, b)
    return (a[:, :, None] * b[None]).sum(dim=1)


def matmul_einsum(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return a @ b by Einstein summation: the repeated index k is summed away."""
    _check(a, b)
    return torch.einsum("ik,kj->ij", a, b)


def matmul_blas(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return a @ b by PyTorch's matmul, which calls the BLAS library's tuned kernel."""
    _check(a, b)
    return a @ b


@dataclass(frozen=True)
class MatmulRung:
    """One rung of the matmul ladder: a name, the function, how it works, autograd or not."""

    name: str
    fn: MatmulFn
    how: str
    python_loops: str  # which of the sizes n, k, m Python loops over ("nkm" ... "")
    autograd: bool = True

    def __repr__(self) -> str:
        return (
            f"MatmulRung({self.name!r}, {self.fn.__name__}, python_loops={self.python_loops!r}, "
            f"autograd={self.autograd})"
        )


#: The ladder, slowest first.
MATMUL_LADDER: tuple[MatmulRung, ...] = (
    MatmulRung("loops", matmul_loops, "triple Python loop on tensor elements", "nkm"),
    MatmulRung("lists", matmul_lists, "triple Python loop on Python lists", "nkm", autograd=False),
    MatmulRung("elementwise", matmul_elementwise, "two loops, row * column summed", "nm"),
    MatmulRung("broadcast_row", matmul_broadcast_row, "one loop, a row broadcast against b", "n"),
    MatmulRung("broadcast", matmul_broadcast, "no loop, (n,k,1) * (1,k,m) summed over k", ""),
    MatmulRung("einsum", matmul_einsum, "torch.einsum('ik,kj->ij', a, b)", ""),
    MatmulRung("blas", matmul_blas, "a @ b: PyTorch calls BLAS", ""),
)


def get_matmul(name: str) -> MatmulFn:
    """Return the ladder's matmul function called `name` ("loops", ..., "blas")."""
    for rung in MATMUL_LADDER:
        if rung.name == name:
            return rung.fn
    known = ", ".join(r.name for r in MATMUL_LADDER)
    raise GroundupError(f"unknown matmul {name!r}; known: {known}")


def _check(a: torch.Tensor, b: torch.Tensor) -> tuple[int, int, int]:
    """Return (n, k, m) for a (n, k) @ b (k, m); GroundupError if the shapes do not fit."""
    if a.ndim != 2 or b.ndim != 2:
        raise GroundupError(
            f"matmul: expected two 2-d tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}"
        )
    (n, k), (k2, m) = a.shape, b.shape
    if k != k2:
        raise GroundupError(
            f"matmul: a is {tuple(a.shape)} and b is {tuple(b.shape)}: "
            f"a's columns ({k}) must equal b's rows ({k2})"
        )
    return n, k, m
