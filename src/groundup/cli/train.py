"""`groundup train`: train an MNIST digit recogniser with groundup's own pieces and save it."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from groundup.cli.apps import app
from groundup.cli.flags import flag, one_line
from groundup.errors import GroundupError
from groundup.fileio import check_distinct_outputs, prepare_output_file, sidecar_path
from groundup.models.spec import CNN_DEFAULT_LR, DEFAULT_LR, RECIPES, TrainSpec, positive_int

# The recipe's defaults: the options below show them, and the spec checks every value.
DEFAULTS = TrainSpec()
# settings that fix a run's trajectory: on --resume they come from the checkpoint
RUN_SETTINGS = (*(n for n in TrainSpec.names() if n != "device"), "train_rows")


def _show(v) -> str:
    return ",".join(map(str, v)) if isinstance(v, tuple) else str(v)


def parse_sizes(text: str, option: str = "--hidden") -> tuple[int, ...]:
    """Return the sizes in '100,100' as a tuple of ints; bad text raises GroundupError
    naming `option`."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise GroundupError(
            f"{option} must be comma-separated integers like 100,100, got {text!r}"
        ) from None
    if any(s <= 0 for s in sizes):
        raise GroundupError(f"{option} sizes must be positive, got {text!r}")
    return sizes


@app.command()
def train(
    ctx: typer.Context,
    model: str = typer.Option(
        DEFAULTS.model, help="Model: logreg (Linear+LogSoftmax), mlp or cnn (conv layers)."
    ),
    hidden: str = typer.Option(
        ",".join(map(str, DEFAULTS.hidden)),
        help="mlp hidden layer sizes, comma-separated (e.g. 100,100).",
    ),
    channels: str = typer.Option(
        ",".join(map(str, DEFAULTS.channels)),
        help="cnn conv widths, comma-separated: one 5x5 conv block each (e.g. 8,16).",
    ),
    pool: str = typer.Option(
        DEFAULTS.pool,
        help="How each cnn block halves the image: max (conv, then a 2x2 max-pool) or "
        "stride (the conv steps 2 pixels: a quarter of the arithmetic).",
    ),
    act: str = typer.Option(
        DEFAULTS.act, help="Activation: relu, leaky_relu, elu, sigmoid, tanh or sin."
    ),
    init: str = typer.Option(
        DEFAULTS.init,
        help="How the first weights are drawn: kaiming (normal, spread sqrt(2/fan-in)), "
        "uniform (torch.nn's default, +-1/sqrt(fan-in); --fast uses it) or lecture.",
    ),
    augment: bool = typer.Option(
        None, "--augment/--no-augment", show_default=False,
        help="Train on randomly shifted, turned and scaled copies of each batch. "
        "Default: on for cnn, off for the others.",
    ),
    fast: bool = typer.Option(
        False, "--fast",
        help="The fast recipe: " + ", ".join(f"{k} {_show(v)}" for k, v in RECIPES["fast"].items())
        + " (options you type win).",
    ),
    epochs: int = typer.Option(DEFAULTS.epochs, help="Passes over the 50,000 training images."),
    bs: int = typer.Option(
        DEFAULTS.bs, show_default=False,
        help="Mini-batch size. Default: 128, or 64 for cnn.",
    ),
    lr: float = typer.Option(
        DEFAULTS.lr,
        show_default=False,
        help="Learning rate (the peak for onecycle). Default: "
        + ", ".join(f"{v:g} for {k}" for k, v in DEFAULT_LR.items()) + "; for cnn "
        + ", ".join(f"{v:g} with {k}" for k, v in CNN_DEFAULT_LR.items()) + ".",
    ),
    opt: str = typer.Option(DEFAULTS.opt, help="Optimizer: adam or sgd."),
    momentum: float = typer.Option(DEFAULTS.momentum, help="SGD momentum (ignored by adam)."),
    wd: float = typer.Option(DEFAULTS.wd, help="Weight decay (decoupled, AdamW-style, for adam)."),
    sched: str = typer.Option(DEFAULTS.sched, help="Learning-rate schedule: const or onecycle."),
    device: str = typer.Option(DEFAULTS.device, help="auto (GPU if present), cpu, cuda or cuda:N."),
    seed: int = typer.Option(
        DEFAULTS.seed, help="Random seed: same seed, same run, bit for bit on CPU."
    ),
    out: str = typer.Option(  # str, not Path: Path("m/") would lose the telling "/"
        "model.safetensors",
        metavar="PATH",
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
    checkpoint: str = typer.Option(
        None,
        metavar="PATH",
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
    out_path, ckpt_path = _output_paths(out, checkpoint, resume)  # before any work (or torch)
    from groundup.models.job import model_meta, train_mnist

    given, ckpt = _run_settings(ctx, parse_sizes(hidden), parse_sizes(channels, "--channels"),
                                fast, resume)
    train_rows = given.pop("train_rows")
    spec = TrainSpec(**given, device=device).validate()
    if train_rows is not None:
        positive_int("train_rows", train_rows)
    if checkpoint_every < 0:
        raise GroundupError(f"--checkpoint-every must be >= 0, got {checkpoint_every}")
    data = dict(train_rows=train_rows, data_dir=str(data_dir) if data_dir is not None else None)
    info = model_meta(spec, **data)  # also reports bad data before anything else

    console = Console(soft_wrap=True)
    if not quiet:
        console.print(_describe(spec, ckpt), highlight=False)
    callbacks = _callbacks(ckpt_path, checkpoint_every, info, None if quiet else console)
    watch = _thread_watch(spec)
    extra = [watch] if watch is not None else []
    result = train_mnist(spec, **data, callbacks=callbacks + extra, resume=ckpt)
    if watch is not None and watch.changes and not quiet:
        console.print(_threads_changed(watch.changes), highlight=False)
    _report(result, out_path, ckpt_path)


def _run_settings(ctx: typer.Context, hidden: tuple[int, ...], channels: tuple[int, ...],
                  fast: bool, resume: Path | None) -> tuple[dict, object]:
    """Return (the run's settings by name, the checkpoint to resume or None): the options,
    with the fast recipe where no option was typed, or a checkpoint's own settings."""
    given = {**{name: ctx.params[name] for name in RUN_SETTINGS},
             "hidden": hidden, "channels": channels}
    if fast and resume is not None:
        raise GroundupError("--fast starts a run from a recipe; --resume continues a saved run "
                            "with its own settings: give one of them")
    if fast:
        given.update({name: value for name, value in RECIPES["fast"].items()
                      if ctx.get_parameter_source(name).name != "COMMANDLINE"})
    ckpt, saved = _checkpoint_to_resume(ctx, resume, given) or (None, None)
    if saved is not None:
        given = {name: saved[name] for name in RUN_SETTINGS}
    return given, ckpt


def _thread_watch(spec: TrainSpec):
    """Return a ThreadWatch for a CPU run (one thread per idle core, re-counted as it runs),
    or None on a GPU."""
    if spec.torch_device().type != "cpu":
        return None
    from groundup.threads import ThreadWatch

    return ThreadWatch()


def _threads_changed(changes: list[tuple[int, int]]) -> str:
    """Return the line saying how the thread count moved (2 -> 1 -> 2) and how to pin it."""
    steps = " -> ".join(str(n) for n in [changes[0][0], *(to for _, to in changes)])
    return (f"threads changed with the machine's load ({steps}); to repeat this run bit for "
            "bit, pin them: OMP_NUM_THREADS=N groundup train ...")


def _callbacks(ckpt_path: Path, every: int, info: dict, console: Console | None) -> list:
    """Return the callbacks of a CLI run: Ctrl-C stops cleanly, checkpoints, a progress table."""
    from groundup.train import CheckpointCallback, ProgressCallback, StopOnInterrupt

    found = [StopOnInterrupt(), CheckpointCallback(ckpt_path, every, info)]
    return found + ([ProgressCallback(console)] if console is not None else [])


def _report(result, out: Path, ckpt_path: Path) -> None:
    """Print the outcome and save the model; exit 130 after Ctrl-C, 1 after divergence."""
    from groundup.models.io import save_model
    from groundup.train.checkpoint import INTERRUPTED

    reason = result.history.stop_reason
    if reason == INTERRUPTED:
        ckpt, shown = one_line(str(ckpt_path)), one_line(str(out))  # a name may hold a newline
        print(f"interrupted: saved a checkpoint to {ckpt}", file=sys.stderr)
        print(f"resume with: groundup train --resume {ckpt} --out {shown}", file=sys.stderr)
        raise typer.Exit(130)
    if reason:
        print(f"warning: {reason}", flush=True)
    save_model(out, result.model, result.meta)
    print(f"test accuracy: {result.test_acc:.4f}")
    print(
        f"saved model to {one_line(str(out))} (+ {one_line(sidecar_path(out).name)}), "
        f"{result.train_seconds:.1f} s of training"
    )
    if reason:
        raise typer.Exit(1)


def _output_paths(out: str, checkpoint: str | None, resume: Path | None) -> tuple[Path, Path]:
    """Return (model path, checkpoint path), both checked by the output-path rule, with
    their JSON copies, and four distinct files; stale temporaries beside them are removed."""
    out_path = prepare_output_file(out, "out", sidecar=True)
    if checkpoint is not None:
        param, ckpt = "checkpoint", checkpoint
    elif resume is not None:
        param, ckpt = "resume", resume  # a resumed run goes on checkpointing into its file
    else:
        name = out_path.name.removesuffix(".safetensors") + ".ckpt.safetensors"
        param, ckpt = "checkpoint", out_path.with_name(name)
    ckpt_path = prepare_output_file(ckpt, param, sidecar=True)
    check_distinct_outputs({"out": out_path, param: ckpt_path}, sidecars=True)
    return out_path, ckpt_path


def _checkpoint_to_resume(ctx: typer.Context, resume: Path | None, given: dict):
    """Return (checkpoint, its settings by name), or None; typed flags must agree with it."""
    if resume is None:
        return None
    from groundup.models.job import saved_run
    from groundup.train.checkpoint import load_checkpoint

    ckpt = load_checkpoint(resume)
    spec, train_rows = saved_run(ckpt)
    saved = {**{n: getattr(spec, n) for n in TrainSpec.names()}, "train_rows": train_rows}
    for name in RUN_SETTINGS:
        typed = ctx.get_parameter_source(name).name == "COMMANDLINE"
        if typed and given[name] != saved[name]:
            f = flag(name)
            raise GroundupError(
                f"{resume}: this checkpoint was made with {f} {_show(saved[name])}, "
                f"not {_show(given[name])}; drop {f} to resume it, or start a new run "
                "without --resume"
            )
    return ckpt, saved


def _describe(spec: TrainSpec, ckpt) -> str:
    arch = str(spec.arch()).removeprefix(spec.model + " ")
    text = (
        f"training [bold]{spec.model}[/] {arch} with {spec.opt} lr {spec.lr:g} {spec.sched}, "
        f"{spec.epochs} epochs, bs {spec.bs}, seed {spec.seed}"
    )
    if spec.torch_device().type == "cpu":  # the same seed repeats bit for bit on as many threads
        import torch

        text += f", {torch.get_num_threads()} threads"
    if ckpt is not None:
        text += f", resuming at epoch {ckpt.epoch + 1} (step {ckpt.step})"
    return text
