"""Tests for groundup.tune.fingerprint: what makes two searches the same search."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import SGDClassifier

from groundup.tune.fingerprint import hash_arrays

from .test_store import fp


def test_grid_params_and_n_jobs_are_not_part_of_the_fingerprint() -> None:
    a = fp(SGDClassifier(loss="log_loss", alpha=0.1, n_jobs=4))
    b = fp(SGDClassifier(loss="log_loss", alpha=0.5))
    assert a.differences(b) == []


def test_hash_arrays_sees_values_shapes_and_dtypes() -> None:
    a = np.arange(6, dtype=np.float32)
    assert hash_arrays(a) == hash_arrays(a.copy())
    assert hash_arrays(a) != hash_arrays(a.reshape(2, 3))
    assert hash_arrays(a) != hash_arrays(a.astype(np.float64))
    b = a.copy()
    b[3] += 1
    assert hash_arrays(a) != hash_arrays(b)
    assert hash_arrays(np.array(["x", "y"], dtype=object)) != hash_arrays(np.array(["x", "z"],
                                                                                   dtype=object))
