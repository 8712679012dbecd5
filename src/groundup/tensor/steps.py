"""What a matmul does, step by step: which products A[i,k]·B[k,j] make which cells of C = A @ B.

Layer 0 and pure Python (no torch, no drawing): the pictures of `groundup.animate` and any
page that plays them read these steps. Three views, as the lecture shows them:

    waterfall  matrixmultiplication.xyz: B is turned 90° and placed above A, then slides
               down one row per step; at step s the overlapping pairs are multiplied and
               summed into the cells on one anti-diagonal of C (i + j = s).
               rows(A) + cols(B) - 1 steps.
    cells      row × column, one cell at a time, in the order of the triple loop.
               rows(A) · cols(B) steps.
    columns    the matrix-vector product once per column of B: column j of C is
               (A * B[:, j]).sum(1), every row at once; the columns are then stacked.
               cols(B) steps.

In every view each cell's products are added in order k = 0, 1, ..., so `running` holds
the sum after each product and its last entry is C[i][j]. Every product is formed once.
A and B are checked (and read from text, or drawn at random) by `operands.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from groundup.errors import SettingError
from groundup.tensor.operands import (
    MAX_SIZE,
    Matrix,
    Number,
    check_matrix,
    check_operands,
    check_shape,
    example_matrices,
    parse_matrix,
)

# re-exported: the steps' callers check their inputs with these
__all__ = ["MAX_SIZE", "VIEWS", "CellSum", "MatmulStep", "MatmulSteps", "Matrix", "Number",
           "Product", "check_matrix", "check_operands", "check_shape", "check_view",
           "example_matrices", "format_number", "matmul_steps", "parse_matrix"]

VIEWS = ("waterfall", "cells", "columns")


@dataclass(frozen=True)
class Product:
    """One product A[i][k] · B[k][j], the pair it multiplies and its value."""

    i: int
    k: int
    j: int
    a: Number
    b: Number

    @property
    def value(self) -> Number:
        """Return a · b."""
        return self.a * self.b

    def __repr__(self) -> str:
        return f"Product(A[{self.i},{self.k}]·B[{self.k},{self.j}] = {self.a}·{self.b})"


@dataclass(frozen=True)
class CellSum:
    """One cell C[i][j] worked out in a step: its products (k = 0, 1, ...) and running sums."""

    i: int
    j: int
    products: tuple[Product, ...]
    running: tuple[Number, ...]  # the sum after each product; the last is C[i][j]

    @property
    def value(self) -> Number:
        """Return the finished cell, C[i][j]."""
        return self.running[-1]

    def __repr__(self) -> str:
        return f"CellSum(C[{self.i},{self.j}] = {self.value}, {len(self.products)} products)"


@dataclass(frozen=True)
class MatmulStep:
    """One step of a view: the cells of C it computes (each with its products)."""

    view: str
    index: int  # 0-based
    cells: tuple[CellSum, ...]
    caption: str

    @property
    def products(self) -> tuple[Product, ...]:
        """Return every product formed in this step, cell by cell."""
        return tuple(p for cell in self.cells for p in cell.products)

    def __repr__(self) -> str:
        where = ", ".join(f"C[{c.i},{c.j}]" for c in self.cells)
        return f"MatmulStep({self.view} {self.index}: {where})"


@dataclass(frozen=True)
class MatmulSteps:
    """A, B, a view, and the view's steps; `result()` is C = A @ B built from them."""

    a: Matrix
    b: Matrix
    view: str
    steps: tuple[MatmulStep, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        """Return (n, k, m): A is n × k, B is k × m, C is n × m."""
        return len(self.a), len(self.b), len(self.b[0])

    def result(self) -> Matrix:
        """Return C, each cell the last running sum of the step that computed it."""
        n, _, m = self.shape
        c: list[list[Number]] = [[0] * m for _ in range(n)]
        for step in self.steps:
            for cell in step.cells:
                c[cell.i][cell.j] = cell.value
        return tuple(tuple(row) for row in c)

    def __repr__(self) -> str:
        n, k, m = self.shape
        return f"MatmulSteps({self.view}, ({n}, {k}) @ ({k}, {m}), {len(self.steps)} steps)"


def check_view(view: Any, param: str = "view") -> str:
    """Return `view` if it names one of VIEWS, else raise SettingError(param, ...)."""
    if view not in VIEWS:
        raise SettingError(param, f"must be one of {', '.join(VIEWS)}, got {view!r}")
    return view


def _cell(a: Matrix, b: Matrix, i: int, j: int) -> CellSum:
    products = tuple(Product(i, k, j, a[i][k], b[k][j]) for k in range(len(b)))
    running, total = [], 0
    for p in products:
        total = total + p.value
        running.append(total)
    return CellSum(i, j, products, tuple(running))


def _waterfall(a: Matrix, b: Matrix) -> list[tuple[list[tuple[int, int]], str]]:
    n, m = len(a), len(b[0])
    steps = []
    for s in range(n + m - 1):
        cells = [(i, s - i) for i in range(n) if 0 <= s - i < m]
        steps.append((cells, f"B moves down a row; row i of A meets column j of B, i + j = {s}"))
    return steps


def _cells(a: Matrix, b: Matrix) -> list[tuple[list[tuple[int, int]], str]]:
    n, m = len(a), len(b[0])
    return [([(i, j)], f"row {i} of A times column {j} of B") for i in range(n)
            for j in range(m)]


def _columns(a: Matrix, b: Matrix) -> list[tuple[list[tuple[int, int]], str]]:
    n, m = len(a), len(b[0])
    return [([(i, j) for i in range(n)], f"column {j} of C = (A * column {j} of B).sum(1)")
            for j in range(m)]


_ORDERS = {"waterfall": _waterfall, "cells": _cells, "columns": _columns}


def matmul_steps(a: Any, b: Any, view: str = "waterfall") -> MatmulSteps:
    """Return the steps that compute C = A @ B in `view` (one of VIEWS).

    >>> s = matmul_steps([[1, 2], [3, 4]], [[5, 6], [7, 8]], "cells")
    >>> s.steps[0].cells[0].running, s.result()
    ((5, 19), ((19, 22), (43, 50)))
    """
    view = check_view(view)
    a, b = check_operands(a, b)
    order = _ORDERS[view](a, b)
    steps = tuple(
        MatmulStep(view, index, tuple(_cell(a, b, i, j) for i, j in cells),
                   f"step {index + 1} of {len(order)}: {caption}")
        for index, (cells, caption) in enumerate(order)
    )
    return MatmulSteps(a, b, view, steps)


def format_number(x: Number) -> str:
    """Return `x` as a short readable text: whole numbers in full, others to 4 digits.

    >>> format_number(12), format_number(2.5), format_number(1 / 3), format_number(-0.0)
    ('12', '2.5', '0.3333', '0')
    """
    if isinstance(x, int) and abs(x) < 10**7:
        return str(x)
    if isinstance(x, float) and x.is_integer() and abs(x) < 10**7:
        return str(int(x))
    return f"{x:.4g}"
