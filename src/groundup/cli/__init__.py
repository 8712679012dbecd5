"""The `groundup` command line (layer 4): parse options, call layers 0-3, print results.

`apps.py` holds the Typer apps and the lazy group that imports a command's module only when
it runs; each sub-command lives in its own module that decorates them; `main.py` runs the
app and turns user mistakes into one line and exit code 2; `flags.py` is the one place where
the library's Python parameter names become flags.

A command function's signature is its list of options (Typer reads it), so it runs long;
its body stays short: parse, call layers 0-3, present.
"""
