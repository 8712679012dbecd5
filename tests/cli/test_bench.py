"""groundup bench matmul and conv: table rows and notes, user mistakes (no wall-time asserts)."""

from __future__ import annotations

import pytest

from groundup.cli.bench import parse_conv_shape, parse_matmul_shape
from groundup.errors import GroundupError
from groundup.tensor import CONV_LADDER, MATMUL_LADDER


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


def test_conv_table_has_reference_and_every_rung(run_cli) -> None:
    r = run_cli(
        "bench", "conv", "--shape", "2,1,9,9", "--filters", "3", "--kernel", "3",
        "--stride", "2", "--padding", "1", "--budget", "0.005", "--threads", "1",
    )  # fmt: skip
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].startswith("conv ladder: 2 images 1x9x9, 3 filters 1x3x3, stride 2, ")
    assert lines[2].split()[-2:] == ["×", "torch.conv2d"]
    names = [line.split()[0] for line in lines[3:]]
    assert names == ["torch.conv2d"] + [rung.name for rung in CONV_LADDER]
    assert lines[3].split()[-1] == "1.00"


def test_conv_slow_rungs_are_skipped_and_say_so(run_cli) -> None:
    r = run_cli("bench", "conv", "--budget", "0.001", "--rungs", "loops,unfold")
    assert r.code == 0, r.err
    rows = {line.split()[0]: line for line in r.out.splitlines()[3:]}
    assert "skipped" in rows["loops"] and "~" in rows["loops"]
    assert "skipped" not in rows["unfold"] and set(rows) == {"torch.conv2d", "loops", "unfold"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kernel", "29"], "--kernel: a 29x29 kernel does not fit a 28x28 image padded by 0"),
        (["--shape", "64,0,28,28"], "--shape '64,0,28,28': write four sizes"),
        (["--shape", "64,28,28"], "--shape '64,28,28'"),
        (["--filters", "0"], "--filters: must be a whole number in [1, "),
        (["--stride", "0"], "--stride: must be"),
        (["--padding", "-1"], "--padding: must be"),
        (["--rungs", "fast"], "--rungs: unknown rung 'fast'"),
        (["--dtype", "int8"], "--dtype"),
        (["--seed", "-1"], "--seed: must be"),
        (["--shape", "100000,3,280,280"], "--shape: 100000 images of 3x280x280 would need"),
        (["--filters", "100000000"], "--filters: 100000000 filters of 1x5x5 would need"),
    ],
)
def test_conv_user_mistakes_are_one_line(run_cli, args: list[str], message: str) -> None:
    r = run_cli("bench", "conv", *args)
    assert r.code == 2
    errors = [line for line in r.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], r.err
    assert "Traceback" not in r.err


def test_parse_conv_shape() -> None:
    assert parse_conv_shape("64,1,28,28") == (64, 1, 28, 28)
    assert parse_conv_shape("8x3x32x32") == (8, 3, 32, 32)
    with pytest.raises(GroundupError):
        parse_conv_shape("64,1,28")
