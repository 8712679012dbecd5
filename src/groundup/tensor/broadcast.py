"""Broadcasting: the rules the lecture reads from the NumPy docs, applied and explained per axis.

Line the shapes up on the right and walk the axes from the last one leftwards:

1. a shape with fewer dimensions is padded on the left — a missing dimension counts as 1;
2. two sizes are compatible when they are equal or when one of them is 1;
3. the result takes the size that is not 1 (a size-1 axis is "stretched" to it, without copying).

`broadcast_shapes` answers "what shape comes out?"; `explain_broadcast` also says why, one
row per axis, and a clash raises `BroadcastError` naming the axis and the sizes.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from groundup.errors import GroundupError
from groundup.tensor.table import format_table

Shape = tuple[int, ...]
ShapeLike = int | Sequence[int]

#: Names the explanation gives the operands, in order: A, B, C, ...
OPERAND_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class BroadcastError(GroundupError):
    """Shapes that do not broadcast. The message names the axis and the sizes that clash.

    `axis` counts from the right (-1 is the last axis), `sizes` are the operands' sizes on that
    axis (None where an operand has no such axis), and `explanation` is the step-by-step table
    up to and including the clashing axis (None when the error is not about one axis).
    """

    def __init__(
        self,
        message: str,
        *,
        shapes: tuple[Shape, ...] = (),
        axis: int | None = None,
        sizes: tuple[int | None, ...] = (),
        explanation: BroadcastExplanation | None = None,
    ) -> None:
        super().__init__(message)
        self.shapes = shapes
        self.axis = axis
        self.sizes = sizes
        self.explanation = explanation


@dataclass(frozen=True)
class AxisStep:
    """One row of a broadcast explanation: one axis, counted from the right."""

    axis: int  # -1 is the last axis
    sizes: tuple[int | None, ...]  # each operand's size here; None = the operand has no such axis
    rule: str  # the rule that decides this axis, in words
    result: int | None  # the result's size; None when the sizes clash


@dataclass(frozen=True)
class BroadcastExplanation:
    """Returned by `explain_broadcast`: the operands, one `AxisStep` per axis, the result shape.

    `shape` is None (and the last step is the clash) only inside a `BroadcastError`.
    `str()` gives the table the `groundup broadcast` command prints, and so does IPython
    (a notebook) when the explanation is a cell's value; `repr()` is one line.
    """

    shapes: tuple[Shape, ...]
    steps: tuple[AxisStep, ...]
    shape: Shape | None

    def __repr__(self) -> str:
        shapes = ", ".join(map(str, self.shapes))
        if self.shape is None:
            axis = self.steps[-1].axis if self.steps else None
            return f"BroadcastExplanation({shapes} -> clash at axis {axis})"
        return f"BroadcastExplanation({shapes} -> {self.shape})"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """Show the table (str), not the one-line repr, as IPython's value of a cell."""
        p.text(str(self))

    def __str__(self) -> str:
        names = OPERAND_NAMES[: len(self.shapes)]
        lines = [f"{name} = {shape}" for name, shape in zip(names, self.shapes, strict=True)]
        header = ["axis", *names, "rule", "result"]
        rows = [
            [
                str(step.axis),
                *("-" if s is None else str(s) for s in step.sizes),
                step.rule,
                "-" if step.result is None else str(step.result),
            ]
            for step in self.steps
        ]
        # numbers right-aligned, the rule (second to last column) left-aligned
        left = {len(header) - 2}
        lines += ["", *format_table([header, *rows], left)]
        if self.shape is not None:
            lines += ["", f"result shape: {self.shape}"]
        return "\n".join(lines)


def broadcast_shapes(*shapes: ShapeLike) -> Shape:
    """Return the shape that broadcasting `shapes` together gives (raises BroadcastError).

    Agrees with `numpy.broadcast_shapes` and `torch.broadcast_shapes`; an int stands for a
    1-d shape, and no shapes at all give the scalar shape ().
    """
    shapes = tuple(as_shape(s) for s in shapes)
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-1, -ndim - 1, -1):
        sizes = tuple(s[axis] if -axis <= len(s) else None for s in shapes)
        clash = _clash(sizes)
        if clash:
            raise _error(shapes, axis, sizes, clash, explanation=None)
        result.append(_result_size(sizes))
    return tuple(reversed(result))


