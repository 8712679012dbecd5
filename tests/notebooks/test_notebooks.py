"""The notebooks in notebooks/: committed without outputs, and each runs top to bottom.

Each notebook is executed on a kernel of this interpreter (see runner.py) in a temporary
folder; a cell that raises, or runs past CELL_TIMEOUT seconds, fails the test. The executed
copy must show its figures inline (PNG outputs), print no terminal escape codes (the fit
progress renders as HTML in a notebook) and write nothing to stderr.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from .runner import execute

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NAMES = [p.name for p in NOTEBOOKS]


def test_the_lesson_is_all_there() -> None:
    wanted = ["01-sgd-from-scratch", "02-forest-pictures", "03-forest-interpretation",
              "04-hyperparameter-search", "05-convolutions", "06-matmul-step-by-step",
              "07-radar"]
    assert [p.stem for p in NOTEBOOKS][: len(wanted)] == wanted
    readme, index = (ROOT / "README.md").read_text(), (ROOT / "notebooks/README.md").read_text()
    for name in NAMES:
        assert f"notebooks/{name}" in readme, f"README.md does not link {name}"
        assert f"({name})" in index, f"notebooks/README.md does not link {name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        assert "execution" not in cell.metadata, f"cell {i} keeps its run times"
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {i} has outputs (see README)"
            assert cell.execution_count is None, f"{path.name}: cell {i} has a count"
    assert "widgets" not in nb.metadata


def _error_text(e: Exception) -> str:
    return ANSI.sub("", str(e))


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    try:
        execute(nb, tmp_path)
    except (CellExecutionError, CellTimeoutError) as e:
        pytest.fail(f"{path.name}: {_error_text(e)}", pytrace=False)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no inline figure"
    streams = [o for o in outputs if o.output_type == "stream"]
    stderr = [o.text for o in streams if o.name == "stderr"]
    assert not stderr, f"{path.name} wrote to stderr: {stderr}"
    escaped = [o.text for o in streams if ANSI.search(o.text)]
    assert not escaped, f"{path.name} printed escape codes: {escaped}"
