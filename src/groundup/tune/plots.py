"""Pictures of a search's validation scores, shaped by how many parameters vary.

    1 varying parameter   -> a line (log x axis when the values span 2+ decades)
    2 varying parameters  -> a heatmap
    3 varying parameters  -> heatmaps side by side, one per value of the third
    4 or more             -> a table of the top-k configs

Which parameter goes where never depends on the order the grid was written in: the axes take
the parameters with the most values first (ties by name), and values are sorted. Failed
configs are marked, the best config is outlined, constant parameters go in the title. The
figures are plain matplotlib `Figure`s, not pyplot's: a notebook shows one once, as the
cell's value.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from groundup.plot import plt, save_figure
from groundup.tune.grid import config_key, format_config, format_value
from groundup.tune.results import SearchResult


def _key(v: Any) -> str:
    return config_key({"v": v})


def _sort_values(values: list[Any]) -> list[Any]:
    # None first, then numbers ascending, then everything else by its text.
    def rank(v: Any) -> tuple[int, float, str]:
        if v is None:
            return (0, 0.0, "")
        if isinstance(v, bool):
            return (1, float(v), "")
        if isinstance(v, int | float | np.integer | np.floating) and math.isfinite(float(v)):
            return (2, float(v), "")
        return (3, 0.0, format_value(v))

    return sorted(values, key=rank)


def varying_params(result: SearchResult) -> tuple[list[str], dict[str, list[Any]]]:
    """Return (varying parameter names in plot order, {name: sorted distinct values}).

    Plot order: most distinct values first, ties broken by name, so the grid's key order
    never matters.
    """
    values: dict[str, list[Any]] = {}
    for name in result.param_names:
        seen: dict[str, Any] = {}
        for v in result.table[name]:
            seen.setdefault(_key(v), v)
        values[name] = _sort_values(list(seen.values()))
    varying = [n for n in values if len(values[n]) > 1]
    varying.sort(key=lambda n: (-len(values[n]), n))
    return varying, values


def _is_numeric(values: list[Any]) -> bool:
    return all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
               and math.isfinite(float(v)) for v in values)


def _log_axis(values: list[Any]) -> bool:
    return _is_numeric(values) and min(values) > 0 and max(values) / min(values) >= 100


def _direction(result: SearchResult) -> str:
    return "higher is better" if result.greater_is_better else "lower is better"


def _title(result: SearchResult, values: dict[str, list[Any]], varying: list[str]) -> str:
    fixed = {n: values[n][0] for n in values if n not in varying}
    title = f"validation {result.metric} ({_direction(result)}) over {len(result.table)} configs"
    if fixed:
        title += f"\nfixed: {format_config(fixed)}"
    if result.n_failed:
        title += f"   ({result.n_failed} failed)"
    return title


def _cell_grid(result: SearchResult, rows: str, cols: str, row_vals: list[Any],
               col_vals: list[Any], where: dict[str, Any] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Return (scores, failed) arrays of shape (len(row_vals), len(col_vals)); nan = no config."""
    scores = np.full((len(row_vals), len(col_vals)), np.nan)
    failed = np.zeros_like(scores, dtype=bool)
    ri = {_key(v): i for i, v in enumerate(row_vals)}
    ci = {_key(v): j for j, v in enumerate(col_vals)}
    sign = 1.0 if result.greater_is_better else -1.0
    for _, row in result.table.iterrows():
        if where and any(_key(row[n]) != _key(v) for n, v in where.items()):
            continue
        i, j = ri[_key(row[rows])], ci[_key(row[cols])]
        if row["status"] != "ok" or not np.isfinite(row["score"]):
            failed[i, j] = np.isnan(scores[i, j])
            continue
        if np.isnan(scores[i, j]) or sign * row["score"] > sign * scores[i, j]:
            scores[i, j], failed[i, j] = row["score"], False
    return scores, failed


def _fmt(score: float) -> str:
    return f"{score:.3g}" if abs(score) < 1000 else f"{score:.3e}"


def plot_scores(result: SearchResult, path: str | os.PathLike | None = None, top_k: int = 15,
                title: str | None = None) -> Any:
    """Return a matplotlib Figure of the search's validation scores (saved to `path` if given).

    A line for one varying parameter, a heatmap for two, faceted heatmaps for three, a top-k
    table for more (see the module docstring).
    """
    varying, values = varying_params(result)
    if len(varying) <= 1:
        fig = _line(result, varying[0] if varying else None, values)
    elif len(varying) == 2:
        fig = _heatmaps(result, varying[0], varying[1], None, values)
    elif len(varying) == 3:
        fig = _heatmaps(result, varying[0], varying[1], varying[2], values)
    else:
        fig = _top_table(result, varying, top_k)
    if title is None:
        title = _title(result, values, varying)
        if len(varying) > 3 and top_k < len(result.table):
            title = title.replace(" over ", f": top {max(1, top_k)} of ", 1)
    fig.suptitle(title, fontsize=10)
    if path is not None:
        save_figure(fig, path)
    return fig


