"""Synthetic files shared by the radar tests (made once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundup.radar.synth import write_synth


@pytest.fixture(scope="session")
def synth_train(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A labelled synthetic train file of 300 records."""
    return write_synth(tmp_path_factory.mktemp("radar") / "train.json", 300, seed=11)


@pytest.fixture(scope="session")
def synth_test(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An unlabelled synthetic test file of 40 records."""
    return write_synth(tmp_path_factory.mktemp("radar") / "test.json", 40, seed=12,
                       labelled=False)
