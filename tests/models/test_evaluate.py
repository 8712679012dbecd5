"""Evaluating a saved model on MNIST test: scores against independent oracles."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from groundup.data import load_mnist, write_idx
from groundup.errors import ModelFileError
from groundup.models import build_model
from groundup.models.evaluate import Evaluation, evaluate_model, model_norm
from groundup.models.io import load_model, save_model
from groundup.train import evaluate


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, object, dict]:
    """A small logreg trained for one epoch on 5,000 rows, saved and loaded back."""
    from groundup.models.job import train_mnist
    from groundup.models.spec import TrainSpec

    r = train_mnist(TrainSpec(model="logreg", epochs=1, bs=64, device="cpu"), train_rows=5000)
    path = tmp_path_factory.mktemp("model") / "logreg.safetensors"
    save_model(path, r.model, r.meta)
    model, meta = load_model(path)
    return path, model, meta


@pytest.fixture(scope="module")
def ev(trained) -> Evaluation:
    _, model, meta = trained
    return evaluate_model(model, meta, n_wrong=12)


def test_scores_match_independent_oracles(trained, ev: Evaluation) -> None:
    _, model, meta = trained
    x, y = load_mnist("test")  # the data layer's own normalisation = the model's, here
    loss, acc = evaluate(model, x, y)
    assert ev.n == len(y) == 10_000
    assert ev.accuracy == pytest.approx(acc, abs=1e-12)
    assert ev.accuracy == pytest.approx(meta["test_accuracy"], abs=1e-12)
    assert ev.loss == pytest.approx(loss, rel=1e-5)
    with torch.no_grad():
        pred = model(x).argmax(1)
    np.testing.assert_array_equal(ev.matrix.numpy(), sk_confusion_matrix(y, pred, labels=range(10)))
    recall = [(pred[y == d] == d).double().mean().item() for d in range(10)]
    np.testing.assert_allclose(ev.per_class.numpy(), recall, rtol=1e-12)


def test_most_confidently_wrong_rows_and_their_images(trained, ev: Evaluation) -> None:
    _, model, _ = trained
    raw, y = load_mnist("test", normalize=False)
    assert len(ev.wrong) == 12
    assert (ev.wrong.confidence.diff() <= 0).all()
    assert torch.equal(ev.wrong.true, y[ev.wrong.index])
    assert (ev.wrong.pred != ev.wrong.true).all()
    assert ev.wrong_images.shape == (12, 28, 28)
    assert torch.equal(ev.wrong_images, raw[ev.wrong.index].reshape(-1, 28, 28))
    ink = np.count_nonzero(raw.numpy().reshape(-1, 28, 28), axis=0) / len(raw)
    np.testing.assert_allclose(ev.ink.numpy(), ink, rtol=1e-6)
    assert 50 < (ev.ink == 0).sum() < 200  # MNIST's blank border
    # nothing outside the list is more confidently wrong than its last row
    x, _ = load_mnist("test")
    with torch.no_grad():
        top, pred = model(x).max(1)
    others = (pred != y).clone()
    others[ev.wrong.index] = False
    assert (top[others].exp() <= ev.wrong.confidence[-1] + 1e-7).all()


def test_uses_the_models_own_normalisation(trained, tmp_path: Path) -> None:
    """A directory with only 300 test images (no training files to take statistics from)."""
    _, model, meta = trained
    raw, y = load_mnist("test", normalize=False)
    pixels = (raw[:300] * 256).round().to(torch.uint8).reshape(-1, 28, 28).numpy()
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", pixels)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", y[:300].to(torch.uint8).numpy())
    got = evaluate_model(model, meta, data_dir=tmp_path)
    x = (raw[:300] - meta["norm_mean"]) / meta["norm_std"]
    _, acc = evaluate(model, x, y[:300])
    assert got.n == 300 and got.accuracy == pytest.approx(acc, abs=1e-12)
    # and it really is the model's statistics that count: other ones give another score
    skewed = {**meta, "norm_mean": meta["norm_mean"] + 0.5}
    assert evaluate_model(model, skewed, data_dir=tmp_path).accuracy != got.accuracy


@pytest.mark.parametrize(
    "norm,needle",
    [
        ({"norm_mean": None}, "norm_mean"),
        ({"norm_std": 0.0}, "bad normalisation"),
        ({"norm_std": float("nan")}, "bad normalisation"),
    ],
)
def test_bad_normalisation_metadata_is_a_model_file_error(norm: dict, needle: str) -> None:
    with pytest.raises(ModelFileError, match=needle):
        model_norm({"norm_mean": 0.13, "norm_std": 0.31, **norm})


def test_a_model_for_other_inputs_is_refused() -> None:
    model = build_model("logreg", n_in=100)
    with pytest.raises(ModelFileError, match="takes 100 inputs"):
        evaluate_model(model, {"norm_mean": 0.1, "norm_std": 0.3, "n_in": 100})


def test_repr_and_json(ev: Evaluation) -> None:
    text = repr(ev)
    assert text.startswith("Evaluation(logreg on test: accuracy 0.") and "10000 rows" in text
    doc = json.loads(json.dumps(ev.to_dict()))
    assert doc["accuracy"] == ev.accuracy and len(doc["confusion"]) == 10
    assert sum(c["n"] for c in doc["per_class"]) == 10_000
    assert doc["most_confidently_wrong"][0]["index"] == int(ev.wrong.index[0])


def test_untrained_model_scores_about_chance() -> None:
    torch.manual_seed(0)
    model = build_model("logreg")
    ev = evaluate_model(model, {"norm_mean": 0.13, "norm_std": 0.31, "model": "logreg"}, n_wrong=0)
    assert model.training  # scored in eval mode, then put back
    assert len(ev.wrong) == 0 and ev.wrong_images.shape == (0, 28, 28)
    assert 0.0 <= ev.accuracy < 0.3 and not math.isnan(ev.loss)
