"""The operands of a pictured matmul: A and B checked, read from text, or drawn at random.

Layer 0 and pure Python. A matrix here is 1 to 8 rows of 1 to 8 finite numbers (more than
8×8 cells would not be readable in a picture), as a tuple of tuples; whole numbers stay
ints, so an integer example prints as integers. Each check raises
`SettingError(param, ...)` naming the caller's parameter (`a`, `b`, `shape`).
"""

from __future__ import annotations

import math
import numbers
import random
import re
from collections.abc import Sequence
from typing import Any

from groundup.checks import check_seed
from groundup.errors import SettingError

Number = int | float
Matrix = tuple[tuple[Number, ...], ...]

MAX_SIZE = 8  # rows or columns of any matrix: more than 8×8 cells would not be readable
MAX_TEXT = 4000  # characters of a matrix written as text: 64 long numbers fit easily
FLOAT_MAX = 1.7976931348623157e308


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
