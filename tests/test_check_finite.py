"""fileio.check_finite: the one rule for numbers read from a user's CSV, and the three readers
that use it (forest explain's proc_df, forest pictures' points, tune's search data)."""

from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.cli.tune_data import load_search_data
from groundup.errors import DataError, GroundupError
from groundup.fileio import FLOAT32_MAX, check_finite, read_csv
from groundup.forest.interpret.tabular import proc_df
from groundup.forest.plane.points_csv import load_points_csv


def _frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ([1.0, 2.0, math.inf], "t.csv: column 'a', row 3: inf is not a finite number"),
        ([1.0, -math.inf, 2.0], "t.csv: column 'a', row 2: -inf is not a finite number"),
        ([1e39, 2.0, 3.0], "t.csv: column 'a', row 1: 1e+39 is too big for float32"),
        ([1.0, -3.5e38, 3.0], "t.csv: column 'a', row 2: -3.5e+38 is too big for float32"),
        ([1.0, math.nan, 3.0], "t.csv: column 'a', row 2: the value is missing"),
    ],
)
def test_the_first_bad_number_is_named_by_column_and_data_row(column, message) -> None:
    with pytest.raises(DataError) as info:
        check_finite(_frame(ok=[1, 2, 3], a=column), ["ok", "a"], "t.csv")
    assert str(info.value).startswith(message)


def test_missing_ok_lets_gaps_through_but_never_infinity() -> None:
    check_finite(_frame(a=[1.0, math.nan]), ["a"], "t.csv", missing_ok=True)
    with pytest.raises(DataError, match="row 2: inf"):
        check_finite(_frame(a=[math.nan, math.inf]), ["a"], "t.csv", missing_ok=True)


def test_text_booleans_dates_and_big_whole_numbers_pass() -> None:
    frame = _frame(text=["inf", "x"], flag=[True, False], when=pd.to_datetime(["2020", "2021"]),
                   big=np.array([2**63, 2**64 - 1], dtype=np.uint64),
                   edge=[FLOAT32_MAX, -FLOAT32_MAX], nullable=pd.array([1, None], dtype="Int64"))
    check_finite(frame, ["text", "flag", "when", "big", "edge"], "t.csv")
    check_finite(frame, ["nullable"], "t.csv", missing_ok=True)
    with pytest.raises(DataError, match="'nullable', row 2: the value is missing"):
        check_finite(frame, ["nullable"], "t.csv")


# ---------------------------------------------------------------- CSV cells, generated

CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(2**80), 2**80).map(str),
    st.sampled_from(["", "inf", "-inf", "nan", "NaN", "Infinity", "1e39", "-1e39", "1e400",
                     "3.4028235e38", "1e-400", "true", "x", " 7 ", "0x10", "1,5", '"', "\n"]),
    st.text(max_size=4),
)


def _write(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "y"])
        writer.writerows(rows)


def _finite32(values) -> bool:
    values = np.asarray(values, dtype=np.float64)
    return bool(np.isfinite(values).all() and (np.abs(values) <= FLOAT32_MAX).all())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=8))
def test_any_cells_give_finite_numbers_or_one_groundup_error(rows) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cells.csv"
        _write(path, rows)
        try:
            frame = read_csv(path)
        except GroundupError:
            return
        readers = (
            lambda: proc_df(frame.copy(), "y", source=str(path)).X,
            lambda: load_points_csv(path, x="a", y="b", target="y").X,
            lambda: load_search_data(str(path), target="y").X_train,
        )
        for read in readers:
            try:
                X = read()
            except GroundupError as e:
                assert "\n" not in str(e).strip()
            else:
                assert _finite32(X)


def test_read_csv_refuses_a_too_wide_header_before_pandas(tmp_path) -> None:
    from groundup.errors import DataError
    from groundup.fileio import read_csv
    from groundup.fileio.tables import MAX_COLUMNS

    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n" + "1," * MAX_COLUMNS
                    + "1\n")
    with pytest.raises(DataError, match=f"{MAX_COLUMNS + 1:,} columns"):
        read_csv(wide)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('"a,b",c\n1,2\n')
    assert list(read_csv(quoted).columns) == ["a,b", "c"]
