"""Confusion matrix, per-class accuracy, most confidently wrong: vs sklearn and brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, recall_score
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from groundup.errors import GroundupError
from groundup.train.confusion import (
    WrongRows,
    accuracy,
    confusion_matrix,
    most_confidently_wrong,
    per_class_accuracy,
)


@st.composite
def label_pairs(draw) -> tuple[int, list[int], list[int]]:
    k = draw(st.integers(1, 7))
    n = draw(st.integers(0, 60))
    labels = st.lists(st.integers(0, k - 1), min_size=n, max_size=n)
    return k, draw(labels), draw(labels)


# sklearn warns when only one label occurs, even though `labels=` is given
@pytest.mark.filterwarnings("ignore:A single label was found")
@settings(max_examples=60, deadline=None)
@given(label_pairs())
def test_confusion_matrix_matches_sklearn(case: tuple[int, list[int], list[int]]) -> None:
    k, y_true, y_pred = case
    ours = confusion_matrix(
        torch.tensor(y_true, dtype=torch.long), torch.tensor(y_pred, dtype=torch.long), n_classes=k
    )
    assert ours.dtype == torch.int64 and ours.shape == (k, k)
    if y_true:
        expected = sk_confusion_matrix(y_true, y_pred, labels=list(range(k)))
    else:  # sklearn refuses empty input; nothing seen means all zeros
        expected = np.zeros((k, k), dtype=np.int64)
    np.testing.assert_array_equal(ours.numpy(), expected)


@settings(max_examples=40, deadline=None)
@given(label_pairs())
def test_per_class_accuracy_and_accuracy_match_sklearn(case) -> None:
    k, y_true, y_pred = case
    m = confusion_matrix(
        torch.tensor(y_true, dtype=torch.long), torch.tensor(y_pred, dtype=torch.long), n_classes=k
    )
    ours = per_class_accuracy(m).numpy()
    present = sorted(set(y_true))
    if present:
        recall = recall_score(y_true, y_pred, labels=present, average=None, zero_division=0)
        np.testing.assert_allclose(ours[present], recall, rtol=0, atol=1e-12)
        assert accuracy(m) == pytest.approx(accuracy_score(y_true, y_pred), abs=1e-12)
    else:
        assert math.isnan(accuracy(m))
    absent = [c for c in range(k) if c not in present]
    assert np.isnan(ours[absent]).all()  # no rows of a class: nothing to be right about


def test_confusion_matrix_default_size_and_orientation() -> None:
    m = confusion_matrix(torch.tensor([0, 0, 2]), torch.tensor([1, 0, 2]))
    assert m.shape == (3, 3)
    assert m[0, 1] == 1  # row = true 0, column = predicted 1
    assert m[1, 0] == 0
    assert m.trace() == 2


@pytest.mark.parametrize(
    "y_true,y_pred,k,needle",
    [
        ([0, 1], [0], None, "same length"),
        ([0, -1], [0, 1], None, "negative label"),
        ([0.0, 1.0], [0, 1], None, "integer labels"),
        ([[0, 1]], [[0, 1]], None, "1-D"),
        ([0, 5], [0, 1], 3, "n_classes=3 but a label 5"),
    ],
)
def test_confusion_matrix_rejects_bad_labels(y_true, y_pred, k, needle) -> None:
    with pytest.raises(GroundupError, match=needle):
        confusion_matrix(torch.tensor(y_true), torch.tensor(y_pred), n_classes=k)


def test_per_class_accuracy_needs_a_square_matrix() -> None:
    with pytest.raises(GroundupError, match="square"):
        per_class_accuracy(torch.zeros(2, 3, dtype=torch.long))


def _brute_force_wrong(log_probs: torch.Tensor, y: torch.Tensor) -> list[tuple[float, int]]:
    """(-confidence, row) of every wrong row, sorted: the order the function must return."""
    out = []
    for i in range(len(y)):
        row = log_probs[i].tolist()
        pred = row.index(max(row))  # first arg-max, as torch.max
        if pred != int(y[i]):
            out.append((-max(row), i))
    return sorted(out)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 40), st.integers(2, 6), st.integers(0, 2**31 - 1), st.booleans())
def test_most_confidently_wrong_matches_brute_force(n: int, k: int, seed: int, ties: bool) -> None:
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, k, generator=g)
    if ties:  # few distinct values: many equally confident mistakes, order must be data order
        logits = logits.round()
    log_probs = torch.log_softmax(logits, 1)
    y = torch.randint(0, k, (n,), generator=g)
    expected = _brute_force_wrong(log_probs, y)
    got = most_confidently_wrong(log_probs, y)
    assert got.index.tolist() == [i for _, i in expected]
    assert torch.equal(got.true, y[got.index])
    assert (got.pred != got.true).all()
    assert torch.equal(got.pred, log_probs[got.index].argmax(1))
    np.testing.assert_allclose(
        got.confidence.numpy(), log_probs[got.index].exp().max(1).values.numpy(), rtol=1e-6
    )
    np.testing.assert_allclose(
        got.p_true.numpy(), log_probs[got.index, got.true].exp().numpy(), rtol=1e-6
    )
    assert (got.confidence.diff() <= 0).all()
    top = most_confidently_wrong(log_probs, y, k=3)
    assert top.index.tolist() == got.index[:3].tolist()


def test_most_confidently_wrong_ignores_right_rows_and_titles() -> None:
    probs = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.02, 0.98]])
    y = torch.tensor([0, 0, 1, 0])
    wrong = most_confidently_wrong(probs.log(), y)
    assert wrong.index.tolist() == [3, 1]  # 0.98 before 0.8; rows 0 and 2 are right
    assert wrong.title(0) == "true 0, predicted 1 (0.98)"
    assert len(wrong) == 2
    assert repr(wrong).startswith("WrongRows(2 rows: #3: true 0 pred 1 (0.98)")


def test_most_confidently_wrong_when_nothing_is_wrong() -> None:
    wrong = most_confidently_wrong(torch.tensor([[0.0, -5.0]]), torch.tensor([0]))
    assert isinstance(wrong, WrongRows) and len(wrong) == 0


@pytest.mark.parametrize(
    "log_probs,y,k,needle",
    [
        (torch.zeros(3), torch.zeros(3, dtype=torch.long), None, r"\(n, classes\)"),
        (torch.zeros(3, 2), torch.zeros(2, dtype=torch.long), None, "3 rows but y_true has 2"),
        (torch.zeros(2, 2), torch.tensor([0, 2]), None, "out of range"),
        (torch.zeros(2, 2), torch.tensor([0, 1]), -1, "k must be >= 0"),
    ],
)
def test_most_confidently_wrong_rejects_bad_input(log_probs, y, k, needle) -> None:
    with pytest.raises(GroundupError, match=needle):
        most_confidently_wrong(log_probs, y, k=k)
