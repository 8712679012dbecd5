"""What a search is, so a resumed search can tell whether a store was made for it.

A `Fingerprint` holds a hash of the training and validation data, the estimator (its class and
every parameter the grid does not set) and the metric. The grid itself is left out: a resumed
search may add values to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from groundup.tune.metrics import SearchMetric


@dataclass(frozen=True)
class Fingerprint:
    """What a search is: hashes of its data, its estimator's fixed params, and its metric."""

    data: str
    data_shape: str
    estimator: str
    estimator_params: dict[str, str] = field(default_factory=dict)
    metric: str = ""

    def to_meta(self) -> dict[str, str]:
        """Return the fingerprint as meta-table rows."""
        return {
            "data": self.data,
            "data_shape": self.data_shape,
            "estimator": self.estimator,
            "estimator_params": json.dumps(self.estimator_params, sort_keys=True),
            "metric": self.metric,
        }

    @classmethod
    def from_meta(cls, meta: Mapping[str, str]) -> Fingerprint:
        """Return the fingerprint stored in a meta table; raise ValueError if it is not one."""
        try:
            params = json.loads(meta.get("estimator_params", "{}"))
        except (ValueError, RecursionError):
            raise ValueError("estimator_params is not JSON") from None
        if not (isinstance(params, dict) and all(isinstance(v, str) for v in params.values())):
            raise ValueError("estimator_params is not a table of parameters")
        return cls(
            data=str(meta.get("data", "")),
            data_shape=str(meta.get("data_shape", "")),
            estimator=str(meta.get("estimator", "")),
            estimator_params=params,
            metric=str(meta.get("metric", "")),
        )

    def differences(self, other: Fingerprint) -> list[str]:
        """Return human-readable differences from `other` (stored -> now); empty if the same."""
        out = []
        if self.data != other.data:
            shapes = (f" ({self.data_shape} -> {other.data_shape})"
                      if self.data_shape != other.data_shape else "")
            out.append(f"the data differ{shapes}")
        if self.estimator != other.estimator:
            out.append(f"estimator {self.estimator} -> {other.estimator}")
        else:
            names = sorted(set(self.estimator_params) | set(other.estimator_params))
            for n in names:
                a, b = self.estimator_params.get(n, "unset"), other.estimator_params.get(n, "unset")
                if a != b:
                    out.append(f"{n}={a} -> {b}")
        if self.metric != other.metric:
            out.append(f"metric {self.metric} -> {other.metric}")
        return out

    def __repr__(self) -> str:
        return (f"Fingerprint(data={self.data[:12]}…, shape={self.data_shape}, "
                f"estimator={self.estimator}, metric={self.metric})")


def hash_arrays(*arrays: Any) -> str:
    """Return a sha256 hex digest of the arrays' shapes, dtypes and bytes."""
    h = hashlib.sha256()
    for a in arrays:
        if a is None:
            h.update(b"none")
            continue
        if sp.issparse(a):
            a = a.tocsr()  # scipy sparse: hash its three arrays
            for part in (a.data, a.indices, a.indptr):
                h.update(np.ascontiguousarray(part).data)
            h.update(repr(a.shape).encode())
            continue
        arr = np.asarray(a)
        h.update(f"{arr.shape}|{arr.dtype.str}|".encode())
        if arr.dtype == object:
            h.update(repr(arr.tolist()).encode())
        else:
            h.update(np.ascontiguousarray(arr).data)
    return h.hexdigest()


def estimator_signature(estimator: Any, skip: Iterable[str] = ()) -> tuple[str, dict[str, str]]:
    """Return (class path, {param: repr}) for every param not in `skip` and not an n_jobs."""
    skip = set(skip)
    cls = type(estimator)
    params = {}
    for name, value in estimator.get_params(deep=True).items():
        if name in skip or name == "n_jobs" or name.endswith("__n_jobs"):
            continue
        if hasattr(value, "get_params"):  # nested estimator: its params are listed themselves
            value = type(value).__qualname__
        params[name] = repr(value)
    return f"{cls.__module__}.{cls.__qualname__}", params


def fingerprint(estimator: Any, grid_names: Iterable[str], X_train: Any, y_train: Any,
                X_val: Any, y_val: Any, metric: SearchMetric) -> Fingerprint:
    """Return the Fingerprint of a search (grid params are left out: a grid may grow on resume)."""
    name, params = estimator_signature(estimator, skip=grid_names)
    shapes = "train {} / valid {}".format(*(tuple(np.shape(x)) for x in (X_train, X_val)))
    direction = "max" if metric.greater_is_better else "min"
    return Fingerprint(
        data=hash_arrays(X_train, y_train, X_val, y_val),
        data_shape=shapes,
        estimator=name,
        estimator_params=params,
        metric=f"{metric.name} ({direction})",
    )
