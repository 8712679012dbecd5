"""The hostile suite's harness: run the real `groundup` command and judge how it ended.

Every hostile input is run as a user would run it, in a fresh process, in an empty working
directory. `hostile(...)` returns what happened; `assert_refused` / `assert_ok` state the
promise: exit code 2 and exactly one `error:` line, or success; never a traceback; no new
files left behind; peak memory (the child's max RSS) under a bound.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# The child reports its own peak memory (VmHWM, in kB) at exit into the file GU_PEAK_FILE names.
_LAUNCH = """
import atexit, os, sys
def _peak():  # VmHWM: this program's own peak (ru_maxrss would carry the forking parent's)
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["GU_PEAK_FILE"], "w") as f:
        f.write(kb)
atexit.register(_peak)
sys.argv[0] = "groundup"
from groundup.cli.main import main
main()
"""
GROUNDUP = [sys.executable, "-c", _LAUNCH]
MEMORY_BOUND_MB = 2048  # "nothing passes 2 GB"
QUICK = ["--epochs", "1", "--train-rows", "2000", "--quiet", "--model", "logreg"]


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float  # max resident memory of the child, in MB
    new_files: list[str]  # files that appeared in the working directory (and below)

    def __str__(self) -> str:
        return (f"exit {self.code} after {self.seconds:.1f} s, peak {self.peak_mb:.0f} MB\n"
                f"stdout: {self.out[-2000:]}\nstderr: {self.err[-2000:]}\n"
                f"new files: {self.new_files}")


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir()}


def run_groundup(*args: object, cwd: Path, timeout: float = 120, env: dict | None = None,
                 stdin: str | None = None) -> Outcome:
    """Return the Outcome of `groundup ARGS` run in a fresh process in `cwd`."""
    before = _files(cwd)
    fd, peak_file = tempfile.mkstemp(prefix="gu-peak-")
    os.close(fd)
    environment = {**os.environ, "COLUMNS": "160", "OMP_NUM_THREADS": "1",
                   "GU_PEAK_FILE": peak_file, **(env or {})}
    start = time.perf_counter()
    try:
        proc = subprocess.run([*GROUNDUP, *map(str, args)], cwd=cwd, capture_output=True,
                              text=True, timeout=timeout, env=environment, input=stdin)
        seconds = time.perf_counter() - start
        text = Path(peak_file).read_text().strip()
    finally:
        os.unlink(peak_file)
    # no report (killed by a signal): fall back to the largest child so far, an over-estimate
    peak = int(text) if text else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    new = sorted(_files(cwd) - before)
    return Outcome(proc.returncode, proc.stdout, proc.stderr, seconds, peak / 1024, new)


def assert_refused(o: Outcome, needle: str = "", *, files_ok: tuple[str, ...] = ()) -> None:
    """Exit 2, exactly one stderr line starting `error:` (containing `needle`), no traceback,
    no new files (except `files_ok`), memory under the bound."""
    lines = [line for line in o.err.splitlines() if line.strip()]
    assert o.code == 2, str(o)
    assert "Traceback" not in o.err + o.out, str(o)
    assert len(lines) == 1 and lines[0].startswith("error: "), str(o)
    assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    assert [f for f in o.new_files if f not in files_ok] == [], str(o)
    assert o.peak_mb < MEMORY_BOUND_MB, str(o)


def assert_ok(o: Outcome) -> None:
    """Exit 0, no traceback, memory under the bound."""
    assert o.code == 0, str(o)
    assert "Traceback" not in o.err + o.out, str(o)
    assert o.peak_mb < MEMORY_BOUND_MB, str(o)


@pytest.fixture
def hostile(tmp_path: Path):
    """Return run(*args) -> Outcome, run in a fresh empty directory (tmp_path / "cwd")."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()

    def run(*args: object, **kw) -> Outcome:
        return run_groundup(*args, cwd=cwd, **kw)

    run.cwd = cwd
    return run