def explain_broadcast(*shapes: ShapeLike) -> BroadcastExplanation:
    """Return the result shape and a table with one row per axis from the right.

    Each row holds every operand's size on that axis, the rule that decides it ("equal",
    "B: 1 stretches to 3", "B: missing, counts as 1, stretches to 256") and the result size.
    Incompatible shapes raise `BroadcastError`; its `.explanation` holds the table up to the
    clashing axis.
    """
    shapes = tuple(as_shape(s) for s in shapes)
    if len(shapes) > len(OPERAND_NAMES):
        raise GroundupError(
            f"explain_broadcast: at most {len(OPERAND_NAMES)} shapes, not {len(shapes)}"
        )
    ndim = max((len(s) for s in shapes), default=0)
    steps: list[AxisStep] = []
    for axis in range(-1, -ndim - 1, -1):
        sizes = tuple(s[axis] if -axis <= len(s) else None for s in shapes)
        clash = _clash(sizes)
        if clash:
            steps.append(AxisStep(axis, sizes, f"clash: {clash}", None))
            partial = BroadcastExplanation(shapes, tuple(steps), None)
            raise _error(shapes, axis, sizes, clash, explanation=partial)
        result = _result_size(sizes)
        steps.append(AxisStep(axis, sizes, _rule(sizes, result), result))
    shape = tuple(reversed([step.result for step in steps]))
    return BroadcastExplanation(shapes, tuple(steps), shape)


def as_shape(shape: ShapeLike) -> Shape:
    """Return `shape` as a tuple of ints >= 0 (an int is a 1-d shape); GroundupError if not."""
    if _is_size(shape):
        sizes: Shape = (operator.index(shape),)
    elif isinstance(shape, str) or not hasattr(shape, "__iter__"):
        raise GroundupError(f"shape {shape!r}: expected a sequence of whole numbers")
    else:
        sizes = tuple(shape)
        if not all(_is_size(s) for s in sizes):
            raise GroundupError(f"shape {shape!r}: sizes must be whole numbers")
        sizes = tuple(operator.index(s) for s in sizes)
    if any(s < 0 for s in sizes):
        raise GroundupError(f"shape {sizes}: sizes must be >= 0")
    return sizes


def _is_size(value: object) -> bool:
    """Return True for an int-like value (int, numpy integer, 0-d int tensor) that is not a bool."""
    if isinstance(value, bool):
        return False
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


def _clash(sizes: tuple[int | None, ...]) -> str:
    """Return why these sizes do not broadcast ("4 vs 3 (neither is 1)"), or "" when they do."""
    distinct = list(dict.fromkeys(s for s in sizes if s is not None and s != 1))
    if len(distinct) <= 1:
        return ""
    which = "neither" if len(distinct) == 2 else "none"
    return f"{' vs '.join(map(str, distinct))} ({which} is 1)"


def _result_size(sizes: tuple[int | None, ...]) -> int:
    """Return the size that is not 1 among compatible sizes (1 when all are 1 or missing)."""
    return next((s for s in sizes if s is not None and s != 1), 1)


def _rule(sizes: tuple[int | None, ...], result: int) -> str:
    """Return, in words, how the operands get to `result` on one axis."""
    missing = [name for name, size in zip(OPERAND_NAMES, sizes, strict=False) if size is None]
    ones = [name for name, size in zip(OPERAND_NAMES, sizes, strict=False) if size == 1]
    one = len(missing) == 1  # verbs agree with the number of operands named
    notes = []
    if ones and result != 1:
        notes.append(
            f"{', '.join(ones)}: 1 {'stretches' if len(ones) == 1 else 'stretch'} to {result}"
        )
    if missing:
        stretch = f", {'stretches' if one else 'stretch'} to {result}" if result != 1 else ""
        notes.append(f"{', '.join(missing)}: missing, {'counts' if one else 'count'} as 1{stretch}")
    return "; ".join(notes) or "equal"


def _error(
    shapes: tuple[Shape, ...],
    axis: int,
    sizes: tuple[int | None, ...],
    clash: str,
    explanation: BroadcastExplanation | None,
) -> BroadcastError:
    listed = ", ".join(map(str, shapes[:-1])) + f" and {shapes[-1]}"
    message = f"shapes {listed} do not broadcast: axis {axis}: {clash}"
    return BroadcastError(message, shapes=shapes, axis=axis, sizes=sizes, explanation=explanation)
