"""The shared model-file reader: pickles refused by their bytes, real safetensors never misread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from groundup.errors import ModelFileError
from groundup.modelfile import read_model_file
from groundup.train.tensorfile import save_tensors


def test_header_size_starting_with_pickle_byte_is_still_safetensors(tmp_path: Path) -> None:
    """A header of 0x0280 bytes begins b'\\x80\\x02' — a pickle's first two bytes."""
    t = {"w": torch.zeros(2)}
    for pad in range(2000):
        path = save_tensors(tmp_path / "m.safetensors", t, {"kind": "model", "pad": "x" * pad},
                            sidecar=False)
        head = path.read_bytes()[:2]
        if head == b"\x80\x02":
            break
    else:
        pytest.fail("could not make a header of size 0x02XX80")
    tensors, meta = read_model_file(path)
    assert torch.equal(tensors["w"], t["w"]) and meta["kind"] == "model"
    arrays, _ = read_model_file(path, framework="np")
    assert arrays["w"].shape == (2,)


def test_refusals_are_the_same_for_both_frameworks(tmp_path: Path) -> None:
    evil = tmp_path / "m.pt"
    torch.save({"w": torch.zeros(2)}, evil)
    bad = tmp_path / "bad.safetensors"
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2)}, str(bad),
              metadata={"groundup": json.dumps({"format": "groundup-1", "tensors": {"w": [3]}})})
    for framework in ("pt", "np"):
        with pytest.raises(ModelFileError, match="pickle"):
            read_model_file(evil, framework)
        with pytest.raises(ModelFileError, match="do not match the metadata"):
            read_model_file(bad, framework)
