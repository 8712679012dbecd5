"""`groundup broadcast SHAPE SHAPE [SHAPE...]`: explain how shapes broadcast, axis by axis."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import typer

from groundup.cli.apps import app
from groundup.errors import GroundupError
from groundup.tensor import OPERAND_NAMES, BroadcastError, explain_broadcast

if TYPE_CHECKING:
    import torch

# Enough to see every element of the result on one screen.
EXAMPLE_MAX_ELEMENTS = 120
EXAMPLE_MAX_AXES = 8  # torch builds at most 64; printing nests one bracket per axis


@app.command(
    "broadcast",
    help=(
        "Explain how SHAPEs broadcast: one row per axis from the right, then the result shape."
        "\n\nApplies the NumPy rules the lecture reads out: compare trailing axes first; a "
        "missing axis counts as 1; sizes must be equal or one of them 1. A clash prints the "
        "table up to the clashing axis and exits with code 2."
        "\n\nExample: groundup broadcast 256,256,3 3"
    ),
)
def broadcast(
    shapes: list[str] = typer.Argument(
        ...,
        metavar="SHAPE",
        help="Shapes as sizes joined by commas, e.g. 256,256,3 and 3; '()' is a scalar.",
        show_default=False,
    ),
    example: bool = typer.Option(
        False,
        "--example",
        help=(
            "Also add small tensors of these shapes (A = 1, 2, 3, ..., B = 10, 20, 30, ...) "
            "and print the operands, each one stretched to the result shape, and the sum."
        ),
    ),
) -> None:
    """Print the broadcast explanation of SHAPEs (and, with --example, a worked sum)."""
    if len(shapes) < 2:
        raise GroundupError("broadcast: give at least two shapes, e.g. groundup broadcast 3,3 3")
    parsed = [parse_shape(s) for s in shapes]
    try:
        explanation = explain_broadcast(*parsed)
    except BroadcastError as e:
        if e.explanation is not None:
            typer.echo(str(e.explanation))
            typer.echo("")
        raise
    if example:
        _check_example_size([*parsed, explanation.shape])
    typer.echo(str(explanation))
    if example:
        typer.echo("")
        typer.echo(_example(parsed, explanation.shape))


def _check_example_size(shapes: list[tuple[int, ...]]) -> None:
    """Raise unless every operand and the result fit on a screen, before any tensor is made.

    A size-0 axis makes the result empty whatever the other sizes, so each axis is capped
    too: `0,10**26` broadcasts, but no tensor of that shape can be built.
    """
    for shape in shapes:
        if len(shape) > EXAMPLE_MAX_AXES:
            raise GroundupError(f"--example: a shape of {len(shape)} axes; pick shapes with "
                                f"at most {EXAMPLE_MAX_AXES} axes")
        big = max(shape, default=0)
        if math.prod(shape) > EXAMPLE_MAX_ELEMENTS or big > EXAMPLE_MAX_ELEMENTS:
            what = f"{math.prod(shape):,} elements" if big <= EXAMPLE_MAX_ELEMENTS else (
                f"an axis of {big:,}")
            raise GroundupError(
                f"--example: the shape {shape} has {what}; pick shapes with at most "
                f"{EXAMPLE_MAX_ELEMENTS} elements"
            )


def parse_shape(text: str) -> tuple[int, ...]:
    """Return the shape written as '256,256,3', '(256, 256, 3)', '256x256x3', '3' or '()'."""
    inner = text.strip().strip("()[]").strip()
    if not inner:
        return ()
    parts = [p.strip() for p in re.split(r"[,x]", inner)]
    if parts and parts[-1] == "":  # '(3,)' is Python's way to write a 1-d shape
        parts.pop()
    if not parts or not all(p.isdigit() for p in parts):
        raise GroundupError(
            f"shape {text!r}: write sizes (whole numbers >= 0) joined by commas, e.g. 256,256,3"
        )
    return tuple(int(p) for p in parts)


def _example(shapes: list[tuple[int, ...]], result: tuple[int, ...]) -> str:
    """Return the lecture's demonstration: operands, their stretched views, and their sum."""
    import torch  # only here: shape arithmetic alone should start instantly

    from groundup.tensor import broadcast_view

    operands = [
        (torch.arange(1, math.prod(shape) + 1) * 10**k).reshape(shape)
        for k, shape in enumerate(shapes)
    ]
    names = OPERAND_NAMES[: len(shapes)]
    lines = []
    for name, t in zip(names, operands, strict=True):
        lines += [f"{name} {tuple(t.shape)} =", _indent(t), ""]
    for name, t in zip(names, operands, strict=True):
        if tuple(t.shape) == result:
            continue
        view, strides = broadcast_view(t, result)
        lines += [
            f"{name} stretched to {result}: strides {strides}, the same "
            f"{t.numel()} number{'s' if t.numel() != 1 else ''} in memory, no copy",
            _indent(view),
            "",
        ]
    total = operands[0]
    for t in operands[1:]:
        total = total + t
    lines += [f"{' + '.join(names)} {result} =", _indent(total)]
    return "\n".join(lines)


def _indent(t: torch.Tensor) -> str:
    return "\n".join(("    " + line).rstrip() for line in str(t).splitlines())
