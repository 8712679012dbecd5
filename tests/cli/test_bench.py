"""groundup bench matmul: the table's rows and notes, and user mistakes (no wall-time asserts)."""

from __future__ import annotations

import pytest

from groundup.cli.bench import parse_matmul_shape
from groundup.errors import GroundupError
from groundup.tensor import MATMUL_LADDER


def test_table_has_reference_and_every_rung(run_cli) -> None:
    r = run_cli("bench", "matmul", "--shape", "2x8x3", "--budget", "0.02")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].startswith("matmul ladder: (2, 8) @ (8, 3), float32 on cpu")
    assert lines[2].split()[:4] == ["rung", "how", "µs", "per"]
    names = [line.split()[0] for line in lines[3:]]
    assert names == ["@"] + [rung.name for rung in MATMUL_LADDER]
    assert lines[3].split()[-1] == "1.00"  # @ against itself


def test_slow_rungs_are_skipped_and_say_so(run_cli) -> None:
    r = run_cli(
        "bench", "matmul", "--shape", "64x784x10", "--budget", "0.001",
        "--rungs", "loops,einsum", "--threads", "1", "--dtype", "float64",
    )  # fmt: skip
    assert r.code == 0, r.err
    rows = {line.split()[0]: line for line in r.out.splitlines()[3:]}
    assert "skipped" in rows["loops"] and "~" in rows["loops"]
    assert "skipped" not in rows["einsum"]
    assert "float64 on cpu, 1 threads" in r.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shape", "5x7"], "--shape '5x7'"),
        (["--shape", "0x7x3"], "--shape"),
        (["--rungs", "foo"], "unknown matmul 'foo'"),
        (["--dtype", "int8"], "--dtype"),
        (["--budget", "0"], "budget"),
        (["--seed", str(2**64)], "--seed: must be a whole number in [0, 4294967295]"),
        (["--threads", "1000000000"], "--threads: must be a whole number in [1, "),
        (["--shape", "100000x100000x100000"], "--shape: an (100000, 100000) @ "),
    ],
)
def test_user_mistakes_exit_2(run_cli, args: list[str], message: str) -> None:
    r = run_cli("bench", "matmul", *args)
    assert r.code == 2
    assert message in r.err and "Traceback" not in r.err


def test_parse_matmul_shape() -> None:
    assert parse_matmul_shape("64x784x10") == (64, 784, 10)
    assert parse_matmul_shape("5,784,10") == (5, 784, 10)
    with pytest.raises(GroundupError):
        parse_matmul_shape("64x784")
