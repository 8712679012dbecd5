"""`groundup forest explain`: fit a forest on a CSV (or a built-in data set) and explain it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from groundup.checks import check_jobs, check_seed
from groundup.cli.apps import forest_app
from groundup.errors import GroundupError, SettingError

if TYPE_CHECKING:  # the forest loads when the command runs, not at start-up
    from groundup.forest.interpret import Explanation, Table


class Task(str, Enum):
    auto = "auto"
    regression = "regression"
    classification = "classification"


@contextlib.contextmanager
def _progress(console: Console) -> Iterator[Callable[[str, int], Callable[[], None]]]:
    """Yield a factory `(description, total) -> advance` backed by one rich progress display.

    The display starts with the first task, so an input error found before any work
    prints nothing but its one line.
    """
    columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    bar = Progress(*columns, console=console, transient=True)

    def start(description: str, total: int) -> Callable[[], None]:
        if not bar.live.is_started:
            bar.start()
        task = bar.add_task(description, total=total)
        return lambda: bar.advance(task)

    try:
        yield start
    finally:
        if bar.live.is_started:
            bar.stop()


# The command's arguments, one per parameter of `explain`, so that the command reads short.
DATA = typer.Argument(
    None,
    metavar="DATA.csv",
    show_default=False,
    help="CSV file with a header row. Omit it to use a data set scikit-learn ships: "
    "diabetes (regression) or, with --task classification, breast cancer.",
)
TARGET = typer.Option(
    None, "--target", "-t", help="Column to predict (required with a CSV file)."
)
TASK = typer.Option(
    Task.auto,
    "--task",
    case_sensitive=False,
    help="regression or classification; auto: text, booleans and at most 20 distinct "
    "whole numbers are classes, anything else is regression.",
)
ROW = typer.Option(0, "--row", help="Validation row (0-based) to break down.")
TREES = typer.Option(100, "--trees", help="Number of trees in the random forest.")
MIN_LEAF = typer.Option(3, "--min-leaf", help="min_samples_leaf of every tree.")
VALID_FRAC = typer.Option(
    0.2, "--valid-frac", help="Share of rows held out for validation (0 to 1)."
)
SEED = typer.Option(0, "--seed", help="Seed for the split, the forest and shuffles.")
REPEATS = typer.Option(5, "--repeats", help="Shuffles per feature (permutation).")
METRIC = typer.Option(
    None,
    "--metric",
    show_default=False,
    help="What importance measures: r2, mse, rmse, mae, accuracy, balanced_accuracy, "
    "log_loss, brier or roc_auc. Default: r2 (regression), brier (classification).",
)
DROP_COLUMN = typer.Option(
    True,
    "--drop-column/--no-drop-column",
    help="Also refit the forest once without each column (slow on wide data).",
)
SANITY = typer.Option(
    False, "--sanity", help="Add a column of random numbers: it should rank near zero."
)
TOP = typer.Option(10, "--top", help="Features shown in the pictures and tables.")
JOBS = typer.Option(1, "--jobs", help="Threads for fitting and scoring (-1: all).")
OUT = typer.Option(Path("forest-explain"), "--out", help="Directory for the PNGs and CSVs.")


@forest_app.command("explain")
def explain(
    data: Path | None = DATA,
    target: str | None = TARGET,
    task: Task = TASK,
    row: int = ROW,
    trees: int = TREES,
    min_leaf: int = MIN_LEAF,
    valid_frac: float = VALID_FRAC,
    seed: int = SEED,
    repeats: int = REPEATS,
    metric: str | None = METRIC,
    drop_column: bool = DROP_COLUMN,
    sanity: bool = SANITY,
    top: int = TOP,
    jobs: int = JOBS,
    out: Path = OUT,
) -> None:
    """Fit a random forest and explain it: importance, one row's contributions, partial dependence.

    Prints the validation score, the feature importance table (permutation, drop-column
    and impurity) and the contributions that add up to the chosen row's prediction;
    writes importance.png, pdp.png, waterfall.png, importance.csv and contributions.csv.
    """
    from groundup.forest.interpret import explain_table, write_outputs

    _check_options(top=top, jobs=jobs, seed=seed, out=out)
    table, source = _load_table(data, target, task.value)
    with _progress(Console(stderr=True)) as progress:
        expl = explain_table(
            table, trees=trees, min_samples_leaf=min_leaf, valid_frac=valid_frac, seed=seed,
            row=row, repeats=repeats, metric=metric, drop_column=drop_column, sanity=sanity,
            n_jobs=jobs, progress=progress,
        )
        written = write_outputs(expl, out, top=top)
    console = Console()
    _print_report(console, expl, source, trees=trees, top=top, sanity=sanity)
    console.print("wrote " + ", ".join(str(p) for p in written))


def _check_options(*, top: int, jobs: int, seed: int, out: Path) -> None:
    """Raise a GroundupError for an option the command itself uses, before any work."""
    if top < 1:
        raise SettingError("top", f"must be at least 1, got {top}")
    check_jobs("jobs", jobs)
    check_seed("seed", seed)
    from groundup.fileio import check_output_file, prepare_output_dir
    from groundup.forest.interpret.explain import OUTPUT_FILES

    if out.is_dir():  # every file it will hold passes the output rule, before any fitting
        prepare_output_dir(out, "out", files=OUTPUT_FILES)
    elif out.exists() or out.is_symlink():
        raise SettingError("out", f"{out} exists and is not a directory")
    else:  # a new directory: nothing there yet, in a parent that takes new entries
        check_output_file(out, "out")


def _load_table(data: Path | None, target: str | None, task: str) -> tuple[Table, str]:
    """Return the table to explain (a CSV file, or data scikit-learn ships) and its source."""
    from groundup.forest.interpret import example_frame, proc_df, read_csv

    if data is None:
        if target is not None:
            raise GroundupError("--target needs a DATA.csv file (without one, built-in data)")
        frame, target, source = example_frame(task)
    else:
        if target is None:
            raise GroundupError(f"{data}: say which column to predict with --target COL")
        frame, source = read_csv(data), str(data)
    return proc_df(frame, target, task, source=source), source


def _print_report(
    console: Console, expl: Explanation, source: str, *, trees: int, top: int, sanity: bool
) -> None:
    """Print the data and score lines, the importance table and the row's contributions."""
    from groundup.forest.interpret.explain import SANITY_COLUMN

    table = expl.table
    n_features = table.X.shape[1]
    console.print(
        f"{source}: {len(table.y)} rows, {n_features} feature"
        f"{'s' if n_features != 1 else ''}; predicting column "
        f"'{table.target}' ({table.task}) with {trees} trees fitted on {len(expl.y_train)} rows"
    )
    accuracy = "" if expl.accuracy is None else f", accuracy = {expl.accuracy:.4f}"
    console.print(
        f"validation {expl.metric} = [bold]{expl.score:.4f}[/]{accuracy} "
        f"on {len(expl.y_valid)} rows"
    )
    if table.dropped_rows:
        console.print(f"({table.dropped_rows} rows without a target value were left out)")
    console.print(_importance_table(expl, top))
    if sanity:
        rank = list(expl.importances[0].order()).index(
            list(expl.X_valid.columns).index(SANITY_COLUMN)
        )
        console.print(
            f"sanity check: the '{SANITY_COLUMN}' column ranks {rank + 1} of "
            f"{expl.X_valid.shape[1]} by permutation importance"
        )
    console.print(_contribution_table(expl, top))


