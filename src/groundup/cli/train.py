"""`groundup train`: train an MNIST digit recogniser with groundup's own pieces and save it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from groundup.cli.apps import app
from groundup.errors import GroundupError
from groundup.fileio import check_writable_dir

DEFAULT_LR = {"adam": 3e-3, "sgd": 0.1}


def parse_sizes(text: str) -> tuple[int, ...]:
    """Return the hidden sizes in '100,100' as a tuple of ints; bad text raises GroundupError."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise GroundupError(
            f"--hidden must be comma-separated integers like 100,100, got {text!r}"
        ) from None
    if any(s <= 0 for s in sizes):
        raise GroundupError(f"--hidden sizes must be positive, got {text!r}")
    return sizes


@app.command()
def train(
    model: str = typer.Option("mlp", help="Model: logreg (Linear+LogSoftmax) or mlp."),
    hidden: str = typer.Option(
        "256", help="mlp hidden layer sizes, comma-separated (e.g. 100,100)."
    ),
    act: str = typer.Option("relu", help="mlp activation: relu, leaky_relu, elu or sigmoid."),
    epochs: int = typer.Option(8, help="Passes over the 50,000 training images."),
    bs: int = typer.Option(128, help="Mini-batch size."),
    lr: float = typer.Option(
        None,
        help="Learning rate (peak rate for onecycle). Default: 3e-3 for adam, 0.1 for sgd.",
        show_default=False,
    ),
    opt: str = typer.Option("adam", help="Optimizer: adam or sgd."),
    momentum: float = typer.Option(0.9, help="SGD momentum (ignored by adam)."),
    wd: float = typer.Option(0.0, help="Weight decay (decoupled, AdamW-style, for adam)."),
    sched: str = typer.Option("onecycle", help="Learning-rate schedule: const or onecycle."),
    device: str = typer.Option("auto", help="auto (GPU if present), cpu, cuda or cuda:N."),
    seed: int = typer.Option(42, help="Random seed: same seed, same run, bit for bit on CPU."),
    out: Path = typer.Option(
        Path("model.safetensors"),
        help="Where to save the model (a .json copy of its metadata goes beside it).",
    ),
    data_dir: Path = typer.Option(
        None,
        help="A directory holding the four standard MNIST IDX files (gzipped or not),"
        " used instead of the shipped copy.",
        show_default=False,
    ),
    train_rows: int = typer.Option(
        None,
        help="Train on only the first N training images (quick experiments).",
        show_default=False,
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="No progress bar or table; just the result lines."
    ),
) -> None:
    """Train a digit recogniser on MNIST and save it.

    Prints a row per epoch (train loss, valid loss, valid accuracy, lr, seconds), then
    `test accuracy: 0.9xxx`, and saves the model as safetensors + a JSON sidecar.
    """
    from groundup.models.io import save_model
    from groundup.models.job import TrainConfig, train_mnist

    cfg = TrainConfig(
        model=model,
        hidden=parse_sizes(hidden),
        act=act,
        epochs=epochs,
        bs=bs,
        lr=DEFAULT_LR.get(opt, 3e-3) if lr is None else lr,
        opt=opt,
        momentum=momentum,
        wd=wd,
        sched=sched,
        device=device,
        seed=seed,
        data_dir=str(data_dir) if data_dir is not None else None,
        train_rows=train_rows,
    ).validate()
    check_writable_dir(out)  # fail before training, not after
    console = Console(soft_wrap=True)
    arch = "784-10" if cfg.model == "logreg" else "-".join(map(str, (784, *cfg.hidden, 10)))
    if not quiet:
        console.print(
            f"training [bold]{cfg.model}[/] {arch}"
            + (f" ({cfg.act})" if cfg.model == "mlp" else "")
            + f" with {cfg.opt} lr {cfg.lr:g} {cfg.sched}, {cfg.epochs} epochs, bs {cfg.bs}, "
            f"seed {cfg.seed}",
            highlight=False,
        )
    result = train_mnist(cfg, progress=not quiet, console=None if quiet else console)
    if result.history.stop_reason:
        print(f"warning: {result.history.stop_reason}", flush=True)
    save_model(out, result.model, result.meta)
    print(f"test accuracy: {result.test_acc:.4f}")
    print(
        f"saved model to {out} (+ {Path(out).with_suffix('.json').name}), "
        f"{result.train_seconds:.1f} s of training"
    )
    if result.history.stop_reason:
        raise typer.Exit(1)
