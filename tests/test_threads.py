"""groundup.threads: one torch thread per idle core, a user's own setting left alone, and the
CLI choosing before torch loads. No timings: the choices are fed made-up /proc/stat samples."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from groundup import threads
from groundup.threads import (
    ThreadWatch,
    choose,
    configure_threads,
    cpu_times,
    decide,
    idle_cores,
    others_idle_cores,
    sample_idle_cores,
)


def stat(*cpus: tuple[int, int]) -> str:
    """Return /proc/stat text with one line per (busy, idle) tick pair, plus the total line."""
    lines = [f"cpu  {sum(b for b, _ in cpus)} 0 0 {sum(i for _, i in cpus)} 0 0 0 0 0 0"]
    lines += [f"cpu{n} {b} 0 0 {i} 0 0 0 0 0 0" for n, (b, i) in enumerate(cpus)]
    return "\n".join([*lines, "intr 1 2 3", "ctxt 99"]) + "\n"


QUIET = (stat((100, 500), (100, 500)), stat((101, 509), (100, 510)))  # both ~all idle
ONE_BUSY = (stat((100, 500), (100, 500)), stat((110, 500), (100, 510)))  # cpu0 fully busy


@pytest.fixture
def ours(monkeypatch):
    """Pretend groundup chose 2 threads for torch; restore torch's count afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    monkeypatch.setattr(threads, "_chosen", 2)
    yield 2
    torch.set_num_threads(before)


def test_cpu_times_reads_each_cpu_line_and_skips_the_rest() -> None:
    text = "cpu  9 0 9 9 9\ncpu0 1 2 3 4 5 6 7 8 90 91\ncpu1 10 0 0 20\nintr 5\n"
    assert cpu_times(text) == {0: (4 + 5, 36), 1: (20, 30)}  # idle+iowait, user..steal


def test_idle_cores_counts_the_idle_share_of_the_cpus_asked_about() -> None:
    before, after = (cpu_times(t) for t in ONE_BUSY)
    assert idle_cores(before, after) == pytest.approx(1.0)
    assert idle_cores(before, after, cpus={1}) == pytest.approx(1.0)
    assert idle_cores(before, after, cpus={0}) == pytest.approx(0.0)
    assert idle_cores(before, before) is None  # no ticks went by


@pytest.mark.parametrize(("available", "idle", "threads"), [
    (2, 2.0, 2), (2, 1.55, 2), (2, 1.45, 1), (2, 1.0, 1), (2, 0.0, 1), (2, None, 2),
    (16, 9.6, 10), (16, 9.4, 9), (4, 7.0, 4),
])
def test_decide_takes_one_thread_per_core_that_is_mostly_idle(available, idle, threads) -> None:
    assert decide(available, idle) == threads


def test_sample_idle_cores_reads_proc_stat_twice() -> None:
    texts = iter(ONE_BUSY)
    idle = sample_idle_cores(0.0, read=lambda: next(texts))
    assert idle == pytest.approx(1.0)
    assert sample_idle_cores(0.0, read=lambda: None) is None  # not Linux


@pytest.mark.parametrize(("samples", "threads"), [(QUIET, 2), (ONE_BUSY, 1)])
def test_choose_before_torch_loads_follows_the_idle_cores(samples, threads) -> None:
    texts = iter(samples)
    choice = choose({}, 2, None, lambda: sample_idle_cores(0.0, read=lambda: next(texts)))
    assert choice.threads == threads and "2 usable cores" in choice.reason


@pytest.mark.parametrize("var", ["OMP_NUM_THREADS", "MKL_NUM_THREADS"])
def test_a_users_thread_count_in_the_environment_wins(var) -> None:
    choice = choose({var: "3"}, 2, None, lambda: pytest.fail("sampled anyway"))
    assert choice.threads is None and var in choice.reason


def test_a_users_torch_set_num_threads_wins(monkeypatch) -> None:
    monkeypatch.setattr(threads, "_chosen", None)
    choice = choose({}, 4, 1, lambda: pytest.fail("sampled anyway"))
    assert choice.threads is None and "set_num_threads(1)" in choice.reason
    monkeypatch.setattr(threads, "_chosen", 1)  # ... but a count we chose may be changed
    assert choose({"OMP_NUM_THREADS": "1"}, 4, 1, lambda: 4.0).threads == 4


def test_one_core_needs_no_sample() -> None:
    assert choose({}, 1, None, lambda: pytest.fail("sampled")).threads == 1


def test_configure_threads_sets_the_environment_or_torch(monkeypatch, ours) -> None:
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    monkeypatch.delitem(sys.modules, "torch")  # as if not loaded yet
    env: dict[str, str] = {}
    assert configure_threads(env, sample=lambda: 1.0).threads == 1
    assert env == {"OMP_NUM_THREADS": "1"} and threads._chosen == 1
    monkeypatch.setitem(sys.modules, "torch", torch)
    torch.set_num_threads(1)
    assert configure_threads(env, sample=lambda: 2.0).threads == 2
    assert torch.get_num_threads() == 2 and threads.last_choice.threads == 2
    torch.set_num_threads(1)  # the user's own call now: left alone
    assert configure_threads(env, sample=lambda: 2.0).threads is None
    assert torch.get_num_threads() == 1


