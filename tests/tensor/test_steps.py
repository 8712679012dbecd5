"""The matmul step model: every view's steps build exactly A @ B, each product used once;
the operands (tensor/operands.py) are checked, read from text or drawn at random."""

from __future__ import annotations

import doctest
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import groundup.tensor.operands as operands_module
import groundup.tensor.steps as steps_module
from groundup.errors import SettingError
from groundup.tensor.steps import (
    VIEWS,
    check_shape,
    example_matrices,
    format_number,
    matmul_steps,
    parse_matrix,
)

SIZES = st.integers(1, 8)


@st.composite
def operands(draw, elements=st.integers(-99, 99)):
    n, k, m = draw(SIZES), draw(SIZES), draw(SIZES)
    a = draw(st.lists(st.lists(elements, min_size=k, max_size=k), min_size=n, max_size=n))
    b = draw(st.lists(st.lists(elements, min_size=m, max_size=m), min_size=k, max_size=k))
    return a, b


def _sum_products(result, n: int, m: int) -> np.ndarray:
    """Return C built only from the products the steps formed (not their running sums)."""
    c = np.zeros((n, m), dtype=object)
    for step in result.steps:
        for p in step.products:
            c[p.i, p.j] += p.value
    return c


@pytest.mark.parametrize("view", VIEWS)
@settings(max_examples=40, deadline=None)
@given(ab=operands())
def test_steps_give_exactly_a_at_b_and_use_each_product_once(view: str, ab) -> None:
    a, b = ab
    n, k, m = len(a), len(b), len(b[0])
    result = matmul_steps(a, b, view)
    expected = np.array(a, dtype=np.int64) @ np.array(b, dtype=np.int64)
    assert (_sum_products(result, n, m) == expected).all()
    assert np.array_equal(np.array(result.result(), dtype=np.int64), expected)
    used = Counter((p.i, p.k, p.j) for step in result.steps for p in step.products)
    assert used == Counter((i, kk, j) for i in range(n) for kk in range(k) for j in range(m))
    for step in result.steps:
        for cell in step.cells:  # the pair multiplied is A[i][k] and B[k][j]
            assert all(p.a == a[p.i][p.k] and p.b == b[p.k][p.j] for p in cell.products)
            assert [p.k for p in cell.products] == list(range(k))
            assert list(cell.running) == list(np.cumsum([p.value for p in cell.products]))


@pytest.mark.parametrize("view", VIEWS)
@settings(max_examples=25, deadline=None)
@given(ab=operands(st.fractions(-10, 10, max_denominator=7).map(float)))
def test_float_steps_are_the_sum_in_k_order(view: str, ab) -> None:
    a, b = ab
    result = matmul_steps(a, b, view)
    exact = [[sum(Fraction(a[i][kk]) * Fraction(b[kk][j]) for kk in range(len(b)))
              for j in range(len(b[0]))] for i in range(len(a))]
    np.testing.assert_allclose(np.array(result.result(), dtype=float),
                               np.array(exact, dtype=float), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("view", "count"), [("waterfall", 3 + 4 - 1), ("cells", 12),
                                              ("columns", 4)])
def test_step_counts_and_order(view: str, count: int) -> None:
    a, b = example_matrices((3, 2, 4), seed=1)
    result = matmul_steps(a, b, view)
    assert len(result.steps) == count
    cells = [[(c.i, c.j) for c in s.cells] for s in result.steps]
    if view == "waterfall":  # one anti-diagonal per step, i + j = step
        assert all(i + j == s for s, step in enumerate(cells) for i, j in step)
        assert cells[0] == [(0, 0)] and cells[-1] == [(2, 3)]
    elif view == "cells":  # the triple loop's order
        assert [c for step in cells for c in step] == [(i, j) for i in range(3) for j in range(4)]
    else:
        assert cells[1] == [(0, 1), (1, 1), (2, 1)]
    assert repr(result) == f"MatmulSteps({view}, (3, 2) @ (2, 4), {count} steps)"
    assert result.steps[0].caption.startswith(f"step 1 of {count}: ")


