"""The tree interpreter: each prediction = bias + one contribution per feature, all rows at once.

Walk a row down a tree and watch the node value change at every split: the change belongs
to the feature that split was on. Summed along the path, the changes telescope to
`leaf value - root value`, so `root value + sum of changes = prediction`, exactly. A
forest averages its trees, so its bias and contributions are the trees' averages; a
gradient-boosted model adds `learning_rate * tree` to an initial guess, so its bias is the
initial guess plus the scaled roots.

The published `treeinterpreter` package walks every row's path in Python. Here a leaf's
path never changes, so each leaf's contribution vector is worked out once and kept in a
*leaf table* (see `leaf_table`). Explaining rows is then one `model.apply` (the leaf each
row reaches in each tree) and a sum of table rows. No per-row or per-node Python loop.

Supported (single output): DecisionTree*/ExtraTree* and RandomForest*/ExtraTrees*
(regression, and classification with one contribution per class to `predict_proba`),
GradientBoostingRegressor and GradientBoostingClassifier (contributions to
`decision_function`, the raw log-odds, which the published package does not support).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import is_classifier

from groundup.errors import GroundupError
from groundup.forest.interpret.leaf_table import (
    BOOSTERS,
    build_leaf_table,
    check_model,
    tree_terms,
)


class TreeInterpreter:
    """Explains a fitted tree model: `bias + contribs.sum(feature axis) == prediction`.

    Build it once per fitted model (it caches the leaf table) and call
    `contributions(X)` as often as you like. What "prediction" means:

    - regressors: `predict(X)`; bias `(n,)`, contribs `(n, n_features)`
    - tree/forest classifiers: `predict_proba(X)`; bias `(n, n_classes)`,
      contribs `(n, n_features, n_classes)`
    - gradient boosting: `decision_function(X)` for classifiers (`predict` for the
      regressor); binary and regression give `(n,)` / `(n, n_features)`, multiclass
      `(n, K)` / `(n, n_features, K)`.
    """

    def __init__(self, model: object, *, table: str = "auto") -> None:
        self._build(model, table, reached=None)

    @classmethod
    def _for_leaves(cls, model: object, leaves: np.ndarray, table: str) -> TreeInterpreter:
        """Return an interpreter whose table holds only `leaves` (n, T): a one-shot build."""
        interpreter = cls.__new__(cls)
        interpreter._build(model, table, reached=leaves)
        return interpreter

    def _build(self, model: object, table: str, reached: np.ndarray | None) -> None:
        if table not in ("auto", "dense", "sparse"):
            raise GroundupError(f"table must be 'auto', 'dense' or 'sparse', not {table!r}")
        self.model = model
        terms, self.n_outputs, self.output = tree_terms(model)
        self.n_features = int(model.n_features_in_)
        self.n_trees = len(terms)
        # Every supported model weighs its trees equally: 1 (a tree), 1/T (a forest),
        # learning_rate (boosting); so the weight is applied once, after summing.
        self._weight = terms[0].weight
        # The constant part of the bias: the weighted root values, summed (K,)
        self._root_bias = np.zeros(self.n_outputs)
        for t in terms:
            self._root_bias[t.columns] += t.weight * t.values[0]
        self._node_offset, self._leaf_row, self._table = build_leaf_table(
            terms, self.n_features, self.n_outputs, table, reached
        )
        self.table = "sparse" if sp.issparse(self._table) else "dense"

    def __repr__(self) -> str:
        return (
            f"TreeInterpreter({type(self.model).__name__}, trees={self.n_trees}, "
            f"features={self.n_features}, outputs={self.n_outputs} ({self.output}), "
            f"leaves={self._table.shape[0]})"
        )

    def bias(self, X) -> np.ndarray:
        """Return the bias for each row of X: `(n,)` or `(n, K)` (constant unless boosted)."""
        n = _n_rows(X)
        bias = np.tile(self._root_bias, (n, 1))
        if isinstance(self.model, BOOSTERS):
            bias += _boosting_init(self.model, X)
        return self._squeeze(bias)

    def contributions(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Return `(bias, contribs)` for the rows of X; shapes as in the class docstring."""
        return self._explain(X, self._apply(X))

    def _explain(self, X, leaves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return `(bias, contribs)` for rows of X that reach `leaves` (n, T)."""
        n, n_trees = leaves.shape
        rows = self._leaf_row[self._node_offset[None, :] + leaves]  # (n, T) table rows
        if sp.issparse(self._table):
            # P @ table, P having a 1 per (row, tree): sums each row's leaf vectors.
            pick = sp.csr_matrix(
                (np.ones(n * n_trees), rows.ravel(), np.arange(0, n * n_trees + 1, n_trees)),
                shape=(n, self._table.shape[0]),
            )
            total = (pick @ self._table).toarray()
        else:
            # A gather per tree: T small steps keep memory at two (n, F*K) arrays.
            # (np.take is several times faster than fancy indexing here.)
            per_tree = np.ascontiguousarray(rows.T)  # (T, n)
            total = np.take(self._table, per_tree[0], axis=0)
            gathered = np.empty_like(total)
            for t in range(1, n_trees):
                total += np.take(self._table, per_tree[t], axis=0, out=gathered)
        contribs = (self._weight * total).reshape(n, self.n_features, self.n_outputs)
        return self.bias(X), self._squeeze(contribs)

    def _apply(self, X) -> np.ndarray:
        return _apply(self.model, X)

    def _squeeze(self, a: np.ndarray) -> np.ndarray:
        return a[..., 0] if self.n_outputs == 1 else a


def contributions(model: object, X, *, table: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """Return `(bias, contribs)` with `bias + contribs.sum(axis=1)` equal to the model's output.

    Same answer as `TreeInterpreter(model).contributions(X)`, but it tables only the
    leaves these rows reach, so one small batch costs little. To explain many batches
    with one model, keep a `TreeInterpreter`, which tables every leaf once.
    """
    check_model(model)
    leaves = _apply(model, X)
    return TreeInterpreter._for_leaves(model, leaves, table)._explain(X, leaves)


def _apply(model: object, X) -> np.ndarray:
    """Return the leaf node id each row reaches in each tree, `(n, T)` int."""
    if isinstance(model, BOOSTERS):
        X = _bare(model, X)
    leaves = np.asarray(model.apply(X))
    return leaves.reshape(leaves.shape[0], -1).astype(np.intp, copy=False)


def _boosting_init(model: object, X) -> np.ndarray:
    """Return the boosting model's initial raw prediction per row, `(n, K)`."""
    # scikit-learn keeps this step private; fall back to subtracting the trees' sum.
    init = getattr(model, "_raw_predict_init", None)
    if init is not None:
        return np.asarray(init(_bare(model, X)), dtype=np.float64)
    raw = model.decision_function(X) if is_classifier(model) else model.predict(X)
    raw = np.asarray(raw, dtype=np.float64).reshape(_n_rows(X), -1)
    for stage in model.estimators_:
        for j, tree in enumerate(stage):
            raw[:, j] -= model.learning_rate * tree.predict(X)
    return raw


def _bare(model: object, X):
    """Return a DataFrame X as the float32 array a boosting model's trees were fitted on.

    Gradient boosting fits its trees on bare arrays; handing them a DataFrame makes
    scikit-learn warn "X has feature names, but DecisionTreeRegressor was fitted without".
    """
    if not hasattr(X, "columns"):
        return X
    fitted = getattr(model, "feature_names_in_", None)
    if fitted is not None and list(map(str, X.columns)) != list(map(str, fitted)):
        raise GroundupError("X's columns differ from those the model was fitted on")
    return X.to_numpy(dtype=np.float32)


def _n_rows(X) -> int:
    return int(X.shape[0]) if hasattr(X, "shape") else len(X)
