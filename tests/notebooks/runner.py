"""Run a notebook top to bottom on a kernel of this very interpreter (the project's venv).

`execute(path, workdir)` returns the executed notebook; any cell that raises fails it with
the cell's error, and any cell that runs past `cell_timeout` seconds fails it too. The kernel
is a kernel spec written to a temporary folder whose command is `sys.executable`, so the
notebooks run on the groundup this test imports, never on a Jupyter found elsewhere. Run as a
script (`python -m tests.notebooks.runner NOTEBOOK... --out DIR`) it writes executed copies.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

KERNEL = "groundup-test"
CELL_TIMEOUT = 120  # seconds; the slowest cell takes about 10


def kernel_manager(spec_dir: Path) -> KernelManager:
    """Return a kernel manager for a kernel running this interpreter, spec kept in spec_dir."""
    folder = spec_dir / "kernels" / KERNEL
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "groundup (test)", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec))
    specs = KernelSpecManager(kernel_dirs=[str(spec_dir / "kernels")])
    return KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)


def kernel_env() -> dict[str, str]:
    """Return the environment for the kernel: this one, minus what would stop inline figures."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the tests' Agg; the kernel picks its inline backend
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"  # Jupyter's own, not the lesson's
    return env


def execute(nb: nbformat.NotebookNode, workdir: Path, cell_timeout: int = CELL_TIMEOUT) -> None:
    """Run every cell of `nb` in `workdir`, outputs kept in `nb`; raise on an error or timeout."""
    with tempfile.TemporaryDirectory() as specs:
        km = kernel_manager(Path(specs))
        client = NotebookClient(nb, km=km, timeout=cell_timeout,
                                resources={"metadata": {"path": str(workdir)}},
                                record_timing=True)
        try:
            client.execute(env=kernel_env())
        finally:  # nbclient leaves a kernel it was handed running: shut it down, gracefully,
            if km.has_kernel:  # so that its atexit hooks stop the worker processes it started
                km.shutdown_kernel()


def main(argv: list[str]) -> None:
    """Execute each notebook named in argv and write the executed copy to `--out DIR`."""
    out = Path(argv[argv.index("--out") + 1])
    names = [a for i, a in enumerate(argv) if a != "--out" and (i == 0 or argv[i - 1] != "--out")]
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = Path(name).resolve()
        work = out / (path.stem + "-files")
        work.mkdir(exist_ok=True)
        nb = nbformat.read(path, as_version=4)
        try:
            execute(nb, work)
        finally:  # a failed run is written too: the cells up to the error, with outputs
            nbformat.write(nb, out / path.name)
        print(f"{path.name}: {cell_seconds(nb):.1f} s of cells")


def cell_seconds(nb: nbformat.NotebookNode) -> float:
    """Return the seconds the notebook's cells took to run, from nbclient's timing records."""
    from datetime import datetime

    total = 0.0
    for cell in nb.cells:
        t = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in t and "shell.execute_reply" in t:
            start = datetime.fromisoformat(t["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(t["shell.execute_reply"].replace("Z", "+00:00"))
            total += (end - start).total_seconds()
    return total


if __name__ == "__main__":
    main(sys.argv[1:])
