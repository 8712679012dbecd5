"""Tree interpreter speed: groundup's vectorised version against the `treeinterpreter` package.

    .venv/bin/python benchmarks/bench_tree_interpreter.py            # the issue's setting
    .venv/bin/python benchmarks/bench_tree_interpreter.py --quick    # 1,000 rows, 20 trees

A 100-tree RandomForestRegressor (min_samples_leaf=3) fitted on make_friedman1(20000,
noise=1) explains 5,000 rows. Four ways, same process, same model, one thread each:

- treeinterpreter.ti.predict (the published package; run once, it is slow),
- a plain sparse-matrix version: `forest.decision_path(X) @ per-node value changes`,
- groundup `contributions(model, X)`: builds the leaf table, then explains,
- groundup `TreeInterpreter(model)` built once, then `.contributions(X)` only.

Times are the best of `--runs` (wall clock; the package runs once), and every answer is
checked against the package's within 1e-9 before any ratio is printed.
"""

from __future__ import annotations

import argparse
import inspect
import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import make_friedman1
from sklearn.ensemble import RandomForestRegressor

from groundup.forest.interpret.tree_interpreter import TreeInterpreter, contributions


def load_treeinterpreter():
    """Return `treeinterpreter.treeinterpreter` patched to run on NumPy 2.

    The shim (one line): treeinterpreter 0.2.3 keeps a regressor's node values as
    (n_nodes, 1) and adds a length-1 array into a float slot, which NumPy 2 refuses
    ("setting an array element with a sequence"). Squeezing regressor values to 1-D, as
    older scikit-learn handed them over, is the only change.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # it imports distutils
        import treeinterpreter.treeinterpreter as ti

        source = inspect.getsource(ti)
        line = "values = model.tree_.value.squeeze(axis=1)"
        shim = "; values = values[:, 0] if isinstance(model, DecisionTreeRegressor) else values"
        exec(compile(source.replace(line, line + shim), ti.__file__, "exec"), ti.__dict__)
    return ti


def plain_sparse(model: RandomForestRegressor, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (bias, contribs) as `decision_path(X) @ D`, D holding each node's value change."""
    paths, _ = model.decision_path(X)
    blocks = []
    for tree in model.estimators_:
        t = tree.tree_
        value = t.value[:, 0, 0]
        parent = np.full(t.node_count, -1)
        split = np.flatnonzero(t.children_left >= 0)
        parent[t.children_left[split]] = split
        parent[t.children_right[split]] = split
        up = np.maximum(parent, 0)
        delta = np.where(parent >= 0, value - value[up], 0.0)
        blocks.append(sp.csr_matrix((delta, (np.arange(t.node_count), t.feature[up])),
                                    shape=(t.node_count, X.shape[1])))
    contribs = (paths @ sp.vstack(blocks).tocsr()).toarray() / len(model.estimators_)
    bias = np.mean([tree.tree_.value[0, 0, 0] for tree in model.estimators_])
    return np.full(len(X), bias), contribs


def best_of(runs: int, fn):
    """Return (best wall seconds, last result) over `runs` calls of fn()."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="rows to explain")
    parser.add_argument("--trees", type=int, default=100, help="trees in the forest")
    parser.add_argument("--runs", type=int, default=3, help="repeats of the fast methods")
    parser.add_argument("--quick", action="store_true", help="1,000 rows and 20 trees")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.trees = 1000, 20

    X, y = make_friedman1(20000, noise=1.0, random_state=0)
    model = RandomForestRegressor(n_estimators=args.trees, min_samples_leaf=3, random_state=0,
                                  n_jobs=1).fit(X, y)
    rows = X[: args.rows]
    leaves = sum(t.tree_.n_leaves for t in model.estimators_)
    print(f"RandomForestRegressor: {args.trees} trees, min_samples_leaf=3, {leaves} leaves; "
          f"explaining {args.rows} rows of make_friedman1(20000, noise=1)")

    ti = load_treeinterpreter()
    start = time.perf_counter()
    _, ti_bias, ti_contribs = ti.predict(model, rows)
    t_ti = time.perf_counter() - start

    t_plain, (bias, contribs) = best_of(args.runs, lambda: plain_sparse(model, rows))
    assert np.abs(contribs - ti_contribs).max() <= 1e-9 and np.abs(bias - ti_bias).max() <= 1e-9
    t_fresh, (bias, contribs) = best_of(args.runs, lambda: contributions(model, rows))
    assert np.abs(contribs - ti_contribs).max() <= 1e-9 and np.abs(bias - ti_bias).max() <= 1e-9
    t_build, interpreter = best_of(args.runs, lambda: TreeInterpreter(model))
    t_cached, (bias, contribs) = best_of(args.runs, lambda: interpreter.contributions(rows))
    assert np.abs(contribs - ti_contribs).max() <= 1e-9 and np.abs(bias - ti_bias).max() <= 1e-9
    t_apply, _ = best_of(args.runs, lambda: model.apply(rows))
    additivity = np.abs(bias + contribs.sum(axis=1) - model.predict(rows)).max()

    print(f"all answers equal treeinterpreter's within 1e-9; additivity error {additivity:.1e}")
    print(f"{'method':44s} {'seconds':>9s} {'vs treeinterpreter':>19s}")
    table = [
        ("treeinterpreter.ti.predict (+ NumPy-2 shim)", t_ti),
        ("plain sparse: decision_path @ node deltas", t_plain),
        ("groundup contributions(model, X)", t_fresh),
        ("groundup TreeInterpreter(model) build only", t_build),
        ("groundup interpreter.contributions(X)", t_cached),
        ("  of which model.apply(X) (scikit-learn)", t_apply),
    ]
    for name, seconds in table:
        print(f"{name:44s} {seconds:9.3f} {t_ti / seconds:18.0f}x")
    print(f"groundup one-shot vs plain sparse: {t_plain / t_fresh:.1f}x faster; "
          f"cached: {t_plain / t_cached:.1f}x")


if __name__ == "__main__":
    main()
