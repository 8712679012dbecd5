"""Hyper-parameter search, timed and checked: groundup.tune against GridSearchCV.

    .venv/bin/python benchmarks/bench_tune.py [--part sgd|groundup|all] [--rows 20000]
                                              [--repeats 2] [--n-jobs 2]

Part `sgd`: a 12-config SGDClassifier(loss="log_loss") grid (alpha x penalty) on the first
`--rows` MNIST training rows, scored by accuracy on the 10,000-row validation split, three ways
in this process:

  groundup serial      best_fit(..., n_jobs=1)
  groundup N workers   best_fit(..., n_jobs=N)          (loky, one thread per worker)
  GridSearchCV         GridSearchCV(cv=PredefinedSplit(train=-1, valid=0), n_jobs=N,
                       refit=False) on train+valid stacked, the same grid and scoring

The worker pool is warmed up first (both searches use joblib's reusable loky pool); each
method runs `--repeats` times, interleaved in ABBA order, and the best wall time counts.
Checked: the three give the same best config and the same score for every config.

Part `groundup`: GroundupClassifier (logreg, our SGD and fit loop) on all 50,000 MNIST training
rows, lr x wd, scored on validation; the best grid point and its test accuracy against the
untuned default GroundupClassifier().
"""

from __future__ import annotations

import argparse
import time
import warnings

import joblib
import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GridSearchCV, PredefinedSplit

from groundup.cli.tune_data import load_search_data
from groundup.models.classifier import GroundupClassifier
from groundup.tune import best_fit
from groundup.tune.grid import config_key, format_config

SGD_GRID = {"alpha": [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], "penalty": ["l2", "l1"]}
LOGREG_GRID = {"lr": [1e-3, 1e-2, 3e-2, 1e-1, 3e-1], "wd": [0.0, 1e-5, 1e-4, 1e-3]}


def _sgd() -> SGDClassifier:
    # A fixed number of epochs: every config does the same work, so timings compare cleanly.
    return SGDClassifier(loss="log_loss", max_iter=5, tol=None, random_state=0)


def part_sgd(rows: int, repeats: int, n_jobs: int) -> None:
    d = load_search_data("mnist", train_rows=rows)
    Xt, yt, Xv, yv = d.X_train, d.y_train, d.X_val, d.y_val
    X, y = np.concatenate([Xt, Xv]), np.concatenate([yt, yv])
    split = PredefinedSplit(np.r_[np.full(len(yt), -1), np.zeros(len(yv), dtype=int)])
    joblib.Parallel(n_jobs=n_jobs)(joblib.delayed(np.sum)(i) for i in range(2 * n_jobs))

    def ours_serial():
        return best_fit(_sgd(), SGD_GRID, Xt, yt, Xv, yv, n_jobs=1)

    def ours_parallel():
        return best_fit(_sgd(), SGD_GRID, Xt, yt, Xv, yv, n_jobs=n_jobs)

    def gridsearch():
        gs = GridSearchCV(_sgd(), SGD_GRID, scoring="accuracy", cv=split, n_jobs=n_jobs,
                          refit=False)
        return gs.fit(X, y)

    methods = {"groundup serial": ours_serial, f"groundup {n_jobs} workers": ours_parallel,
               f"GridSearchCV n_jobs={n_jobs}": gridsearch}
    times: dict[str, list[float]] = {k: [] for k in methods}
    out: dict[str, object] = {}
    for rep in range(repeats):
        # ABBA order: a load that drifts during the run does not favour one method
        for name in (list(methods) if rep % 2 == 0 else list(reversed(methods))):
            fn = methods[name]
            t0 = time.perf_counter()
            out[name] = fn()
            times[name].append(time.perf_counter() - t0)

    serial, par, gs = (out[k] for k in methods)
    gs_scores = {config_key(p): s for p, s in zip(gs.cv_results_["params"],
                                                  gs.cv_results_["mean_test_score"], strict=True)}
    for r in (serial, par):
        for _, row in r.table.iterrows():
            key = config_key({"alpha": row["alpha"], "penalty": row["penalty"]})
            assert row["score"] == gs_scores[key], (key, row["score"], gs_scores[key])
    gs_best = gs.cv_results_["params"][int(np.argmin(gs.cv_results_["rank_test_score"]))]
    assert serial.best_params == par.best_params == gs_best
    print(f"SGDClassifier(loss='log_loss', max_iter=5, tol=None), 12 configs, "
          f"MNIST train rows {len(yt):,}, valid {len(yv):,}")
    print(f"best (all three agree): {format_config(par.best_params)}  "
          f"valid accuracy {par.best_score:.4f}; every config's score identical")
    best = {k: min(v) for k, v in times.items()}
    ref_serial = best["groundup serial"]
    ref_gs = best[f"GridSearchCV n_jobs={n_jobs}"]
    print(f"{'method':28s} {'best s':>8s} {'all runs':>22s} {'serial/this':>12s} "
          f"{'this/GSCV':>10s}")
    for name in methods:
        runs = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"{name:28s} {best[name]:8.2f} {runs:>22s} {ref_serial / best[name]:11.2f}x "
              f"{best[name] / ref_gs:9.2f}x")


def part_groundup() -> None:
    d = load_search_data("mnist")
    t0 = time.perf_counter()
    r = best_fit(GroundupClassifier(), LOGREG_GRID, d.X_train, d.y_train, d.X_val, d.y_val,
                 n_jobs=-1, progress=False)
    seconds = time.perf_counter() - t0
    default = GroundupClassifier().fit(d.X_train, d.y_train)
    print(f"GroundupClassifier(model='logreg', opt='sgd', epochs=1, bs=64), "
          f"{len(r.table)} configs lr x wd, MNIST train {len(d.y_train):,}, "
          f"{seconds:.1f} s with {joblib.cpu_count()} workers")
    print(r.sorted_table()[["rank", "lr", "wd", "score", "fit_seconds"]].head(8)
          .to_string(index=False))
    rows = [("untuned default " + repr(GroundupClassifier()), default),
            (f"best: {format_config(r.best_params)}", r.best_model)]
    for label, model in rows:
        print(f"{label:52s} valid acc {model.score(d.X_val, d.y_val):.4f}   "
              f"test acc {model.score(d.X_test, d.y_test):.4f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--part", choices=["sgd", "groundup", "all"], default="all")
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--n-jobs", type=int, default=2)
    a = p.parse_args()
    warnings.simplefilter("ignore", category=UserWarning)  # this script's own process only
    if a.part in ("sgd", "all"):
        part_sgd(a.rows, a.repeats, a.n_jobs)
    if a.part in ("groundup", "all"):
        part_groundup()


if __name__ == "__main__":
    main()
