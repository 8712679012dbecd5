"""Reading points from a CSV file: sensible defaults and one clear line for every mistake."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from groundup.errors import GroundupError
from groundup.forest.plane.points_csv import load_points_csv


def _csv(tmp_path: Path, text: str, name: str = "points.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_defaults_pick_the_first_two_numeric_inputs_and_the_last_column(tmp_path) -> None:
    path = _csv(tmp_path, "id,a,label,b,value\nr1,0,x,1,0.5\nr2,2,y,3,1.5\nr3,4,x,5,2.25\n")
    d = load_points_csv(path)
    assert d.feature_names == ("a", "b") and d.target_name == "value"
    assert d.task == "regression" and d.name == "points"
    np.testing.assert_array_equal(d.X, [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(d.y, [0.5, 1.5, 2.25])
    assert d.bounds == pytest.approx((-0.2, 4.2, 0.8, 5.2))  # 5% beyond the data


def test_a_column_called_target_is_the_default_target(tmp_path) -> None:
    path = _csv(tmp_path, "target,p,q\n1.5,0,0\n2.5,1,1\n")
    d = load_points_csv(path)
    assert d.target_name == "target" and d.feature_names == ("p", "q")


def test_text_labels_and_few_whole_numbers_are_classes(tmp_path) -> None:
    text = load_points_csv(_csv(tmp_path, "x,y,kind\n0,0,cat\n1,1,dog\n2,0,cat\n"))
    assert text.task == "classification" and text.class_names == ("cat", "dog")
    np.testing.assert_array_equal(text.y, [0, 1, 0])
    ints = load_points_csv(_csv(tmp_path, "x,y,k\n0,0,3\n1,1,1\n2,0,3\n", "ints.csv"))
    assert ints.class_names == ("1", "3")
    np.testing.assert_array_equal(ints.y, [1, 0, 1])
    forced = load_points_csv(_csv(tmp_path, "x,y,k\n0,0,3\n1,1,1\n", "f.csv"), task="regression")
    assert forced.task == "regression"


def test_explicit_columns_win(tmp_path) -> None:
    path = _csv(tmp_path, "a,b,c,d\n1,2.5,3,4\n5,6.5,7,8\n")
    d = load_points_csv(path, x="c", y="a", target="b")
    np.testing.assert_array_equal(d.X, [[3, 1], [7, 5]])
    np.testing.assert_array_equal(d.y, [2.5, 6.5])


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("", {}, "the file is empty"),
        ("\n\n", {}, "the file has no columns"),
        ("x,y,t\n", {}, "a header but no rows"),
        ("x,t\n1,2\n3,4\n", {}, "need two numeric input columns besides the target 't', found 1"),
        ("a,b,t\nu,v,1\nw,z,2\n", {}, "found 0"),
        ("x,y,t\n1,2,3\n", dict(x="nope"), "no column 'nope' for `x`"),
        ("x,y,t\n1,2,3\n", dict(target="nope"), "no column 'nope' for `target`"),
        ("x,y,t\n1,2,3\n", dict(x="y", y="y"), "pick two different columns"),
        ("x,y,t\n1,2,3\n", dict(x="t", y="y"), "cannot be both an input and the target"),
        ("x,y,t\n1,,3\n4,5,6\n", {}, "column 'y', row 1: the value is missing"),
        ("x,s,t\n1,a,3\n", dict(y="s"), "input column 's' is not numeric"),
        ("x,y,t\n1,2,a\n3,4,b\n", dict(task="regression"), "is not numeric, so it cannot"),
        ("x,y,t\n1,2,a\n3,4,a\n", {}, "only one class"),
        ("x,y,t\n1,2,\n3,4,5\n", {}, "column 't', row 1: the value is missing"),
        ("x,y,t\n1,2,3\n4,inf,5\n", {}, "column 'y', row 2: inf is not a finite number"),
        ("x,y,t\n1,2,3\n4,5,-inf\n", {}, "column 't', row 2: -inf is not a finite number"),
        ("x,y,t\n1e39,2,3\n4,5,6\n", {}, "column 'x', row 1: 1e\\+39 is too big for float32"),
        ("x,y,t\n1,2,3\n4,5,1e39\n", dict(task="classification"), "column 't', row 2: 1e"),
        ("x,y,t\n1,2,3\n", dict(task="ranking"), "task: must be one of"),
    ],
)
def test_mistakes_are_one_line_errors_naming_the_file(tmp_path, text, kwargs, message) -> None:
    path = _csv(tmp_path, text)
    with pytest.raises(GroundupError, match=message) as info:
        load_points_csv(path, **kwargs)
    assert "\n" not in str(info.value)
    assert "--" not in str(info.value)  # the library speaks Python; the CLI adds flags
    if "task: must be" not in message:
        assert str(path) in str(info.value)


def test_a_missing_file_is_a_user_error(tmp_path) -> None:
    with pytest.raises(GroundupError, match="no such file"):
        load_points_csv(tmp_path / "missing.csv")


def test_a_binary_file_is_not_a_readable_csv(tmp_path) -> None:
    path = tmp_path / "blob.csv"
    path.write_bytes(b"\xff\xfe\x00\x81" * 50)
    with pytest.raises(GroundupError, match="not a UTF-8 text file"):
        load_points_csv(path)
