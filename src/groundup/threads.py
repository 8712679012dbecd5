"""How many CPU threads torch uses: as many as there are idle cores, chosen before torch loads.

torch's CPU kernels run on OpenMP threads (libgomp here), which split each operation evenly
and then spin-wait for each other at its end. When another program holds one of two cores,
the thread that shares that core runs only in the scheduler's turns, and every operation of
a small model waits for it: an epoch takes 5-20x longer. One thread per idle core avoids
that. So `configure_threads()` samples the cores' idle time from /proc/stat for a moment and
asks for that many threads; on a quiet machine that is every core, torch's own default.

What a user has set wins: OMP_NUM_THREADS or MKL_NUM_THREADS in the environment, or a
`torch.set_num_threads(n)` made before (torch already loaded with a count other than the
one we chose last). `benchmarks/bench_busy.py` measures the choice (docs/train.md, "Threads
on a busy machine").
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

USER_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")  # a count the user chose
SAMPLE_SECONDS = 0.05  # how long to watch the cores: 5 ticks of each at 100 Hz
IDLE_ENOUGH = 0.5  # a core at least this idle counts as free (a busy one is near 0)
WATCH_SECONDS = 0.5  # how often ThreadWatch re-counts the idle cores during training
_chosen: int | None = None  # the count this module last set (so it may change it again)
last_choice: ThreadChoice | None = None  # what configure_threads chose last, for display


@dataclass(frozen=True)
class ThreadChoice:
    """What `configure_threads` chose: the thread count (None: left as it was) and why."""

    threads: int | None
    reason: str
    idle_cores: float | None = None  # idle cores seen in the sample, when one was taken


def cpu_times(stat_text: str) -> dict[int, tuple[int, int]]:
    """Return {cpu number: (idle ticks, total ticks)} from the text of /proc/stat."""
    times = {}
    for line in stat_text.splitlines():
        name, _, rest = line.partition(" ")
        if name.startswith("cpu") and name[3:].isdigit():
            ticks = [int(v) for v in rest.split()]
            idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
            total = sum(ticks[:8])  # user..steal; guest time is already inside user
            times[int(name[3:])] = (idle, total)
    return times


def idle_cores(before: Mapping[int, tuple[int, int]], after: Mapping[int, tuple[int, int]],
               cpus: set[int] | None = None) -> float | None:
    """Return how many of `cpus` (all: None) were idle between two samples, or None if the
    samples show no elapsed ticks."""
    idle = total = 0.0
    n = 0
    for cpu in after.keys() & before.keys():
        if cpus is not None and cpu not in cpus:
            continue
        d_idle = after[cpu][0] - before[cpu][0]
        d_total = after[cpu][1] - before[cpu][1]
        n += 1
        idle += d_idle
        total += d_total
    if n == 0 or total <= 0:
        return None
    return n * idle / total


def read_proc_stat() -> str | None:
    """Return the text of /proc/stat, or None where there is none (not Linux)."""
    try:
        with open("/proc/stat") as f:
            return f.read()
    except OSError:
        return None


def sample_idle_cores(seconds: float = SAMPLE_SECONDS,
                      read: Callable[[], str | None] = read_proc_stat) -> float | None:
    """Return the idle cores, among those this process may run on, over `seconds`; None if
    the system does not say."""
    first = read()
    if first is None:
        return None
    time.sleep(seconds)
    second = read()
    if second is None:
        return None
    return idle_cores(cpu_times(first), cpu_times(second), usable_cpus())


def usable_cpus() -> set[int] | None:
    """Return the CPU numbers this process may run on, or None where the OS does not say."""
    try:
        return set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


def decide(available: int, idle: float | None) -> int:
    """Return the thread count for `available` usable cores of which `idle` are idle (None:
    unknown): one per core that is at least IDLE_ENOUGH idle, at least 1."""
    if idle is None:
        return available
    return max(1, min(available, math.floor(idle + 1 - IDLE_ENOUGH)))


def available_cores() -> int:
    """Return how many cores this process may run on (its affinity mask, else all)."""
    cpus = usable_cpus()
    return len(cpus) if cpus else (os.cpu_count() or 1)


def choose(
    env: Mapping[str, str],
    available: int,
    torch_threads: int | None,
    sample: Callable[[], float | None] | None = None,
) -> ThreadChoice:
    """Return the thread count for torch (None: leave it), given the environment, the usable
    cores and torch's current count (None: torch not loaded yet)."""
    for var in USER_VARS:
        if var in env and not (var == "OMP_NUM_THREADS" and env[var] == str(_chosen)):
            return ThreadChoice(None, f"{var}={env[var]} is set")
    if torch_threads is not None and torch_threads != (_chosen or available):
        return ThreadChoice(None, f"torch.set_num_threads({torch_threads}) was called")
    if available == 1:
        return ThreadChoice(1, "one usable core")
    idle = (sample or sample_idle_cores)()
    seen = "not known" if idle is None else f"{idle:.2f}"
    return ThreadChoice(decide(available, idle), f"{available} usable cores, {seen} idle", idle)


