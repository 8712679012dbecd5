"""Plain-text tables for the tools' reports: fixed columns, the same on every terminal.

Plain text (not a terminal widget) so the tables in the docs are exactly what the commands
print, and tests can compare them.
"""

from __future__ import annotations

from collections.abc import Sequence


def format_table(rows: Sequence[Sequence[str]], left: Sequence[int] = ()) -> list[str]:
    """Return `rows` (the first is the header) as text lines with padded, aligned columns.

    Columns are two spaces apart; those whose index is in `left` are left-aligned (words), the
    others right-aligned (numbers). Trailing spaces are stripped.
    """
    if not rows:
        return []
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(w) if c in left else cell.rjust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
