"""The Typer apps every sub-command module attaches itself to, and the group that loads them lazily.

`groundup` starts in about 0.2 s because a command's module (and torch, scikit-learn, dask,
matplotlib behind it) is imported only when that command runs. `LazyGroup` is click's "lazy
group" pattern (click docs, "Lazily Loading Subcommands") on Typer's own group class, the
documented way to customise a Typer app (`typer.Typer(cls=...)`; since Typer 0.26 the click
inside Typer is Typer's own copy, so a group from the `click` package cannot hold Typer
commands): `list_commands` and `get_command` answer from the table below without importing
anything, and `resolve_command`, which click calls only to run a command, imports its module
first.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

# The modules that define each command; importing one registers its command(s) on the apps.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "train": ("train",),
    "evaluate": ("evaluate",),
    "predict": ("predict",),
    "serve": ("serve",),
    "broadcast": ("broadcast",),
    "ladder": ("ladder",),
    "tune": ("tune",),
    "forest": ("forest_pictures", "forest_explain"),
    "bench": ("bench",),
    "radar": ("radar", "radar_fit"),
    "matmul": ("matmul",),
}

# What `groundup --help` lists for each command before its module is imported. A test keeps
# each equal to the first paragraph of the command's docstring. `forest`, `bench` and `matmul` are
# groups: their help is their app's (below).
SUMMARIES: dict[str, str] = {
    "train": "Train a digit recogniser on MNIST and save it.",
    "evaluate": "Score a saved model on MNIST test: accuracy, per digit, confusion matrix.",
    "predict": "Say which digit each picture shows, with the model's top guesses.",
    "serve": "Serve a web page to draw digits on, and the API behind it, until Ctrl-C.",
    "broadcast": "Explain how SHAPEs broadcast: one row per axis from the right, then the "
    "result shape.",
    "ladder": "Train the lecture's MNIST logistic regression five times, each rung replacing "
    "one more library piece with groundup's own, and print one table: rung, what is ours "
    "now, valid and test accuracy, seconds per epoch.",
    "tune": "Search hyper-parameters on a fixed validation set, in parallel, locally or on Dask.",
}


def reflow(text: str | None) -> str | None:
    """Return help text whose paragraphs are each one line, so the terminal wraps them: Typer
    keeps a docstring's single line breaks, which at 80 columns leaves ragged half-lines. A
    paragraph with an indented line (an example) keeps its lines as written."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(p if any(line.startswith(" ") for line in p.splitlines())
                       else " ".join(line.strip() for line in p.splitlines())
                       for p in paragraphs)


def reflow_help(command: Any) -> Any:
    """Return `command` (and, for a group, every command in it) with its help reflowed."""
    command.help = reflow(command.help)
    for sub in getattr(command, "commands", {}).values():
        reflow_help(sub)
    return command


class LazyGroup(TyperGroup):
    """The top-level `groundup` group: lists every command, imports one only to run it."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.loaded: set[str] = set()
        for name, summary in SUMMARIES.items():  # stand-ins until the command is run
            self.commands.setdefault(name, TyperCommand(name=name, help=summary))

    def list_commands(self, ctx: Any) -> list[str]:
        """Return the command names in the order `groundup --help` lists them."""
        return list(COMMAND_MODULES)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """Return the command called `cmd_name` (a stand-in until loaded), or None."""
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Return (name, command, rest of args) after importing the command's module."""
        if args and args[0] in COMMAND_MODULES and args[0] not in self.loaded:
            for module in COMMAND_MODULES[args[0]]:
                importlib.import_module(f"groundup.cli.{module}")
            self.commands[args[0]] = reflow_help(typer.main.get_group(app).commands[args[0]])
            self.loaded.add(args[0])
        return super().resolve_command(ctx, args)


_settings = dict(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

app = typer.Typer(
    cls=LazyGroup,
    help=(
        "groundup: the fast.ai lecture 'SGD from scratch' as real software.\n\n"
        "Train MNIST digit recognisers whose modules, optimizers, data loader and training "
        "loop are written from scratch on PyTorch tensors and autograd, and explore the "
        "lecture's tools: broadcasting, the matmul ladder and its animation, random-forest "
        "pictures and interpretation, parallel hyper-parameter search, a draw-a-digit web "
        "page, and the iceberg challenge's radar images."
    ),
    **_settings,
)
forest_app = typer.Typer(help="Random-forest pictures and interpretation.", **_settings)
bench_app = typer.Typer(help="Benchmarks you can run yourself.", **_settings)
app.add_typer(forest_app, name="forest")
app.add_typer(bench_app, name="bench")
radar_app = typer.Typer(
    help="Radar images of ships and icebergs (Kaggle's Statoil/C-CORE challenge): 3-D "
    "surfaces, summaries, a small net.",
    **_settings,
)
app.add_typer(radar_app, name="radar")
matmul_app = typer.Typer(
    help="See what a matrix multiply does: C = A @ B step by step, as a GIF, a page or stills.",
    **_settings,
)
app.add_typer(matmul_app, name="matmul")
