"""One forest, explained: fit on a train split, score on validation, and interpret it.

This is what `groundup forest explain` runs, as plain functions: `explain_table` fits a
random forest on a train/validation split of a `Table` and computes every view of it
(validation score, permutation / drop-column / impurity importance, the tree
interpreter's contributions for one validation row, partial dependence with ICE lines for
the top features); `write_outputs` draws and saves the pictures and tables.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import train_test_split

from groundup.checks import check_jobs, check_memory, check_seed, whole_number
from groundup.errors import SettingError
from groundup.fileio import atomic_write_text, prepare_output_dir
from groundup.forest.interpret.dependence import PartialDependence, partial_dependence
from groundup.forest.interpret.importance import (
    Importance,
    drop_column_importance,
    impurity_importance,
    permutation_importance,
)
from groundup.forest.interpret.plots import plot_importances, plot_partial_dependences
from groundup.forest.interpret.scoring import Scorer, check_metric_name, resolve_metric
from groundup.forest.interpret.tabular import Table
from groundup.forest.interpret.tree_interpreter import TreeInterpreter
from groundup.forest.interpret.waterfall_chart import waterfall
from groundup.plot import save_figure

# progress(description, total) -> a function to call once per finished step
ProgressFactory = Callable[[str, int], Callable[[], None]]

SANITY_COLUMN = "random"
MAX_TREES = 10_000  # a forest stops changing long before; more only costs time and memory
MAX_REPEATS = 1000  # shuffles per feature: each holds a row order of the validation set
MAX_LEAF = 2**31 - 1  # scikit-learn keeps leaf sizes in C ints


@dataclass(repr=False)
class Explanation:
    """Everything `explain_table` found out about one fitted forest."""

    table: Table
    model: object
    X_train: pd.DataFrame
    X_valid: pd.DataFrame
    y_train: np.ndarray
    y_valid: np.ndarray
    metric: str
    score: float  # on the validation rows
    importances: list[Importance]  # permutation, [drop-column,] impurity
    row: int  # position in X_valid of the explained row
    output: str  # what is explained: "prediction" or "P(<class>)"
    output_index: int  # which predict_proba column (0 for regression)
    bias: np.ndarray  # (n_valid,) bias for every validation row, this output
    contributions: np.ndarray  # (n_valid, n_features) for this output
    partial: list[PartialDependence] = field(default_factory=list)
    accuracy: float | None = None  # classification: share of validation rows right

    def __repr__(self) -> str:
        return (
            f"Explanation({type(self.model).__name__}, {self.table.task}, "
            f"valid {self.metric}={self.score:.4g}, row={self.row}, output={self.output!r})"
        )

    def _repr_html_(self) -> str:
        """Return the score, then the explained row: bias, each feature's contribution, total."""
        names = list(self.X_valid.columns)
        values = self.X_valid.iloc[self.row].to_numpy(dtype=float)
        contrib = self.contributions[self.row]
        order = np.argsort(-np.abs(contrib), kind="stable")
        frame = pd.DataFrame({
            "feature": ["bias", *(names[i] for i in order), self.output],
            "value": ["", *(self.feature_text(names[i], values[i]) for i in order), ""],
            "contribution": [self.bias[self.row], *contrib[order], self.prediction],
        })
        head = (f"<p>{type(self.model).__name__} ({self.table.task}): validation "
                f"{html.escape(self.metric)} {self.score:.4g}; row {self.row} "
                f"(actual {html.escape(self.actual())}) explained as bias + contributions</p>")
        return head + frame.to_html(index=False, float_format=lambda v: f"{v:+.4g}")

    @property
    def prediction(self) -> float:
        """Return the explained row's model output: bias + its contributions."""
        return float(self.bias[self.row] + self.contributions[self.row].sum())

    def actual(self) -> str:
        """Return the explained row's true target, as the user wrote it."""
        value = self.y_valid[self.row]
        if self.table.classes:
            return self.table.classes[int(value)]
        return f"{value:.6g}"

    def feature_text(self, name: str, value: float) -> str:
        """Return `value` of feature `name` as the user knows it (category label, number)."""
        labels = self.table.categories.get(name)
        if labels is not None:
            code = int(value)
            return labels[code - 1] if code > 0 else "(missing)"
        return f"{value:.4g}"


