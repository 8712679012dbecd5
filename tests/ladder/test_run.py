"""The ladder on a data subset: every rung lands within 0.5 points of rung 1 (the library).

One shared run (20,000 training images, 1 epoch) keeps the directory fast. In epoch 1 all
rungs see the same rows in the same order from the same weights, so the Adam rungs must
compute the same losses as the library, step by step, up to float rounding.
"""

from __future__ import annotations

import pytest
import torch

from groundup.ladder import RUNGS, LadderConfig, LadderResult, run_ladder
from groundup.ladder.plot import plot_ladder, smooth

CONFIG = LadderConfig(epochs=1, n_train=20_000, seed=0)


@pytest.fixture(scope="module")
def ladder() -> LadderResult:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # steadier on a shared machine; results do not depend on it
    try:
        return run_ladder(CONFIG)
    finally:
        torch.set_num_threads(threads)


def test_every_rung_is_within_half_a_point_of_the_library(ladder: LadderResult) -> None:
    assert [r.key for r in ladder.rungs] == [r.key for r in RUNGS]
    library = ladder["1"]
    assert library.valid_acc > 0.88  # it learned: chance is 0.10
    for rung in ladder.rungs:
        assert abs(rung.valid_acc - library.valid_acc) <= 0.005, rung.key
        assert abs(rung.test_acc - library.test_acc) <= 0.005, rung.key


@pytest.mark.parametrize("key", ["2", "3", "4", "5a"])
def test_adam_rungs_compute_the_library_losses(ladder: LadderResult, key: str) -> None:
    expected = torch.tensor(ladder["1"].batch_losses)
    got = torch.tensor(ladder[key].batch_losses)
    assert got.shape == expected.shape == (313,)  # ceil(20,000 / 64) steps
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)
    assert ladder[key].valid_loss == pytest.approx(ladder["1"].valid_loss, abs=1e-4)


def test_sgd_rung_learns_differently(ladder: LadderResult) -> None:
    """5b really uses another optimizer: its losses part from Adam's after the first step."""
    sgd, adam = ladder["5b"].batch_losses, ladder["5a"].batch_losses
    assert sgd[0] == pytest.approx(adam[0])  # same start weights, same first batch
    assert abs(sgd[50] - adam[50]) > 1e-3


def test_result_rows_and_table(ladder: LadderResult) -> None:
    assert ladder.n_train == 20_000
    for rung in ladder.rungs:
        assert len(rung.epoch_seconds) == len(rung.epoch_valid_acc) == 1
        assert rung.seconds_per_epoch > 0
    lines = ladder.table()
    assert lines[0].split()[:3] == ["rung", "ours", "now"]
    assert [line.split()[0] for line in lines[1:]] == [r.key for r in RUNGS]
    assert f"{ladder['1'].valid_acc:.2%}" in lines[1]
    with pytest.raises(KeyError):
        ladder["9"]


def test_plot_is_written(ladder: LadderResult, tmp_path) -> None:
    path = plot_ladder(ladder, tmp_path / "ladder.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ladder.png"]  # no temp file left behind


def test_smooth_is_a_debiased_moving_average() -> None:
    assert smooth([2.0, 2.0, 2.0]) == pytest.approx([2.0, 2.0, 2.0])  # no pull towards 0
    beta = 0.5
    assert smooth([1.0, 3.0], beta) == pytest.approx([1.0, (0.25 * 1 + 0.5 * 3) / 0.75])
