"""groundup.tune: hyper-parameter search on a fixed validation set, in parallel.

    from groundup.tune import best_fit, plot_scores
    result = best_fit(SGDClassifier(loss="log_loss"), {"alpha": [1e-5, 1e-4, 1e-3]},
                      X_train, y_train, X_val, y_val, metric="log_loss", n_jobs=2)
    result.best_params, result.best_score, result.sorted_table()
    plot_scores(result, "scores.png")

Back ends: local worker processes (joblib/loky, the default) or a Dask cluster
(`backend="dask", scheduler="tcp://host:port"`). Results are stored as they arrive
(`store="results.db"`), so an interrupted search resumes (`resume=True`). These settings form
a `SearchOptions`, checked when made; `best_fit` takes one, or its fields as keywords.
"""

from groundup.tune.grid import ParamGrid, expand_grid, parse_grid
from groundup.tune.metrics import METRICS, SearchMetric, get_metric
from groundup.tune.options import SearchOptions
from groundup.tune.results import ModelScores, SearchResult
from groundup.tune.search import best_fit, fit_models, score_models
from groundup.tune.store import ResultStore

__all__ = [
    "METRICS",
    "ModelScores",
    "ParamGrid",
    "ResultStore",
    "SearchMetric",
    "SearchOptions",
    "SearchResult",
    "best_fit",
    "expand_grid",
    "fit_models",
    "get_metric",
    "parse_grid",
    "plot_scores",
    "score_models",
]


def __getattr__(name: str):
    # The plots pull in matplotlib: load them only when used.
    if name == "plot_scores":
        from groundup.tune.plots import plot_scores

        return plot_scores
    raise AttributeError(f"module 'groundup.tune' has no attribute {name!r}")
