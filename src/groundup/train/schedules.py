"""Learning-rate schedules: functions of the step number that give the learning rate."""

from __future__ import annotations

import math
from dataclasses import dataclass

from groundup.errors import SettingError

SCHEDULES = ("const", "onecycle")


@dataclass(frozen=True)
class Constant:
    """The same learning rate at every step."""

    lr: float

    def __call__(self, step: int) -> float:
        return self.lr


@dataclass(frozen=True)
class OneCycle:
    """Leslie Smith's one-cycle policy, as fastai draws it (cosine up, then cosine down).

    The rate warms up from max_lr/div to max_lr over the first `pct_start` of the steps,
    then anneals to max_lr/final_div by the last step. Warm-up lets a high rate be used
    safely; the long anneal settles the weights into a good minimum.
    """

    max_lr: float
    total_steps: int
    pct_start: float = 0.25
    div: float = 25.0
    final_div: float = 1e4

    def __call__(self, step: int) -> float:
        warm = max(1, int(self.total_steps * self.pct_start))
        lo, hi, end = self.max_lr / self.div, self.max_lr, self.max_lr / self.final_div
        if step < warm:
            return _cos_interp(lo, hi, step / warm)
        rest = max(1, self.total_steps - warm)
        return _cos_interp(hi, end, min(1.0, (step - warm) / rest))


def _cos_interp(start: float, end: float, pct: float) -> float:
    return end + (start - end) * (1 + math.cos(math.pi * pct)) / 2


def make_schedule(name: str, lr: float, total_steps: int) -> Constant | OneCycle:
    """Return the schedule called `name` ("const" or "onecycle") peaking at `lr`."""
    if name == "const":
        return Constant(lr)
    if name == "onecycle":
        return OneCycle(lr, total_steps)
    raise SettingError("sched", f"unknown {name!r}; choose one of {', '.join(SCHEDULES)}")
