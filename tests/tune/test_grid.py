"""Tests for groundup.tune.grid: parsing --grid options, expanding grids, config keys."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.model_selection import ParameterGrid

from groundup.errors import SettingError
from groundup.tune.grid import (
    config_from_json,
    config_key,
    expand_grid,
    format_config,
    format_value,
    parse_grid,
    parse_grid_option,
    parse_value,
)


@pytest.mark.parametrize(
    "text, value",
    [("1e-3", 0.001), ("0", 0), ("0.5", 0.5), ("-2", -2), ("true", True), ("False", False),
     ("none", None), ("None", None), ("l2", "l2"), ("log_loss", "log_loss"),
     ("(100,50)", (100, 50)), ("[100]", (100,)), ("'quoted'", "quoted"), (" 3 ", 3)],
)
def test_parse_value(text: str, value: object) -> None:
    got = parse_value(text)
    assert got == value and type(got) is type(value)


def test_parse_grid_option_splits_top_level_commas_only() -> None:
    assert parse_grid_option("hidden=(100,),(50,50),200") == ("hidden", [(100,), (50, 50), 200])
    assert parse_grid_option("lr=1e-3,1e-2,1e-1") == ("lr", [0.001, 0.01, 0.1])


def test_parse_grid_option_drops_repeated_values() -> None:
    assert parse_grid_option("wd=0,1e-4,0") == ("wd", [0, 1e-4])


@pytest.mark.parametrize(
    "bad", ["lr", "=1,2", "lr=", "lr=1,,2", "lr=1,", "1lr=3", "l-r=3", "h=(1,2", "h=1,2)",
            "h={1:2}"],
)
def test_malformed_grid_options_raise_one_line(bad: str) -> None:
    with pytest.raises(SettingError) as info:
        parse_grid_option(bad)
    assert "\n" not in str(info.value) and str(info.value).startswith("grid: ")


def test_parse_grid_refuses_a_name_given_twice() -> None:
    assert parse_grid(["lr=1,2", "wd=0"]) == {"lr": [1, 2], "wd": [0]}
    with pytest.raises(SettingError, match=r"^grid\['lr'\]: given twice"):
        parse_grid(["lr=1", "lr=2"])


def test_expand_grid_matches_sklearn_parameter_grid() -> None:
    grid = [{"a": [1, 2, 3], "b": ["x", "y"]}, {"a": [1], "c": [None, 0.5]}]
    ours = sorted(config_key(c) for c in expand_grid(grid))
    oracle = sorted(config_key(c) for c in ParameterGrid(grid))
    assert ours == oracle


def test_expand_grid_drops_duplicate_configs_across_sub_grids() -> None:
    configs = expand_grid([{"a": [1, 2]}, {"a": [2, 3]}])
    assert configs == [{"a": 1}, {"a": 2}, {"a": 3}]


def test_expand_grid_empty_dict_is_one_default_config() -> None:
    assert expand_grid({}) == [{}]


@pytest.mark.parametrize(
    "bad, param",
    [({"a": []}, "grid['a']"), ({"a": "abc"}, "grid['a']"), ({"a": 3}, "grid['a']"),
     ("a=1", "grid"), ([{"a": [1]}, 3], "grid")],
)
def test_expand_grid_rejects_bad_grids(bad: object, param: str) -> None:
    with pytest.raises(SettingError) as info:
        expand_grid(bad)  # type: ignore[arg-type]
    assert info.value.param == param


values = st.one_of(
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(), st.none(), st.text(min_size=1, max_size=5),
    st.tuples(st.integers(1, 500), st.integers(1, 500)),
)
grids = st.dictionaries(st.sampled_from(["lr", "wd", "alpha", "hidden", "act"]),
                        st.lists(values, min_size=1, max_size=4), min_size=1, max_size=4)


@given(grids)
def test_expand_grid_size_is_product_of_distinct_value_counts(grid: dict) -> None:
    distinct = [len({config_key({"v": v}) for v in vs}) for vs in grid.values()]
    configs = expand_grid(grid)
    assert len(configs) == math.prod(distinct)
    assert len({config_key(c) for c in configs}) == len(configs)


@given(grids)
def test_config_key_survives_a_json_round_trip_and_ignores_key_order(grid: dict) -> None:
    for config in expand_grid(grid):
        back = config_from_json(config_key(config))
        assert back == config
        reordered = dict(reversed(list(config.items())))
        assert config_key(reordered) == config_key(config)


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_repr_of_a_float_parses_back_to_the_same_float(x: float) -> None:
    assert parse_value(repr(x)) == x


def test_format_config_is_sorted_and_short() -> None:
    assert format_config({"wd": 0.0001, "lr": 0.1, "hidden": (100,)}) == \
        "hidden=(100,) lr=0.1 wd=0.0001"
    assert format_config({}) == "(defaults)"
    assert format_value((50, 50)) == "(50,50)"