def _importance_table(expl: Explanation, top: int) -> RichTable:
    """Return the importance table: one row per feature, one column per method."""
    first = expl.importances[0]
    way = "drop" if first.greater_is_better else "rise"
    table = RichTable(title=f"Feature importance ({way} in validation {expl.metric})")
    table.add_column("feature")
    for imp in expl.importances:
        table.add_column(imp.method, justify="right")
    order = first.order()
    for i in order[:top]:
        cells = []
        for imp in expl.importances:
            cell = f"{imp.mean[i]:.4f}"
            if imp.drops.shape[1] > 1:
                cell += f" ± {imp.std[i]:.4f}"
            cells.append(cell)
        table.add_row(first.names[i], *cells)
    if len(order) > top:
        table.caption = f"{len(order) - top} more in importance.csv"
    return table


def _contribution_table(expl: Explanation, top: int) -> RichTable:
    """Return the chosen row's breakdown: bias, biggest contributions, the prediction."""
    values = expl.X_valid.iloc[expl.row]
    contribs = expl.contributions[expl.row]
    order = np.argsort(-np.abs(contribs), kind="stable")
    table = RichTable(
        title=f"Validation row {expl.row}: {expl.output} = bias + contributions "
        f"(actual {expl.table.target} = {expl.actual()})"
    )
    table.add_column("feature")
    table.add_column("value", justify="right")
    table.add_column("contribution", justify="right")
    table.add_row("bias", "", f"{expl.bias[expl.row]:.4f}")
    for i in order[:top]:
        name = expl.X_valid.columns[i]
        table.add_row(name, expl.feature_text(name, values[name]), f"{contribs[i]:+.4f}")
    rest = order[top:]
    if len(rest):
        table.add_row(f"other ({len(rest)})", "", f"{contribs[rest].sum():+.4f}")
    table.add_row(f"[bold]{expl.output}[/]", "", f"[bold]{expl.prediction:.4f}[/]")
    return table
