"""The exception types for user mistakes, so each face can turn them into one clear line.

Layer 0: imported from anywhere. Library code raises `GroundupError` (or a subclass) for
anything a user can fix, with a one-line message that names the thing and the problem, in
Python's words. A bad value for a named setting is a `SettingError`, whose `param` is the
parameter's Python name (`lr`, `grid['alpha']`); the message refers to any other parameter
as `` `name=value` `` in backticks. The faces translate: the CLI (groundup.cli.flags) prints
the message with each parameter shown as its flag, after `error: `, and exits with code 2;
it never shows a traceback for these. IPython (a notebook) shows them as one line too.
"""

from __future__ import annotations


class GroundupError(ValueError):
    """A user-facing error: bad input, bad file, bad setting. Message is one line."""

    def _render_traceback_(self) -> list[str]:
        """Return the lines IPython and Jupyter show for this error: one, "Type: message".

        IPython calls this instead of printing a traceback, so a user's mistake in a
        notebook reads as the one line the CLI would print, not as library internals.
        """
        return [f"{type(self).__name__}: {self}"]


class SettingError(GroundupError):
    """A bad value for one named parameter; str() is "param: problem".

    >>> str(SettingError("grid['alpha']", "must be >= 0, got -1"))
    "grid['alpha']: must be >= 0, got -1"
    """

    def __init__(self, param: str, problem: str) -> None:
        super().__init__(f"{param}: {problem}")
        self.param, self.problem = param, problem

    def __reduce__(self):  # keeps (param, problem) across process boundaries (joblib, Dask)
        return type(self), (self.param, self.problem)


class DataError(GroundupError):
    """A data file is missing, truncated, corrupt or fails its checksum."""


class ModelFileError(GroundupError):
    """A model or checkpoint file is not ours, is corrupt, or does not match its metadata."""
