"""The NumPy predictor against its oracle, groundup.models.io.load_model (torch).

Same outputs for every model and activation, same refusals of files that are not ours or
are corrupt (both read through groundup.modelfile's one reader and schema), and `groundup
predict` never imports torch (which is where its speed comes from).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import save_file as save_numpy

from groundup.errors import GroundupError, ModelFileError
from groundup.models import build_model
from groundup.models.io import load_model, save_model
from groundup.nn import ACTIVATIONS as TORCH_ACTIVATIONS
from groundup.predictor import ACTIVATIONS, Predictor, load_predictor, log_softmax
from groundup.train.tensorfile import save_tensors

NORM = {"norm_mean": 0.1304, "norm_std": 0.3073}


def saved(tmp_path: Path, name: str = "mlp", hidden=(32,), act: str = "relu", seed: int = 0):
    torch.manual_seed(seed)
    model = build_model(name, hidden=hidden, act=act)
    meta = {"model": name, "hidden": list(hidden), "act": act, "n_in": 784, "n_out": 10, **NORM}
    return save_model(tmp_path / f"{name}-{act}-{len(hidden)}.safetensors", model, meta)


def torch_log_probs(path: Path, pixels: np.ndarray) -> np.ndarray:
    model, meta = load_model(path)
    x = (torch.from_numpy(pixels) - meta["norm_mean"]) / meta["norm_std"]
    with torch.no_grad():
        return model(x).numpy()


def test_the_numpy_twin_covers_every_activation_and_imports_no_torch() -> None:
    assert set(ACTIVATIONS) == set(TORCH_ACTIVATIONS)
    code = "import sys, groundup.predictor; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "name,hidden,act",
    [("logreg", (), "relu"), *[("mlp", (48, 24), a) for a in TORCH_ACTIVATIONS]],
)
def test_outputs_match_load_model(tmp_path: Path, name: str, hidden, act: str) -> None:
    path = saved(tmp_path, name, hidden or (1,), act)
    pixels = np.random.default_rng(0).integers(0, 256, (64, 784)).astype(np.float32) / 256
    p = load_predictor(path)
    np.testing.assert_allclose(p.log_probs(pixels), torch_log_probs(path, pixels), atol=2e-5)
    np.testing.assert_allclose(p.predict_proba(pixels).sum(1), 1.0, atol=1e-5)


def test_a_checkpoint_predicts_like_its_model(tmp_path: Path) -> None:
    torch.manual_seed(1)
    model = build_model("mlp", hidden=(16,))
    meta = {"model": "mlp", "hidden": [16], "act": "relu", "n_in": 784, "n_out": 10, **NORM}
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    tensors["opt.state.0.exp_avg"] = torch.zeros(3)  # what else a checkpoint holds
    path = save_tensors(tmp_path / "ckpt.safetensors", tensors, {**meta, "kind": "checkpoint"})
    pixels = np.random.default_rng(1).random((5, 784)).astype(np.float32)
    np.testing.assert_allclose(
        load_predictor(path).log_probs(pixels), torch_log_probs(path, pixels), atol=2e-5
    )


def test_log_softmax_is_stable_and_matches_torch() -> None:
    x = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]], np.float32)
    got = log_softmax(x)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, torch.log_softmax(torch.from_numpy(x), -1).numpy(), atol=1e-6)


def test_pixels_of_the_wrong_shape_are_a_clear_error(tmp_path: Path) -> None:
    p = load_predictor(saved(tmp_path, "logreg", (1,)))
    assert (p.n_in, p.n_out) == (784, 10)
    with pytest.raises(GroundupError, match=r"expected pixels of shape \(n, 784\)"):
        p.log_probs(np.zeros((2, 28, 28)))


def test_repr_names_the_architecture(tmp_path: Path) -> None:
    text = repr(load_predictor(saved(tmp_path, "mlp", (48, 24), "elu")))
    assert "mlp 784-48-24-10" in text and "act=elu" in text and "0.1304" in text
    assert isinstance(load_predictor(saved(tmp_path, "logreg", (1,))), Predictor)


# -- files that are not ours: refused exactly as load_model refuses them ---------------------


class Touch:
    """Unpickling this creates a file: proof that something was unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def torch_pickle(p: Path) -> Path:
    torch.save({"weights": torch.zeros(3), "payload": Touch(p.parent / "UNPICKLED")}, p)
    return p


def bare_pickle(p: Path) -> Path:
    p.write_bytes(pickle.dumps(Touch(p.parent / "UNPICKLED")))
    return p


def garbage(p: Path) -> Path:
    p.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    return p


