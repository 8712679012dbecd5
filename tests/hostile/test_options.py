"""Hostile options and CSV cells: seeds, thread counts, sizes and numbers that are not finite.

Every integer option is range-checked where it is parsed (`groundup.checks`: seeds into
0 .. 2**32 - 1, threads and jobs up to cores x 4, shapes and layer widths under a memory
estimate), and every number read from a CSV is finite and fits in float32
(`groundup.fileio.check_finite`). Two halves:

- the real CLI, in a fresh process, for each input the issue names: exit 2 and one
  `error:` line, no traceback, no files left, peak memory under 2 GB. They run two at a
  time, once per module (tune's CSV and a filled gap in forest explain's are tested
  in-process: tests/test_check_finite.py, tests/cli/test_forest_explain.py);
- hypothesis, in-process, for the parsers: seeds, thread counts, shape strings.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundup.checks import MEMORY_LIMIT, SEED_MAX, max_threads
from groundup.errors import GroundupError
from groundup.tensor import MATMUL_LADDER
from tests.hostile.conftest import QUICK, Outcome, assert_refused, run_groundup

SEED_RANGE = "must be a whole number in [0, 4294967295]"


def _table(rows: int = 40, bad: dict[tuple[int, str], str] | None = None) -> str:
    """Return a CSV of columns a, b (numbers) and y (0/1), with `bad` cells put in place.

    `bad` maps (1-based data row, column) to the text of the cell.
    """
    lines = ["a,b,y"]
    for i in range(1, rows + 1):
        cells = {"a": f"{(i * 37 % 101) / 101:.3f}", "b": f"{(i * 53 % 97) / 97:.3f}",
                 "y": str(i % 2)}
        cells.update({col: text for (row, col), text in (bad or {}).items() if row == i})
        lines.append(",".join(cells[c] for c in "aby"))
    return "\n".join(lines) + "\n"


def _wide(columns: int) -> str:
    header = ",".join(f"c{i}" for i in range(columns)) + ",y"
    return "\n".join([header] + [",".join("1" * columns) + f",{r}" for r in range(3)]) + "\n"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[object, ...]
    needle: str  # in the one error line
    files: tuple[tuple[str, str], ...] = ()  # (name, text) written into the empty directory


INF_A = (("inf.csv", _table(bad={(3, "a"): "inf"})),)
BIG_Y = (("big.csv", _table(bad={(2, "y"): "1e39"})),)
CASES = [
    Case("train --seed 2**64", ("train", *QUICK, "--seed", 2**64, "--out", "m.safetensors"),
         f"--seed: {SEED_RANGE}, got {2**64}"),
    Case("train --hidden 100000000",
         ("train", "--epochs", "1", "--quiet", "--hidden", "100000000", "--out", "m.safetensors"),
         "--hidden: at least 400,000,002 float32 parameters"),
    Case("ladder --seed 2**64", ("ladder", "--subset", "64", "--seed", 2**64), "--seed: "),
    Case("ladder --threads 10**9", ("ladder", "--subset", "64", "--threads", 10**9),
         f"--threads: must be a whole number in [1, {max_threads()}], got 1000000000"),
    Case("bench --seed 2**64", ("bench", "matmul", "--seed", 2**64), f"--seed: {SEED_RANGE}"),
    Case("bench --threads 10**9", ("bench", "matmul", "--threads", 10**9), "--threads: "),
    Case("bench --shape 100000^3", ("bench", "matmul", "--shape", "100000x100000x100000"),
         "--shape: an (100000, 100000) @ (100000, 100000) product would need 160 GB"),
    Case("broadcast 0,10**26 1 --example",
         ("broadcast", "0,99999999999999999999999999", "1", "--example"),
         "--example: the shape (0, 99999999999999999999999999) has an axis of"),
    Case("forest explain --seed 2**64", ("forest", "explain", "--seed", 2**64), "--seed: "),
    Case("forest explain --jobs 100000", ("forest", "explain", "--jobs", 100000),
         "--jobs: must be -1 (all cores) or a whole number in [1, "),
    Case("forest pictures --seed -1", ("forest", "pictures", "--seed", -1),
         f"--seed: {SEED_RANGE}, got -1"),
    Case("forest pictures --seed 2**70", ("forest", "pictures", "--seed", 2**70), "--seed: "),
    Case("forest explain, inf feature", ("forest", "explain", "inf.csv", "--target", "y"),
         "inf.csv: column 'a', row 3: inf is not a finite number", INF_A),
    Case("forest explain, 1e39 target", ("forest", "explain", "big.csv", "--target", "y"),
         "big.csv: column 'y', row 2: 1e+39 is too big for float32", BIG_Y),
    Case("forest pictures, inf feature", ("forest", "pictures", "--data", "inf.csv"),
         "inf.csv: column 'a', row 3: inf is not a finite number", INF_A),
    Case("forest pictures, 1e39 target", ("forest", "pictures", "--data", "big.csv"),
         "big.csv: column 'y', row 2: 1e+39 is too big for float32", BIG_Y),
    Case("forest explain, an id column as the target",
         ("forest", "explain", "ids.csv", "--target", "name"),
         "--trees: 100 trees on 2,400 rows and 3,000 classes would need 3.9 GB of memory",
         (("ids.csv", "a,name\n" + "".join(f"{i % 7},id{i}\n" for i in range(3000))),)),
    Case("forest pictures, a label per row as the target",
         ("forest", "pictures", "--data", "labels.csv"),
         "--grid: 3 pictures of 300x300 pixels, 5,000 values each would need 11 GB",
         (("labels.csv", "a,b,t\n" + "".join(f"{i % 97},{i % 89},l{i}\n" for i in range(5000))),)),
    Case("forest explain, 10,001 columns", ("forest", "explain", "wide.csv", "--target", "y"),
         "wide.csv: 10,002 columns; groundup reads at most 10,001", (("wide.csv", _wide(10_001)),)),
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[Outcome, Path]]:
    root = tmp_path_factory.mktemp("hostile-options")

    def run(case: Case) -> tuple[Outcome, Path]:
        cwd = root / f"cwd-{CASES.index(case)}"
        cwd.mkdir()
        for name, text in case.files:
            (cwd / name).write_text(text)
        return run_groundup(*case.args, cwd=cwd, timeout=120), cwd

    with ThreadPoolExecutor(max_workers=2) as pool:  # the CLI runs are most of the time
        return dict(zip([c.name for c in CASES], pool.map(run, CASES), strict=True))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_cli_refuses_in_one_line_before_any_work(outcomes, case: Case) -> None:
    outcome, cwd = outcomes[case.name]
    assert_refused(outcome, case.needle)
    assert sorted(p.name for p in cwd.iterdir()) == sorted(name for name, _ in case.files), (
        "an output directory was made before the input was refused")


# ---------------------------------------------------------------- the parsers, in-process

# run_cli reads the captured output afresh on every call, so one fixture serves all examples
IN_PROCESS = [HealthCheck.function_scoped_fixture]


@settings(max_examples=40, deadline=None, suppress_health_check=IN_PROCESS)
@given(st.integers(-(2**80), 2**80) | st.sampled_from([0, SEED_MAX, SEED_MAX + 1, -1]))
def test_a_seed_is_refused_exactly_when_no_generator_would_take_it(run_cli, seed: int) -> None:
    r = run_cli("forest", "pictures", "--seed", seed, "--grid", "1")  # --grid 1: checked later
    lines = r.err.strip().splitlines()
    assert r.code == 2 and len(lines) == 1 and lines[0].startswith("error: "), r.err
    wanted = "--grid" if 0 <= seed <= SEED_MAX else f"--seed: {SEED_RANGE}"
    assert wanted in lines[0]


@settings(max_examples=40, deadline=None, suppress_health_check=IN_PROCESS)
@given(st.integers(-(2**70), 2**70) | st.sampled_from([0, 1, max_threads(), max_threads() + 1]))
def test_a_thread_count_is_refused_before_torch_sees_it(run_cli, threads: int) -> None:
    r = run_cli("bench", "matmul", "--threads", threads, "--shape", "0x1x1")  # shape: later
    lines = r.err.strip().splitlines()
    assert r.code == 2 and len(lines) == 1 and lines[0].startswith("error: "), r.err
    if threads < 0:
        assert "Invalid value for '--threads'" in lines[0]  # the option's own min=0
    elif threads <= max_threads():
        assert "--shape" in lines[0]  # 0: torch's default; 1 .. cores x 4: taken
    else:
        assert "--threads: must be a whole number in [1, " in lines[0]


SIZE = st.integers(0, 10**30).map(str) | st.sampled_from(["", "x", "-1", "1.5", " 7 ", "٣"])


@settings(max_examples=200, deadline=None)
@given(st.lists(SIZE, min_size=1, max_size=4).flatmap(
    lambda parts: st.sampled_from(["x", ",", "×"]).map(lambda sep: sep.join(parts))))
def test_a_shape_string_is_three_sizes_under_the_memory_limit_or_one_error(text: str) -> None:
    from groundup.cli.bench import parse_matmul_shape
    from groundup.tensor.timing import _check_memory

    try:
        n, k, m = parse_matmul_shape(text)
        _check_memory(n, k, m, 4, MATMUL_LADDER)
    except GroundupError as e:
        assert "\n" not in str(e)
    else:
        assert 4 * (n * k + k * m + n * k * m) <= MEMORY_LIMIT  # the broadcast rung's too


@settings(max_examples=60, deadline=None, suppress_health_check=IN_PROCESS)
@given(st.lists(st.lists(st.integers(0, 10**27), max_size=3).map(
    lambda sizes: ",".join(map(str, sizes))), min_size=2, max_size=3))
def test_broadcast_example_is_a_result_or_one_error_line(run_cli, shapes: list[str]) -> None:
    r = run_cli("broadcast", *[s or "()" for s in shapes], "--example")
    assert r.code in (0, 2) and "Traceback" not in r.err
    if r.code == 2:
        lines = r.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), r.err
