from __future__ import annotations

import pytest

from groundup.errors import SettingError
from groundup.train.schedules import Constant, OneCycle, make_schedule


def test_constant() -> None:
    assert Constant(0.1)(0) == Constant(0.1)(10_000) == 0.1


def test_one_cycle_shape() -> None:
    s = OneCycle(1.0, total_steps=100, pct_start=0.25, div=25, final_div=1e4)
    lrs = [s(i) for i in range(101)]
    assert lrs[0] == pytest.approx(1 / 25)
    assert max(lrs) == pytest.approx(1.0) and lrs.index(max(lrs)) == 25
    assert all(a <= b for a, b in zip(lrs[:25], lrs[1:26], strict=True))  # warm-up rises
    assert all(a >= b for a, b in zip(lrs[25:-1], lrs[26:], strict=True))  # anneal falls
    assert lrs[100] == pytest.approx(1e-4)


def test_make_schedule_validates() -> None:
    assert isinstance(make_schedule("onecycle", 0.1, 10), OneCycle)
    with pytest.raises(SettingError, match="sched: unknown 'cosine'"):
        make_schedule("cosine", 0.1, 10)
