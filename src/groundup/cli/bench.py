"""`groundup bench matmul` and `bench conv`: the ladders timed side by side with the library."""

from __future__ import annotations

import re
from collections.abc import Callable

import torch
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from groundup.checks import check_threads
from groundup.cli.apps import bench_app
from groundup.errors import GroundupError
from groundup.tensor import (
    CONV_LADDER,
    MATMUL_LADDER,
    MatmulTiming,
    format_timings,
    time_conv_ladder,
    time_matmul_ladder,
)

DTYPES = {"float32": torch.float32, "float64": torch.float64}


@bench_app.command(
    "matmul",
    help=(
        "Time the matmul ladder (triple loop, elementwise, broadcasting, einsum, BLAS) side by "
        "side with a @ b and print µs per call and how many times slower than @ each rung is."
        "\n\nEach rung is checked to give the same answer as @ first. A rung whose Python "
        "loops would make one call take longer than --budget is not run in full: its time is "
        "estimated from a slice of the problem, marked ~ and 'skipped'."
    ),
)
def matmul(
    shape: str = typer.Option(
        "64x784x10",
        "--shape",
        help="NxKxM: time an (N, K) @ (K, M) product. 64x784x10 is a mini-batch of 64 MNIST "
        "images times logistic-regression weights; the lecture times 5x784x10.",
    ),
    budget: float = typer.Option(
        2.0,
        "--budget",
        help="Seconds each rung may take; slower rungs are skipped and estimated.",
        min=0.001,
    ),
    rungs: str = typer.Option(
        "",
        "--rungs",
        help="Rungs to time, comma-separated (default: all): "
        + ", ".join(r.name for r in MATMUL_LADDER)
        + ".",
        show_default=False,
    ),
    dtype: str = typer.Option("float32", "--dtype", help="Element type: float32 or float64."),
    device: str = typer.Option("cpu", "--device", help="Where to run: cpu, or cuda if present."),
    seed: int = typer.Option(0, "--seed", help="Seed for the random matrices."),
    threads: int = typer.Option(
        0,
        "--threads",
        help="CPU threads for torch (0: torch's default). On a busy machine 1 gives steadier "
        "figures, since a multi-threaded kernel waits for its slowest thread.",
        min=0,
        show_default=False,
    ),
) -> None:
    """Print the matmul ladder's timings as a table."""
    before = torch.get_num_threads()
    if threads:  # checked first: OpenMP aborts the process when asked for too many
        torch.set_num_threads(check_threads("threads", threads))
    try:
        _run(shape, budget, rungs, dtype, device, seed)
    finally:
        torch.set_num_threads(before)  # in-process callers (tests, notebooks) keep their setting


def _run(shape: str, budget: float, rungs: str, dtype: str, device: str, seed: int) -> None:
    n, k, m = parse_matmul_shape(shape)
    _check_dtype_device(dtype, device)
    names = _rung_names(rungs)
    timings = _with_progress(
        1 + (len(names) if names else len(MATMUL_LADDER)),
        lambda on_rung: time_matmul_ladder(
            (n, k, m), names=names, budget_s=budget, dtype=DTYPES[dtype], device=device,
            seed=seed, on_rung=on_rung,
        ),
    )
    typer.echo(
        f"matmul ladder: ({n}, {k}) @ ({k}, {m}), {dtype} on {_where(device)}, "
        f"budget {budget:g} s per rung"
    )
    typer.echo("")
    for line in format_timings(timings):
        typer.echo(line)


