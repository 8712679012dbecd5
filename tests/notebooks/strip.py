"""Clear notebooks' outputs, run counts and run times in place: how notebooks are committed.

    .venv/bin/python -m tests.notebooks.strip notebooks/*.ipynb

Jupyter's *Edit → Clear Outputs of All Cells* does the same for outputs and run counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

RUN_METADATA = ("execution", "ExecuteTime")  # what nbclient and some front ends record


def strip(nb: nbformat.NotebookNode) -> bool:
    """Return True if anything was cleared from `nb` (changed in place)."""
    changed = False
    for cell in nb.cells:
        for key in RUN_METADATA:
            changed |= cell.metadata.pop(key, None) is not None
        if cell.cell_type == "code":
            changed |= bool(cell.outputs) or cell.execution_count is not None
            cell.outputs, cell.execution_count = [], None
    changed |= nb.metadata.pop("widgets", None) is not None
    language = {"name": "python"}  # without the version of whoever ran it last
    changed |= nb.metadata.get("language_info") != language
    nb.metadata["language_info"] = language
    return changed


def main(paths: list[str]) -> None:
    """Strip each notebook in `paths`, rewriting only those that had something to clear."""
    for name in paths:
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        if strip(nb):
            nbformat.write(nb, path)
            print(f"stripped {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
