"""The leaf table behind the tree interpreter: one contribution vector per leaf, built once.

A leaf's path never changes, so the contribution of each split on it can be summed once per
leaf rather than once per row. `leaf_table` lets all leaves of a few trees climb their parent
pointers together (vectorised, one level per step) and stores one row per leaf
(`n_leaves_total x n_features*n_outputs`; dense, or sparse when it would be large).
`tree_terms` says what each tree of a supported model adds to the model's output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import is_classifier
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import BaseDecisionTree

from groundup.errors import GroundupError

FORESTS = (
    RandomForestRegressor, RandomForestClassifier, ExtraTreesRegressor, ExtraTreesClassifier
)
BOOSTERS = (GradientBoostingRegressor, GradientBoostingClassifier)

# Above this size the leaf table is kept sparse (wide data or many classes).
DENSE_TABLE_BYTES = 256 * 2**20
# Trees are walked in blocks of about this many nodes: small enough to stay in cache.
BLOCK_NODES = 2**15


@dataclass(frozen=True)
class TreeTerm:
    """One tree's part in the model's output: `weight * values[leaf]` lands in `columns`."""

    tree: object  # a fitted sklearn tree_ (Cython Tree)
    values: np.ndarray  # (n_nodes, len(columns)) float64, the node values the model uses
    weight: float
    columns: np.ndarray  # which of the model's output columns this tree writes to

def check_model(model: object) -> None:
    """Raise a GroundupError unless `model` is a fitted, single-output, supported tree model."""
    if not isinstance(model, (BaseDecisionTree, *FORESTS, *BOOSTERS)):
        raise GroundupError(
            f"cannot explain a {type(model).__name__}: use a decision tree, random forest, "
            "extra trees or gradient boosting model from scikit-learn"
        )
    if not hasattr(model, "n_features_in_"):
        raise GroundupError(f"{type(model).__name__} is not fitted; fit it before explaining it")
    if getattr(model, "n_outputs_", 1) != 1:
        raise GroundupError("the tree interpreter supports single-output models only")


def tree_terms(model: object) -> tuple[list[TreeTerm], int, str]:
    """Return each tree's term, the number of outputs K and what the outputs mean."""
    check_model(model)
    if isinstance(model, BaseDecisionTree):
        trees, weight = [model], 1.0
    elif isinstance(model, FORESTS):
        trees, weight = list(model.estimators_), 1.0 / len(model.estimators_)
    elif isinstance(model, BOOSTERS):
        stages = model.estimators_  # (n_stages, K) DecisionTreeRegressor
        k = stages.shape[1]
        terms = [
            TreeTerm(t.tree_, t.tree_.value[:, 0, :1].astype(np.float64),
                      float(model.learning_rate), np.array([j]))
            for row in stages for j, t in enumerate(row)
        ]
        output = "decision_function" if is_classifier(model) else "predict"
        return terms, k, output
    if is_classifier(model):
        k = int(model.n_classes_)
        terms = [TreeTerm(t.tree_, _class_fractions(t.tree_.value[:, 0, :]), weight,
                           np.arange(k)) for t in trees]
        return terms, k, "predict_proba"
    terms = [TreeTerm(t.tree_, t.tree_.value[:, 0, :1].astype(np.float64), weight,
                       np.array([0])) for t in trees]
    return terms, 1, "predict"


def _class_fractions(counts: np.ndarray) -> np.ndarray:
    """Return per-node class fractions, normalised as `predict_proba` does (sums of 0 stay 0)."""
    counts = counts.astype(np.float64)
    total = counts.sum(axis=1, keepdims=True)
    total[total == 0.0] = 1.0
    return counts / total


def build_leaf_table(
    terms: list[TreeTerm],
    n_features: int,
    n_outputs: int,
    table: str,
    reached: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | sp.csr_matrix]:
    """Return node offsets per tree, node -> table row map, and the leaf table.

    Row r of the table holds one leaf's contribution vector, flattened `feature*K + k`:
    the value change at each split on its path, credited to the split's feature. Trees
    are handled in blocks small enough for the CPU cache (a few trees each); within a
    block all leaves climb together, so the loop runs `max depth` times per block.
    """
    node_counts = np.array([t.tree.node_count for t in terms])
    node_offset = np.concatenate([[0], np.cumsum(node_counts)[:-1]]).astype(np.intp)
    wanted = None  # with `reached` (n, T) leaf ids: table only the leaves some row reaches
    if reached is not None:
        wanted = np.zeros(int(node_counts.sum()), dtype=bool)
        wanted[(node_offset[None, :] + reached).ravel()] = True
        n_leaves = int(wanted.sum())
    else:
        n_leaves = sum(int(t.tree.n_leaves) for t in terms)
    width = n_features * n_outputs
    dense = table == "dense" or (table == "auto" and n_leaves * width * 8 <= DENSE_TABLE_BYTES)
    leaf_rows, tables = [], []
    done = 0
    node_ends = node_offset + node_counts
    for block in _blocks(node_counts, BLOCK_NODES):
        first, stop = node_offset[block.start], node_ends[block.stop - 1]
        leaf_row, block_table = _block_leaf_table(
            [terms[i] for i in block], width, n_outputs, dense,
            None if wanted is None else wanted[first:stop],
        )
        leaf_rows.append(np.where(leaf_row >= 0, leaf_row + done, -1))
        tables.append(block_table)
        done += block_table.shape[0]
    merged = np.concatenate(tables) if dense else sp.vstack(tables, format="csr")
    return node_offset, np.concatenate(leaf_rows), merged


