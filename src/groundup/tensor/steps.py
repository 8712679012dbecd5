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
"""

from __future__ import annotations

import math
import numbers
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from groundup.checks import check_seed
from groundup.errors import SettingError

Number = int | float
Matrix = tuple[tuple[Number, ...], ...]

VIEWS = ("waterfall", "cells", "columns")
MAX_SIZE = 8  # rows or columns of any matrix: more than 8×8 cells would not be readable
MAX_TEXT = 4000  # characters of a matrix written as text: 64 long numbers fit easily
FLOAT_MAX = 1.7976931348623157e308


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


def check_matrix(value: Any, param: str) -> Matrix:
    """Return `value` (rows of numbers: lists, tuples, a NumPy array...) as a tuple of tuples.

    It must be 1 to 8 rows of 1 to 8 finite numbers, every row as long. Whole numbers stay
    ints (so an integer example prints as integers); the rest become floats.
    """
    if hasattr(value, "tolist"):  # a NumPy array or a tensor
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise SettingError(param, f"must be rows of numbers, got {type(value).__name__}")
    rows = list(value)
    if not 1 <= len(rows) <= MAX_SIZE:
        raise SettingError(param, f"must have 1 to {MAX_SIZE} rows, got {len(rows)}")
    out = []
    for r, row in enumerate(rows, start=1):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise SettingError(param, f"row {r} is not a row of numbers")
        if not 1 <= len(row) <= MAX_SIZE:
            raise SettingError(param, f"row {r} must have 1 to {MAX_SIZE} numbers, "
                               f"got {len(row)}")
        if len(row) != len(rows[0]):
            raise SettingError(param, f"row {r} has {_count(len(row), 'number')} but row 1 "
                               f"has {len(rows[0])}")
        out.append(tuple(_number(x, param, r, c) for c, x in enumerate(row, start=1)))
    return tuple(out)


def _count(n: int, noun: str) -> str:
    """Return "1 row" or "3 rows"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _number(x: Any, param: str, row: int, col: int) -> Number:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise SettingError(param, f"row {row}, column {col}: {x!r} is not a number")
    if isinstance(x, numbers.Integral):
        return int(x)
    x = float(x)
    if not math.isfinite(x):
        raise SettingError(param, f"row {row}, column {col}: {x!r} is not a finite number")
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


_SPLIT_ROWS = re.compile(r"[;\n]")
_SPLIT_NUMBERS = re.compile(r"[\s,]+")


def parse_matrix(text: str, param: str) -> Matrix:
    """Return the matrix written in `text`: rows split by ';' (or new lines), numbers by spaces.

    >>> parse_matrix("1 2; 3 4", "a")
    ((1, 2), (3, 4))
    >>> parse_matrix("1 2; 3", "a")
    Traceback (most recent call last):
    groundup.errors.SettingError: a: row 2 has 1 number but row 1 has 2
    """
    if len(text) > MAX_TEXT:
        raise SettingError(param, f"is {len(text)} characters long; at most {MAX_SIZE}×"
                           f"{MAX_SIZE} numbers fit in {MAX_TEXT}")
    rows = [line.strip(" \t,") for line in _SPLIT_ROWS.split(text)]
    while rows and rows[-1] == "":  # a trailing ';' or new line
        rows.pop()
    if not rows:
        raise SettingError(param, "is empty; write rows of numbers like '1 2; 3 4'")
    matrix = []
    for r, row in enumerate(rows, start=1):
        if row == "":
            raise SettingError(param, f"row {r} is empty; write rows like '1 2; 3 4'")
        matrix.append([_parse_number(word, param, r, c)
                       for c, word in enumerate(_SPLIT_NUMBERS.split(row), start=1)])
    return check_matrix(matrix, param)


def _parse_number(word: str, param: str, row: int, col: int) -> Number:
    try:
        return int(word)
    except ValueError:
        pass
    try:
        x = float(word)
    except ValueError:
        raise SettingError(param, f"row {row}, column {col}: {word!r} is not a number") from None
    if not math.isfinite(x):
        raise SettingError(param, f"row {row}, column {col}: {word!r} is not a finite number")
    return x


def check_shape(shape: Any, param: str = "shape") -> tuple[int, int, int]:
    """Return (n, k, m) from (n, k, m) or 'NxKxM': an (n, k) @ (k, m) product, sizes 1 to 8."""
    if isinstance(shape, str):
        parts = [p.strip() for p in re.split(r"[x×,]", shape.strip())]
        if len(parts) != 3 or not all(re.fullmatch(r"[-+]?\d+", p) for p in parts):
            raise SettingError(param, f"write three sizes as NxKxM, e.g. 3x3x2, got {shape!r}")
        shape = tuple(int(p) for p in parts)
    if (not isinstance(shape, Sequence) or len(shape) != 3
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in shape)):
        raise SettingError(param, f"must be three whole numbers (n, k, m), got {shape!r}")
    if not all(1 <= s <= MAX_SIZE for s in shape):
        n, k, m = shape
        raise SettingError(param, f"each size must be 1 to {MAX_SIZE} (more than {MAX_SIZE}×"
                           f"{MAX_SIZE} cells is not readable), got {n}x{k}x{m}")
    n, k, m = shape
    return n, k, m


def example_matrices(shape: Any = (3, 3, 2), seed: int = 0) -> tuple[Matrix, Matrix]:
    """Return (A, B) of small whole numbers 1 to 9, A n × k and B k × m, drawn from `seed`."""
    n, k, m = check_shape(shape)
    rng = random.Random(check_seed("seed", seed))
    a = tuple(tuple(rng.randint(1, 9) for _ in range(k)) for _ in range(n))
    b = tuple(tuple(rng.randint(1, 9) for _ in range(m)) for _ in range(k))
    return a, b


def check_operands(a: Any, b: Any) -> tuple[Matrix, Matrix]:
    """Return (A, B) checked: each 1 to 8 × 1 to 8 finite numbers, columns(A) = rows(B)."""
    a, b = check_matrix(a, "a"), check_matrix(b, "b")
    if len(a[0]) != len(b):
        raise SettingError("b", f"has {_count(len(b), 'row')} but `a` has "
                           f"{_count(len(a[0]), 'column')}; "
                           "A @ B needs them equal")
    biggest = max(abs(x) for row in a for x in row) * max(abs(x) for row in b for x in row)
    if biggest * len(b) > FLOAT_MAX:
        raise SettingError("b", "its numbers times those of `a` would overflow")
    return a, b


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
