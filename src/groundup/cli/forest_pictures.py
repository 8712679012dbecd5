"""`groundup forest pictures`: one tree, resampled trees and their average, drawn on the plane."""

from __future__ import annotations

from pathlib import Path

import typer

from groundup.cli.apps import forest_app
from groundup.errors import GroundupError
from groundup.forest.plane.pictures import PictureSettings, draw_forest_pictures
from groundup.forest.plane.points_csv import TASK_CHOICES, load_points_csv
from groundup.forest.plane.synthetic import DATASETS, make_dataset

_DATA_HELP = (
    f"A synthetic data set ({', '.join(DATASETS)}) or a CSV file with two numeric input "
    "columns and a target column."
)


def _load(data, x, y, target, task, n, noise, seed):
    if data in DATASETS:
        for option, value in (("--x", x), ("--y", y), ("--target", target)):
            if value is not None:
                raise GroundupError(f"{option} picks a CSV column; --data {data} is synthetic")
        return make_dataset(data, n=n if n is not None else 500,
                            noise=noise if noise is not None else 0.1, seed=seed,
                            task="regression" if task == "auto" else task)
    if not Path(data).exists():
        raise GroundupError(f"--data {data}: not a synthetic data set "
                            f"({', '.join(DATASETS)}) and no such file")
    for option, value in (("--n", n), ("--noise", noise)):
        if value is not None:
            raise GroundupError(f"{option} shapes synthetic data; --data {data} is a file")
    return load_points_csv(data, x=x, y=y, target=target, task=task)


@forest_app.command("pictures")
def pictures(
    data: str = typer.Option("corners", "--data", metavar="NAME|FILE.csv", help=_DATA_HELP),
    x: str = typer.Option(None, "--x", metavar="COL",
                          help="CSV column for the horizontal input (default: first numeric)."),
    y: str = typer.Option(None, "--y", metavar="COL",
                          help="CSV column for the vertical input (default: second numeric)."),
    target: str = typer.Option(None, "--target", metavar="COL",
                               help="CSV column shown as colour (default: 'target', else last)."),
    task: str = typer.Option("auto", "--task", metavar="|".join(TASK_CHOICES),
                             help="regression or classification; auto: synthetic data is "
                                  "regression, a CSV target of labels or few whole numbers "
                                  "is classification."),
    n: int = typer.Option(None, "--n", metavar="N",
                          help="Points in a synthetic data set (default 500)."),
    noise: float = typer.Option(None, "--noise",
                                help="Noise std added to a synthetic target (default 0.1)."),
    trees: int = typer.Option(4, "--trees", help="Trees grown on resamples and averaged."),
    depth: int = typer.Option(3, "--depth", help="Maximum tree depth; 0 for no limit."),
    min_leaf: int = typer.Option(5, "--min-leaf", help="Fewest training rows in a leaf."),
    sample_frac: float = typer.Option(
        None, "--sample-frac",
        help="Fraction of rows each tree sees, drawn without replacement (default 0.5)."),
    bootstrap: bool = typer.Option(
        False, "--bootstrap",
        help="Each tree sees a bootstrap sample (n rows drawn with replacement) instead."),
    max_features: int = typer.Option(
        None, "--max-features", metavar="1|2",
        help="Inputs each split may choose from, picked at random per split (default 2)."),
    seed: int = typer.Option(0, "--seed", help="Seed for the data, the resamples and the trees."),
    grid: int = typer.Option(300, "--grid",
                             help="Pixels per side of the averaged pictures (2 to 2000)."),
    out: Path = typer.Option(Path("forest-pictures"), "--out", metavar="DIR",
                             help="Directory the pictures are written to (created if needed)."),
    gif: bool = typer.Option(False, "--gif",
                             help="Also write an animated GIF of the average as trees are added."),
) -> None:
    """Draw how a random forest colours the plane: the data, one tree's split lines and
    leaves, trees grown on resamples side by side, their average (= the forest) and where
    they disagree. Prints the paths of the PNGs (and GIF) it writes."""
    if bootstrap and sample_frac is not None:
        raise GroundupError("use --sample-frac or --bootstrap, not both")
    if task not in TASK_CHOICES:
        raise GroundupError(f"--task must be one of {', '.join(TASK_CHOICES)}, got {task!r}")
    if depth < 0:
        raise GroundupError(f"--depth must be 0 (no limit) or more, got {depth}")
    settings = PictureSettings(
        n_trees=trees, max_depth=depth or None, min_samples_leaf=min_leaf,
        sample_frac=sample_frac, bootstrap=bootstrap, max_features=max_features, seed=seed,
        grid_size=grid, gif=gif,
    )
    points = _load(data, x, y, target, task, n, noise, seed)
    paths = _draw_with_progress(points, out, settings)
    for path in paths:
        typer.echo(str(path))


def _draw_with_progress(points, out, settings):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    progress = Progress(TextColumn("[bold]forest pictures[/]"), BarColumn(),
                        MofNCompleteColumn(), TextColumn("{task.description}"),
                        console=console, transient=True,
                        disable=not console.is_terminal)  # in a pipe: not even a blank line
    with progress:
        task = progress.add_task("", total=None)

        def advance(done: int, total: int, what: str) -> None:
            progress.update(task, completed=done, total=total, description=what)

        return draw_forest_pictures(points, out, settings, on_progress=advance)
