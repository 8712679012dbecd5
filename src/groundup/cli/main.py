"""Entry point of the `groundup` command: runs a sub-command, maps user mistakes to exit code 2.

The commands load lazily (see `LazyGroup` in apps.py): `groundup --help` imports none of them.
"""

from __future__ import annotations

import sys

import typer

from groundup.cli.apps import app
from groundup.cli.flags import error_line
from groundup.errors import GroundupError
from groundup.threads import configure_threads


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors print one line on stderr and exit with code 2."""
    argv = sys.argv[1:] if argv is None else argv
    if list(argv[:1]) == ["train"]:  # threads and their wait policy are fixed when torch loads
        configure_threads()
    try:
        code = app(args=argv, prog_name="groundup", standalone_mode=False)
    except typer.Exit as e:
        code = e.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        code = 130
    except typer.TyperException as e:  # bad usage: unknown option, a value of the wrong type...
        if type(e).__name__ == "NoArgsIsHelpError":  # bare `groundup`: the help was shown
            sys.exit(0)
        ctx = getattr(e, "ctx", None)
        hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
        print(error_line(f"{e.format_message()}{hint}"), file=sys.stderr)
        code = 2
    except GroundupError as e:
        print(error_line(e), file=sys.stderr)
        code = 2
    except OSError as e:
        name = f"{e.filename}: " if e.filename else ""
        print(error_line(f"{name}{e.strerror or e}"), file=sys.stderr)
        code = 2
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
