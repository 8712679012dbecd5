"""The training curves of a `History`: loss (train and validation) and validation accuracy.

The figure is a plain matplotlib `Figure`, not one of pyplot's, so a notebook shows it once
(as the cell's value) and a script can save it with `groundup.plot.save_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

import groundup.plot  # noqa: F401  (chooses the backend: Agg, or a notebook's inline one)

if TYPE_CHECKING:
    from groundup.train.fit import History


def plot_history(history: History, title: str | None = None) -> Figure:
    """Return a figure of the loss curves (left) and the validation accuracy (right) by epoch."""
    fig = Figure(figsize=(9.5, 3.6), layout="constrained")
    loss_ax, acc_ax = fig.subplots(1, 2)
    epochs = [e.epoch for e in history.epochs]
    marker = "o" if len(epochs) < 30 else None
    loss_ax.plot(epochs, history.train_loss, marker=marker, label="train")
    valid = [(e.epoch, e.valid_loss, e.valid_acc) for e in history.epochs
             if e.valid_loss is not None]
    if valid:
        loss_ax.plot([v[0] for v in valid], [v[1] for v in valid], marker=marker,
                     label="validation")
        acc_ax.plot([v[0] for v in valid], [v[2] for v in valid], marker=marker,
                    color="tab:green")
        best = max(valid, key=lambda v: v[2])
        acc_ax.annotate(f"{best[2]:.4f}", (best[0], best[2]), textcoords="offset points",
                        xytext=(0, 6), ha="center", fontsize=9)
    else:
        acc_ax.text(0.5, 0.5, "no validation data", ha="center", va="center",
                    transform=acc_ax.transAxes, color="0.4")
    loss_ax.set(xlabel="epoch", ylabel="loss (mean over the epoch)", title="loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy", title="validation accuracy")
    loss_ax.legend(frameon=False)
    acc_ax.margins(y=0.15)  # room for the label over the best point
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        if 0 < len(epochs) <= 12:
            ax.set_xticks(epochs)
    if not epochs:
        loss_ax.text(0.5, 0.5, "no finished epoch", ha="center", va="center",
                     transform=loss_ax.transAxes, color="0.4")
    if title:
        fig.suptitle(title)
    return fig
