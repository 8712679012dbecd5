"""Training the radar net and scoring it the way the competition did: log loss.

`fit_radar` splits the labelled records into train and a stratified validation set (each
class keeps its share), standardises the bands and the angle with the train part's own
statistics, trains `RadarNet` with groundup's `DataLoader` (random flips), `Adam` and `fit`
loop, and reports the validation log loss beside the constant prior's, the number a net
has to beat. `predict_file` streams a test file through a saved net and writes the Kaggle
submission, `id,is_iceberg`, one probability per record.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from groundup.checks import check_seed, whole_number
from groundup.data import DataLoader
from groundup.errors import DataError, SettingError
from groundup.fileio import atomic_path, prepare_output_file
from groundup.nn import functional as F
from groundup.optim import Adam
from groundup.radar.modelio import MAX_BLOCKS, MAX_CHANNELS, MAX_HIDDEN
from groundup.radar.net import N_INPUT, Flips, RadarNet
from groundup.radar.reader import Progress, RadarArrays, iter_batches
from groundup.radar.records import PIXELS
from groundup.train import Callback, History, fit

EPS = 1e-15  # Kaggle's log loss clips probabilities to [eps, 1 - eps]


@dataclass(frozen=True)
class RadarFit:
    """The settings of one training run (each checked by `check`)."""

    epochs: int = 15
    bs: int = 32
    lr: float = 2e-3
    weight_decay: float = 1e-4
    valid_frac: float = 0.2
    channels: tuple[int, ...] = (16, 32, 64)
    hidden: int = 32
    dropout: float = 0.2
    augment: bool = True
    seed: int = 0

    def check(self) -> RadarFit:
        """Return self if every setting is in range; else raise SettingError naming it."""
        whole_number("epochs", self.epochs, 1, 1000)
        whole_number("bs", self.bs, 1, 4096)
        check_seed("seed", self.seed)
        whole_number("hidden", self.hidden, 1, MAX_HIDDEN)
        for name, value, low, high in (("lr", self.lr, 0, 10),
                                       ("weight_decay", self.weight_decay, 0, 1),
                                       ("valid_frac", self.valid_frac, 0, 0.5),
                                       ("dropout", self.dropout, 0, 0.99)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                    not (low < value <= high if name in ("lr", "valid_frac") else
                         low <= value <= high):
                raise SettingError(name, f"must be a number in ({low}, {high}], got {value!r}"
                                   if name in ("lr", "valid_frac") else
                                   f"must be a number in [{low}, {high}], got {value!r}")
        if not 1 <= len(self.channels) <= MAX_BLOCKS:
            raise SettingError("channels", f"needs 1 to {MAX_BLOCKS} blocks, got "
                               f"{len(self.channels)}")
        for c in self.channels:
            whole_number("channels", c, 1, MAX_CHANNELS)
        return self


@dataclass
class FitResult:
    """What `fit_radar` returns: the net, its metadata, the history and the scores."""

    model: RadarNet
    radar: dict[str, Any]
    history: History
    valid_log_loss: float
    prior_log_loss: float
    valid_accuracy: float
    n_train: int
    n_valid: int
    info: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"FitResult(valid_log_loss={self.valid_log_loss:.4f}, "
                f"prior_log_loss={self.prior_log_loss:.4f}, "
                f"valid_accuracy={self.valid_accuracy:.3f}, n_train={self.n_train}, "
                f"n_valid={self.n_valid})")


def log_loss(p: np.ndarray, y: np.ndarray, eps: float = EPS) -> float:
    """Return the mean binary log loss -mean(y·log p + (1-y)·log(1-p)), p clipped to [eps,
    1-eps]: the competition's score (lower is better; always guessing 0.5 gives log 2)."""
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    y = np.asarray(y, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def stratified_split(labels: np.ndarray, valid_frac: float, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Return (train, valid) row indexes: each class split at random in the same proportion."""
    rng = np.random.default_rng(seed)
    train, valid = [], []
    for c in (0, 1):
        rows = rng.permutation(np.flatnonzero(labels == c))
        k = max(1, round(len(rows) * valid_frac))
        valid.append(rows[:k])
        train.append(rows[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(valid))


def norm_stats(arrays: RadarArrays) -> dict[str, Any]:
    """Return the standardisation statistics of these records' bands and known angles."""
    bands = arrays.bands.astype(np.float64)
    angles = arrays.angles[np.isfinite(arrays.angles)]
    return {"band_mean": [float(bands[:, b].mean()) for b in range(2)],
            "band_std": [max(float(bands[:, b].std()), 1e-6) for b in range(2)],
            "angle_mean": float(angles.mean()) if len(angles) else 39.0,
            "angle_std": max(float(angles.std()), 1e-3) if len(angles) > 1 else 1.0}


def features(arrays: RadarArrays, radar: dict[str, Any]) -> torch.Tensor:
    """Return the net's (n, 11,252) float32 input rows: standardised bands, angle, flag."""
    n = len(arrays)
    x = np.empty((n, N_INPUT), np.float32)
    for b in range(2):
        x[:, b * PIXELS:(b + 1) * PIXELS] = ((arrays.bands[:, b].reshape(n, -1)
                                              - radar["band_mean"][b]) / radar["band_std"][b])
    missing = ~np.isfinite(arrays.angles)
    x[:, -2] = np.where(missing, 0.0, (np.nan_to_num(arrays.angles) - radar["angle_mean"])
                        / radar["angle_std"])
    x[:, -1] = missing
    return torch.from_numpy(x)


def _subset(arrays: RadarArrays, rows: np.ndarray) -> RadarArrays:
    return RadarArrays([arrays.ids[i] for i in rows], arrays.bands[rows], arrays.angles[rows],
                       arrays.labels[rows], arrays.indexes[rows])


def fit_radar(arrays: RadarArrays, settings: RadarFit = RadarFit(),
              callbacks: Sequence[Callback] = (), where: str = "the data") -> FitResult:
    """Return the FitResult of training RadarNet on labelled `arrays` with `settings`."""
    s = settings.check()
    if not arrays.labelled:
        raise DataError(f"{where}: {int((arrays.labels < 0).sum()):,} records have no "
                        "'is_iceberg'; training needs a labelled (train) file")
    counts = [int((arrays.labels == c).sum()) for c in (0, 1)]
    if min(counts) < 3:
        raise DataError(f"{where}: {counts[0]} ships and {counts[1]} icebergs; training needs "
                        "at least 3 of each")
    train_rows, valid_rows = stratified_split(arrays.labels, s.valid_frac, s.seed)
    train, valid = _subset(arrays, train_rows), _subset(arrays, valid_rows)
    radar = {"channels": list(s.channels), "hidden": s.hidden, "dropout": s.dropout,
             **norm_stats(train)}
    x_train, y_train = features(train, radar), torch.from_numpy(train.labels.astype(np.int64))
    x_valid, y_valid = features(valid, radar), torch.from_numpy(valid.labels.astype(np.int64))
    torch.manual_seed(s.seed)  # the net's first weights and dropout's draws
    model = RadarNet(s.channels, s.hidden, s.dropout)
    opt = Adam(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    train_dl = DataLoader(x_train, y_train, bs=s.bs, seed=s.seed,
                          transform=Flips() if s.augment else None,
                          drop_last=len(x_train) > s.bs)  # no batch of 1 for batch norm
    valid_dl = DataLoader(x_valid, y_valid, bs=256, shuffle=False)
    history = fit(model, F.nll_loss, opt, train_dl, valid_dl, epochs=s.epochs,
                  callbacks=callbacks)
    p = predict_rows(model, x_valid)
    prior = float(y_train.float().mean())
    result = FitResult(model, radar, history, log_loss(p, valid.labels),
                       log_loss(np.full(len(p), prior), valid.labels),
                       float(((p > 0.5) == (valid.labels == 1)).mean()), len(train), len(valid))
    result.info = {"settings": {**asdict(s), "channels": list(s.channels)},
                   "valid_log_loss": result.valid_log_loss,
                   "prior_log_loss": result.prior_log_loss,
                   "valid_accuracy": result.valid_accuracy,
                   "n_train": len(train), "n_valid": len(valid)}
    return result


@torch.no_grad()
def predict_rows(model: RadarNet, x: torch.Tensor, bs: int = 256) -> np.ndarray:
    """Return P(iceberg) for each row of feature rows `x`, the net in eval mode."""
    model.eval()
    parts = [model(x[i:i + bs])[:, 1].exp() for i in range(0, len(x), bs)]
    return torch.cat(parts).double().numpy() if parts else np.empty(0)


def predict_file(model: RadarNet, radar: dict[str, Any], test: str | os.PathLike,
                 out: str | os.PathLike, on_progress: Progress | None = None
                 ) -> tuple[Path, int, float | None]:
    """Return (out, records, log loss or None) after streaming `test` through the net and
    writing the Kaggle submission CSV `id,is_iceberg` (probabilities) atomically. The log
    loss is given when every record of `test` is labelled (a train-format file)."""
    out = prepare_output_file(out, "out")
    if os.path.realpath(out) == os.path.realpath(test):
        raise SettingError("out", f"{out} is the test file itself; choose another file")
    count, probs, labels = 0, [], []
    with atomic_path(out, ".csv") as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        rows = csv.writer(f, lineterminator="\n")  # quotes an id that holds a comma
        rows.writerow(["id", "is_iceberg"])
        for batch in iter_batches(test, 256, on_progress):
            p = predict_rows(model, features(batch, radar))
            rows.writerows((rid, f"{prob:.6f}") for rid, prob in zip(batch.ids, p, strict=True))
            count += len(batch)
            probs.append(p)
            labels.append(batch.labels)
    y = np.concatenate(labels) if labels else np.empty(0)
    score = log_loss(np.concatenate(probs), y) if len(y) and (y >= 0).all() else None
    return out, count, score if score is None or math.isfinite(score) else None