def test_others_idle_cores_counts_our_own_cpu_time_as_idle() -> None:
    before, after = cpu_times(stat((0, 0), (0, 0))), cpu_times(stat((100, 0), (100, 0)))
    # 1 s on 2 cpus, both busy: our own 2 cpu-seconds -> both free; our 1 -> one free
    assert others_idle_cores(before, after, 2.0, 100) == pytest.approx(2.0)
    assert others_idle_cores(before, after, 1.0, 100) == pytest.approx(1.0)
    assert others_idle_cores(before, after, 0.0, 100) == pytest.approx(0.0)
    assert others_idle_cores(before, before, 0.0, 100) is None


class Fake:
    """A clock and a /proc/stat that move on by hand: `busy` and `own` cpu-seconds per second."""

    def __init__(self) -> None:
        self.t, self.cpu, self.ticks = 0.0, 0.0, [0, 0, 0, 0]  # cpu0 busy, idle, cpu1 ...

    def advance(self, seconds: float, others: float, own: float) -> None:
        """Let time pass with `others` cores used by other programs, `own` by us."""
        used = (others + own) * seconds * 100
        self.ticks = [self.ticks[0] + used / 2, self.ticks[1] + (200 * seconds - used) / 2,
                      self.ticks[2] + used / 2, self.ticks[3] + (200 * seconds - used) / 2]
        self.t += seconds
        self.cpu += own * seconds

    def read(self) -> str:
        b0, i0, b1, i1 = (round(v) for v in self.ticks)
        return stat((b0, i0), (b1, i1))


def test_thread_watch_follows_a_program_that_starts_and_stops(monkeypatch, ours) -> None:
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    monkeypatch.setattr(threads, "usable_cpus", lambda: {0, 1})
    fake = Fake()
    watch = ThreadWatch(every=1.0, read=fake.read, clock=lambda: fake.t,
                        cpu_clock=lambda: fake.cpu)
    watch.before_fit(None)  # already configured (ours): no sample
    fake.advance(0.5, others=1.0, own=1.0)
    watch.after_batch(None)  # too soon to look
    assert watch.changes == []
    fake.advance(0.6, others=1.0, own=1.0)  # a busy program holds a core
    watch.after_batch(None)
    assert torch.get_num_threads() == 1
    fake.advance(1.0, others=0.0, own=1.0)  # it stopped
    watch.after_batch(None)
    assert torch.get_num_threads() == 2
    assert watch.changes == [(2, 1), (1, 2)]


def test_thread_watch_leaves_a_users_count_alone(monkeypatch, ours) -> None:
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    fake = Fake()
    watch = ThreadWatch(every=1.0, read=fake.read, clock=lambda: fake.t,
                        cpu_clock=lambda: fake.cpu)
    watch.before_fit(None)
    torch.set_num_threads(3)  # the user changes it mid-run
    fake.advance(2.0, others=1.0, own=1.0)
    watch.after_batch(None)
    assert torch.get_num_threads() == 3 and watch.changes == []


def test_thread_watch_in_a_library_call_configures_and_gives_the_count_back(
        monkeypatch, ours) -> None:
    monkeypatch.setattr(threads, "_chosen", None)  # nothing chose yet: torch's default count
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    monkeypatch.setattr(threads, "sample_idle_cores", lambda: 1.0)  # one core busy
    watch = ThreadWatch(read=Fake().read)
    watch.before_fit(None)
    assert torch.get_num_threads() == 1 and threads._chosen == 1
    watch.after_fit(None)
    assert torch.get_num_threads() == 2 and threads._chosen is None


def test_fit_takes_a_thread_watch(monkeypatch, ours) -> None:
    from groundup.data import DataLoader
    from groundup.nn import Linear, LogSoftmax, Sequential
    from groundup.nn.functional import nll_loss
    from groundup.optim import SGD
    from groundup.train import fit

    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    monkeypatch.setattr(threads, "usable_cpus", lambda: {0, 1})
    fake = Fake()
    steps = iter(range(10**6))

    def clock() -> float:  # each look at the clock: one more second of one busy core
        next(steps)
        fake.advance(1.0, others=1.0, own=1.0)
        return fake.t

    x, y = torch.randn(64, 5), torch.randint(0, 3, (64,))
    model = Sequential(Linear(5, 3), LogSoftmax())
    watch = ThreadWatch(every=1.0, read=fake.read, clock=clock, cpu_clock=lambda: fake.cpu)
    fit(model, nll_loss, SGD(model.parameters(), lr=0.1), DataLoader(x, y, bs=16), None,
        epochs=1, callbacks=[watch])
    assert watch.changes == [(2, 1)] and torch.get_num_threads() == 1


SPY = """
import json, os, sys
import groundup.cli.main as cli
from groundup import threads
seen = []
def spy():
    seen.append('torch' in sys.modules)
    return threads.configure_threads(sample=lambda: 1.0)  # as if one of two cores were busy
cli.configure_threads = spy
try:
    cli.main({args!r})
except SystemExit:
    pass
import torch
print(json.dumps([seen, os.environ.get('OMP_NUM_THREADS'), torch.get_num_threads()]))
"""


def cli_threads(*args: str) -> list:
    """Return [torch loaded at each configure call, OMP_NUM_THREADS, torch's threads] after
    `groundup ARGS` in a fresh process without OMP_NUM_THREADS."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", SPY.format(args=list(args))], env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_cli_train_chooses_before_torch_loads_and_torch_obeys() -> None:
    seen, var, torch_threads = cli_threads("train", "--epochs", "0")  # a setting error: exit 2
    assert seen == [False]  # configured once, torch not yet imported
    assert var == "1" and torch_threads == 1


def test_other_commands_pay_nothing() -> None:
    seen, var, torch_threads = cli_threads("broadcast", "3", "3")
    assert seen == [] and var is None
