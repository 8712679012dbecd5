"""Entry point of the `groundup` command: runs a sub-command, maps user mistakes to exit code 2."""

from __future__ import annotations

import importlib
import sys

import typer
from typer._click import ClickException  # typer vendors click; this is its base error

from groundup.cli.apps import app
from groundup.cli.flags import in_flags
from groundup.errors import GroundupError

# Importing a command module registers its sub-command(s) on the apps. Only the module
# of the command being run is imported, so `groundup predict` does not pay for importing
# scikit-learn or dask; `--help` at the top level imports them all to list them.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "train": ("train",),
    "evaluate": ("evaluate",),
    "predict": ("predict",),
    "broadcast": ("broadcast",),
    "bench": ("bench",),
    "ladder": ("ladder",),
    "forest": ("forest_pictures", "forest_explain"),
    "tune": ("tune",),
}


# What `groundup --help` lists for each command, so that listing them imports none of them
# (torch, scikit-learn and matplotlib take seconds to import). A test keeps each equal to
# the first line of the command's own docstring. `forest` and `bench` are groups (apps.py).
SUMMARIES: dict[str, str] = {
    "train": "Train a digit recogniser on MNIST and save it.",
    "evaluate": "Score a saved model on MNIST test: accuracy, per digit, confusion matrix.",
    "predict": "Say which digit each picture shows, with the model's top guesses.",
    "broadcast": "Explain how SHAPEs broadcast: one row per axis from the right, then the "
    "result shape.",
    "ladder": "Train the lecture's MNIST logistic regression five times, each rung replacing "
    "one more library piece with groundup's own, and print one table: rung, what is ours "
    "now, valid and test accuracy, seconds per epoch.",
    "tune": "Search hyper-parameters on a fixed validation set, in parallel, locally or on Dask.",
}


def command_name(info) -> str:
    """Return the name a registered Typer command is invoked by."""
    return info.name or info.callback.__name__.replace("_", "-")


def _listing_only() -> None:
    """Stands in for a command in the top-level listing; never run."""


def _register(argv: list[str]) -> None:
    """Import the invoked command's module, or list every command from SUMMARIES."""
    first = next((a for a in argv if not a.startswith("-")), None)
    app.registered_commands[:] = [
        c for c in app.registered_commands if c.callback is not _listing_only
    ]
    if first in COMMAND_MODULES:
        for name in COMMAND_MODULES[first]:
            importlib.import_module(f"groundup.cli.{name}")
        return
    have = {command_name(c) for c in app.registered_commands}
    for name, summary in SUMMARIES.items():
        if name not in have:
            app.command(name=name, help=summary)(_listing_only)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors print one line on stderr and exit with code 2."""
    argv = sys.argv[1:] if argv is None else argv
    _register(argv)
    try:
        code = app(args=argv, prog_name="groundup", standalone_mode=False)
    except typer.Exit as e:
        code = e.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        code = 130
    except ClickException as e:  # bad usage: unknown option, a value of the wrong type, ...
        if type(e).__name__ == "NoArgsIsHelpError":  # bare `groundup`: the help was shown
            sys.exit(0)
        ctx = getattr(e, "ctx", None)
        hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
        print(f"error: {e.format_message()}{hint}", file=sys.stderr)
        code = 2
    except GroundupError as e:
        print(f"error: {in_flags(e)}", file=sys.stderr)
        code = 2
    except OSError as e:
        name = f"{e.filename}: " if e.filename else ""
        print(f"error: {name}{e.strerror or e}", file=sys.stderr)
        code = 2
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
