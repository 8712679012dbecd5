"""Augment: torch's affine_grid + grid_sample as the oracle, seeded draws, the loader's hook."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F  # oracle only
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.data import Augment, DataLoader
from groundup.data.augment import inverse_maps, warp
from groundup.errors import SettingError

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")


def gen(seed: int = 0, device: str = "cpu") -> torch.Generator:
    return torch.Generator(device=device).manual_seed(seed)


def oracle(images: torch.Tensor, matrix: torch.Tensor, fill: torch.Tensor) -> torch.Tensor:
    """torch's resampling of (n, h, w) images; the translation converted from pixels."""
    n, h, w = images.shape
    half = torch.tensor([w / 2, h / 2], dtype=images.dtype)  # normalised unit, in pixels
    theta = torch.cat(
        [matrix[:, :, :2] * half[None, None, :] / half[None, :, None],
         (matrix[:, :, 2] / half)[:, :, None]], -1
    )
    grid = F.affine_grid(theta, [n, 1, h, w], align_corners=False)
    f = fill[:, None, None, None]
    return (F.grid_sample(images[:, None] - f, grid, align_corners=False) + f)[:, 0]


maps = st.fixed_dictionaries({
    "n": st.integers(1, 6),
    "h": st.integers(1, 32),
    "w": st.integers(1, 32),
    "angle": st.floats(-180, 180),
    "scale": st.floats(0.5, 2.0),
    "dx": st.floats(-6, 6),
    "dy": st.floats(-6, 6),
    "seed": st.integers(0, 2**32 - 1),
})


