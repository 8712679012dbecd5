"""Broadcasting rules: checked against NumPy (the oracle) and torch, plus the explanation table."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError
from groundup.tensor.broadcast import (
    AxisStep,
    BroadcastError,
    as_shape,
    broadcast_shapes,
    explain_broadcast,
)

shape_st = st.lists(st.integers(0, 5), min_size=0, max_size=6).map(tuple)
shapes_st = st.lists(shape_st, min_size=2, max_size=4)


def numpy_result(shapes: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    """Return NumPy's broadcast shape, or None when NumPy refuses."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


@settings(max_examples=400, deadline=None)
@given(shapes_st)
def test_broadcast_shapes_agrees_with_numpy(shapes: list[tuple[int, ...]]) -> None:
    expected = numpy_result(shapes)
    if expected is None:
        with pytest.raises(BroadcastError):
            broadcast_shapes(*shapes)
    else:
        assert broadcast_shapes(*shapes) == expected


@settings(max_examples=200, deadline=None)
@given(shapes_st)
def test_explain_agrees_with_numpy_and_is_consistent(shapes: list[tuple[int, ...]]) -> None:
    expected = numpy_result(shapes)
    try:
        explanation = explain_broadcast(*shapes)
    except BroadcastError as e:
        assert expected is None
        clash = e.explanation.steps[-1]
        assert clash.result is None and clash.axis == e.axis and clash.sizes == e.sizes
        distinct = {s for s in e.sizes if s not in (None, 1)}
        assert len(distinct) >= 2, "the named axis really clashes"
        for step in e.explanation.steps[:-1]:  # every axis to the right of the clash was fine
            assert step.result is not None
        return
    assert explanation.shape == expected
    assert len(explanation.steps) == len(expected)
    for step in explanation.steps:
        assert step.result == expected[step.axis]
        for size, shape in zip(step.sizes, shapes, strict=True):
            assert size == (shape[step.axis] if -step.axis <= len(shape) else None)


@settings(max_examples=100, deadline=None)
@given(shapes_st)
def test_agrees_with_torch(shapes: list[tuple[int, ...]]) -> None:
    try:
        expected = tuple(torch.broadcast_shapes(*shapes))
    except RuntimeError:
        expected = None
    try:
        got = broadcast_shapes(*shapes)
    except BroadcastError:
        got = None
    assert got == expected


def test_lecture_image_example_table() -> None:
    e = explain_broadcast((256, 256, 3), (3,))
    assert e.shape == (256, 256, 3)
    assert e.steps == (
        AxisStep(-1, (3, 3), "equal", 3),
        AxisStep(-2, (256, None), "B: missing, counts as 1, stretches to 256", 256),
        AxisStep(-3, (256, None), "B: missing, counts as 1, stretches to 256", 256),
    )
    text = str(e)
    assert text.splitlines()[:2] == ["A = (256, 256, 3)", "B = (3,)"]
    assert text.endswith("result shape: (256, 256, 3)")


def test_column_broadcast_rule_names_the_stretched_operand() -> None:
    e = explain_broadcast((3, 1), (3, 3))
    assert [s.rule for s in e.steps] == ["A: 1 stretches to 3", "equal"]


def test_rule_groups_operands_and_keeps_ones() -> None:
    e = explain_broadcast((5, 1, 4), (3, 1), (), (1, 1, 1, 4))
    assert e.shape == (1, 5, 3, 4)
    assert e.steps[2].rule == "D: 1 stretches to 5; B, C: missing, count as 1, stretch to 5"
    assert e.steps[3].rule == "A, B, C: missing, count as 1"


def test_clash_message_names_axis_and_sizes() -> None:
    with pytest.raises(BroadcastError, match=r"axis -1: 4 vs 3 \(neither is 1\)") as info:
        explain_broadcast((2, 4), (3,))
    assert isinstance(info.value, ValueError)
    assert "(2, 4) and (3,)" in str(info.value)
    assert info.value.axis == -1 and info.value.sizes == (4, 3)


def test_clash_on_an_inner_axis_keeps_the_rows_before_it() -> None:
    with pytest.raises(BroadcastError) as info:
        explain_broadcast((2, 3, 5), (4, 1))
    assert str(info.value).endswith("axis -2: 3 vs 4 (neither is 1)")
    steps = info.value.explanation.steps
    assert [s.result for s in steps] == [5, None]
    assert "clash" in str(info.value.explanation)


def test_three_way_clash() -> None:
    with pytest.raises(BroadcastError, match=r"axis -1: 4 vs 3 vs 5 \(none is 1\)"):
        broadcast_shapes((4,), (3,), (5,))


def test_zero_size_broadcasts_against_one_only() -> None:
    assert broadcast_shapes((0,), (1,)) == (0,)
    with pytest.raises(BroadcastError, match="0 vs 2"):
        broadcast_shapes((0,), (2,))


def test_no_shapes_and_int_shapes() -> None:
    assert broadcast_shapes() == ()
    assert broadcast_shapes(3, (2, 1)) == (2, 3)
    assert as_shape(torch.Size([2, 3])) == (2, 3)
    assert as_shape(np.array([2, 3])) == (2, 3)
    assert as_shape(np.int64(4)) == (4,)


@pytest.mark.parametrize("bad", ["3", (3.0,), (True,), (-1,), None, [[1]]])
def test_bad_shapes_are_user_errors(bad: object) -> None:
    with pytest.raises(GroundupError, match="shape"):
        as_shape(bad)


def test_repr_is_one_line_and_ipython_shows_the_table() -> None:
    e = explain_broadcast((64, 784), (784,))
    assert repr(e) == "BroadcastExplanation((64, 784), (784,) -> (64, 784))"
    with pytest.raises(BroadcastError) as info:
        explain_broadcast((2, 3, 5), (4, 1))
    assert repr(info.value.explanation) == \
        "BroadcastExplanation((2, 3, 5), (4, 1) -> clash at axis -2)"
    pretty = pytest.importorskip("IPython.lib.pretty")
    assert pretty.pretty(e) == str(e)
    assert pretty.pretty([e]) == f"[{e}]"