def explain_table(
    table: Table,
    *,
    trees: int = 100,
    min_samples_leaf: int = 3,
    valid_frac: float = 0.2,
    seed: int = 0,
    row: int = 0,
    repeats: int = 5,
    metric: str | None = None,
    drop_column: bool = True,
    sanity: bool = False,
    pdp_features: int = 3,
    ice: int = 50,
    n_jobs: int = 1,
    progress: ProgressFactory | None = None,
) -> Explanation:
    """Return an `Explanation` of a random forest fitted on a train split of `table`.

    sanity: add a column of random numbers first; an honest importance ranks it near 0.
    row: which validation row (0-based) the contributions and waterfall explain.
    metric: what importance measures, by name; None: R² for regression, the Brier score
    for classification (accuracy moves in steps of one row, too coarse to rank features,
    and log loss is ruled by the few rows a forest gives a probability near 0).
    """
    _check_settings(trees, min_samples_leaf, valid_frac, repeats, metric)
    seed, n_jobs = check_seed("seed", seed), check_jobs("n_jobs", n_jobs)
    X = table.X
    if sanity:
        X = X.assign(**{SANITY_COLUMN: np.random.default_rng(seed).uniform(size=len(X))})
    classify = table.task == "classification"
    split = _split(X, table.y, classify=classify, valid_frac=valid_frac, row=row, seed=seed)
    _check_memory(split, trees, min_samples_leaf, len(table.classes or ()) if classify else 1)
    forest = RandomForestClassifier if classify else RandomForestRegressor
    model = forest(
        n_estimators=trees, min_samples_leaf=min_samples_leaf, n_jobs=n_jobs, random_state=seed
    )
    model.fit(split.X_train, split.y_train)
    if metric is None:
        metric = "brier" if classify else "r2"
    scorer = resolve_metric(metric, model)
    score = scorer.score(model, split.X_valid, split.y_valid)

    step = progress or _no_progress
    importances = _importances(model, split, scorer, repeats=repeats, drop_column=drop_column,
                               seed=seed, n_jobs=n_jobs, step=step)
    classes = (table.classes or ()) if classify else None
    output_index, output, bias, contribs = _contributions(model, split.X_valid, row, classes)
    top = importances[0].order()[:pdp_features]
    partial = _partial_dependences(model, split.X_valid, top, ice=ice, seed=seed, step=step)
    accuracy = None
    if classes is not None:  # label outputs with the class names, keep the explained class only
        keep = 0 if len(classes) == 2 else output_index
        partial = [_one_output(p, keep, output) for p in partial]
        accuracy = float(np.mean(model.predict(split.X_valid) == split.y_valid))
    return Explanation(
        table, model, split.X_train, split.X_valid, split.y_train, split.y_valid, scorer.name,
        score, importances, row, output, output_index, bias, contribs, partial, accuracy,
    )


def _check_settings(
    trees: int, min_samples_leaf: int, valid_frac: float, repeats: int, metric: str | None
) -> None:
    """Raise a `SettingError` for the first setting that cannot work, before any fitting."""
    whole_number("trees", trees, 1, MAX_TREES)
    whole_number("min_samples_leaf", min_samples_leaf, 1, MAX_LEAF)
    if not 0 < valid_frac < 1:
        raise SettingError("valid_frac", f"must be between 0 and 1, got {valid_frac}")
    whole_number("repeats", repeats, 1, MAX_REPEATS)
    if metric is not None:
        check_metric_name(metric)


def _check_memory(split: _Split, trees: int, min_samples_leaf: int, outputs: int) -> None:
    """Raise a SettingError naming `trees` if the forest's per-class arrays would not fit.

    Every tree node keeps one value per class, and the contributions one per validation
    row, feature and class: a target of ids (a class per row) makes both explode.
    """
    nodes = 2 * -(-len(split.y_train) // min_samples_leaf)  # a leaf holds min_samples_leaf rows
    cells = trees * nodes + len(split.y_valid) * (split.X_valid.shape[1] + 2)
    classes = f" and {outputs:,} classes" if outputs > 1 else ""
    check_memory("trees", 8 * outputs * cells, f"{trees} trees on {len(split.y_train):,} rows"
                 f"{classes}", hint="use fewer trees, a larger `min_samples_leaf`"
                 + (", or a target with fewer classes" if outputs > 1 else ""))


@dataclass(frozen=True)
class _Split:
    """The train and validation parts of the table, rows renumbered from 0."""

    X_train: pd.DataFrame
    X_valid: pd.DataFrame
    y_train: np.ndarray
    y_valid: np.ndarray


def _split(
    X: pd.DataFrame, y: np.ndarray, *, classify: bool, valid_frac: float, row: int, seed: int
) -> _Split:
    """Return a train / validation split: stratified when every class can be in both parts."""
    n_valid = int(round(len(X) * valid_frac))
    if n_valid < 1 or len(X) - n_valid < 2:
        raise SettingError("valid_frac", f"{len(X)} rows are too few to split with {valid_frac}")
    if not 0 <= row < n_valid:
        raise SettingError("row", f"must be in 0..{n_valid - 1} (the validation rows), got {row}")
    counts = np.bincount(y) if classify else np.zeros(0)
    can_stratify = classify and counts.min() >= 2 and min(n_valid, len(X) - n_valid) >= len(counts)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X, y, test_size=n_valid, random_state=seed, stratify=y if can_stratify else None
    )
    return _Split(X_train.reset_index(drop=True), X_valid.reset_index(drop=True), y_train, y_valid)


def _no_progress(_description: str, _total: int) -> Callable[[], None]:
    return lambda: None


