"""Tests for groundup.cli.tune_data: a CSV is split 60/20/20 after a seeded shuffle, and every
mistake names the setting it is about."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from groundup.cli.tune_data import load_search_data
from groundup.errors import GroundupError, SettingError


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    df = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0) ** 2, "y": np.arange(20) % 3})
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return path


def test_a_csv_is_split_60_20_20_after_a_seeded_shuffle(csv: Path) -> None:
    d = load_search_data(str(csv), target="y", seed=1)
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (12, 4, 4)
    assert d.X_train.dtype == np.float32 and d.feature_names == ["a", "b"]
    rows = np.concatenate([d.X_train[:, 0], d.X_val[:, 0], d.X_test[:, 0]])
    assert sorted(rows) == list(range(20)) and list(rows) != list(range(20))  # shuffled
    again = load_search_data(str(csv), target="y", seed=1, train_rows=5)
    assert np.array_equal(again.X_train, d.X_train[:5])


@pytest.mark.parametrize(
    "kwargs, message",
    [({"target": None}, "target: needed to say which column"),
     ({"target": "nope"}, "target: no column 'nope' in"),
     ({"train_rows": 0}, "train_rows: must be positive, got 0")],
)
def test_mistakes_name_their_setting(csv: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(SettingError) as info:
        load_search_data(str(csv), **{"target": "y", **kwargs})
    assert str(info.value).startswith(message), str(info.value)


def test_bad_files_name_the_data_setting(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match="^data: no such file"):
        load_search_data(str(tmp_path / "missing.csv"), target="y")
    text = tmp_path / "words.csv"
    text.write_text("a,y\nx,1\ny,2\nz,3\nw,1\nv,2\n")
    with pytest.raises(SettingError, match="^data: column 'a' of .* is not numeric"):
        load_search_data(str(text), target="y")
    with pytest.raises(SettingError, match="^target: only applies when `data` is a CSV file"):
        load_search_data("mnist", target="y")


@pytest.mark.parametrize(
    ("cell", "message"),
    [("inf", "row 3: inf is not a finite number"), ("1e39", "row 3: 1e+39 is too big for float32"),
     ("", "row 3: the value is missing")],
)
def test_numbers_that_are_not_finite_float32_name_column_and_row(tmp_path, cell, message):
    path = tmp_path / "t.csv"
    path.write_text(f"a,y\n1,0\n2,1\n{cell},0\n4,1\n5,0\n")
    with pytest.raises(GroundupError) as info:
        load_search_data(str(path), target="y")
    assert str(info.value).startswith(f"{path}: column 'a', {message}")
