"""outer and grid: checked against NumPy's ufunc.outer and np.ogrid."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError
from groundup.tensor.outer_ops import grid, outer

NUMPY_OUTER = {
    "mul": np.multiply.outer,
    "add": np.add.outer,
    "sub": np.subtract.outer,
    "div": np.divide.outer,
    "max": np.maximum.outer,
    "min": np.minimum.outer,
    "gt": np.greater.outer,
    "ge": np.greater_equal.outer,
    "lt": np.less.outer,
    "le": np.less_equal.outer,
    "eq": np.equal.outer,
}
small_shape = st.lists(st.integers(0, 3), max_size=3).map(tuple)


@settings(max_examples=60, deadline=None)
@given(small_shape, small_shape, st.sampled_from(sorted(NUMPY_OUTER)), st.integers(0, 2**16))
def test_outer_matches_numpy(a_shape, b_shape, op: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(-3, 4, a_shape).astype(np.float64)
    b = rng.integers(1, 4, b_shape).astype(np.float64)  # no zero: div stays finite
    got = outer(torch.from_numpy(a), torch.from_numpy(b), op)
    expected = NUMPY_OUTER[op](a, b)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got.numpy(), expected)


def test_lecture_times_table_and_symbols() -> None:
    c = torch.tensor([1, 2, 3])
    assert outer(c, c).tolist() == [[1, 2, 3], [2, 4, 6], [3, 6, 9]]
    assert torch.equal(outer(c, c, "*"), c[:, None] * c[None])
    assert outer(c, c, ">").tolist() == [[False] * 3, [True, False, False], [True, True, False]]
    assert torch.equal(outer(c, c, torch.add), outer(c, c, "+"))


def test_unknown_op() -> None:
    with pytest.raises(GroundupError, match="unknown op 'pow'"):
        outer(torch.ones(2), torch.ones(2), "pow")


@pytest.mark.parametrize("sizes", [(), (4,), (3, 4), (2, 0, 3), (1, 2, 3, 2)])
def test_grid_matches_ogrid(sizes: tuple[int, ...]) -> None:
    ours = grid(*sizes)
    theirs = np.ogrid[tuple(slice(0, n) for n in sizes)] if sizes else ()
    assert len(ours) == len(sizes)
    for o, t in zip(ours, theirs, strict=True):
        assert o.shape == t.shape
        np.testing.assert_array_equal(o.numpy(), t)


def test_grid_broadcasts_to_full_table() -> None:
    i, j = grid(3, 4)
    np.testing.assert_array_equal(
        (i * 10 + j).numpy(), np.add.outer(np.arange(3) * 10, np.arange(4))
    )
    fi, fj = grid(2, 2, dtype=torch.float32)
    assert fi.dtype == fj.dtype == torch.float32


@pytest.mark.parametrize("bad", [(-1,), (2.5,), (True,)])
def test_grid_rejects_bad_sizes(bad: tuple) -> None:
    with pytest.raises(GroundupError, match="grid"):
        grid(*bad)