def _importances(
    model: object, split: _Split, scorer: Scorer, *, repeats: int, drop_column: bool, seed: int,
    n_jobs: int, step: ProgressFactory,
) -> list[Importance]:
    """Return permutation, drop-column (if asked and possible) and impurity importance."""
    n_features = split.X_valid.shape[1]
    importances = [
        permutation_importance(
            model, split.X_valid, split.y_valid, scorer, n_repeats=repeats, seed=seed,
            n_jobs=n_jobs, progress=step("permutation importance", n_features),
        )
    ]
    if drop_column and n_features >= 2:
        importances.append(
            drop_column_importance(
                model, split.X_train, split.y_train, split.X_valid, split.y_valid, scorer,
                progress=step("drop-column refits", n_features),
            )
        )
    importances.append(impurity_importance(model, list(split.X_valid.columns)))
    return importances


def _contributions(
    model: object, X_valid: pd.DataFrame, row: int, classes: tuple[str, ...] | None
) -> tuple[int, str, np.ndarray, np.ndarray]:
    """Return `(output_index, output, bias, contributions)` for the output being explained.

    Regression explains the prediction; classification the probability of the positive
    class (two classes) or of the class the model predicts for `row` (more).
    """
    bias, contribs = TreeInterpreter(model).contributions(X_valid)
    if classes is None:
        return 0, "prediction", bias, contribs
    proba = model.predict_proba(X_valid.iloc[[row]])[0]
    k = 1 if len(classes) == 2 else int(np.argmax(proba))
    return k, f"P({classes[k]})", bias[:, k], contribs[:, :, k]


def _partial_dependences(
    model: object, X_valid: pd.DataFrame, top: np.ndarray, *, ice: int, seed: int,
    step: ProgressFactory,
) -> list[PartialDependence]:
    """Return the partial dependence of each feature in `top`, then of the first two together."""
    tick = step("partial dependence", len(top) + (1 if len(top) >= 2 else 0))
    partial = []
    for i in top:
        partial.append(partial_dependence(model, X_valid, int(i), grid_resolution=40,
                                          ice=ice, seed=seed))
        tick()
    if len(top) >= 2:
        partial.append(partial_dependence(model, X_valid, [int(top[0]), int(top[1])],
                                          grid_resolution=20))
        tick()
    return partial


def _one_output(result: PartialDependence, k: int, label: str) -> PartialDependence:
    """Return `result` with only output k, called `label` (the explained class)."""
    individual = None if result.individual is None else result.individual[k : k + 1]
    return PartialDependence(result.features, result.grid, result.average[k : k + 1],
                             (label,), individual, result.rows)


OUTPUT_FILES = ("importance.png", "pdp.png", "waterfall.png", "importance.csv",
                "contributions.csv")


def write_outputs(expl: Explanation, out: str | os.PathLike, *, top: int = 10) -> list[Path]:
    """Return the files written to `out`: three PNGs and two CSVs, each written atomically.

    importance.png, pdp.png, waterfall.png; importance.csv (every method, every feature)
    and contributions.csv (bias, contribution per feature and output, every validation row).
    """
    out = prepare_output_dir(out, "out", files=OUTPUT_FILES)
    written = []

    label = expl.table.target if expl.output == "prediction" else expl.output
    fig = plot_importances(
        expl.importances, top=top,
        title=f"What the forest needs to predict {label} (validation {expl.metric} "
        f"{expl.score:.3f}, {len(expl.y_valid)} rows)",
    )
    written.append(save_figure(fig, out / "importance.png"))

    if expl.partial:
        fig = plot_partial_dependences(expl.partial, title=f"Partial dependence of {label}")
        written.append(save_figure(fig, out / "pdp.png"))

    values = expl.X_valid.iloc[expl.row]
    names = [f"{n} = {expl.feature_text(n, values[n])}" for n in expl.X_valid.columns]
    fig, _ = waterfall(
        expl.bias[expl.row], expl.contributions[expl.row], names, top_k=top,
        total_label=expl.output, xlabel=expl.output,
        title=f"Validation row {expl.row}: {expl.output} = bias + contributions "
        f"(actual {expl.table.target} = {expl.actual()})",
    )
    written.append(save_figure(fig, out / "waterfall.png"))

    frames = []
    for imp in expl.importances:
        frame = imp.to_frame().assign(method=imp.method, metric=imp.metric)
        frames.append(frame[["method", "metric", "feature", "importance", "std"]])
    written.append(
        atomic_write_text(out / "importance.csv", pd.concat(frames).to_csv(index=False))
    )
    contrib = pd.DataFrame(expl.contributions, columns=list(expl.X_valid.columns))
    contrib.insert(0, "bias", expl.bias)
    contrib.insert(0, "row", np.arange(len(contrib)))
    contrib["output"] = expl.bias + expl.contributions.sum(axis=1)
    written.append(atomic_write_text(out / "contributions.csv", contrib.to_csv(index=False)))
    return written
