"""`groundup tune`: search a grid of hyper-parameters on MNIST (or a CSV) in parallel, scored on
the validation split, and report the best config with its test score."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from groundup.cli.apps import app
from groundup.errors import GroundupError
from groundup.fileio import check_writable_dir

PLOT_SUFFIXES = (".png", ".svg", ".pdf")


@app.command(
    epilog="Example: groundup tune --model logreg --grid lr=1e-3,1e-2,1e-1 --grid wd=0,1e-4"
    " --n-jobs 2 --store results.db --plot scores.png"
)
def tune(
    model: str = typer.Option(
        "logreg",
        help="What to tune: logreg or mlp (groundup's own models, trained by our own SGD/Adam and"
        " fit loop) or sklearn:<Classifier>, e.g. sklearn:SGDClassifier,"
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
    from groundup.cli.tune_models import DEFAULT_GRIDS, OURS, make_estimator
    from groundup.tune.grid import parse_grid
    from groundup.tune.metrics import get_metric
    from groundup.tune.search import prepare_configs

    # Everything a user can get wrong is checked here, before data is loaded or anything fitted.
    if backend not in ("local", "dask"):
        raise GroundupError(f"--backend {backend}: choose local or dask")
    if backend == "dask" and not scheduler:
        raise GroundupError("--backend dask needs --scheduler tcp://HOST:PORT")
    if backend == "local" and scheduler:
        raise GroundupError("--scheduler only applies to --backend dask")
    if resume and store is None:
        raise GroundupError("--resume needs --store (the file holding the earlier results)")
    if top <= 0:
        raise GroundupError(f"--top must be positive, got {top}")
    if store is not None:
        check_writable_dir(store)
    if plot is not None:
        check_writable_dir(plot)
        if plot.suffix.lower() not in PLOT_SUFFIXES:
            raise GroundupError(f"--plot {plot}: use a .png, .svg or .pdf file name")
    m = get_metric(metric)
    if model in OURS:
        from groundup.data import resolve_device

        resolve_device(device)
    estimator = make_estimator(model, seed=seed, device=device)
    the_grid = parse_grid(grid) if grid else DEFAULT_GRIDS.get(model, {})
    configs, _ = prepare_configs(estimator, the_grid, n_jobs, backend)

    err, out = Console(stderr=True), Console()
    runner = None
    if backend == "dask":
        from groundup.tune.backends import DaskBackend

        runner = DaskBackend(scheduler, timeout=scheduler_timeout)  # unreachable: error now
    try:
        from groundup.cli.tune_data import load_search_data
        from groundup.tune.backends import resolve_n_jobs
        from groundup.tune.search import best_fit

        with err.status(f"loading {data}"):
            d = load_search_data(data, target=target, train_rows=train_rows, seed=seed)
        where = (f"dask {runner.address} ({runner.n_workers} worker threads)" if runner
                 else f"{resolve_n_jobs(n_jobs)} local worker(s)")
        direction = "higher" if m.greater_is_better else "lower"
        err.print(
            f"tune {model} on {d.name}: train {len(d.y_train):,} rows, valid {len(d.y_val):,}; "
            f"{len(configs)} configs on {where}; {m.name} ({direction} is better)",
            highlight=False,
        )
        try:
            result = best_fit(
                estimator, the_grid, d.X_train, d.y_train, d.X_val, d.y_val, metric=m,
                n_jobs=n_jobs, backend=backend, scheduler=runner.client if runner else None,
                store=store, resume=resume, progress=True,
            )
        except KeyboardInterrupt:
            print(f"interrupted{_kept(store)}", file=sys.stderr)
            raise typer.Exit(130) from None
    finally:
        if runner is not None:
            runner.close()

    _print_table(result, top, out)
    if plot is not None:
        from groundup.tune.plots import plot_scores

        plot_scores(result, plot)
    if result.best_model is None:
        first = result.table["error"].iloc[0]
        raise GroundupError(f"all {len(result.table)} configs failed; the first: {first}")
    _print_best(result, m, d, out)
    if store is not None:
        out.print(f"store: {store} ({result.n_fitted} fitted now, {result.n_resumed} resumed)",
                  highlight=False)
    if plot is not None:
        out.print(f"plot: {plot}", highlight=False)
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


def _print_best(result, m, d, out: Console) -> None:
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


def _print_table(result, top: int, out: Console) -> None:
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
