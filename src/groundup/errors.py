"""The one exception type for user mistakes, so the CLI can turn them into one clear line.

Layer 0: imported from anywhere. Library code raises `GroundupError` (or a subclass) for
anything a user can fix — a bad option value, a missing file, a corrupt model — with a
message that names the thing and the problem. The CLI prints `error: <message>` on stderr
and exits with code 2; it never shows a traceback for these.
"""

from __future__ import annotations


class GroundupError(ValueError):
    """A user-facing error: bad input, bad file, bad option. Message is one line."""


class DataError(GroundupError):
    """A data file is missing, truncated, corrupt or fails its checksum."""


class ModelFileError(GroundupError):
    """A model or checkpoint file is not ours, is corrupt, or does not match its metadata."""
