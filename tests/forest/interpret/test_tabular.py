"""proc_df-style CSV handling: category codes, median fill with `_na` flags, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError
from groundup.fileio import read_csv
from groundup.forest.interpret.tabular import example_frame, infer_task, proc_df


def test_strings_become_codes_and_missing_numbers_get_a_flag() -> None:
    frame = pd.DataFrame(
        {
            "city": ["b", "a", None, "b"],
            "size": [1.0, np.nan, 3.0, 5.0],
            "rooms": [1, 2, 3, 4],
            "new": [True, False, True, False],
            "price": [10.5, 20.25, 30.0, 40.0],
        }
    )
    table = proc_df(frame, "price")
    assert list(table.X.columns) == ["city", "size", "size_na", "rooms", "new"]
    np.testing.assert_array_equal(table.X["city"], [2, 1, 0, 2])  # 0: missing, sorted labels
    assert table.categories == {"city": ("a", "b")}
    np.testing.assert_array_equal(table.X["size"], [1.0, 3.0, 3.0, 5.0])  # median of 1, 3, 5
    np.testing.assert_array_equal(table.X["size_na"], [0, 1, 0, 0])
    assert table.medians == {"size": 3.0}
    assert table.X["rooms"].dtype.kind == "i" and list(table.X["new"]) == [1, 0, 1, 0]
    assert table.task == "regression" and table.y.dtype == np.float64
    np.testing.assert_array_equal(table.y, frame["price"])
    assert "4 rows x 5 features" in repr(table)


def test_classification_targets_become_codes() -> None:
    frame = pd.DataFrame({"x": [1, 2, 3, 4, 5], "label": ["no", "yes", "no", None, "yes"]})
    table = proc_df(frame, "label")
    assert table.task == "classification" and table.classes == ("no", "yes")
    np.testing.assert_array_equal(table.y, [0, 1, 0, 1])
    assert table.dropped_rows == 1 and len(table.X) == 4
    np.testing.assert_array_equal(table.X["x"], [1, 2, 3, 5])


@pytest.mark.parametrize(
    "values,expected",
    [
        ([0, 1, 1, 0], "classification"),
        ([True, False, True], "classification"),
        (["cat", "dog"], "classification"),
        ([1.5, 2.0, 3.25], "regression"),
        (list(range(100)), "regression"),  # many whole numbers: a count, not labels
    ],
)
def test_infer_task(values: list, expected: str) -> None:
    assert infer_task(pd.Series(values)) == expected


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.floats(-1e6, 1e6)), st.sampled_from(["u", "v", None])),
        min_size=2, max_size=30,
    )
)
def test_processed_features_are_complete_numbers(rows: list[tuple]) -> None:
    frame = pd.DataFrame(rows, columns=["num", "cat"])
    frame["num"] = frame["num"].astype(float)  # as read_csv types an all-empty column
    frame["y"] = np.arange(len(rows), dtype=float)
    table = proc_df(frame, "y")
    assert not table.X.isna().any().any()
    assert all(dtype.kind in "biuf" for dtype in table.X.dtypes)
    if frame["num"].isna().any():
        flag = table.X["num_na"].to_numpy()
        np.testing.assert_array_equal(flag, frame["num"].isna().to_numpy())
        filled = table.X["num"].to_numpy()[flag == 1]
        assert np.all(filled == table.medians["num"])


def test_bad_targets_are_one_line_errors() -> None:
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [5, 5, 5], "s": ["a", "b", "c"]})
    with pytest.raises(GroundupError, match="no column 'price'; columns are: x, y, s"):
        proc_df(frame, "price")
    with pytest.raises(GroundupError, match="only one value"):
        proc_df(frame, "y")
    with pytest.raises(GroundupError, match="not numeric"):
        proc_df(frame, "s", task="regression")
    with pytest.raises(GroundupError, match="task"):
        proc_df(frame, "x", task="ranking")
    with pytest.raises(GroundupError, match="no values"):
        proc_df(pd.DataFrame({"x": [1, 2], "y": [None, None]}), "y")
    with pytest.raises(GroundupError, match="no feature columns"):
        proc_df(pd.DataFrame({"y": [1.0, 2.0]}), "y")


def test_read_csv_errors(tmp_path: Path) -> None:
    with pytest.raises(GroundupError, match="no such file"):
        read_csv(tmp_path / "missing.csv")
    with pytest.raises(GroundupError, match="directory"):
        read_csv(tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(GroundupError, match="empty"):
        read_csv(empty)
    header = tmp_path / "header.csv"
    header.write_text("a,b\n")
    with pytest.raises(GroundupError, match="no rows"):
        read_csv(header)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n")
    with pytest.raises(GroundupError, match="no columns"):
        read_csv(blank)
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,x\n2,y\n")
    assert read_csv(good).shape == (2, 2)


def test_example_frames_ship_with_sklearn() -> None:
    frame, target, text = example_frame("regression")
    assert target in frame and frame.shape == (442, 11) and "diabetes" in text
    frame, target, text = example_frame("classification")
    assert set(frame[target]) == {"malignant", "benign"} and "breast cancer" in text


def test_infinite_and_float32_overflowing_numbers_are_refused_gaps_are_filled() -> None:
    frame = pd.DataFrame({"x": [1.0, np.nan, 3.0], "y": [1.0, 2.0, np.nan]})
    table = proc_df(frame, "y", source="t.csv")  # a gap in x is filled, a row without y left out
    assert table.dropped_rows == 1 and np.isfinite(table.X.to_numpy()).all()
    for column, value, problem in (("x", np.inf, "row 2: inf is not a finite number"),
                                   ("y", -np.inf, "row 2: -inf is not a finite number"),
                                   ("x", 1e39, "row 2: 1e+39 is too big for float32")):
        bad = frame.copy()
        bad.loc[1, column] = value
        with pytest.raises(GroundupError) as info:
            proc_df(bad, "y", source="t.csv")
        assert str(info.value).startswith(f"t.csv: column {column!r}, {problem}")


def test_too_many_columns_are_refused_before_any_is_encoded() -> None:
    from groundup.forest.interpret.tabular import MAX_FEATURES

    frame = pd.DataFrame(np.zeros((2, MAX_FEATURES + 2)), columns=[f"c{i}" for i in
                                                                   range(MAX_FEATURES + 2)])
    with pytest.raises(GroundupError, match=r"^wide.csv: 10,001 feature columns; at most 10,000"):
        proc_df(frame, "c0", source="wide.csv")