def text(p: Path) -> Path:
    p.write_text("hello\n")
    return p


def foreign_safetensors(p: Path) -> Path:
    save_numpy({"w": np.zeros((784, 10), np.float32)}, str(p))
    return p


def tensors_unlike_metadata(p: Path) -> Path:
    good = saved(p.parent, "logreg", (1,))
    tensors, meta = load_predictor_raw(good)
    meta["tensors"]["0.bias"] = [11]
    save_numpy(tensors, str(p), metadata={"groundup": json.dumps(meta)})
    return p


def wrong_kind(p: Path) -> Path:
    return save_tensors(p, {"x": torch.zeros(2)}, {"kind": "scores"})


def unknown_model(p: Path) -> Path:
    meta = {"kind": "model", "model": "vgg", "hidden": [], "act": "relu", "n_in": 1, "n_out": 1}
    return save_tensors(p, {"x": torch.zeros(2)}, meta)


def nan_weight(p: Path) -> Path:
    good = saved(p.parent, "mlp", (8,))
    tensors, meta = load_predictor_raw(good)
    tensors["0.weight"][3, 2] = np.nan
    save_numpy(tensors, str(p), metadata={"groundup": json.dumps(meta)})
    return p


def nan_norm(p: Path) -> Path:
    good = saved(p.parent, "logreg", (1,))
    tensors, meta = load_predictor_raw(good)
    save_numpy(tensors, str(p), metadata={"groundup": json.dumps({**meta, "norm_mean": np.nan})})
    return p


def wrong_types(p: Path) -> Path:
    good = saved(p.parent, "mlp", (8,))
    tensors, meta = load_predictor_raw(good)
    save_numpy(tensors, str(p), metadata={"groundup": json.dumps({**meta, "hidden": 8})})
    return p


def fifo(p: Path) -> Path:
    os.mkfifo(p)
    return p


def load_predictor_raw(path: Path):
    from safetensors import safe_open

    with safe_open(str(path), framework="np") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, json.loads(f.metadata()["groundup"])  # noqa: SIM118


@pytest.mark.parametrize(
    "make,needle",
    [
        (torch_pickle, "pickle-based file"),
        (bare_pickle, "pickle-based file"),
        (garbage, "not a valid safetensors file"),
        (text, "not a valid safetensors file"),
        (foreign_safetensors, "not a groundup one"),
        (tensors_unlike_metadata, "do not match the metadata"),
        (wrong_kind, "not a groundup model"),
        (unknown_model, "does not describe a known model"),
        (lambda p: p, "no such file"),
        (nan_weight, "not finite"),
        (nan_norm, "norm_mean must be a finite number"),
        (wrong_types, "'hidden' must be a list"),
        (fifo, "not a regular file"),
        (lambda p: p.mkdir() or p, "not a regular file"),
    ],
)
def test_refuses_what_load_model_refuses(tmp_path: Path, make, needle: str) -> None:
    path = make(tmp_path / "model.safetensors")
    with pytest.raises(ModelFileError) as ours:
        load_predictor(path)
    with pytest.raises(ModelFileError) as oracle:
        load_model(path)
    assert needle in str(ours.value) and str(ours.value).startswith(f"{path}: ")
    assert needle in str(oracle.value)
    assert not (tmp_path / "UNPICKLED").exists()  # never unpickled, by either


def test_the_unpickling_proof_works(tmp_path: Path) -> None:
    # the check above can fail: unpickling this payload really does leave the file
    pickle.loads(bare_pickle(tmp_path / "p.pkl").read_bytes())
    assert (tmp_path / "UNPICKLED").exists()


def test_a_model_without_its_normalisation_is_refused(tmp_path: Path) -> None:
    model = build_model("logreg")
    meta = {"model": "logreg", "hidden": [], "act": "relu", "n_in": 784, "n_out": 10}
    path = save_model(tmp_path / "m.safetensors", model, meta)
    with pytest.raises(ModelFileError, match="norm_mean"):
        load_predictor(path)


def test_groundup_predict_does_not_import_torch(tmp_path: Path) -> None:
    # the speed of `groundup predict` is not importing torch (~2 s of CPU); keep it so
    from PIL import Image

    model = saved(tmp_path, "logreg", (1,))
    Image.new("L", (40, 40), 255).save(tmp_path / "blank.png")
    code = (
        "import sys\n"
        "from groundup.cli.main import main\n"
        "try:\n"
        f"    main(['predict', {str(model)!r}, {str(tmp_path / 'blank.png')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr
    assert "no ink found" in out.stderr  # it really ran the command
