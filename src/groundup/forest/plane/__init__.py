"""Pictures of trees on the plane: how one tree, resampled trees and their average colour it.

    from groundup.forest.plane import PictureSettings, draw_forest_pictures, make_dataset

The modules, bottom up: `synthetic` (2-D data sets, `PlaneData`) and `points_csv` (your own
points from a CSV file); `regions` (a fitted tree's exact leaf rectangles and split lines);
`grid` (painting a tree onto a pixel grid, `PlaneGrid`); `bagging` (trees grown on
resamples and averaged on the grid); `colours`, `animation` (the GIF) and `pictures` (the
figures `groundup forest pictures` writes). Nothing here imports `groundup.forest.interpret`.
"""

from groundup.forest.plane.animation import write_forest_gif
from groundup.forest.plane.bagging import (
    GridAverage,
    ResampledTrees,
    average_on_grid,
    grow_resampled_trees,
    make_tree,
    to_random_forest,
)
from groundup.forest.plane.colours import ColourScale
from groundup.forest.plane.grid import PlaneGrid, paint_tree
from groundup.forest.plane.pictures import (
    PictureSettings,
    data_figure,
    disagreement_figure,
    draw_forest_pictures,
    forest_figure,
    one_tree_figure,
    trees_figure,
)
from groundup.forest.plane.points_csv import load_points_csv
from groundup.forest.plane.regions import Region, Split, tree_regions, tree_splits
from groundup.forest.plane.synthetic import (
    DATASETS,
    PlaneData,
    make_circle,
    make_corners,
    make_dataset,
    make_spiral,
    make_stripes,
    make_xor,
)

__all__ = [
    "DATASETS",
    "ColourScale",
    "GridAverage",
    "PictureSettings",
    "PlaneData",
    "PlaneGrid",
    "Region",
    "ResampledTrees",
    "Split",
    "average_on_grid",
    "data_figure",
    "disagreement_figure",
    "draw_forest_pictures",
    "forest_figure",
    "grow_resampled_trees",
    "load_points_csv",
    "make_circle",
    "make_corners",
    "make_dataset",
    "make_spiral",
    "make_stripes",
    "make_tree",
    "make_xor",
    "one_tree_figure",
    "paint_tree",
    "to_random_forest",
    "tree_regions",
    "tree_splits",
    "trees_figure",
    "write_forest_gif",
]
