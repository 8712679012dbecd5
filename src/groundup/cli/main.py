"""Entry point of the `groundup` command: runs a sub-command, maps user mistakes to exit code 2."""

from __future__ import annotations

import sys

import typer
from typer._click import ClickException  # typer vendors click; this is its base error

# Importing a command module registers its sub-command(s) on the apps.
from groundup.cli import (  # noqa: F401, E402  (imported for their side effect)
    bench,
    broadcast,
    forest_explain,
    forest_pictures,
    ladder,
    train,
    tune,
)
from groundup.cli.apps import app  # noqa: E402
from groundup.errors import GroundupError


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors print one line on stderr and exit with code 2."""
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
