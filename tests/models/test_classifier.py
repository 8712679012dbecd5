"""Tests for groundup.models.classifier: GroundupClassifier is a well-behaved sklearn classifier
whose plumbing (labels, seeds, hyper-parameters, probabilities) is checked against oracles."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import check_estimator

from groundup.errors import SettingError
from groundup.models import GroundupClassifier, TrainSpec, build_model
from groundup.models.classifier import TUNING
from groundup.tune import best_fit


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread() -> Iterator[None]:
    # Tiny matrices: on a busy 2-core box extra OpenMP threads only spin (50x slower here).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, ...]:
    X, y = make_blobs(400, n_features=6, centers=3, cluster_std=2.5, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    return X[:300], y[:300], X[300:], y[300:]


def test_params_round_trip_through_clone_and_set_params() -> None:
    c = GroundupClassifier(model="mlp", hidden=(8, 4), lr=0.3, wd=1e-4, epochs=2, opt="adam")
    assert clone(c).get_params() == c.get_params()
    c.set_params(lr=0.01, bs=32)
    assert (c.lr, c.bs) == (0.01, 32)
    assert " ".join(repr(c).split()) == ("GroundupClassifier(bs=32, epochs=2, hidden=(8, 4), "
                                         "model='mlp', opt='adam', wd=0.0001)")


def test_it_learns_about_as_well_as_sklearn_logistic_regression(blobs) -> None:
    Xt, yt, Xv, yv = blobs
    ours = GroundupClassifier(lr=0.1, epochs=10, seed=0).fit(Xt, yt)
    oracle = LogisticRegression().fit(Xt, yt)
    assert ours.score(Xv, yv) >= oracle.score(Xv, yv) - 0.05
    assert ours.n_features_in_ == 6 and list(ours.classes_) == [0, 1, 2]


def test_predict_proba_is_softmax_of_the_linear_layer(blobs) -> None:
    Xt, yt, Xv, _ = blobs
    c = GroundupClassifier(lr=0.1, epochs=2).fit(Xt, yt)
    w, b = [p.detach().double() for p in c.model_.parameters()]  # w: (6, 3), b: (3,)
    oracle = torch.softmax(torch.as_tensor(Xv.astype(np.float32)).double() @ w + b, dim=1)
    p = c.predict_proba(Xv)
    assert p.shape == (len(Xv), 3) and np.allclose(p.sum(1), 1.0, atol=1e-12)
    assert np.allclose(p, oracle.numpy(), atol=1e-5)
    assert (c.predict(Xv) == c.classes_[p.argmax(1)]).all()


def test_any_labels_work_and_come_back_as_labels(blobs) -> None:
    Xt, yt, Xv, yv = blobs
    names = np.array(["cat", "dog", "eel"])
    c = GroundupClassifier(lr=0.1, epochs=3).fit(Xt, names[yt])
    assert list(c.classes_) == ["cat", "dog", "eel"]
    assert set(c.predict(Xv)) <= set(names)
    sparse_ints = np.array([3, 7, 9])
    d = GroundupClassifier(lr=0.1, epochs=3).fit(Xt, sparse_ints[yt])
    assert (d.predict(Xv) == sparse_ints[c.predict_proba(Xv).argmax(1)]).mean() > 0.95


def test_seed_fixes_the_result_without_touching_torch_global_rng(blobs) -> None:
    Xt, yt, Xv, _ = blobs
    state = torch.get_rng_state()
    a = GroundupClassifier(model="mlp", hidden=8, epochs=2, seed=1).fit(Xt, yt).predict_proba(Xv)
    b = GroundupClassifier(model="mlp", hidden=8, epochs=2, seed=1).fit(Xt, yt).predict_proba(Xv)
    c = GroundupClassifier(model="mlp", hidden=8, epochs=2, seed=2).fit(Xt, yt).predict_proba(Xv)
    assert np.array_equal(a, b) and not np.allclose(a, c)
    assert torch.equal(torch.get_rng_state(), state)


def test_lr_zero_leaves_the_initial_weights_and_steps_follow_bs_and_epochs(blobs) -> None:
    Xt, yt, _, _ = blobs
    c = GroundupClassifier(lr=0.0, bs=64, epochs=3, seed=5).fit(Xt, yt)
    torch.manual_seed(5)
    init = build_model("logreg", n_in=6, n_out=3)
    for got, want in zip(c.model_.parameters(), init.parameters(), strict=True):
        assert torch.equal(got.detach(), want.detach())
    assert len(c.history_.epochs) == 3  # ceil(300 / 64) = 5 steps an epoch, 3 epochs
    wd = GroundupClassifier(lr=0.1, wd=0.5, epochs=3, seed=5).fit(Xt, yt)
    free = GroundupClassifier(lr=0.1, wd=0.0, epochs=3, seed=5).fit(Xt, yt)
    norm = [float(next(iter(m.model_.parameters())).detach().norm()) for m in (wd, free)]
    assert norm[0] < norm[1]  # weight decay reached the optimizer


@pytest.mark.parametrize(
    "params, words",
    [({"model": "vgg"}, "model: unknown 'vgg'"), ({"opt": "rmsprop"}, "opt: "),
     ({"bs": 0}, "bs: "), ({"epochs": 1.5}, "epochs: "), ({"lr": -1}, "lr: "),
     ({"momentum": 1.0}, "momentum: "), ({"model": "mlp", "hidden": (0,)}, "hidden: "),
     ({"act": "swish"}, "act: "), ({"sched": "cosine"}, "sched: "), ({"device": "tpu"}, "device: "),
     ({"seed": -1}, "seed: ")],
)
def test_bad_hyper_parameters_fail_in_fit_with_one_line(blobs, params, words) -> None:
    Xt, yt, _, _ = blobs
    with pytest.raises(SettingError) as info:
        GroundupClassifier(**params).fit(Xt, yt)
    assert str(info.value).startswith(words) and "\n" not in str(info.value)
    assert info.value.param == next(iter(params)) if len(params) == 1 else "hidden"


def test_its_parameters_are_the_training_recipe() -> None:
    assert sorted(GroundupClassifier().get_params()) == sorted(TrainSpec.names())
    assert GroundupClassifier()._validate_params() == TUNING
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        GroundupClassifier(nope=1)


def test_unfitted_predict_raises_not_fitted(blobs) -> None:
    with pytest.raises(NotFittedError):
        GroundupClassifier().predict(blobs[2])


def test_it_passes_scikit_learns_estimator_checks() -> None:
    failed = [(r["check_name"], str(r["exception"])[:200])
              for r in check_estimator(GroundupClassifier(lr=0.1, epochs=8), on_fail=None)
              if r["status"] == "failed"]
    assert failed == []


def test_a_search_tunes_it_and_the_best_lr_beats_a_tiny_one(blobs) -> None:
    Xt, yt, Xv, yv = blobs
    r = best_fit(GroundupClassifier(epochs=2), {"lr": [1e-4, 0.1], "wd": [0.0, 1e-3]},
                 Xt, yt, Xv, yv, metric="log_loss", n_jobs=1)
    assert r.table["status"].eq("ok").all()
    assert r.best_params["lr"] == 0.1 and isinstance(r.best_model, GroundupClassifier)
    assert r.best_model.lr == 0.1
