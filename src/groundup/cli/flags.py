"""The one place where Python parameter names become command-line flags.

The library names parameters in Python (`train_rows`, `grid['alpha']`, `` `resume=True` ``);
the CLI shows the same error in its own words (`--train-rows`, `--grid alpha`, `--resume`).
A flag is the parameter's name with dashes (Typer's own rule), except where `RENAMED` says
otherwise.
"""

from __future__ import annotations

import re

from groundup.errors import GroundupError, SettingError

# Python parameter -> flag, only where the flag is not simply `--` + name with dashes.
RENAMED: dict[str, str] = {
    "estimator": "--model",
    "data_dir": "--data-dir",
    "min_samples_leaf": "--min-leaf",
    "n_estimators": "--trees",
    "n_trees": "--trees",  # forest pictures
    "max_depth": "--depth",  # forest pictures
    "grid_size": "--grid",  # forest pictures
    "n_train": "--subset",
}

_ITEM = re.compile(r"(\w+)\['([^']*)'\]")  # grid['alpha'] -> ("grid", "alpha")
_MENTION = re.compile(r"`(\w+)(?:=([^`]*))?`")  # `resume=True`, `target='y'`, `scheduler`


def flag(param: str) -> str:
    """Return the flag for a Python parameter name: "train_rows" -> "--train-rows".

    >>> flag("train_rows"), flag("grid['alpha']")
    ('--train-rows', '--grid alpha')
    """
    item = _ITEM.fullmatch(param)
    if item:
        return f"{flag(item[1])} {item[2]}"
    return RENAMED.get(param, "--" + param.replace("_", "-"))


def _mention(m: re.Match) -> str:
    name, value = m[1], m[2]
    if value is None or value == "True":
        return flag(name)
    return f"{flag(name)} {value.strip(chr(39))}"


def in_flags(error: GroundupError) -> str:
    """Return the error's message with its parameters named as flags.

    >>> in_flags(SettingError("store", "holds 3 results; pass `resume=True` to continue"))
    '--store: holds 3 results; pass --resume to continue'
    """
    if isinstance(error, SettingError):
        text = f"{flag(error.param)}: {error.problem}"
    else:
        text = str(error)
    return _MENTION.sub(_mention, text)


def one_line(text: str) -> str:
    r"""Return `text` with control characters escaped, so a message stays one line.

    A file name may hold a newline; the user must still see one `error:` line.

    >>> one_line("bad\nname.png: not an image")
    'bad\\nname.png: not an image'
    """
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def error_line(error: BaseException | str) -> str:
    """Return the one `error: ...` line the CLI prints for a user's mistake."""
    text = in_flags(error) if isinstance(error, GroundupError) else str(error)
    return f"error: {one_line(text)}"