def _blocks(node_counts: np.ndarray, limit: int) -> list[range]:
    """Return consecutive runs of tree indices, each with about `limit` nodes at most."""
    blocks, start, size = [], 0, 0
    for i, count in enumerate(node_counts):
        if size and size + count > limit:
            blocks.append(range(start, i))
            start, size = i, 0
        size += int(count)
    blocks.append(range(start, len(node_counts)))
    return blocks


def _block_leaf_table(
    terms: list[TreeTerm], width: int, n_outputs: int, dense: bool, wanted: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | sp.csr_matrix]:
    """Return the node -> row map and leaf table of a few trees, their nodes end to end."""
    node_counts = np.array([t.tree.node_count for t in terms])
    shift = np.repeat(np.concatenate([[0], np.cumsum(node_counts)[:-1]]), node_counts)
    n_nodes = int(node_counts.sum())
    left = np.concatenate([t.tree.children_left for t in terms]).astype(np.intp)
    right = np.concatenate([t.tree.children_right for t in terms]).astype(np.intp)
    is_split = left >= 0
    splits = np.flatnonzero(is_split)
    parent = np.full(n_nodes, -1, dtype=np.intp)
    parent[left[splits] + shift[splits]] = splits
    parent[right[splits] + shift[splits]] = splits
    depth = np.concatenate([_node_depths(t.tree) for t in terms])  # root: 0

    node_delta, node_slot = _node_deltas(terms, parent, n_outputs)

    # Rows ordered deepest leaf first, so the leaves still climbing at step s are a
    # prefix of the array: slicing instead of filtering.
    leaves = np.flatnonzero(~is_split if wanted is None else ~is_split & wanted)
    leaves = leaves[np.argsort(-depth[leaves], kind="stable")]
    leaf_depth = depth[leaves]
    leaf_row = np.full(n_nodes, -1, dtype=np.intp)
    leaf_row[leaves] = np.arange(len(leaves))
    # climbing[s]: how many leaves are deeper than s, i.e. still under a split at step s
    climbing = np.searchsorted(-leaf_depth, -np.arange(leaf_depth.max(initial=0)), side="left")
    row_start = np.arange(len(leaves)) * width
    if node_slot.ndim == 2:
        row_start = row_start[:, None]

    flat = np.zeros(len(leaves) * width) if dense else None
    keys, deltas = [], []
    node = leaves
    for count in climbing:
        node = node[:count]
        key = row_start[:count] + node_slot[node]
        if dense:
            flat[key] += node_delta[node]  # safe: one step touches each row once
        else:
            keys.append(key.ravel())
            deltas.append(node_delta[node].ravel())
        node = parent[node]
    if dense:
        return leaf_row, flat.reshape(len(leaves), width)
    key = np.concatenate(keys) if keys else np.zeros(0, np.intp)
    block_table = sp.csr_matrix(
        (np.concatenate(deltas) if deltas else np.zeros(0), (key // width, key % width)),
        shape=(len(leaves), width),
    )  # duplicates (a feature split twice on one path) are summed here
    return leaf_row, block_table


def _node_deltas(
    terms: list[TreeTerm], parent: np.ndarray, n_outputs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return what each node adds and where: `(delta, slot)`, `(N, k)` or `(N,)` if k == 1.

    A non-root node adds its value minus its parent's, in the parent's feature's slot of
    the flattened (feature, output) row; a root adds nothing.
    """
    feature = np.concatenate([t.tree.feature for t in terms]).astype(np.intp)
    values = np.concatenate([t.values for t in terms])  # (N, k)
    column = np.concatenate([np.broadcast_to(t.columns, t.values.shape) for t in terms])
    has_parent = parent >= 0
    up = np.where(has_parent, parent, 0)
    node_delta = np.where(has_parent[:, None], values - values[up], 0.0)  # (N, k)
    node_slot = feature[up][:, None] * n_outputs + column  # (N, k)
    if node_delta.shape[1] == 1:  # one output per tree: keep the hot loop 1-D
        node_delta, node_slot = node_delta[:, 0], node_slot[:, 0]
    return node_delta, node_slot


def _node_depths(tree) -> np.ndarray:
    """Return each node's depth (root 0), level by level from the root."""
    if hasattr(tree, "compute_node_depths"):  # scikit-learn >= 1.3 has it compiled
        return np.asarray(tree.compute_node_depths(), dtype=np.intp) - 1
    depth = np.zeros(tree.node_count, dtype=np.intp)
    level, frontier = 0, np.array([0])
    while len(frontier):
        depth[frontier] = level
        split = frontier[tree.children_left[frontier] >= 0]
        frontier = np.concatenate([tree.children_left[split], tree.children_right[split]])
        level += 1
    return depth