@bench_app.command(
    "conv",
    help=(
        "Time the convolution ladder (loops over images, filters and pixels; a loop over "
        "pixels; unfold + matmul; torch.conv2d) side by side with torch.conv2d and print µs "
        "per call and how many times slower than torch.conv2d each rung is.\n\nEach rung "
        "is checked to give the same answer as torch.conv2d first. A rung whose Python loops "
        "would make one call take longer than --budget is estimated from a slice, marked ~."
    ),
)
def conv(
    shape: str = typer.Option(
        "64,1,28,28", "--shape",
        help="N,C,H,W: a batch of N images of C channels, H x W. The default is a "
        "mini-batch of 64 MNIST digits.",
    ),
    filters: int = typer.Option(16, "--filters", help="Output channels (filters), c_out."),
    kernel: int = typer.Option(5, "--kernel", help="Filter size k: each filter is k x k."),
    stride: int = typer.Option(1, "--stride", help="Step between patches."),
    padding: int = typer.Option(0, "--padding", help="Zeros added around each image."),
    budget: float = typer.Option(
        2.0, "--budget", min=0.001,
        help="Seconds each rung may take; slower rungs are skipped and estimated.",
    ),
    rungs: str = typer.Option(
        "", "--rungs", show_default=False,
        help="Rungs to time, comma-separated (default: all): "
        + ", ".join(r.name for r in CONV_LADDER) + ".",
    ),
    dtype: str = typer.Option("float32", "--dtype", help="Element type: float32 or float64."),
    device: str = typer.Option("cpu", "--device", help="Where to run: cpu, or cuda if present."),
    seed: int = typer.Option(0, "--seed", help="Seed for the random images and filters."),
    threads: int = typer.Option(
        0, "--threads", min=0, show_default=False,
        help="CPU threads for torch (0: torch's default); 1 gives steadier figures.",
    ),
) -> None:
    """Print the convolution ladder's timings as a table."""
    size = parse_conv_shape(shape)
    _check_dtype_device(dtype, device)
    names = _rung_names(rungs)

    def time_ladder(on_rung: Callable[[str], None]) -> list[MatmulTiming]:
        return time_conv_ladder(
            size, filters, kernel, stride=stride, padding=padding, rungs=names, budget=budget,
            dtype=DTYPES[dtype], device=device, seed=seed, on_rung=on_rung,
        )

    before = torch.get_num_threads()
    if threads:  # checked first: OpenMP aborts the process when asked for too many
        torch.set_num_threads(check_threads("threads", threads))
    try:
        timings = _with_progress(1 + len(names or CONV_LADDER), time_ladder)
        where = _where(device)
    finally:
        torch.set_num_threads(before)
    n, c, h, w = size
    typer.echo(
        f"conv ladder: {_count(n, 'image')} {c}x{h}x{w}, {_count(filters, 'filter')} "
        f"{c}x{kernel}x{kernel}, "
        f"stride {stride}, padding {padding}, {dtype} on {where}, budget {budget:g} s per rung"
    )
    typer.echo("")
    for line in format_timings(timings, "torch.conv2d"):
        typer.echo(line)


def parse_conv_shape(text: str) -> tuple[int, int, int, int]:
    """Return (n, c, h, w) from 'N,C,H,W' (or NxCxHxW); GroundupError if not four sizes >= 1."""
    parts = [p.strip() for p in re.split(r"[x,×]", text.strip())]
    if len(parts) != 4 or not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise GroundupError(
            f"--shape {text!r}: write four sizes >= 1 as N,C,H,W, e.g. 64,1,28,28"
        )
    n, c, h, w = (int(p) for p in parts)
    return n, c, h, w


def _check_dtype_device(dtype: str, device: str) -> None:
    """Return None if --dtype and --device name something usable here, else raise."""
    if dtype not in DTYPES:
        raise GroundupError(f"--dtype {dtype!r}: choose float32 or float64")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise GroundupError(f"--device {device}: no CUDA GPU is available here")


def _count(n: int, noun: str) -> str:
    """Return "1 image" or "64 images"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _where(device: str) -> str:
    """Return where the ladder ran, for the table's title: "cpu, 2 threads" or the device."""
    return f"{device}, {torch.get_num_threads()} threads" if device == "cpu" else device


def parse_matmul_shape(text: str) -> tuple[int, int, int]:
    """Return (n, k, m) from 'NxKxM' (or N,K,M); GroundupError if it is not three sizes >= 1."""
    parts = [p.strip() for p in re.split(r"[x,×]", text.strip())]
    if len(parts) != 3 or not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise GroundupError(f"--shape {text!r}: write three sizes >= 1 as NxKxM, e.g. 64x784x10")
    n, k, m = (int(p) for p in parts)
    return n, k, m


def _rung_names(rungs: str) -> list[str] | None:
    """Return the rung names of a comma-separated --rungs value (None: all of them)."""
    return [r.strip() for r in rungs.split(",") if r.strip()] or None


def _with_progress(
    count: int, time_ladder: Callable[[Callable[[str], None]], list[MatmulTiming]]
) -> list[MatmulTiming]:
    """Return time_ladder(on_rung)'s timings, showing a progress bar over `count` rungs on a
    terminal (none in logs and pipes)."""
    console = Console(stderr=True)
    with Progress(
        TextColumn("timing {task.description:<14}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("", total=count)
        started = 0

        def on_rung(name: str) -> None:  # called as each rung starts: the ones before are done
            nonlocal started
            progress.update(task, description=name, completed=started)
            started += 1

        timings = time_ladder(on_rung)
        progress.update(task, completed=count)
    return timings
