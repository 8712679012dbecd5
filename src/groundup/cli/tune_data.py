"""The data `groundup tune` searches on: a training set to fit, a fixed validation set to
score, and a test set touched once, for the winner only.

`data="mnist"` is the shipped MNIST (train 50,000 / valid 10,000 / test 10,000), normalised
with the training split's mean and std. A CSV file with a `target` column is any table of
numeric features: its rows are shuffled once (seeded) and cut 60 / 20 / 20.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from groundup.errors import SettingError
from groundup.fileio import check_finite, read_csv


@dataclass
class SearchData:
    """Train / validation / test arrays (X float32 (n, features), y (n,)) and their source."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: list[str] | None = None

    def __repr__(self) -> str:
        return (f"SearchData({self.name}: train {self.X_train.shape}, valid {self.X_val.shape},"
                f" test {self.X_test.shape})")


def load_search_data(data: str = "mnist", target: str | None = None,
                     train_rows: int | None = None, seed: int = 0) -> SearchData:
    """Return the SearchData for `data` ("mnist" or a CSV path); train cut to `train_rows`."""
    if train_rows is not None and train_rows <= 0:
        raise SettingError("train_rows", f"must be positive, got {train_rows}")
    if data == "mnist":
        if target is not None:
            raise SettingError("target", "only applies when `data` is a CSV file")
        out = _mnist()
    else:
        out = _csv(data, target, seed)
    if train_rows is not None:
        out.X_train, out.y_train = out.X_train[:train_rows], out.y_train[:train_rows]
    return out


def _mnist() -> SearchData:
    from groundup.data import load_mnist

    splits = [load_mnist(s, normalize=True) for s in ("train", "valid", "test")]
    arrays = [a.numpy() for xy in splits for a in xy]
    return SearchData("mnist", *arrays)


def _csv(path: str | os.PathLike, target: str | None, seed: int) -> SearchData:
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise SettingError("data", f"no such file {path} (use 'mnist' or a CSV file)")
    if target is None:
        raise SettingError("target", f"needed to say which column of {path} to predict")
    df = read_csv(path)
    if target not in df.columns:
        names = ", ".join(map(str, df.columns[:12]))
        raise SettingError("target", f"no column {target!r} in {path} (columns: {names})")
    features = df.drop(columns=[target])
    if features.shape[1] == 0:
        raise SettingError("data", f"{path} has no feature columns besides {target!r}")
    for col in features.columns:
        if not pd.api.types.is_numeric_dtype(features[col]):
            raise SettingError("data", f"column {col!r} of {path} is not numeric; encode it first")
    check_finite(df, df.columns, str(path))  # the numbers become float32 below
    missing = df.columns[df.isna().any()].tolist()  # a text target
    if missing:
        raise SettingError("data", f"column {missing[0]!r} of {path} has missing values")
    if len(df) < 5:
        raise SettingError("data", f"{path} has {len(df)} rows, too few to split 60/20/20")
    X = features.to_numpy(dtype=np.float32)
    y = df[target].to_numpy()
    order = np.random.default_rng(seed).permutation(len(df))
    n_train, n_val = int(0.6 * len(df)), int(0.2 * len(df))
    tr, va, te = np.split(order, [n_train, n_train + n_val])
    return SearchData(path.name, X[tr], y[tr], X[va], y[va], X[te], y[te],
                      feature_names=[str(c) for c in features.columns])
