"""The `groundup` command line (layer 4): parse options, call layers 0-3, print results.

`apps.py` holds the Typer apps; each sub-command lives in its own module that decorates
them; `main.py` imports them all and turns user mistakes into one line and exit code 2.
"""
