"""Time groundup's confusion matrix and most-confidently-wrong against scikit-learn / NumPy.

    .venv/bin/python benchmarks/bench_confusion.py

Same labels, same process, best of several repeats; prints the ratio reference / ours
(> 1 means ours is faster). Also times the whole `evaluate_model` on the MNIST test split.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from groundup.train.confusion import confusion_matrix, most_confidently_wrong


def best_of(fn, repeats: int = 7) -> float:
    """Return the fastest wall time of `repeats` calls of fn(), in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def numpy_wrong(log_probs: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Reference: rows predicted wrong, most confident first (stable), with NumPy."""
    pred = log_probs.argmax(1)
    top = log_probs.max(1)
    wrong = np.flatnonzero(pred != y)
    return wrong[np.argsort(-top[wrong], kind="stable")[:k]]


def bench(n: int, g: torch.Generator) -> None:
    """Print one row per task for `n` random labels and log-probabilities over 10 classes."""
    y = torch.randint(0, 10, (n,), generator=g)
    log_probs = torch.log_softmax(torch.randn(n, 10, generator=g) * 3, 1)
    pred = log_probs.argmax(1)
    y_np, pred_np, lp_np = y.numpy(), pred.numpy(), log_probs.numpy()
    assert (
        confusion_matrix(y, pred, 10).numpy()
        == sk_confusion_matrix(y_np, pred_np, labels=range(10))
    ).all()
    assert (
        most_confidently_wrong(log_probs, y, 24).index.numpy() == numpy_wrong(lp_np, y_np, 24)
    ).all()
    rows = [
        (
            "confusion matrix",
            "sklearn",
            lambda: sk_confusion_matrix(y_np, pred_np, labels=range(10)),
            lambda: confusion_matrix(y, pred, 10),
        ),
        (
            "most confidently wrong",
            "numpy",
            lambda: numpy_wrong(lp_np, y_np, 24),
            lambda: most_confidently_wrong(log_probs, y, 24),
        ),
    ]
    for task, ref_name, ref, ours in rows:
        t_ref, t_ours = best_of(ref), best_of(ours)
        print(
            f"{n:>9}  {task:<22}  {t_ref:>11.5f}  {t_ours:>9.5f}  {t_ref / t_ours:>5.1f}x"
            f"  (vs {ref_name})"
        )


def main() -> None:
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    print(f"{'n':>9}  {'task':<22}  {'reference s':>11}  {'ours s':>9}  {'ratio':>6}")
    for n in (10_000, 1_000_000):
        bench(n, g)

    from groundup.models import build_model
    from groundup.models.evaluate import evaluate_model

    torch.manual_seed(0)
    model = build_model("mlp", hidden=(256,))
    meta = {"norm_mean": 0.13, "norm_std": 0.31, "model": "mlp"}
    evaluate_model(model, meta)  # warm: decodes and caches the test split
    t = best_of(lambda: evaluate_model(model, meta), repeats=3)
    print(f"evaluate_model, mlp 784-256-10 on the 10,000 test digits: {t:.3f} s (1 thread)")


if __name__ == "__main__":
    main()
