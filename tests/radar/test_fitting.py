"""The small net: it learns the synthetic classes, repeats with a seed, saves and loads, and
`predict` writes a valid Kaggle submission; bad model files are refused in one line."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import DataError, ModelFileError, SettingError
from groundup.radar.fitting import RadarFit, fit_radar, log_loss, stratified_split
from groundup.radar.modelio import load_radar_model, save_radar_model
from groundup.radar.reader import read_arrays

QUICK = RadarFit(epochs=6, lr=5e-3, channels=(8, 16, 32), seed=1)


@pytest.fixture(scope="module")
def trained(synth_train):
    return fit_radar(read_arrays(synth_train), QUICK)


def test_the_net_learns_the_synthetic_classes(trained) -> None:
    assert trained.n_train == 240 and trained.n_valid == 60
    assert trained.prior_log_loss > 0.65
    assert trained.valid_log_loss < trained.prior_log_loss - 0.25, trained
    assert trained.valid_accuracy > 0.8, trained


def test_a_seed_repeats_the_run_bit_for_bit(synth_train) -> None:
    arrays = read_arrays(synth_train, limit=80)
    quick = RadarFit(epochs=1, channels=(4, 8), hidden=8, seed=5)
    a, b = fit_radar(arrays, quick), fit_radar(arrays, quick)
    for (name, x), y in zip(a.model.state_dict().items(), b.model.state_dict().values(),
                            strict=True):
        assert torch.equal(x, y), name
    assert a.valid_log_loss == b.valid_log_loss


def test_log_loss_and_the_stratified_split() -> None:
    assert log_loss([0.5, 0.5], [0, 1]) == pytest.approx(np.log(2))
    assert log_loss([1.0, 0.0], [1, 0]) == pytest.approx(0, abs=1e-12)
    assert log_loss([0.0], [1]) == pytest.approx(-np.log(1e-15))  # clipped like Kaggle's
    labels = np.array([0] * 50 + [1] * 30)
    train, valid = stratified_split(labels, 0.2, seed=0)
    assert sorted([*train, *valid]) == list(range(80))
    assert (labels[valid] == 0).sum() == 10 and (labels[valid] == 1).sum() == 6


def test_training_needs_labels_and_sane_settings(synth_test, synth_train) -> None:
    with pytest.raises(DataError, match="40 records have no 'is_iceberg'"):
        fit_radar(read_arrays(synth_test), QUICK)
    with pytest.raises(SettingError, match="^valid_frac: "):
        RadarFit(valid_frac=0.9).check()
    with pytest.raises(SettingError, match="^channels: needs 1 to 6 blocks"):
        RadarFit(channels=(4,) * 7).check()


def test_save_load_predict_gives_the_same_probabilities(trained, tmp_path) -> None:
    path = save_radar_model(tmp_path / "m.safetensors", trained.model, trained.radar)
    model, meta = load_radar_model(path)
    assert meta["kind"] == "radar-model" and json.loads(path.with_suffix(".json").read_text())
    x = torch.randn(3, 2 * 5625 + 2)
    trained.model.eval()
    torch.testing.assert_close(model(x), trained.model(x), rtol=0, atol=0)


def test_fit_then_predict_writes_a_kaggle_submission(run_cli, synth_train, synth_test,
                                                     tmp_path) -> None:
    model, sub = tmp_path / "m.safetensors", tmp_path / "sub.csv"
    r = run_cli("radar", "fit", synth_train, "--out", model, "--epochs", "2", "--channels",
                "4,8", "--hidden", "8", "--limit", "60", "--seed", "2")
    assert r.code == 0, r.err
    assert "the constant prior's" in r.out and f"saved {model}" in r.out
    r = run_cli("radar", "predict", model, synth_test, "--out", sub)
    assert r.code == 0, r.err
    rows = list(csv.reader(sub.open()))
    assert rows[0] == ["id", "is_iceberg"] and len(rows) == 41
    assert [row[0] for row in rows[1:]] == [f"synth-{i:05d}" for i in range(40)]
    assert all(0 <= float(p) <= 1 for _, p in rows[1:])
    r = run_cli("radar", "predict", model, synth_train, "--out", sub)
    assert "every record was labelled: log loss" in r.out


def _spoil(path, **radar) -> None:
    from safetensors.torch import load_file, save_file

    text = json.loads(path.with_suffix(".json").read_text())
    text["radar"].update(radar)
    save_file(load_file(path), str(path), metadata={"groundup": json.dumps(text)})


@pytest.mark.parametrize(("spoil", "problem"), [
    ({"channels": [8, 16, 99999]}, "radar metadata's 'channels' is not valid"),
    ({"band_std": [1.0, 0.0]}, "'band_std' is not valid"),
    ({"channels": [8, 16]}, "its tensors do not fit the net its metadata describes"),
    ({"hidden": True}, "'hidden' is not valid"),
])
def test_bad_model_files_are_refused_in_one_line(run_cli, trained, tmp_path, synth_test,
                                                 spoil, problem) -> None:
    path = save_radar_model(tmp_path / "m.safetensors", trained.model, trained.radar)
    _spoil(path, **spoil)
    with pytest.raises(ModelFileError, match=problem):
        load_radar_model(path)
    r = run_cli("radar", "predict", path, synth_test, "--out", tmp_path / "s.csv")
    assert r.code == 2 and r.err.startswith(f"error: {path}: ") and r.err.count("\n") == 1
    assert not (tmp_path / "s.csv").exists()


def test_a_digit_model_or_a_pickle_is_not_a_radar_model(tmp_path, synth_test, run_cli) -> None:
    from groundup.train import save_tensors

    digit = save_tensors(tmp_path / "d.safetensors", {"w": torch.zeros(2)}, {"kind": "model"})
    with pytest.raises(ModelFileError, match="a digit model, not a radar model"):
        load_radar_model(digit)
    pt = tmp_path / "m.pt"
    torch.save({"w": torch.zeros(2)}, pt)
    r = run_cli("radar", "predict", pt, synth_test, "--out", tmp_path / "s.csv")
    assert r.code == 2 and "pickle" in r.err


def test_predict_will_not_overwrite_its_test_file(run_cli, trained, tmp_path, synth_test):
    path = save_radar_model(tmp_path / "m.safetensors", trained.model, trained.radar)
    r = run_cli("radar", "predict", path, synth_test, "--out", synth_test)
    assert r.code == 2 and "is the test file itself" in r.err


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 0.99), st.integers(0, 1)), min_size=1, max_size=40))
def test_log_loss_equals_scikit_learn_s(pairs) -> None:
    from sklearn.metrics import log_loss as sk_log_loss

    p, y = (np.array(v) for v in zip(*pairs, strict=True))
    assert log_loss(p, y) == pytest.approx(sk_log_loss(y, p, labels=[0, 1]), rel=1e-9)
