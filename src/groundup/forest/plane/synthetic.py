"""Synthetic 2-D data sets for forest pictures: inputs x and y, a target shown as colour.

Every data set is a *field* f(x, y) in [0, 1] on the unit square, sampled at `n` uniform
random points. A regression target is the field plus Gaussian noise; a classification
target thresholds the noisy field (so label noise sits near the boundaries, where real
label noise lives). `make_corners` is the lecture's "Coloring with random forests" data: a
bright spot near each corner. All generators are deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from groundup.checks import check_seed
from groundup.errors import GroundupError, SettingError

PLANE_TASKS = ("regression", "classification")
UNIT_SQUARE = (0.0, 1.0, 0.0, 1.0)
MAX_POINTS = 1_000_000  # more points than a picture can show apart
MAX_NOISE = 1e6  # the fields lie in [0, 1]; far more noise only overflows the tree's sums


@dataclass(frozen=True, repr=False)
class PlaneData:
    """Points in the plane with a target: what a forest picture is drawn from.

    `y` is a float target for regression, or class indices 0..C-1 (int64) for
    classification with `class_names[i]` naming class i.
    """

    X: np.ndarray  # (n, 2) float64: columns are the two inputs
    y: np.ndarray  # (n,) float64 target, or int64 class index
    name: str
    task: str = "regression"
    bounds: tuple[float, float, float, float] = UNIT_SQUARE  # (x_min, x_max, y_min, y_max)
    feature_names: tuple[str, str] = ("x", "y")
    target_name: str = "target"
    class_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.X.shape[1] != 2:
            raise GroundupError(f"{self.name}: inputs must have shape (n, 2), got {self.X.shape}")
        if self.y.shape != (self.X.shape[0],):
            raise GroundupError(f"{self.name}: target must have shape ({self.X.shape[0]},)")
        if self.task not in PLANE_TASKS:
            raise GroundupError(
                f"{self.name}: task must be one of {PLANE_TASKS}, got {self.task!r}")
        if self.task == "classification" and not self.class_names:
            raise GroundupError(f"{self.name}: a classification data set needs class_names")

    @property
    def n_classes(self) -> int:
        """Return the number of classes (0 for a regression target)."""
        return len(self.class_names)

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def __repr__(self) -> str:
        kind = (
            f"classification, {self.n_classes} classes" if self.task == "classification"
            else "regression"
        )
        x, y = self.feature_names
        return (
            f"PlaneData({self.name!r}, n={len(self)}, {kind}, inputs=({x!r}, {y!r}), "
            f"target={self.target_name!r}, bounds={self.bounds})"
        )


# --- the fields: f(x, y) -> values in [0, 1] -------------------------------------------------

CORNER_SPOTS = np.array([[0.15, 0.15], [0.85, 0.15], [0.15, 0.85], [0.85, 0.85]])
SPOT_WIDTH = 0.12


def _corner_spots(P: np.ndarray) -> np.ndarray:
    """Return (n, 4) brightness of each corner spot at the points P (n, 2)."""
    d2 = ((P[:, None, :] - CORNER_SPOTS[None, :, :]) ** 2).sum(-1)  # (n, 4)
    return np.exp(-d2 / (2 * SPOT_WIDTH**2))


def corners_field(P: np.ndarray) -> np.ndarray:
    """Return the brightness (n,) of the brightest corner spot at each point."""
    return _corner_spots(P).max(axis=1)


def stripes_field(P: np.ndarray, n_stripes: int = 4) -> np.ndarray:
    """Return 1 on alternate diagonal stripes and 0 between them (n,)."""
    band = np.floor(n_stripes * (P[:, 0] + P[:, 1]) / 2)
    return (band % 2 == 0).astype(np.float64)


def circle_field(P: np.ndarray, radius: float = 0.35) -> np.ndarray:
    """Return 1 inside a centred disc and 0 outside (n,)."""
    return (np.hypot(P[:, 0] - 0.5, P[:, 1] - 0.5) < radius).astype(np.float64)


def xor_field(P: np.ndarray) -> np.ndarray:
    """Return 1 where exactly one of x > 0.5, y > 0.5 holds (n,): the XOR checkerboard."""
    return ((P[:, 0] > 0.5) ^ (P[:, 1] > 0.5)).astype(np.float64)


def spiral_field(P: np.ndarray, turns: float = 1.5) -> np.ndarray:
    """Return a smooth two-arm spiral (n,): bright on one arm, dark on the other."""
    dx, dy = P[:, 0] - 0.5, P[:, 1] - 0.5
    phase = np.arctan2(dy, dx) + 2 * np.pi * turns * np.hypot(dx, dy) / 0.5
    return 0.5 + 0.5 * np.cos(phase)


# --- the generators -------------------------------------------------------------------------


def _check(n: int, noise: float, task: str, name: str, seed: int) -> None:
    """Raise a `SettingError` for the first argument that cannot make data set `name`."""
    if not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_POINTS:
        raise SettingError(
            "n", f"must be a whole number from 1 to {MAX_POINTS:,}, got {n!r} ({name} data)")
    if not np.isfinite(noise) or not 0 <= noise <= MAX_NOISE:
        raise SettingError(
            "noise", f"must be from 0 to {MAX_NOISE:g}, got {noise!r} ({name} data)")
    check_seed("seed", seed)
    if task not in PLANE_TASKS:
        raise SettingError("task", f"must be one of {PLANE_TASKS}, got {task!r} ({name} data)")


def _make(
    name: str,
    f: Callable[[np.ndarray], np.ndarray],
    n: int,
    noise: float,
    seed: int,
    task: str,
) -> PlaneData:
    _check(n, noise, task, name, seed)
    rng = np.random.default_rng(seed)
    X = rng.random((n, 2))
    noisy = f(X) + noise * rng.standard_normal(n)
    if task == "regression":
        return PlaneData(X, noisy, name, "regression", target_name="brightness")
    labels = (noisy > 0.5).astype(np.int64)
    return PlaneData(X, labels, name, "classification", target_name="class",
                     class_names=("dark", "bright"))


def make_corners(
    n: int = 500, noise: float = 0.1, seed: int = 0, task: str = "regression"
) -> PlaneData:
    """Return the corners data: a bright spot near each corner of the unit square.

    Regression: the target is the spot brightness plus noise. Classification: five
    classes, "dark" (0) and one per spot (1-4: lower-left, lower-right, upper-left,
    upper-right), a point taking its nearest spot's class where the noisy brightness
    exceeds 0.5.
    """
    _check(n, noise, task, "corners", seed)
    if task == "regression":
        return _make("corners", corners_field, n, noise, seed, task)
    rng = np.random.default_rng(seed)
    X = rng.random((n, 2))
    spots = _corner_spots(X)  # (n, 4)
    bright = spots.max(axis=1) + noise * rng.standard_normal(n) > 0.5
    labels = np.where(bright, spots.argmax(axis=1) + 1, 0).astype(np.int64)
    names = ("dark", "lower left", "lower right", "upper left", "upper right")
    return PlaneData(X, labels, "corners", "classification", target_name="spot",
                     class_names=names)


def make_stripes(
    n: int = 500, noise: float = 0.1, seed: int = 0, task: str = "regression"
) -> PlaneData:
    """Return diagonal stripes: hard for axis-aligned splits, which draw them as staircases."""
    return _make("stripes", stripes_field, n, noise, seed, task)


def make_circle(
    n: int = 500, noise: float = 0.1, seed: int = 0, task: str = "regression"
) -> PlaneData:
    """Return a bright disc in the middle of a dark square."""
    return _make("circle", circle_field, n, noise, seed, task)


def make_xor(
    n: int = 500, noise: float = 0.1, seed: int = 0, task: str = "regression"
) -> PlaneData:
    """Return the XOR checkerboard: no single first split helps, two together solve it."""
    return _make("xor", xor_field, n, noise, seed, task)


def make_spiral(
    n: int = 500, noise: float = 0.1, seed: int = 0, task: str = "regression"
) -> PlaneData:
    """Return a two-arm spiral: needs deep trees, and shows bagging smoothing the arms."""
    return _make("spiral", spiral_field, n, noise, seed, task)


DATASETS: dict[str, Callable[..., PlaneData]] = {
    "corners": make_corners,
    "stripes": make_stripes,
    "circle": make_circle,
    "xor": make_xor,
    "spiral": make_spiral,
}


def make_dataset(
    name: str, n: int = 500, noise: float = 0.1, seed: int = 0, task: str = "regression"
) -> PlaneData:
    """Return the synthetic data set called `name` (one of DATASETS)."""
    if name not in DATASETS:
        raise GroundupError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name](n=n, noise=noise, seed=seed, task=task)
