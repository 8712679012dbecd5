"""Draw docs/img/augment.png: a few MNIST training digits and several augmented copies of each.

    .venv/bin/python scripts/draw_augment.py [--out docs/img/augment.png] [--seed 0]

Row by row: the original digit (first column, framed in black), then copies under `Augment()` with
its defaults, each from the seeded generator, so the picture is the same every run.
"""

from __future__ import annotations

import argparse

import torch

from groundup.data import Augment, load_mnist
from groundup.plot import plt, save_figure

DIGITS = (0, 1, 2, 3, 5, 7)  # training rows: a 5, 0, 4, 1, 2 and 3
COPIES = 7


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="docs/img/augment.png")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    x, y = load_mnist("train")  # normalised: the background is -mean/std, about -0.42
    aug = Augment()
    gen = torch.Generator().manual_seed(args.seed)
    rows = x[list(DIGITS)]
    copies = [aug(rows, gen) for _ in range(COPIES)]  # each call: a new map for every digit
    low, high = float(x.min()), float(x.max())
    fig, axes = plt.subplots(len(DIGITS), COPIES + 1, figsize=(COPIES + 1, len(DIGITS)))
    for r in range(len(DIGITS)):
        for c in range(COPIES + 1):
            img = rows[r] if c == 0 else copies[c - 1][r]
            ax = axes[r, c]
            ax.imshow(img.view(28, 28), cmap="gray_r", vmin=low, vmax=high)
            ax.set_xticks([]), ax.set_yticks([])
            if c:  # a light frame, so that a shift shows against the image's edge
                for spine in ax.spines.values():
                    spine.set_edgecolor("0.8")
        axes[r, 0].set_ylabel(str(int(y[DIGITS[r]])), rotation=0, labelpad=10, va="center")
    axes[0, 0].set_title("original", fontsize=9)
    axes[0, (COPIES + 1) // 2].set_title(f"{aug}", fontsize=9)
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    print(save_figure(fig, args.out))


if __name__ == "__main__":
    main()
