"""groundup broadcast: the table, the clash (exit 2, one line), --example, shape parsing."""

from __future__ import annotations

import pytest

from groundup.cli.broadcast import parse_shape
from groundup.errors import GroundupError


def test_prints_table_and_result(run_cli) -> None:
    r = run_cli("broadcast", "256,256,3", "3")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[:2] == ["A = (256, 256, 3)", "B = (3,)"]
    assert lines[4].split() == ["-1", "3", "3", "equal", "3"]
    assert "B: missing, counts as 1, stretches to 256" in lines[5]
    assert lines[-1] == "result shape: (256, 256, 3)"


def test_clash_prints_table_and_one_error_line(run_cli) -> None:
    r = run_cli("broadcast", "2,4", "3")
    assert r.code == 2
    assert "clash: 4 vs 3 (neither is 1)" in r.out
    assert r.err.strip() == (
        "error: shapes (2, 4) and (3,) do not broadcast: axis -1: 4 vs 3 (neither is 1)"
    )
    assert "Traceback" not in r.err


def test_example_shows_operands_stretched_view_and_sum(run_cli) -> None:
    r = run_cli("broadcast", "3,3", "3", "--example")
    assert r.code == 0, r.err
    assert "tensor([10, 20, 30])" in r.out
    assert "B stretched to (3, 3): strides (0, 1)" in r.out
    total = r.out.split("A + B (3, 3) =")[1]
    assert "[[11, 22, 33]," in total and "[17, 28, 39]]" in total


def test_example_column_plus_matrix(run_cli) -> None:
    r = run_cli("broadcast", "3,1", "3,3", "--example")
    assert r.code == 0, r.err
    assert "A stretched to (3, 3): strides (1, 0)" in r.out
    assert "[[11, 21, 31]," in r.out.split("A + B (3, 3) =")[1]


def test_example_refuses_big_results_before_printing(run_cli) -> None:
    r = run_cli("broadcast", "100,100", "100", "--example")
    assert r.code == 2 and r.out == ""
    assert "10,000 elements" in r.err


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (["0,99999999999999999999999999", "1"], "an axis of 99,999,999,999,999,999,999,999,999"),
        (["0,1000", "1"], "an axis of 1,000"),  # an empty result, a needless operand
        (["0", "100,100,1"], "(100, 100, 1) has 10,000 elements"),  # an empty result
        ([",".join(["1"] * 5000), "1"], "a shape of 5000 axes; pick shapes with at most 8"),
    ],
)
def test_example_caps_every_operand_and_axis_not_just_the_result(run_cli, shapes, message):
    r = run_cli("broadcast", *shapes, "--example")
    assert r.code == 2 and r.out == ""
    assert r.err.count("error:") == 1 and message in r.err and "Traceback" not in r.err


def test_example_of_an_empty_result_still_works(run_cli) -> None:
    r = run_cli("broadcast", "0,5", "1", "--example")
    assert r.code == 0, r.err
    assert "A + B (0, 5) =" in r.out


@pytest.mark.parametrize("args", [["3"], ["3,a", "3"], ["3.5", "2"], ["-1", "2"]])
def test_user_mistakes_exit_2(run_cli, args: list[str]) -> None:
    r = run_cli("broadcast", *args)
    assert r.code == 2
    assert "Traceback" not in r.err and r.err.strip()


@pytest.mark.parametrize(
    ("text", "shape"),
    [("256,256,3", (256, 256, 3)), ("(256, 256, 3)", (256, 256, 3)), ("256x256x3", (256, 256, 3)),
     ("3", (3,)), ("(3,)", (3,)), ("()", ()), ("", ()), ("[2, 0]", (2, 0))],
)  # fmt: skip
def test_parse_shape(text: str, shape: tuple[int, ...]) -> None:
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["3,,4", "a", "3;4", "1.5", ","])
def test_parse_shape_rejects(text: str) -> None:
    with pytest.raises(GroundupError, match="shape"):
        parse_shape(text)