def _line(result: SearchResult, name: str | None, values: dict[str, list[Any]]) -> Any:
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    t = result.table
    if name is None:  # one config, or every parameter fixed: a single point
        xs, labels = [0], ["(all configs)"]
        groups = [t.index.to_list()]
    else:
        vals = values[name]
        groups = [[i for i in t.index if _key(t.at[i, name]) == _key(v)] for v in vals]
        numeric = _is_numeric(vals)
        xs = [float(v) for v in vals] if numeric else list(range(len(vals)))
        labels = [format_value(v) for v in vals]
        if _log_axis(vals):
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(xs, labels)
        ax.set_xlabel(name)
    sign = 1.0 if result.greater_is_better else -1.0
    ys, fails = [], []
    for x, g in zip(xs, groups, strict=True):
        ok = [t.at[i, "score"] for i in g if t.at[i, "status"] == "ok"
              and np.isfinite(t.at[i, "score"])]
        ys.append(max(ok, key=lambda s: sign * s) if ok else np.nan)
        if not ok:
            fails.append(x)
    ax.plot(xs, ys, "o-", color="tab:blue", label=result.metric)
    if fails:
        finite = [y for y in ys if np.isfinite(y)]
        ybase = min(finite) if finite else 0.0
        ax.plot(fails, [ybase] * len(fails), "x", color="tab:red", markersize=10, mew=2,
                label="failed", linestyle="none")
    if result.best_params is not None and np.isfinite(result.best_score):
        bx = xs[0] if name is None else xs[[_key(v) for v in values[name]].index(
            _key(result.best_params.get(name)))]
        ax.plot([bx], [result.best_score], "*", color="tab:orange", markersize=16,
                label=f"best {_fmt(result.best_score)}", linestyle="none")
    if name is None:
        ax.set_xticks(xs, labels)
    ax.set_ylabel(f"validation {result.metric}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return fig


def _heatmaps(result: SearchResult, cols: str, rows: str, facet: str | None,
              values: dict[str, list[Any]]) -> Any:
    facet_vals = values[facet] if facet else [None]
    row_vals, col_vals = values[rows], values[cols]
    grids = [_cell_grid(result, rows, cols, row_vals, col_vals,
                        where={facet: fv} if facet else None) for fv in facet_vals]
    every = np.concatenate([g[0].ravel() for g in grids])
    finite = every[np.isfinite(every)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    # Bright = better whichever way the metric points.
    cmap = plt.get_cmap("viridis" if result.greater_is_better else "viridis_r")
    cmap = cmap.with_extremes(bad="#dddddd")  # cells with no config (or only failed ones)
    n = len(facet_vals)
    w = max(3.2, 0.75 * len(col_vals) + 1.6)
    h = max(2.6, 0.5 * len(row_vals) + 1.6)
    fig = Figure(figsize=(min(w * n + 1.2, 22), h + 0.6), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)
    best_key = None if result.best_params is None else result.best_params
    for ax, fv, (scores, failed) in zip(axes[0], facet_vals, grids, strict=True):
        im = ax.imshow(np.ma.masked_invalid(scores), cmap=cmap, vmin=vmin, vmax=vmax,
                       aspect="auto", origin="lower")
        ax.set_xticks(range(len(col_vals)), [format_value(v) for v in col_vals],
                      rotation=45 if len(col_vals) > 5 else 0)
        ax.set_yticks(range(len(row_vals)), [format_value(v) for v in row_vals])
        ax.set_xlabel(cols)
        ax.set_ylabel(rows)
        if facet:
            ax.set_title(f"{facet}={format_value(fv)}", fontsize=9)
        mid = (vmin + vmax) / 2
        for i in range(len(row_vals)):
            for j in range(len(col_vals)):
                s = scores[i, j]
                if failed[i, j]:
                    ax.text(j, i, "failed", ha="center", va="center", color="tab:red",
                            fontsize=7, fontweight="bold")
                elif np.isfinite(s):
                    bright = (s > mid) == result.greater_is_better
                    ax.text(j, i, _fmt(s), ha="center", va="center", fontsize=7,
                            color="black" if bright else "white")
        if best_key is not None and (facet is None or _key(best_key.get(facet)) == _key(fv)):
            bi = [_key(v) for v in row_vals].index(_key(best_key.get(rows)))
            bj = [_key(v) for v in col_vals].index(_key(best_key.get(cols)))
            ax.add_patch(Rectangle((bj - 0.5, bi - 0.5), 1, 1, fill=False,
                                       edgecolor="tab:red", linewidth=2.5))
    cbar = fig.colorbar(im, ax=axes[0].tolist(), shrink=0.9)
    cbar.set_label(f"{result.metric} ({_direction(result)})")
    if not result.greater_is_better:
        cbar.ax.invert_yaxis()  # better is up, whichever way the metric points
    return fig


def _top_table(result: SearchResult, varying: list[str], top_k: int) -> Any:
    t = result.sorted_table().head(max(1, top_k))
    names = sorted(varying)  # constant parameters are in the title already
    header = ["rank", *names, result.metric, "fit s"]
    cells = []
    for _, row in t.iterrows():
        score = _fmt(row["score"]) if row["status"] == "ok" else "failed"
        cells.append([str(row["rank"]), *(format_value(row[n]) for n in names), score,
                      f"{row['fit_seconds']:.2f}" if np.isfinite(row["fit_seconds"]) else "-"])
    fig = Figure(figsize=(min(2 + 1.1 * len(header), 18), 0.9 + 0.3 * len(cells)))
    ax = fig.subplots()
    ax.axis("off")
    table = ax.table(cellText=cells, colLabels=header, loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 1.25)
    for j in range(len(header)):
        table[0, j].set_facecolor("#e8e8e8")
    if cells and t["status"].iloc[0] == "ok":
        for j in range(len(header)):
            table[1, j].set_facecolor("#fff2cc")  # the best config
    return fig
