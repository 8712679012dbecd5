"""Forest pictures, timed: the default picture set, and a 100-tree forest over a 500x500 grid.

    .venv/bin/python benchmarks/bench_forest_pictures.py [--repeats 3] [--trees 100] [--grid 500]

Part 1, the default set: `draw_forest_pictures` on the corners data (4 trees, depth 3, half
samples, 300x300 grid), all five PNGs written; and again with the GIF. Wall and CPU time.

Part 2, one forest of `--trees` trees (bootstrap, no depth limit, min leaf 5) on 2,000 points,
its average over a `--grid` x `--grid` grid, five ways, in this process:

  groundup paint              average_on_grid: each tree painted leaf by leaf (one slice per
                              leaf), summed; also computes the per-pixel std (second pass)
  per-tree predict            tree.predict on the grid's points, once per tree, summed
  forest.predict              RandomForestRegressor.predict on the grid's points
  groundup paint + draw       the paint above, then the forest picture drawn (imshow)
  DecisionBoundaryDisplay     sklearn.inspection.DecisionBoundaryDisplay.from_estimator on the
                              same forest and the same grid points (predict + contourf)

Best of `--repeats`, wall and CPU time (the CPU ratio is the steadier one on a shared
machine); ratios are reference / ours. The averages are checked equal first.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable

import numpy as np
from sklearn.inspection import DecisionBoundaryDisplay

from groundup.forest.plane.bagging import average_on_grid, grow_resampled_trees, to_random_forest
from groundup.forest.plane.grid import PlaneGrid
from groundup.forest.plane.pictures import PictureSettings, draw_forest_pictures, forest_figure
from groundup.forest.plane.synthetic import make_corners
from groundup.plot import plt


def best_of(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Return the best (wall seconds, CPU seconds) of `repeats` calls of fn."""
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def part1(repeats: int) -> None:
    data = make_corners()
    print("## default picture set (corners, 500 points, 4 trees, depth 3, 300x300 grid)")
    with tempfile.TemporaryDirectory() as tmp:
        draw_forest_pictures(data, tmp, PictureSettings(grid_size=30))  # warm up fonts, caches
        for gif in (False, True):
            wall, cpu = best_of(lambda g=gif: draw_forest_pictures(
                data, tmp, PictureSettings(gif=g)), repeats)
            what = "5 PNGs + GIF" if gif else "5 PNGs"
            print(f"  {what:<14} wall {wall:6.2f} s   cpu {cpu:6.2f} s")


def part2(repeats: int, n_trees: int, size: int) -> None:
    data = make_corners(n=2000, seed=1)
    bag = grow_resampled_trees(data.X, data.y, n_trees=n_trees, max_depth=None,
                               min_samples_leaf=5, bootstrap=True, seed=0)
    forest = to_random_forest(bag)
    grid = PlaneGrid.square(data.bounds, size)
    points = grid.points()
    leaves = np.mean([t.get_n_leaves() for t in bag.trees])
    print(f"\n## {n_trees}-tree forest ({leaves:.0f} leaves per tree) on a {size}x{size} grid")

    avg = average_on_grid(bag.trees, grid)
    expected = forest.predict(points).reshape(size, size)
    assert np.abs(avg.mean - expected).max() <= 1e-12, "paint and predict disagree"

    def per_tree_predict():
        total = np.zeros(len(points))
        for tree in bag.trees:
            total += tree.predict(points)
        return total / len(bag.trees)

    def paint_and_draw():
        fig = forest_figure(average_on_grid(bag.trees, grid), data)
        fig.canvas.draw()
        plt.close(fig)

    # DecisionBoundaryDisplay builds linspace(min - eps, max + eps, resolution) per axis: with
    # eps=0 and the two extreme pixel centres as X, that is our grid's pixel centres.
    corners = np.array([[grid.xs[0], grid.ys[0]], [grid.xs[-1], grid.ys[-1]]])

    def boundary_display():
        fig, ax = plt.subplots()
        DecisionBoundaryDisplay.from_estimator(forest, corners, grid_resolution=size, eps=0.0,
                                               response_method="predict", ax=ax)
        fig.canvas.draw()
        plt.close(fig)

    rows = [
        ("groundup paint (mean + std)", lambda: average_on_grid(bag.trees, grid)),
        ("per-tree predict (mean only)", per_tree_predict),
        ("forest.predict (mean only)", lambda: forest.predict(points)),
    ]
    def report(name: str, wall: float, cpu: float, base: tuple[float, float]) -> None:
        print(f"  {name:<30} wall {wall:6.3f} s  cpu {cpu:6.3f} s   ratio wall "
              f"{wall / base[0]:4.1f}x  cpu {cpu / base[1]:4.1f}x")

    base = None
    for name, fn in rows:
        wall, cpu = best_of(fn, repeats)
        base = base or (wall, cpu)
        report(name, wall, cpu, base)
    drawn = best_of(paint_and_draw, repeats)
    report("groundup paint + draw", *drawn, drawn)
    report("DecisionBoundaryDisplay", *best_of(boundary_display, repeats), drawn)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--grid", type=int, default=500)
    args = parser.parse_args()
    part1(args.repeats)
    part2(args.repeats, args.trees, args.grid)


if __name__ == "__main__":
    main()
