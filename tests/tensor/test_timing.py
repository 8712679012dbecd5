"""time_matmul_ladder: the table's rows, ratios and skipping (never asserting on wall time)."""

from __future__ import annotations

import pytest
import torch

from groundup.errors import GroundupError, SettingError
from groundup.tensor.matmul import MATMUL_LADDER
from groundup.tensor.timing import time_matmul_ladder


def test_rows_cover_the_ladder_with_reference_first() -> None:
    rows = time_matmul_ladder((2, 8, 3), budget_s=0.05)
    assert [r.name for r in rows] == ["@"] + [r.name for r in MATMUL_LADDER]
    assert rows[0].ratio == 1.0
    for row in rows:
        assert row.seconds > 0 and row.ratio == pytest.approx(row.seconds / rows[0].seconds)
        assert row.skipped == (row.calls == 0)


def test_tiny_budget_skips_only_python_loops() -> None:
    rows = time_matmul_ladder(
        (64, 784, 10), names=["loops", "elementwise", "einsum"], budget_s=1e-9
    )
    by_name = {r.name: r for r in rows}
    assert by_name["loops"].skipped and by_name["elementwise"].skipped
    assert "skipped" in by_name["loops"].note
    assert not by_name["einsum"].skipped and by_name["einsum"].calls >= 1
    # the estimate is for the whole problem: more Python steps than the probe ran
    assert by_name["loops"].seconds > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shape": (2, 3)}, "three whole numbers"),
        ({"shape": (2, 0, 3)}, ">= 1"),
        ({"budget_s": 0}, "budget"),
        ({"names": ["loops", "nope"]}, "unknown matmul 'nope'"),
    ],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(GroundupError, match=message):
        time_matmul_ladder(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shape": (100_000, 100_000, 100_000)},
         r"^shape: an \(100000, 100000\) @ \(100000, 100000\) product would need 160 GB"),
        ({"shape": (2000, 2000, 2000)},
         r"^shape: the broadcast rung's whole \(n, k, m\) product would need 32 GB of memory; "
         r"the limit is 1 GB; leave the 'broadcast' rung out$"),
        ({"shape": (2000, 2000, 2000), "dtype": torch.float64}, "would need 64 GB"),
        ({"shape": (10**7, 5, 1), "names": ["lists"]}, "the lists rung's copy of a and b"),
        ({"seed": 2**64}, r"^seed: must be a whole number in \[0, 4294967295\]"),
        ({"seed": -1}, r"^seed: must be a whole number in \[0, 4294967295\]"),
    ],
)
def test_memory_and_seed_are_checked_before_anything_is_allocated(kwargs, message) -> None:
    with pytest.raises(SettingError, match=message):
        time_matmul_ladder(budget_s=1e-9, **kwargs)


def test_a_shape_too_big_only_for_the_broadcast_rung_runs_without_it() -> None:
    rows = time_matmul_ladder((1000, 1000, 300), names=["blas"], budget_s=1e-9)
    assert [r.name for r in rows] == ["@", "blas"]
    with pytest.raises(SettingError, match="broadcast"):
        time_matmul_ladder((1000, 1000, 300), names=["blas", "broadcast"], budget_s=1e-9)
