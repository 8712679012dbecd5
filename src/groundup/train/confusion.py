"""Where a classifier goes wrong: the confusion matrix, per-class accuracy, the worst mistakes.

Layer 2. Everything here works on plain tensors — predicted labels or log-probabilities, and
true labels — on any device, so it serves any model and any data set, not just MNIST.

    cm = confusion_matrix(y, log_probs.argmax(1), n_classes=10)   # (10, 10), rows = true
    per_class_accuracy(cm)                                         # (10,) fraction right
    most_confidently_wrong(log_probs, y, k=16)                     # the 16 worst mistakes
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from groundup.errors import GroundupError


def confusion_matrix(
    y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int | None = None
) -> torch.Tensor:
    """Return the (n_classes, n_classes) int64 count matrix: [i, j] = rows of class i predicted j.

    Rows are the true class, columns the predicted one (scikit-learn's convention), so the
    diagonal holds the right answers. `n_classes` defaults to 1 + the largest label seen.
    """
    y_true, y_pred = _check_labels(y_true, "y_true"), _check_labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise GroundupError(
            f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}"
        )
    seen = int(max(y_true.max(), y_pred.max())) + 1 if len(y_true) else 0
    if n_classes is None:
        n_classes = max(seen, 1)
    elif n_classes < seen:
        raise GroundupError(f"n_classes={n_classes} but a label {seen - 1} was seen")
    # one bincount over the pair index true*k + pred counts every cell at once
    flat = torch.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def per_class_accuracy(matrix: torch.Tensor) -> torch.Tensor:
    """Return (k,) float64: the fraction of each true class predicted right (its recall).

    A class with no rows gets NaN: there is nothing to be right or wrong about.
    """
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise GroundupError(f"a confusion matrix must be square, got shape {tuple(matrix.shape)}")
    support = matrix.sum(1).double()
    return matrix.diagonal().double() / support  # 0/0 -> nan for an empty class


def accuracy(matrix: torch.Tensor) -> float:
    """Return the overall fraction right: the diagonal's share of all counts (NaN if empty)."""
    total = int(matrix.sum())
    return int(matrix.diagonal().sum()) / total if total else float("nan")


@dataclass(repr=False)
class WrongRows:
    """The rows a classifier got wrong, most confident first.

    `index` (m,) row numbers into the data; `true` and `pred` (m,) labels; `confidence` (m,)
    the probability the model gave its (wrong) prediction; `p_true` (m,) the probability it
    gave the right answer.
    """

    index: torch.Tensor
    true: torch.Tensor
    pred: torch.Tensor
    confidence: torch.Tensor
    p_true: torch.Tensor

    def __len__(self) -> int:
        return len(self.index)

    def __repr__(self) -> str:
        head = ", ".join(
            f"#{int(i)}: true {int(t)} pred {int(p)} ({float(c):.2f})"
            for i, t, p, c in zip(
                self.index[:3], self.true[:3], self.pred[:3], self.confidence[:3], strict=True
            )
        )
        more = ", ..." if len(self) > 3 else ""
        return f"WrongRows({len(self)} rows: {head}{more})"

    def title(self, i: int) -> str:
        """Return the picture caption of mistake `i`, e.g. "true 7, predicted 2 (0.98)"."""
        return (
            f"true {int(self.true[i])}, predicted {int(self.pred[i])} "
            f"({float(self.confidence[i]):.2f})"
        )


def most_confidently_wrong(
    log_probs: torch.Tensor, y_true: torch.Tensor, k: int | None = None
) -> WrongRows:
    """Return the (up to `k`, default all) wrongly predicted rows, most confident first.

    `log_probs` (n, classes) are the model's log-probabilities (what our models output); the
    prediction is the arg-max, its confidence exp(that log-prob). Ties keep data order.
    """
    if log_probs.ndim != 2:
        raise GroundupError(f"log_probs must be (n, classes), got shape {tuple(log_probs.shape)}")
    y_true = _check_labels(y_true, "y_true")
    if len(y_true) != len(log_probs):
        raise GroundupError(
            f"log_probs has {len(log_probs)} rows but y_true has {len(y_true)} labels"
        )
    if len(y_true) and int(y_true.max()) >= log_probs.shape[1]:
        raise GroundupError(
            f"label {int(y_true.max())} is out of range for {log_probs.shape[1]} classes"
        )
    if k is not None and k < 0:
        raise GroundupError(f"k must be >= 0, got {k}")
    top, pred = log_probs.detach().max(1)
    wrong = (pred != y_true).nonzero().flatten()
    # stable descending sort: equally confident mistakes stay in data order
    order = torch.sort(top[wrong], descending=True, stable=True).indices[:k]
    idx = wrong[order]
    p_true = log_probs.detach()[idx, y_true[idx]].exp()
    return WrongRows(idx, y_true[idx], pred[idx], top[idx].exp(), p_true)


def _check_labels(y: torch.Tensor, name: str) -> torch.Tensor:
    """Return `y` as a 1-D int64 tensor after checking it holds non-negative integer labels."""
    if not isinstance(y, torch.Tensor):
        y = torch.as_tensor(y)
    if y.ndim != 1:
        raise GroundupError(f"{name} must be 1-D labels, got shape {tuple(y.shape)}")
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise GroundupError(f"{name} must hold integer labels, got dtype {y.dtype}")
    if len(y) and int(y.min()) < 0:
        raise GroundupError(f"{name} holds a negative label {int(y.min())}")
    return y.long()