def configure_threads(
    environ: MutableMapping[str, str] | None = None,
    sample: Callable[[], float | None] | None = None,
) -> ThreadChoice:
    """Return the thread count chosen for torch and set it: OMP_NUM_THREADS before torch
    loads, `torch.set_num_threads` after. A user's own setting is left alone."""
    global _chosen, last_choice
    env = os.environ if environ is None else environ
    torch = sys.modules.get("torch")
    choice = choose(env, available_cores(), torch.get_num_threads() if torch else None, sample)
    if choice.threads is not None:
        if torch is not None:
            torch.set_num_threads(choice.threads)
        else:
            env["OMP_NUM_THREADS"] = str(choice.threads)
        _chosen = choice.threads
    last_choice = choice
    return choice


def others_idle_cores(before: Mapping[int, tuple[int, int]],
                      after: Mapping[int, tuple[int, int]], own_cpu_seconds: float,
                      hz: int, cpus: set[int] | None = None) -> float | None:
    """Return the cores other programs left idle between two /proc/stat samples, counting
    this process's own CPU time (`own_cpu_seconds` of all its threads) as idle."""
    busy = total = 0
    n = 0
    for cpu in after.keys() & before.keys():
        if cpus is None or cpu in cpus:
            d_total = after[cpu][1] - before[cpu][1]
            busy += d_total - (after[cpu][0] - before[cpu][0])
            total += d_total
            n += 1
    if n == 0 or total <= 0:
        return None
    others = max(0.0, busy / hz - own_cpu_seconds)  # CPU-seconds used by everyone else
    return max(0.0, n - n * others / (total / hz))


class ThreadWatch:
    """A `fit` callback that keeps torch's thread count equal to the idle cores while training.

    `before_fit` runs `configure_threads` unless it already ran in this process (the CLI runs
    it before torch loads; a library call gets torch's count back in `after_fit`). Then, at
    most every `every` seconds (checked after a batch), it re-counts the cores other programs
    leave idle (from /proc/stat, less this process's own CPU time) and changes the count if
    it no longer fits: a program that starts or stops mid-run costs at most about `every`
    seconds of slow steps. A count the user set is left alone. Reading the clock per batch
    costs well under a microsecond.
    """

    def __init__(self, every: float = WATCH_SECONDS,
                 read: Callable[[], str | None] = read_proc_stat,
                 clock: Callable[[], float] = time.perf_counter,
                 cpu_clock: Callable[[], float] = time.process_time) -> None:
        self.every, self.read, self.clock, self.cpu_clock = every, read, clock, cpu_clock
        self.hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.changes: list[tuple[int, int]] = []  # (from, to) for each change made
        self._mark: tuple[float, float, dict[int, tuple[int, int]]] | None = None
        self._restore: int | None = None  # torch's count before a library call's fit

    def before_fit(self, state: Any) -> None:
        torch = sys.modules.get("torch")
        self._restore = None
        if _chosen is None and torch is not None:  # a library call: put torch back after
            before = torch.get_num_threads()
            if configure_threads().threads is not None:
                self._restore = before
        self._start()

    def before_epoch(self, state: Any) -> None: ...
    def after_epoch(self, state: Any, log: Any) -> None: ...

    def after_fit(self, state: Any) -> None:
        global _chosen
        torch = sys.modules.get("torch")
        if self._restore is not None and torch is not None and torch.get_num_threads() == _chosen:
            torch.set_num_threads(self._restore)
            _chosen = None

    def after_batch(self, state: Any) -> None:
        if self._mark is not None and self.clock() - self._mark[0] >= self.every:
            self.check()

    def _start(self) -> None:
        text = self.read()
        self._mark = (self.clock(), self.cpu_clock(), cpu_times(text)) if text else None

    def check(self) -> None:
        """Re-count the idle cores since the last look; set the thread count to match."""
        global _chosen
        t0, cpu0, stat0 = self._mark or (0.0, 0.0, {})
        text = self.read()
        if text is None:
            return
        stat1 = cpu_times(text)
        idle = others_idle_cores(stat0, stat1, self.cpu_clock() - cpu0, self.hz, usable_cpus())
        self._mark = (self.clock(), self.cpu_clock(), stat1)
        torch = sys.modules.get("torch")
        if torch is None or _chosen is None or torch.get_num_threads() != _chosen:
            return  # the user's count, or none of ours
        threads = decide(available_cores(), idle)
        if threads != _chosen:
            self.changes.append((_chosen, threads))
            torch.set_num_threads(threads)
            _chosen = threads

    def __repr__(self) -> str:
        return f"ThreadWatch(every={self.every})"
