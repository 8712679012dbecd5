"""Synthetic 2-D data: deterministic per seed, right shapes, targets that follow the field."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError, SettingError
from groundup.forest.plane.synthetic import (
    CORNER_SPOTS,
    DATASETS,
    PlaneData,
    make_corners,
    make_dataset,
    make_xor,
)

NAMES = sorted(DATASETS)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("task", ["regression", "classification"])
def test_same_seed_same_data_other_seed_other_data(name: str, task: str) -> None:
    a = make_dataset(name, n=200, seed=3, task=task)
    b = make_dataset(name, n=200, seed=3, task=task)
    c = make_dataset(name, n=200, seed=4, task=task)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", NAMES)
def test_shapes_bounds_and_dtypes(name: str) -> None:
    reg = make_dataset(name, n=300, seed=1)
    assert reg.X.shape == (300, 2) and reg.y.shape == (300,)
    assert reg.y.dtype == np.float64 and reg.task == "regression" and reg.n_classes == 0
    assert (reg.X >= 0).all() and (reg.X < 1).all() and reg.bounds == (0.0, 1.0, 0.0, 1.0)
    cls = make_dataset(name, n=300, seed=1, task="classification")
    assert cls.y.dtype == np.int64 and cls.task == "classification"
    assert set(np.unique(cls.y)) <= set(range(cls.n_classes))
    assert len(np.unique(cls.y)) >= 2  # every pattern has more than one class at n=300


@pytest.mark.parametrize("name", NAMES)
def test_noise_free_regression_target_stays_in_unit_range(name: str) -> None:
    d = make_dataset(name, n=500, noise=0.0, seed=2)
    assert d.y.min() >= 0.0 and d.y.max() <= 1.0


def test_corners_are_bright_at_the_corners_and_dark_in_the_middle() -> None:
    d = make_corners(n=4000, noise=0.0, seed=0)
    # Oracle: brightness is a Gaussian bump of width 0.12 around the nearest spot centre.
    d2 = ((d.X[:, None, :] - CORNER_SPOTS[None]) ** 2).sum(-1).min(axis=1)
    np.testing.assert_allclose(d.y, np.exp(-d2 / (2 * 0.12**2)), rtol=0, atol=1e-15)
    middle = np.abs(d.X - 0.5).max(axis=1) < 0.1
    corner = d2 < 0.05**2
    assert d.y[corner].min() > 0.9 and d.y[middle].max() < 0.02


def test_corners_classes_name_the_nearest_spot() -> None:
    d = make_corners(n=3000, noise=0.0, seed=5, task="classification")
    assert d.n_classes == 5
    d2 = ((d.X[:, None, :] - CORNER_SPOTS[None]) ** 2).sum(-1)
    inside = np.exp(-d2.min(axis=1) / (2 * 0.12**2)) > 0.5
    expected = np.where(inside, d2.argmin(axis=1) + 1, 0)
    np.testing.assert_array_equal(d.y, expected)


def test_xor_labels_without_noise_are_exact() -> None:
    d = make_xor(n=1000, noise=0.0, seed=9, task="classification")
    np.testing.assert_array_equal(d.y, (d.X[:, 0] > 0.5) != (d.X[:, 1] > 0.5))


@settings(max_examples=25, deadline=None)
@given(noise=st.just(0.0) | st.floats(0.01, 0.5), seed=st.integers(0, 2**31 - 1))
def test_regression_noise_is_added_to_the_field(noise: float, seed: int) -> None:
    clean = make_xor(n=400, noise=0.0, seed=seed)
    noisy = make_xor(n=400, noise=noise, seed=seed)
    np.testing.assert_array_equal(clean.X, noisy.X)  # the same points, only the target moves
    residual = noisy.y - clean.y
    assert np.abs(residual).max() <= 6 * noise + 1e-12
    if noise > 0:
        assert 0.7 * noise < residual.std() < 1.3 * noise


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(n=0), "^n: must be a whole number from 1 to 1,000,000"),
        (dict(noise=-0.1), "^noise: must be from 0 to 1e"),
        (dict(noise=1e308), "^noise: must be from 0 to 1e"),
        (dict(seed=-1), "^seed: must be a whole number in"),
        (dict(noise=float("nan")), "^noise: must be from 0 to 1e"),
        (dict(task="ranking"), "^task: must be one of"),
    ],
)
def test_bad_arguments_name_their_parameter(kwargs: dict, message: str) -> None:
    with pytest.raises(SettingError, match=message):
        make_corners(**kwargs)


def test_unknown_name_lists_the_choices() -> None:
    with pytest.raises(GroundupError, match="corners, stripes, circle, xor, spiral"):
        make_dataset("moons")


def test_plane_data_checks_shapes_and_has_a_useful_repr() -> None:
    d = make_corners(n=10)
    assert repr(d).startswith("PlaneData('corners', n=10, regression")
    assert len(d) == 10
    with pytest.raises(GroundupError, match="shape"):
        PlaneData(np.zeros((3, 3)), np.zeros(3), "bad")
    with pytest.raises(GroundupError, match="class_names"):
        PlaneData(np.zeros((3, 2)), np.zeros(3, dtype=np.int64), "bad", "classification")
