"""`groundup matmul animate` and `matmul show`: what a matrix multiply does, step by step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from groundup.animate.files import write_animation, write_stills
from groundup.cli.apps import matmul_app
from groundup.errors import GroundupError
from groundup.tensor.steps import (
    VIEWS,
    Matrix,
    check_shape,
    check_view,
    example_matrices,
    matmul_steps,
    parse_matrix,
)

T = TypeVar("T")
DEFAULT_SHAPE = "3x3x2"

VIEW_HELP = (
    "waterfall: B turned 90° slides down over A, one anti-diagonal of C per step "
    "(matrixmultiplication.xyz); cells: one cell at a time, row × column, as the triple "
    "loop does; columns: one column of C per step, (A * column of B).sum(1)."
)
SHAPE_HELP = (f"NxKxM: multiply a random N×K matrix A by a random K×M matrix B of whole "
              f"numbers 1 to 9 (default {DEFAULT_SHAPE}). Sizes 1 to 8.")
A_HELP = "Your own A, rows split by ';': --a \"1 2; 3 4\". Give --b with it."
B_HELP = "Your own B, rows split by ';': --b \"5 6; 7 8\". Its rows must match A's columns."
SEED_HELP = "Seed for the random A and B of --shape (default 0)."
# the options `animate` and `show` share: what to multiply, and which view
VIEW_OPTION = typer.Option("waterfall", "--view", metavar="|".join(VIEWS), help=VIEW_HELP)
SHAPE_OPTION = typer.Option(None, "--shape", metavar="NxKxM", help=SHAPE_HELP,
                            show_default=False)
A_OPTION = typer.Option(None, "--a", metavar="ROWS", help=A_HELP)
B_OPTION = typer.Option(None, "--b", metavar="ROWS", help=B_HELP)
SEED_OPTION = typer.Option(None, "--seed", help=SEED_HELP, show_default=False)


def _operands(shape: str | None, a: str | None, b: str | None,
              seed: int | None) -> tuple[Matrix, Matrix, str]:
    """Return (A, B, where they came from) from --a/--b, or drawn for --shape and --seed."""
    if a is None and b is None:
        n, k, m = check_shape(shape or DEFAULT_SHAPE)
        seed = 0 if seed is None else seed
        a_, b_ = example_matrices((n, k, m), seed)
        return a_, b_, (f"random whole numbers (--shape {n}x{k}x{m} --seed {seed}); give "
                        "your own with --a \"1 2; 3 4\" --b \"5 6; 7 8\"")
    if a is None or b is None:
        raise GroundupError("give both --a and --b (or neither, for a random example)")
    for option, value in (("--shape", shape), ("--seed", seed)):
        if value is not None:
            raise GroundupError(f"{option} draws a random example; --a and --b give your own")
    return parse_matrix(a, "a"), parse_matrix(b, "b"), "your --a and --b"


def _with_progress(total: int, label: str, work: Callable[[Callable[[int], None]], T]) -> T:
    """Return work(on_frame), with a progress bar over `total` frames on a terminal."""
    console = Console(stderr=True)
    with Progress(TextColumn(label), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("", total=total)
        return work(lambda i: bar.update(task, completed=i + 1))


def _describe(a: Matrix, b: Matrix, view: str) -> tuple[str, int]:
    steps = matmul_steps(a, b, view)
    n, k, m = steps.shape
    return f"({n}, {k}) @ ({k}, {m}), {view} view", len(steps.steps)


@matmul_app.command("animate")
def animate(
    view: str = VIEW_OPTION,
    shape: str = SHAPE_OPTION,
    a: str = A_OPTION,
    b: str = B_OPTION,
    seed: int = SEED_OPTION,
    out: Path = typer.Option(Path("matmul.gif"), "--out", metavar="FILE.gif|FILE.html",
                             help="Where to write: an animated GIF, or one HTML page (no "
                             "internet needed) with play, pause, step, speed and every view."),
) -> None:
    """Draw C = A @ B step by step, as an animated GIF or a page that plays it.

    Each frame lights the pairs multiplied, shows each cell's products and running sum,
    and fills C in. The page (FILE.html) needs no internet: play, pause, step, speed, and
    every view to choose from."""
    view = check_view(view)
    a_, b_, source = _operands(shape, a, b, seed)
    what, count = _describe(a_, b_, view)
    path, scene = _with_progress(count + 1, "drawing frames",
                                 lambda on_frame: write_animation(out, a_, b_, view, on_frame))
    frames = len(scene.frames)
    kind = "page" if path.suffix.lower() in (".html", ".htm") else "GIF"
    typer.echo(f"wrote {path}: a {kind} of C = A @ B, {what}, {frames} frames "
               f"(the start and {count} steps)")
    typer.echo(f"A and B: {source}")


@matmul_app.command("show")
def show(
    view: str = VIEW_OPTION,
    shape: str = SHAPE_OPTION,
    a: str = A_OPTION,
    b: str = B_OPTION,
    seed: int = SEED_OPTION,
    out: Path = typer.Option(Path("matmul-steps"), "--out", metavar="DIR",
                             help="Directory the pictures go to (made if needed)."),
) -> None:
    """Draw C = A @ B as one still picture per step, for printing.

    step-00.png is A, B and an empty C, step-01.png the first step, and so on. Prints the
    paths."""
    view = check_view(view)
    a_, b_, source = _operands(shape, a, b, seed)
    what, count = _describe(a_, b_, view)
    paths = _with_progress(count + 1, "drawing steps",
                           lambda on_frame: write_stills(out, a_, b_, view, on_frame))
    for path in paths:
        typer.echo(str(path))
    typer.echo(f"{len(paths)} pictures of C = A @ B, {what}")
    typer.echo(f"A and B: {source}")
