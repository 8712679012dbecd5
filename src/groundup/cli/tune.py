"""`groundup tune`: search a grid of hyper-parameters on MNIST (or a CSV) in parallel, scored on
the validation split, and report the best config with its test score."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from groundup.cli.apps import app
from groundup.cli.tune_data import SearchData, load_search_data
from groundup.errors import GroundupError, SettingError
from groundup.fileio import check_output_file

if TYPE_CHECKING:
    from groundup.tune.grid import ParamGrid
    from groundup.tune.metrics import SearchMetric
    from groundup.tune.options import SearchOptions
    from groundup.tune.results import SearchResult

PLOT_SUFFIXES = (".png", ".svg", ".pdf")


@app.command(
    epilog="Example: groundup tune --model logreg --grid lr=1e-3,1e-2,1e-1 --grid wd=0,1e-4"
    " --n-jobs 2 --store results.db --plot scores.png"
)
def tune(
    model: str = typer.Option(
        "logreg",
        help="What to tune: logreg, mlp or cnn (groundup's own models, trained by our own"
        " SGD/Adam and fit loop) or sklearn:<Classifier>, e.g. sklearn:SGDClassifier,"
        " sklearn:RandomForestClassifier.",
    ),
    grid: list[str] = typer.Option(
        None,
        "--grid",
        show_default=False,
        help="NAME=V1,V2,... one parameter and its values; repeat for more parameters (every"
        " combination is fitted). Values: numbers, true/false, none, words, tuples like (100,50)."
        " Default for logreg/mlp: --grid lr=1e-3,1e-2,1e-1 --grid wd=0,1e-4.",
    ),
    metric: str = typer.Option(
        "accuracy",
        help="Validation metric: accuracy, balanced_accuracy, f1_macro, log_loss or roc_auc"
        " (probability metrics are multi-class: log loss, one-vs-rest ROC AUC).",
    ),
    n_jobs: int = typer.Option(
        -1, "--n-jobs", help="Local worker processes (-1: one per core; 1: fit in this process)."
    ),
    backend: str = typer.Option("local", help="Where to fit: local (worker processes) or dask."),
    scheduler: str = typer.Option(
        None, show_default=False, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."
    ),
    scheduler_timeout: float = typer.Option(
        10.0, help="Seconds to wait for the Dask scheduler and a first worker."
    ),
    store: Path = typer.Option(
        None,
        show_default=False,
        help="SQLite file that keeps every result as it arrives (so a search can be resumed).",
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Continue the search in --store: fit only configs not yet done."
    ),
    plot: Path = typer.Option(
        None, show_default=False, help="Save a picture of the scores here (.png, .svg or .pdf)."
    ),
    data: str = typer.Option(
        "mnist",
        help="mnist (shipped: train 50,000 / valid 10,000 / test 10,000) or a CSV file of numeric"
        " features, split 60/20/20 after a seeded shuffle.",
    ),
    target: str = typer.Option(
        None, show_default=False, help="The CSV column to predict (with --data FILE.csv)."
    ),
    train_rows: int = typer.Option(
        None, show_default=False, help="Fit on only the first N training rows (quicker searches)."
    ),
    seed: int = typer.Option(0, help="Seed for the models (and the CSV split)."),
    device: str = typer.Option("cpu", help="Device for logreg/mlp: cpu, cuda or auto."),
    top: int = typer.Option(20, help="Show this many configs in the final table (best first)."),
) -> None:
    """Search hyper-parameters on a fixed validation set, in parallel, locally or on Dask.

    Every config gets a fresh model, fitted on the training split and scored on the validation
    split; the best config is then scored once on the test split. Results are stored as they
    arrive when --store is given, and --resume fits only what is missing.
    """
    # The signature above is the command's list of options (Typer reads it); the work is three
    # steps: check everything (before data is loaded or anything fitted), search, show.
    from groundup.tune.options import SearchOptions

    options = SearchOptions(metric=metric, n_jobs=n_jobs, backend=backend, scheduler=scheduler,
                            scheduler_timeout=scheduler_timeout, store=store, resume=resume,
                            progress=True)
    plan = _plan(model, grid, options, seed=seed, device=device, top=top, plot=plot)
    result, d = _search(plan, lambda: load_search_data(data, target, train_rows, seed), data)
    _show(plan, result, d)


@dataclass(frozen=True)
class _Plan:
    """A checked `groundup tune` run: what to fit, how to search, and what to show."""

    model: str
    estimator: Any
    grid: ParamGrid
    n_configs: int
    options: SearchOptions
    top: int
    plot: Path | None


def _plan(model: str, grid: list[str] | None, options: SearchOptions, seed: int, device: str,
          top: int, plot: Path | None) -> _Plan:
    """Return the checked plan of a run; raise SettingError for anything a user got wrong."""
    from groundup.cli.tune_models import DEFAULT_GRIDS, estimator_for
    from groundup.tune.checks import prepare_configs
    from groundup.tune.grid import parse_grid

    if top <= 0:
        raise SettingError("top", f"must be positive, got {top}")
    if plot is not None:
        check_output_file(plot, "plot")
        if plot.suffix.lower() not in PLOT_SUFFIXES:
            raise SettingError("plot", f"use a .png, .svg or .pdf file name, not {plot}")
    estimator = estimator_for(model, seed=seed, device=device)
    the_grid = parse_grid(grid) if grid else DEFAULT_GRIDS.get(model, {})
    configs, _ = prepare_configs(estimator, the_grid, options.parallel)
    return _Plan(model, estimator, the_grid, len(configs), options, top, plot)


def _search(plan: _Plan, load: Callable[[], SearchData], data: str
            ) -> tuple[SearchResult, SearchData]:
    """Return the search's result and its data; Ctrl-C exits 130, saying what the store kept."""
    from groundup.tune.options import opened
    from groundup.tune.search import best_fit

    err = Console(stderr=True)
    with opened(plan.options) as options:  # a Dask scheduler is reached now, before loading
        with err.status(f"loading {data}"):
            d = load()
        m = options.search_metric
        direction = "higher" if m.greater_is_better else "lower"
        header = (f"tune {plan.model} on {d.name}: train {len(d.y_train):,} rows, valid "
                  f"{len(d.y_val):,}; {plan.n_configs} configs on {options.backend.describe()};"
                  f" {m.name} ({direction} is better)")
        # said once the store is open and checked: a refused store is the only line
        options = replace(options, on_start=lambda: err.print(header, highlight=False))
        try:
            result = best_fit(plan.estimator, plan.grid, d.X_train, d.y_train, d.X_val, d.y_val,
                              options)
        except KeyboardInterrupt:
            print(f"interrupted{_kept(options.store)}", file=sys.stderr)
            raise typer.Exit(130) from None
    return result, d