def test_example_is_repeatable_small_whole_numbers() -> None:
    a, b = example_matrices((3, 3, 2), seed=0)
    assert (a, b) == example_matrices((3, 3, 2), seed=0)
    assert (a, b) != example_matrices((3, 3, 2), seed=1)
    assert len(a) == 3 and len(a[0]) == 3 and len(b) == 3 and len(b[0]) == 2
    assert all(isinstance(x, int) and 1 <= x <= 9 for row in a + b for x in row)


def test_parse_matrix() -> None:
    assert parse_matrix("1 2; 3 4", "a") == ((1, 2), (3, 4))
    assert parse_matrix("1, 2.5\n-3 4e1;", "b") == ((1, 2.5), (-3, 40))
    assert parse_matrix("7", "a") == ((7,),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2; 3", "a: row 2 has 1 number but row 1 has 2"),
        ("1 x", "a: row 1, column 2: 'x' is not a number"),
        ("1 nan", "a: row 1, column 2: 'nan' is not a finite number"),
        ("1e999", "a: row 1, column 1: '1e999' is not a finite number"),
        ("", "a: is empty"),
        ("1;;2", "a: row 2 is empty"),
        ("; ".join(["1 2"] * 9), "a: must have 1 to 8 rows, got 9"),
        (" ".join(["1"] * 9), "a: row 1 must have 1 to 8 numbers, got 9"),
        ("1 " * 3000, "a: is 6000 characters long"),
    ],
)
def test_parse_matrix_refuses(text: str, message: str) -> None:
    with pytest.raises(SettingError, match="^" + message.replace("(", r"\(")) as e:
        parse_matrix(text, "a")
    assert e.value.param == "a" and "\n" not in str(e.value)


@pytest.mark.parametrize(
    ("a", "b", "param", "message"),
    [
        ([[1, 2]], [[1, 2]], "b", "has 1 row but `a` has 2 columns"),
        ([], [[1]], "a", "must have 1 to 8 rows, got 0"),
        ([[]], [[1]], "a", "row 1 must have 1 to 8 numbers, got 0"),
        ([[1]], [[float("inf")]], "b", "row 1, column 1: inf is not a finite number"),
        ([[True]], [[1]], "a", "row 1, column 1: True is not a number"),
        ("1 2", [[1]], "a", "must be rows of numbers, got str"),
        ([[1e200]], [[1e200]], "b", "its numbers times those of `a` would overflow"),
    ],
)
def test_operands_are_checked(a, b, param: str, message: str) -> None:
    with pytest.raises(SettingError) as e:
        matmul_steps(a, b)
    assert e.value.param == param and e.value.problem.startswith(message)


def test_numpy_operands_and_bad_view() -> None:
    result = matmul_steps(np.arange(6).reshape(2, 3), np.ones((3, 1)), "columns")
    assert result.result() == ((3,), (12,))
    with pytest.raises(SettingError, match="view: must be one of waterfall, cells, columns"):
        matmul_steps([[1]], [[1]], "diagonal")


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ("3x3", "write three sizes as NxKxM"),
        ("0x2x3", "each size must be 1 to 8"),
        ("-1x2x3", "each size must be 1 to 8"),
        ("9x2x2", "more than 8×8 cells is not readable), got 9x2x2"),
        ((2, 2.0, 2), "must be three whole numbers"),
    ],
)
def test_bad_shapes(shape, message: str) -> None:
    with pytest.raises(SettingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_shape(shape)
    assert check_shape("2x3x4") == (2, 3, 4) == check_shape((2, 3, 4))


def test_format_number() -> None:
    assert [format_number(x) for x in (7, -12, 3.0, 0.1 + 0.2, 1e9, 123456789)] == [
        "7", "-12", "3", "0.3", "1e+09", "1.235e+08"]


def test_docstring_examples() -> None:
    for module in (steps_module, operands_module):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0
