"""The leaf table: cache blocks and the node-depth fallback change nothing in the answer."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.ensemble import RandomForestRegressor
from sklearn.tree import DecisionTreeRegressor

import groundup.forest.interpret.leaf_table as leaf_table
from groundup.forest.interpret.tree_interpreter import contributions


def _regression(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    return make_friedman1(n, noise=1.0, random_state=0)


def test_trees_in_many_cache_blocks_give_the_same_answer(monkeypatch) -> None:
    X, y = _regression()
    model = RandomForestRegressor(n_estimators=6, min_samples_leaf=2, random_state=0).fit(X, y)
    _, whole = contributions(model, X[:50])
    monkeypatch.setattr(leaf_table, "BLOCK_NODES", 1)  # one tree per block
    _, blocked = contributions(model, X[:50])
    np.testing.assert_allclose(blocked, whole, rtol=0, atol=1e-12)


def test_node_depths_fallback_matches_scikit_learn() -> None:
    X, y = _regression(200)
    tree = DecisionTreeRegressor(max_depth=7, random_state=0).fit(X, y).tree_

    class Plain:  # the same tree without compute_node_depths, as older scikit-learn
        node_count = tree.node_count
        children_left, children_right = tree.children_left, tree.children_right

    np.testing.assert_array_equal(leaf_table._node_depths(Plain()),
                                  tree.compute_node_depths() - 1)