def _show(plan: _Plan, result: SearchResult, d: SearchData) -> None:
    """Print the table, the best config and its test score, and where things were written."""
    err, out = Console(stderr=True), Console()
    store = plan.options.store
    _print_table(result, plan.top, out)
    if plan.plot is not None:
        from groundup.tune.plots import plot_scores

        plot_scores(result, plan.plot)
    if result.best_model is None:
        first = result.table["error"].iloc[0]
        raise GroundupError(f"all {len(result.table)} configs failed; the first: {first}")
    _print_best(result, plan.options.search_metric, d, out)
    if store is not None:
        out.print(f"store: {store} ({result.n_fitted} fitted now, {result.n_resumed} resumed)",
                  highlight=False)
    if plan.plot is not None:
        out.print(f"plot: {plan.plot}", highlight=False)
    if result.n_failed:
        err.print(f"{result.n_failed} of {len(result.table)} configs failed (see the table)",
                  highlight=False)


def _kept(store: Path | None) -> str:
    """Return how many results an interrupted search left in its store, as a message tail."""
    if store is None or not store.exists():
        return ""
    from groundup.tune.store import ResultStore

    with ResultStore(store) as db:
        return f"; {db.count()} results are kept in {store}: add --resume to continue"


def _print_best(result: SearchResult, m: SearchMetric, d: SearchData, out: Console) -> None:
    """Print the best config, its validation score and its one look at the test split."""
    from groundup.tune.grid import format_config
    from groundup.tune.metrics import get_metric

    test = m(result.best_model, d.X_test, d.y_test)
    line = (f"best: {format_config(result.best_params)}   valid {m.name} {result.best_score:.4f}"
            f"   test {m.name} {test:.4f}")
    if m.name != "accuracy":
        acc = get_metric("accuracy")(result.best_model, d.X_test, d.y_test)
        line += f"   test accuracy {acc:.4f}"
    out.print(line, highlight=False, soft_wrap=True)


def _print_table(result: SearchResult, top: int, out: Console) -> None:
    """Print the `top` configs, best first, with their scores, fit times and notes."""
    from groundup.tune.grid import format_value

    t = result.sorted_table()
    table = Table(
        title=f"{len(t)} configs by validation {result.metric}"
        + (f" (top {top})" if len(t) > top else ""),
        title_justify="left",
    )
    names = sorted(result.param_names)
    table.add_column("rank", justify="right")
    for n in names:
        table.add_column(n, justify="right")
    table.add_column(result.metric, justify="right")
    table.add_column("fit s", justify="right")
    table.add_column("note")
    for _, row in t.head(top).iterrows():
        ok = row["status"] == "ok"
        note = (
            row["error"] if not ok else (row["warnings"].split("; ")[0] if row["warnings"] else "")
        )
        table.add_row(
            str(row["rank"]),
            *(format_value(row[n]) for n in names),
            f"{row['score']:.4f}" if ok else "failed",
            f"{row['fit_seconds']:.2f}" if row["fit_seconds"] == row["fit_seconds"] else "-",
            (note[:70] + "…") if len(note) > 70 else note,
            style=None if ok else "red",
        )
    out.print(table)
