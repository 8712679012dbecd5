"""A random forest on a table, explained: importance, tree interpreter, partial dependence.

    from groundup.forest.interpret import contributions, permutation_importance, waterfall

The modules, bottom up: `tabular` (a CSV as numbers, the lecture's `proc_df`); `scoring`
(metrics by name, as `Scorer`s); `importance` (permutation, drop-column, impurity);
`leaf_table` and `tree_interpreter` (bias + one contribution per feature); `dependence`
(partial dependence and ICE lines); `waterfall_chart` and `plots` (the pictures); `explain`
(`groundup forest explain`'s whole run). Nothing here imports `groundup.forest.plane`.
"""

from groundup.fileio import read_csv
from groundup.forest.interpret.dependence import PartialDependence, partial_dependence
from groundup.forest.interpret.explain import Explanation, explain_table, write_outputs
from groundup.forest.interpret.importance import (
    Importance,
    drop_column_importance,
    impurity_importance,
    make_permutations,
    permutation_importance,
)
from groundup.forest.interpret.plots import (
    plot_importances,
    plot_partial_dependence,
    plot_partial_dependences,
)
from groundup.forest.interpret.scoring import METRIC_NAMES, Scorer, resolve_metric
from groundup.forest.interpret.tabular import Table, example_frame, proc_df
from groundup.forest.interpret.tree_interpreter import TreeInterpreter, contributions
from groundup.forest.interpret.waterfall_chart import WaterfallBar, waterfall, waterfall_bars

__all__ = [
    "METRIC_NAMES",
    "Explanation",
    "Importance",
    "PartialDependence",
    "Scorer",
    "Table",
    "TreeInterpreter",
    "WaterfallBar",
    "contributions",
    "drop_column_importance",
    "example_frame",
    "explain_table",
    "impurity_importance",
    "make_permutations",
    "partial_dependence",
    "permutation_importance",
    "plot_importances",
    "plot_partial_dependence",
    "plot_partial_dependences",
    "proc_df",
    "read_csv",
    "resolve_metric",
    "waterfall",
    "waterfall_bars",
    "write_outputs",
]
