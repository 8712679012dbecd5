"""The ladder's picture: every rung's training loss on one chart."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.ticker import FormatStrFormatter

from groundup.ladder.run import LadderResult
from groundup.plot import plt, save_figure

# Rungs that compute the same numbers draw the same curve: wide-to-narrow lines with
# different dashes keep each of them visible on top of the others.
_STYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (1, 1))]


def smooth(values: list[float], beta: float = 0.98) -> list[float]:
    """Return the debiased exponential moving average of `values` (fastai's loss smoothing).

    Mini-batch losses jump from batch to batch; averaging with weight `beta` on the past
    shows the trend, and dividing by 1 - beta**t removes the pull towards 0 at the start.
    """
    out, avg = [], 0.0
    for t, v in enumerate(values, start=1):
        avg = beta * avg + (1 - beta) * v
        out.append(avg / (1 - beta**t))
    return out


def plot_ladder(result: LadderResult, path: str | os.PathLike) -> Path:
    """Return the path of a PNG with every rung's smoothed training loss against the step."""
    fig, ax = plt.subplots(figsize=(8, 4.8))
    n = len(result.rungs)
    for i, rung in enumerate(result.rungs):
        ax.plot(
            range(1, len(rung.batch_losses) + 1),
            smooth(rung.batch_losses),
            label=f"{rung.key}: {rung.ours}",
            linewidth=1.2 + 2.4 * (n - 1 - i) / max(n - 1, 1),
            linestyle=_STYLES[i % len(_STYLES)],
            alpha=0.85,
        )
    cfg = result.config
    ax.set_xlabel("step (one mini-batch each)")
    ax.set_ylabel("training loss, smoothed (log scale)")
    ax.set_yscale("log")
    # plain numbers (0.3, 0.5, 2) on the log axis, not powers of ten
    ax.yaxis.set_major_formatter(FormatStrFormatter("%.2g"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%.2g"))
    epochs = f"{cfg.epochs} epoch{'s' if cfg.epochs != 1 else ''}"
    ax.set_title(
        f"The ladder: MNIST logistic regression, {result.n_train:,} images, {epochs}, "
        f"batch size {cfg.bs}",
        fontsize=10,
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    return save_figure(fig, path)
