"""Random-forest interpretation in one import: importance, tree interpreter, partial dependence.

    from groundup.forest.interpret import contributions, permutation_importance, waterfall

Each piece lives in its own module (importance, contributions, partial_dependence,
waterfall, interpret_plots); this one gathers their public names.
"""

from groundup.forest.contributions import TreeInterpreter, contributions
from groundup.forest.importance import (
    Importance,
    drop_column_importance,
    impurity_importance,
    make_permutations,
    permutation_importance,
)
from groundup.forest.interpret_plots import (
    plot_importances,
    plot_partial_dependence,
    plot_partial_dependences,
)
from groundup.forest.partial_dependence import PartialDependence, partial_dependence
from groundup.forest.scoring import Metric, resolve_metric
from groundup.forest.waterfall import WaterfallBar, waterfall, waterfall_bars

__all__ = [
    "Importance",
    "Metric",
    "PartialDependence",
    "TreeInterpreter",
    "WaterfallBar",
    "contributions",
    "drop_column_importance",
    "impurity_importance",
    "make_permutations",
    "partial_dependence",
    "permutation_importance",
    "plot_importances",
    "plot_partial_dependence",
    "plot_partial_dependences",
    "resolve_metric",
    "waterfall",
    "waterfall_bars",
]
