"""`groundup ladder`: the lecture's five rungs, trained one after another, in one table."""

from __future__ import annotations

from pathlib import Path

import torch
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from groundup.checks import check_threads
from groundup.cli.apps import app
from groundup.data import resolve_device
from groundup.errors import SettingError
from groundup.fileio import check_output_file
from groundup.ladder import LadderConfig, LadderResult, run_ladder, select_rungs
from groundup.ladder.plot import plot_ladder

NOTE = (
    "Every rung starts from the same weights and sees the same rows in the same order\n"
    "(epoch 1; torch's loader reshuffles differently after that). Rungs 1-3 train with\n"
    "groundup.train.fit, rungs 4-5 with the loop written out. 5b uses SGD (lr {sgd_lr:g},\n"
    "momentum {momentum:g}) where the others use Adam (lr {lr:g})."
)


@app.command(
    "ladder",
    help=(
        "Train the lecture's MNIST logistic regression five times, each rung replacing one "
        "more library piece with groundup's own, and print one table: rung, what is ours "
        "now, valid and test accuracy, seconds per epoch."
        "\n\n1: torch.nn + torch.optim + torch DataLoader.  2: our Module, Parameter, Linear, "
        "LogSoftmax and nll_loss.  3: as 2, matmul by broadcasting.  4: as 2, our DataLoader "
        "and the loop written out.  5: as 4, our optimizer (5a Adam, 5b SGD with momentum)."
    ),
)
def ladder(
    epochs: int = typer.Option(1, "--epochs", min=1, help="Epochs each rung trains for."),
    rungs: str = typer.Option(
        "",
        "--rungs",
        help="Rungs to climb, comma-separated, e.g. 1,4,5 (5 means 5a and 5b). Default: all.",
        show_default=False,
    ),
    plot: Path | None = typer.Option(
        None,
        "--plot",
        help="Also save every rung's training-loss curve on one chart to this PNG file.",
        dir_okay=False,
    ),
    verbose: bool = typer.Option(
        False,
        "--verbose",
        help="Rungs 4-5 print the loss and validation accuracy every --every steps, as the "
        "lecture's loop does (this adds to their seconds per epoch).",
    ),
    every: int = typer.Option(200, "--every", min=1, help="Steps between --verbose reports."),
    bs: int = typer.Option(64, "--bs", min=1, help="Mini-batch size."),
    lr: float = typer.Option(1e-3, "--lr", min=0.0, help="Adam's learning rate (rungs 1-5a)."),
    sgd_lr: float = typer.Option(5e-3, "--sgd-lr", min=0.0, help="SGD's learning rate (5b)."),
    momentum: float = typer.Option(0.9, "--momentum", min=0.0, help="SGD's momentum (5b)."),
    subset: int = typer.Option(
        0,
        "--subset",
        min=0,
        help="Train on the first N of the 50,000 training images (0: all). Valid and test "
        "accuracy always use the full 10,000-image sets.",
        show_default=False,
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for the starting weights and shuffling."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda, or auto (a GPU if present)."),
    threads: int = typer.Option(
        0,
        "--threads",
        min=0,
        help="CPU threads for torch (0: torch's default); 1 gives steadier timings on a busy "
        "machine.",
        show_default=False,
    ),
) -> None:
    """Print the ladder table (and save the loss chart with --plot)."""
    config = LadderConfig(
        epochs=epochs,
        bs=bs,
        lr=lr,
        sgd_lr=sgd_lr,
        momentum=momentum,
        seed=seed,
        n_train=subset or None,
        device=str(resolve_device(device)),
    ).validate()
    select_rungs(rungs)  # a typo fails now, not after minutes of training
    if plot is not None:
        check_output_file(plot, "plot")
        if plot.suffix.lower() != ".png":
            raise SettingError("plot", f"the chart is a PNG; name the file *.png, not {plot}")
    before = torch.get_num_threads()
    if threads:  # checked first: OpenMP aborts the process when asked for too many
        torch.set_num_threads(check_threads("threads", threads))
    try:
        result = _climb(config, rungs, verbose, every)
    finally:
        torch.set_num_threads(before)  # in-process callers keep their setting

    typer.echo(
        f"ladder: MNIST logistic regression, {result.n_train:,} training images, "
        f"{epochs} epoch{'s' if epochs != 1 else ''}, batch size {bs}, seed {seed}, "
        f"{config.device}"
    )
    typer.echo("")
    for line in result.table():
        typer.echo(line)
    typer.echo("")
    typer.echo(NOTE.format(sgd_lr=sgd_lr, momentum=momentum, lr=lr))
    if plot is not None:
        plot_ladder(result, plot)
        typer.echo(f"\nloss curves: {plot}")


def _climb(config: LadderConfig, rungs: str, verbose: bool, every: int) -> LadderResult:
    """Return the LadderResult, with a progress bar on stderr while the rungs train."""
    console = Console(stderr=True)
    with Progress(
        TextColumn("rung {task.description:<3}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("steps"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # no bar in logs and pipes
    ) as progress:
        task = progress.add_task("", total=None)

        def on_rung(key: str, steps: int) -> None:
            progress.reset(task, description=key, total=steps)

        def on_batch() -> None:
            progress.advance(task)

        def log(line: str) -> None:
            progress.console.print(line, markup=False, highlight=False)

        result = run_ladder(
            config,
            rungs,
            every=every if verbose else 0,
            log=log if verbose else None,
            on_batch=on_batch,
            on_rung=on_rung,
        )
    return result
