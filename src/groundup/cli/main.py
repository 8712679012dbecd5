"""Entry point of the `groundup` command: runs a sub-command, maps user mistakes to exit code 2."""

from __future__ import annotations

import importlib
import sys

import typer
from typer._click import ClickException  # typer vendors click; this is its base error

from groundup.cli.apps import app
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


def _register(argv: list[str]) -> None:
    first = next((a for a in argv if not a.startswith("-")), None)
    names = COMMAND_MODULES.get(first) or tuple(m for ms in COMMAND_MODULES.values() for m in ms)
    for name in names:
        try:
            importlib.import_module(f"groundup.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"groundup.cli.{name}":  # a command not written yet is skipped
                raise


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
        ctx = getattr(e, "ctx", None)
        hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
        print(f"error: {e.format_message()}{hint}", file=sys.stderr)
        code = 2
    except GroundupError as e:
        print(f"error: {e}", file=sys.stderr)
        code = 2
    except OSError as e:
        name = f"{e.filename}: " if e.filename else ""
        print(f"error: {name}{e.strerror or e}", file=sys.stderr)
        code = 2
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