def _case(p: dict, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = gen(p["seed"])
    images = torch.rand(p["n"], p["h"], p["w"], generator=g, dtype=dtype)  # pixels in [0, 1)
    jitter = torch.rand(p["n"], generator=g, dtype=dtype)  # each image its own map
    angle = torch.full((p["n"],), math.radians(p["angle"]), dtype=dtype) * jitter
    inv = 1 / torch.full((p["n"],), p["scale"], dtype=dtype)
    shift = torch.tensor([p["dx"], p["dy"]], dtype=dtype) * jitter[:, None]
    return images, inverse_maps(angle, inv, shift), images.flatten(1).amin(1)


@settings(max_examples=80, deadline=None)
@given(p=maps)
def test_warp_equals_affine_grid_and_grid_sample_float32(p: dict) -> None:
    images, matrix, fill = _case(p, torch.float32)
    torch.testing.assert_close(warp(images, matrix, fill), oracle(images, matrix, fill),
                               atol=1e-5, rtol=0)


@settings(max_examples=40, deadline=None)
@given(p=maps)
def test_warp_equals_the_oracle_float64(p: dict) -> None:
    images, matrix, fill = _case(p, torch.float64)
    out = warp(images, matrix, fill)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, oracle(images, matrix, fill), atol=1e-10, rtol=0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_large_batch_in_blocks_equals_each_image_alone(dtype: torch.dtype) -> None:
    x = torch.randn(300, 28, 28, dtype=dtype)
    matrix = Augment(shift=3, rotate=20).draw(300, gen(), dtype)
    fill = x.flatten(1).amin(1)
    alone = torch.cat([warp(x[i : i + 1], matrix[i : i + 1], fill[i : i + 1]) for i in range(300)])
    assert torch.equal(warp(x, matrix, fill), alone)


def test_points_outside_read_the_fill_not_zero() -> None:
    x = torch.full((2, 784), -0.42)
    x[:, 300:500] = 2.0  # a bright band, the rest background
    far = inverse_maps(torch.zeros(2), torch.ones(2), torch.tensor([[40.0, 0], [0, -40.0]]))
    assert torch.equal(warp(x.view(2, 28, 28), far, -0.42), torch.full((2, 28, 28), -0.42))
    out = Augment(shift=3, rotate=15)(x, gen())
    assert out.min() == pytest.approx(-0.42)  # fill None: each image's minimum, not 0
    assert Augment(shift=3, fill=-1.0)(x, gen()).min() < -0.42


def test_identity_returns_the_input_exactly() -> None:
    x = torch.randn(7, 784)
    assert torch.equal(Augment(shift=0, rotate=0, scale=(1, 1))(x, gen()), x)
    x4 = torch.randn(3, 1, 10, 10, dtype=torch.float64)
    assert torch.equal(Augment(0, 0, (1, 1))(x4, gen()), x4)


def test_each_image_its_own_map_and_shape_kept() -> None:
    one = torch.randn(1, 784)
    x = one.expand(64, 784).contiguous()
    out = Augment()(x, gen())
    assert out.shape == x.shape and out.dtype == x.dtype
    assert len({tuple(r.tolist()) for r in out}) == 64  # 64 copies, 64 different results
    x4 = x.view(64, 1, 28, 28)
    assert torch.equal(Augment()(x4, gen()), out.view(64, 1, 28, 28))
    assert Augment()(torch.zeros(0, 784), gen()).shape == (0, 784)


def test_seeded_generator_reproduces_and_float64_draws_the_same_maps() -> None:
    x = torch.randn(32, 784)
    aug = Augment(shift=3, rotate=15, scale=(0.8, 1.2))
    a, b, c = aug(x, gen(5)), aug(x, gen(5)), aug(x, gen(6))
    assert torch.equal(a, b) and not torch.equal(a, c)
    a64 = aug(x.double(), gen(5))
    assert a64.dtype == torch.float64
    torch.testing.assert_close(a64.float(), a, atol=1e-4, rtol=0)  # randn: steps up to ~6


def test_draws_stay_in_their_ranges() -> None:
    aug = Augment(shift=2.5, rotate=12, scale=(0.9, 1.1))
    m = aug.draw(4000, gen(), torch.float64)
    lin = m[:, :, :2]
    inv_scale = torch.linalg.det(lin).sqrt()  # det of s^-1 R is s^-2
    assert inv_scale.min() >= 1 / 1.1 - 1e-12 and inv_scale.max() <= 1 / 0.9 + 1e-12
    angle = torch.atan2(lin[:, 0, 1], lin[:, 0, 0]).rad2deg()
    assert angle.abs().max() <= 12 + 1e-9 and angle.abs().max() > 11
    shift = -torch.linalg.solve(lin, m[:, :, 2])  # back to the forward map's (dx, dy)
    assert shift.abs().max() <= 2.5 + 1e-9 and shift.abs().max() > 2.4


@pytest.mark.parametrize(
    "kwargs, param",
    [
        ({"shift": -1}, "shift"),
        ({"shift": float("nan")}, "shift"),
        ({"rotate": 200}, "rotate"),
        ({"rotate": "10"}, "rotate"),
        ({"scale": (1.1, 0.9)}, "scale"),
        ({"scale": (0, 1)}, "scale"),
        ({"scale": 1.1}, "scale"),
        ({"scale": (0.9, float("inf"))}, "scale"),
        ({"fill": True}, "fill"),
    ],
)
def test_bad_settings_name_the_field(kwargs: dict, param: str) -> None:
    with pytest.raises(SettingError) as e:
        Augment(**kwargs)
    assert e.value.param == param


def test_bad_batches_and_generators_are_one_line_errors() -> None:
    aug = Augment()
    for x in (torch.zeros(4, 783), torch.zeros(4, 3, 28, 28), torch.zeros(784),
              torch.zeros(4, 784, dtype=torch.int64)):
        with pytest.raises(SettingError, match="^x: "):
            aug(x, gen())
    with pytest.raises(SettingError, match="^generator: "):
        aug(torch.zeros(4, 784), None)


def test_augment_is_a_frozen_value() -> None:
    aug = Augment(shift=3, scale=[0.8, 1.2])
    assert aug.scale == (0.8, 1.2) and aug == Augment(shift=3.0, scale=(0.8, 1.2))
    assert repr(aug) == "Augment(shift=3.0, rotate=10.0, scale=(0.8, 1.2), fill=None)"
    with pytest.raises(AttributeError):
        aug.shift = 5  # type: ignore[misc]


def _augmented_epoch(dl: DataLoader) -> list[torch.Tensor]:
    return [xb for xb, _ in dl]


def test_loader_transform_resumes_mid_epoch_exactly() -> None:
    x, y = torch.randn(100, 784), torch.arange(100)
    unbroken = DataLoader(x, y, bs=16, seed=3, transform=Augment())
    _augmented_epoch(unbroken)
    second = _augmented_epoch(unbroken)

    broken = DataLoader(x, y, bs=16, seed=3, transform=Augment())
    _augmented_epoch(broken)
    it = iter(broken)
    for _ in range(3):
        next(it)
    state = broken.state_dict()
    resumed = DataLoader(x, y, bs=16, seed=99, transform=Augment())
    resumed.load_state_dict(state)
    rest = _augmented_epoch(resumed)
    assert len(rest) == len(second) - 3
    for a, b in zip(rest, second[3:], strict=True):
        assert torch.equal(a, b)


def test_loader_transform_differs_by_batch_and_epoch_and_keeps_labels() -> None:
    x, y = torch.randn(1, 784).expand(64, 784).contiguous(), torch.arange(64)
    kept = x.clone()
    plain = DataLoader(x, y, bs=8, shuffle=False, seed=0)
    dl = DataLoader(x, y, bs=8, shuffle=False, seed=0, transform=Augment())
    first, second = list(dl), list(dl)
    for (xa, ya), (xb, yb), (xp, yp) in zip(first, second, plain, strict=True):
        assert torch.equal(ya, yp) and torch.equal(yb, yp)
        assert not torch.equal(xa, xp) and not torch.equal(xa, xb)
    assert not torch.equal(first[0][0], first[1][0])  # same rows, another batch: new maps
    assert torch.equal(x, kept)  # batches were views of x (shuffle=False): left alone
    assert "transform=Augment(shift=2.0" in repr(dl) and "transform" not in repr(plain)


def test_loader_refuses_a_transform_that_is_not_callable() -> None:
    with pytest.raises(SettingError, match="^transform: "):
        DataLoader(torch.zeros(4, 784), torch.zeros(4), transform="augment")  # type: ignore


@cuda
def test_cuda_batch_stays_on_its_device_and_matches_the_oracle() -> None:
    x = torch.rand(64, 784, device="cuda")
    torch.cuda.set_sync_debug_mode("error")  # no host-device sync per batch
    try:
        out = Augment(shift=3, rotate=15)(x, gen(0, "cuda"))
        Augment(fill=-0.5)(x, gen(0, "cuda"))
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert out.device == x.device
    images, matrix, fill = _case(
        {"n": 8, "h": 28, "w": 28, "angle": 30, "scale": 1.2, "dx": 2, "dy": -1, "seed": 1},
        torch.float32,
    )
    got = warp(images.cuda(), matrix.cuda(), fill.cuda()).cpu()
    torch.testing.assert_close(got, oracle(images, matrix, fill), atol=1e-5, rtol=0)
    dl = DataLoader(x, torch.arange(64, device="cuda"), bs=16, seed=0, transform=Augment())
    assert all(xb.device == x.device for xb, _ in dl)
    with pytest.raises(SettingError, match="^generator: "):
        Augment()(x, gen(0, "cpu"))
