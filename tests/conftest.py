"""Shared test helpers: run the CLI in-process and capture what it prints."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("COLUMNS", "160")

import torch  # noqa: E402
from hypothesis import settings  # noqa: E402

# Property tests draw the same examples on every run, so CI cannot turn red by luck;
# HYPOTHESIS_PROFILE=explore draws new ones (and more of them) to hunt for failures.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# Test models are tiny: one thread is faster for them and immune to OpenMP spin-waiting
# when the machine is busy with other work.
torch.set_num_threads(1)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys):
    """Return a function that runs `groundup ARGS...` in-process -> CliResult(code, out, err)."""
    from groundup.cli.main import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def browser():
    """Return headless Debian Chromium (tests/browser.py): one for every page test of a run."""
    from tests.browser import launch_browser

    yield from launch_browser()
