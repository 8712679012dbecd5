"""`groundup train`: train an MNIST digit recogniser with groundup's own pieces and save it."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from groundup.cli.apps import app
from groundup.errors import GroundupError
from groundup.fileio import check_writable_dir

# settings that fix a run's trajectory: on --resume they come from the checkpoint
RUN_SETTINGS = (
    "model",
    "hidden",
    "act",
    "epochs",
    "bs",
    "lr",
    "opt",
    "momentum",
    "wd",
    "sched",
    "seed",
    "train_rows",
)

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
    ctx: typer.Context,
    model: str = typer.Option("mlp", help="Model: logreg (Linear+LogSoftmax) or mlp."),
    hidden: str = typer.Option(
        "512", help="mlp hidden layer sizes, comma-separated (e.g. 100,100)."
    ),
    act: str = typer.Option("relu", help="mlp activation: relu, leaky_relu, elu or sigmoid."),
    epochs: int = typer.Option(10, help="Passes over the 50,000 training images."),
    bs: int = typer.Option(128, help="Mini-batch size."),
    lr: float = typer.Option(
        None,
        show_default=False,
        help="Learning rate (the peak for onecycle). Default: 3e-3 for adam, 0.1 for sgd.",
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
        show_default=False,
        help="A directory holding the four standard MNIST IDX files (gzipped or not),"
        " used instead of the shipped copy.",
    ),
    train_rows: int = typer.Option(
        None,
        show_default=False,
        help="Train on only the first N training images (quick experiments).",
    ),
    checkpoint_every: int = typer.Option(
        0, help="Write a training checkpoint every N epochs (0: only when Ctrl-C stops the run)."
    ),
    checkpoint: Path = typer.Option(
        None,
        show_default=False,
        help="Checkpoint file. Default: OUT with .ckpt.safetensors (model.ckpt.safetensors).",
    ),
    resume: Path = typer.Option(
        None,
        show_default=False,
        help="Continue the run saved in this checkpoint, exactly where it stopped. Its "
        "settings are used; a flag that contradicts them is an error.",
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="No progress bar or table; just the result lines."
    ),
) -> None:
    """Train a digit recogniser on MNIST and save it.

    Prints a row per epoch (train loss, valid loss, valid accuracy, lr, seconds), then
    `test accuracy: 0.9xxx`, and saves the model as safetensors + a JSON sidecar.
    Ctrl-C stops after the current step, saves a checkpoint and prints how to resume.
    """
    from groundup.data import mnist_stats, resolve_device
    from groundup.models.io import save_model
    from groundup.models.job import TrainConfig, config_from_checkpoint, train_mnist
    from groundup.train.resume import INTERRUPTED, load_checkpoint

    given = dict(
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
        seed=seed,
        train_rows=train_rows,
    )
    place = dict(device=device, data_dir=str(data_dir) if data_dir is not None else None)
    ckpt = None
    if resume is not None:
        ckpt = load_checkpoint(resume)
        saved = config_from_checkpoint(ckpt)
        _check_flags_agree(ctx, given, saved, resume)
        given = {k: getattr(saved, k) for k in RUN_SETTINGS}
    cfg = TrainConfig(**given, **place).validate()
    if checkpoint_every < 0:
        raise GroundupError(f"--checkpoint-every must be >= 0, got {checkpoint_every}")
    ckpt_path = checkpoint or (resume if resume is not None else _default_checkpoint(out))
    check_writable_dir(out)  # fail before training, not after
    check_writable_dir(ckpt_path)
    resolve_device(cfg.device)  # a missing GPU or bad data is reported before anything else
    mnist_stats(data_dir=cfg.data_dir)

    console = Console(soft_wrap=True)
    if not quiet:
        console.print(_describe(cfg, ckpt), highlight=False)
    result = train_mnist(
        cfg,
        progress=not quiet,
        console=None if quiet else console,
        checkpoint_path=ckpt_path,
        checkpoint_every=checkpoint_every,
        resume=ckpt,
        interruptible=True,
    )
    reason = result.history.stop_reason
    if reason == INTERRUPTED:
        print(f"interrupted: saved a checkpoint to {ckpt_path}", file=sys.stderr)
        print(f"resume with: groundup train --resume {ckpt_path} --out {out}", file=sys.stderr)
        raise typer.Exit(130)
    if reason:
        print(f"warning: {reason}", flush=True)
    save_model(out, result.model, result.meta)
    print(f"test accuracy: {result.test_acc:.4f}")
    print(
        f"saved model to {out} (+ {Path(out).with_suffix('.json').name}), "
        f"{result.train_seconds:.1f} s of training"
    )
    if reason:
        raise typer.Exit(1)


def _default_checkpoint(out: Path) -> Path:
    return out.with_name(out.name.removesuffix(".safetensors") + ".ckpt.safetensors")


def _check_flags_agree(ctx: typer.Context, given: dict, saved, resume: Path) -> None:
    """Raise if a flag typed on the command line contradicts the checkpoint's settings."""
    from typer._click.core import ParameterSource

    for name in RUN_SETTINGS:
        src = ctx.get_parameter_source(name)
        if src == ParameterSource.COMMANDLINE and given[name] != getattr(saved, name):
            flag = "--" + name.replace("_", "-")
            raise GroundupError(
                f"{resume}: this checkpoint was made with {flag} {_show(getattr(saved, name))}, "
                f"not {_show(given[name])}; drop {flag} to resume it, or start a new run "
                "without --resume"
            )


def _show(v) -> str:
    return ",".join(map(str, v)) if isinstance(v, tuple) else str(v)


def _describe(cfg, ckpt) -> str:
    arch = "784-10" if cfg.model == "logreg" else "-".join(map(str, (784, *cfg.hidden, 10)))
    act = f" ({cfg.act})" if cfg.model == "mlp" else ""
    text = (
        f"training [bold]{cfg.model}[/] {arch}{act} with {cfg.opt} lr {cfg.lr:g} {cfg.sched}, "
        f"{cfg.epochs} epochs, bs {cfg.bs}, seed {cfg.seed}"
    )
    if ckpt is not None:
        text += f", resuming at epoch {ckpt.epoch + 1} (step {ckpt.step})"
    return text
