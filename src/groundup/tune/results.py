"""What a search returns: validation scores of a list of models, and the tidy results of a grid.

    ModelScores    score_models' answer: one score per model, the best index and score
    SearchResult   best_fit's answer: the best model, its score and params, one row per config
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from groundup.tune.checks import RESULT_COLUMNS
from groundup.tune.grid import Config, config_key, format_config
from groundup.tune.tasks import TaskResult


def best_index(scores: Sequence[float] | np.ndarray, greater_is_better: bool = True) -> int | None:
    """Return the index of the best finite score (first on ties), or None if there is none."""
    s = np.asarray(scores, dtype=np.float64)
    finite = np.isfinite(s)
    if not finite.any():
        return None
    masked = np.where(finite, s if greater_is_better else -s, -np.inf)
    return int(np.argmax(masked))


@dataclass
class ModelScores:
    """Validation scores of a list of models (nan where a model is None or failed to score)."""

    scores: np.ndarray
    metric: str
    greater_is_better: bool
    errors: list[str] = field(default_factory=list)

    @property
    def best_index(self) -> int | None:
        """Return the index of the best score (the first one on ties), or None if all are nan."""
        return best_index(self.scores, self.greater_is_better)

    @property
    def best_score(self) -> float:
        """Return the best score (nan if every model failed)."""
        i = self.best_index
        return float("nan") if i is None else float(self.scores[i])

    def __len__(self) -> int:
        return len(self.scores)

    def __getitem__(self, i: int) -> float:
        return float(self.scores[i])

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.scores if dtype is None else self.scores.astype(dtype)

    def __repr__(self) -> str:
        return (f"ModelScores({self.metric}, n={len(self.scores)}, best={self.best_score:.6g} "
                f"at {self.best_index})")


@dataclass
class SearchResult:
    """The outcome of a search: the best model, its score and params, and one row per config.

    `table` is a tidy DataFrame in grid order: one column per parameter, then score,
    fit_seconds, score_seconds, status ("ok"/"error"), error, warnings, worker.
    `sorted_table()` puts the best first and failures last.
    """

    best_model: Any
    best_score: float
    best_params: dict[str, Any] | None
    table: pd.DataFrame
    metric: str
    greater_is_better: bool
    param_names: list[str]
    n_fitted: int = 0  # configs fitted by this call
    n_resumed: int = 0  # configs whose result was already in the store
    store: str | None = None

    @property
    def n_failed(self) -> int:
        """Return how many configs raised an error."""
        return int((self.table["status"] != "ok").sum())

    def sorted_table(self) -> pd.DataFrame:
        """Return the table sorted best-first (failures last), with a 1-based `rank` column."""
        t = self.table.copy()
        sign = -1.0 if self.greater_is_better else 1.0
        order = np.lexsort((np.arange(len(t)), np.where(np.isfinite(t["score"]),
                            sign * t["score"].to_numpy(dtype=float), np.inf)))
        t = t.iloc[order].reset_index(drop=True)
        t.insert(0, "rank", np.arange(1, len(t) + 1))
        return t

    def __repr__(self) -> str:
        best = "none" if self.best_params is None else format_config(self.best_params)
        return (f"SearchResult({len(self.table)} configs, {self.metric}={self.best_score:.6g}, "
                f"best: {best}, failed={self.n_failed})")

    def _repr_html_(self) -> str:
        """Return the best config in a line, then the ranked table (its 20 best rows)."""
        best = "none" if self.best_params is None else html.escape(format_config(self.best_params))
        where = "" if self.store is None else f", store {html.escape(str(self.store))}"
        head = (f"<p><b>best {html.escape(self.metric)} {self.best_score:.6g}</b>: {best} "
                f"({len(self.table)} configs: {self.n_fitted} fitted, {self.n_resumed} resumed, "
                f"{self.n_failed} failed{where})</p>")
        table = self.sorted_table().drop(columns=["error", "warnings"]).head(20)
        return head + table.to_html(index=False, float_format=lambda v: f"{v:.4g}")


def result_table(configs: Sequence[Config], names: Sequence[str],
                 results: dict[str, TaskResult]) -> pd.DataFrame:
    """Return the tidy results table: one row per config, in grid order (see SearchResult)."""
    rows = []
    for c in configs:
        r = results[config_key(c)]
        row: dict[str, Any] = {n: c.get(n) for n in names}
        row.update(score=r.score, fit_seconds=r.fit_seconds, score_seconds=r.score_seconds,
                   status=r.status, error=r.error, warnings="; ".join(r.warnings),
                   worker=r.worker)
        rows.append(row)
    columns = [*names, *RESULT_COLUMNS]
    table = pd.DataFrame(rows, columns=columns)
    for n in names:  # keep parameter values as the Python objects they are (no float coercion)
        table[n] = pd.Series([c.get(n) for c in configs], dtype=object)
    return table
