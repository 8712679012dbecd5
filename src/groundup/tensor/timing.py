"""Time the matmul ladder side by side with `@`, skipping rungs that would blow a time budget.

Each rung is first checked to give the same answer as `a @ b`. A rung whose Python loops
would make one call slower than the budget is not run in full: its time is estimated from a
small slice of the problem (Python loops cost the same per step, so time scales with the
number of steps) and the table says it was skipped and why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import torch

from groundup.checks import check_memory, check_seed
from groundup.errors import GroundupError
from groundup.tensor.matmul import MATMUL_LADDER, MatmulFn, MatmulRung
from groundup.tensor.table import format_table

# Probe sizes for the sizes a rung loops over in Python: small enough to finish in well under
# a second even for the triple loop, big enough to swamp the fixed cost of one call.
_PROBE = {"n": 1, "k": 64, "m": 8}


@dataclass(frozen=True)
class MatmulTiming:
    """One row of `time_matmul_ladder`: a rung's time per call and its ratio to `@`.

    `seconds` is the best time per call over the repeats, or, when `skipped`, the estimate
    from a slice of the problem. `ratio` is `seconds` divided by the time of `a @ b`.
    """

    name: str
    how: str
    seconds: float
    ratio: float
    calls: int  # how many full calls were timed (0 when skipped)
    skipped: bool = False

    @property
    def note(self) -> str:
        """Return "" for a timed rung, or why it was skipped."""
        return "skipped: over the time budget; estimated from a slice" if self.skipped else ""


def time_matmul_ladder(
    shape: Sequence[int] = (64, 784, 10),
    *,
    names: Sequence[str] | None = None,
    budget_s: float = 2.0,
    dtype: torch.dtype = torch.float32,
    device: str | torch.device = "cpu",
    seed: int = 0,
    on_rung: Callable[[str], None] | None = None,
) -> list[MatmulTiming]:
    """Return one MatmulTiming per rung (plus `@` itself, first) for a (n, k) @ (k, m) product.

    `shape` is (n, k, m). `budget_s` bounds each rung: one that would take longer per call is
    skipped with an estimate, and no rung is timed for much longer than that in total.
    `on_rung(name)` is called before each rung (for a progress bar).
    """
    n, k, m = _check_shape(shape)
    if budget_s <= 0:
        raise GroundupError(f"budget must be > 0 seconds, got {budget_s}")
    rungs = _select(names)
    seed = check_seed("seed", seed)
    _check_memory(n, k, m, torch.empty(0, dtype=dtype).element_size(), rungs)
    gen = torch.Generator().manual_seed(seed)
    a = torch.randn(n, k, generator=gen, dtype=dtype).to(device)
    b = torch.randn(k, m, generator=gen, dtype=dtype).to(device)
    sync = _synchronizer(a.device)
    expected = a @ b

    def reference(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return x @ y

    return time_rungs(
        "@", "a @ b, the reference", reference,
        [Timed(r.name, r.how, r.fn, partial(_estimate, r, a, b, sync),
               partial(_check_equal, r, expected=expected)) for r in rungs],
        a, b, budget_s, sync, on_rung,
    )


@dataclass(frozen=True)
class Timed:
    """One rung to time: its name, how it works, the call, a cost estimate taken before it
    is run (None: cheap enough to just time) and a check of its answer (raises if wrong)."""

    name: str
    how: str
    fn: MatmulFn
    estimate: Callable[[], float | None]
    check: Callable[[torch.Tensor], None]


def time_rungs(
    ref_name: str, ref_how: str, reference: MatmulFn, rungs: Sequence[Timed],
    a: torch.Tensor, b: torch.Tensor, budget_s: float, sync: Callable[[], None],
    on_rung: Callable[[str], None] | None = None,
) -> list[MatmulTiming]:
    """Return the reference's row, then one row per rung, each timed on fn(a, b).

    A rung whose estimate passes the budget is skipped with that estimate; the others are
    checked first, then timed. The reference is timed before and after the rungs, keeping its
    best: the first timings of a process run on a cold cache and clock, which would flatter
    every ratio. `on_rung(name)` is called before each (for a progress bar).
    """
    if on_rung:
        on_rung(ref_name)
    ref_seconds, ref_calls = _best_time(reference, a, b, budget_s, sync)
    measured: list[tuple[Timed, float, int, bool]] = []
    for rung in rungs:
        if on_rung:
            on_rung(rung.name)
        estimate = rung.estimate()
        if estimate is not None and estimate > budget_s:
            measured.append((rung, estimate, 0, True))
            continue
        rung.check(rung.fn(a, b))
        measured.append((rung, *_best_time(rung.fn, a, b, budget_s, sync), False))
    again, more_calls = _best_time(reference, a, b, budget_s, sync)
    ref_seconds, ref_calls = min(ref_seconds, again), ref_calls + more_calls
    rows = [MatmulTiming(ref_name, ref_how, ref_seconds, 1.0, ref_calls)]
    for rung, seconds, calls, skipped in measured:
        rows.append(
            MatmulTiming(rung.name, rung.how, seconds, seconds / ref_seconds, calls, skipped)
        )
    return rows


def format_timings(timings: Sequence[MatmulTiming], reference: str = "@") -> list[str]:
    """Return the timings as table lines: rung, how, µs per call, times slower than the
    reference (`@`, or the name given), note.

    Estimated (skipped) figures carry a "~".
    """
    rows = [["rung", "how", "µs per call", f"× {reference}", ""]]
    for t in timings:
        mark = "~" if t.skipped else ""
        rows.append(
            [t.name, t.how, mark + _figure(t.seconds * 1e6), mark + _figure(t.ratio), t.note]
        )
    return format_table(rows, left=(0, 1, 4))


def _figure(x: float) -> str:
    """Return x with about three significant figures, thousands separated: 8.12, 45.3, 137,000."""
    if x >= 1000:
        return f"{float(f'{x:.3g}'):,.0f}"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def _check_shape(shape: Sequence[int]) -> tuple[int, int, int]:
    if len(shape) != 3 or any(isinstance(s, bool) or not isinstance(s, int) for s in shape):
        raise GroundupError(f"matmul shape must be three whole numbers n, k, m; got {shape}")
    if any(s < 1 for s in shape):
        raise GroundupError(f"matmul shape sizes must be >= 1; got {tuple(shape)}")
    return shape[0], shape[1], shape[2]


# What a rung holds beyond a, b and one answer, in bytes, from (n, k, m, bytes per element).
_EXTRA_MEMORY: dict[str, tuple[str, Callable[[int, int, int, int], int]]] = {
    "lists": ("copy of a and b as Python floats", lambda n, k, m, size: 32 * (n * k + k * m)),
    "broadcast_row": ("(k, m) product per row", lambda n, k, m, size: size * k * m),
    "broadcast": ("whole (n, k, m) product", lambda n, k, m, size: size * n * k * m),
}


def _check_memory(n: int, k: int, m: int, size: int, rungs: Sequence[MatmulRung]) -> None:
    """Raise a SettingError naming `shape` if a, b, the answers or a rung's own working
    memory would pass the memory limit, before anything is allocated."""
    base = size * (n * k + k * m + 2 * n * m)  # a, b, a @ b and the rung's answer
    check_memory("shape", base, f"an ({n}, {k}) @ ({k}, {m}) product")
    for rung in rungs:
        if rung.name in _EXTRA_MEMORY:
            what, extra = _EXTRA_MEMORY[rung.name]
            check_memory("shape", base + extra(n, k, m, size), f"the {rung.name} rung's {what}",
                         hint=f"leave the {rung.name!r} rung out")


def _select(names: Sequence[str] | None) -> list[MatmulRung]:
    if names is None:
        return list(MATMUL_LADDER)
    by_name = {rung.name: rung for rung in MATMUL_LADDER}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise GroundupError(f"unknown matmul {unknown[0]!r}; known: {', '.join(by_name)}")
    return [by_name[name] for name in names]


def _synchronizer(device: torch.device) -> Callable[[], None]:
    """Return a function that waits for queued GPU work (kernels run asynchronously there)."""
    if device.type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


def _estimate(
    rung: MatmulRung, a: torch.Tensor, b: torch.Tensor, sync: Callable[[], None]
) -> float | None:
    """Return the estimated seconds per full call of a rung with Python loops (None if none).

    Times the rung on a slice that shrinks each looped-over size to its probe size, then
    scales by how many more Python steps the full problem has.
    """
    if not rung.python_loops:
        return None
    (n, k), m = a.shape, b.shape[1]
    full = {"n": n, "k": k, "m": m}
    part = {d: min(full[d], _PROBE[d]) if d in rung.python_loops else full[d] for d in full}
    a_part = a[: part["n"], : part["k"]]
    b_part = b[: part["k"], : part["m"]]
    rung.fn(a_part, b_part)  # warm-up: first calls pay for lazy set-up
    sync()
    start = time.perf_counter()
    rung.fn(a_part, b_part)
    sync()
    seconds = time.perf_counter() - start
    scale = 1.0
    for d in rung.python_loops:
        scale *= full[d] / part[d]
    return seconds * scale


def _best_time(
    fn: MatmulFn, a: torch.Tensor, b: torch.Tensor, budget_s: float, sync: Callable[[], None]
) -> tuple[float, int]:
    """Return (best seconds per call, calls timed) over up to 5 batches within the budget.

    A batch repeats the call until it lasts >= 20 ms, so neither the clock's resolution nor
    the timing loop matters; the best batch is the one least disturbed by other work.
    """
    fn(a, b)  # warm-up: first calls pay for lazy set-up
    sync()
    number = 1
    while True:
        elapsed = _run(fn, a, b, number, sync)
        if elapsed >= 0.02 or elapsed * 10 > budget_s:
            break
        number *= 10
    per_call, spent = [elapsed / number], elapsed
    while len(per_call) < 5 and spent + elapsed <= budget_s:
        elapsed = _run(fn, a, b, number, sync)
        per_call.append(elapsed / number)
        spent += elapsed
    return min(per_call), number * len(per_call)


def _run(
    fn: MatmulFn, a: torch.Tensor, b: torch.Tensor, number: int, sync: Callable[[], None]
) -> float:
    """Return the seconds `number` calls of fn(a, b) take, waiting for the device to finish."""
    start = time.perf_counter()
    for _ in range(number):
        fn(a, b)
    sync()
    return time.perf_counter() - start


def _check_equal(rung: MatmulRung, got: torch.Tensor, expected: torch.Tensor) -> None:
    """Raise if a rung's answer differs from `a @ b` beyond float rounding."""
    tol = 1e-3 if expected.dtype in (torch.float16, torch.bfloat16, torch.float32) else 1e-9
    if got.shape != expected.shape or not torch.allclose(got, expected, rtol=tol, atol=tol):
        raise RuntimeError(f"matmul rung {rung.name!r} does not match a @ b")
