"""TrainSpec's seed range (groundup.checks) and its memory estimate, checked before building."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundup.checks import MEMORY_LIMIT, SEED_MAX
from groundup.errors import SettingError
from groundup.models.spec import TrainSpec


@pytest.mark.parametrize("seed", [-1, SEED_MAX + 1, 2**63, 2**64, 2**70, 1.0, "0"])
def test_a_seed_outside_what_every_generator_takes_is_refused(seed) -> None:
    with pytest.raises(SettingError, match=r"^seed: must be a whole number in \[0, 4294967295\]"):
        TrainSpec(seed=seed).validate()


def test_the_largest_seed_is_taken() -> None:
    assert TrainSpec(seed=SEED_MAX).validate().seed == SEED_MAX


def test_memory_estimate_counts_weights_gradients_and_optimizer_state() -> None:
    spec = TrainSpec(model="mlp", hidden=(512,)).validate()
    params = 784 * 512 + 512 + 512 * 10 + 10
    assert spec.check_memory(784, 10) == 4 * 4 * params  # float32 x (w, grad, 2 Adam moments)
    sgd = TrainSpec(model="mlp", hidden=(512,), opt="sgd").validate()
    assert sgd.check_memory(784, 10) == 4 * 3 * params  # (w, grad, momentum)
    assert TrainSpec(model="logreg").validate().check_memory(784, 10) == 16 * (7840 + 10)


def test_a_hidden_size_typed_wrong_is_refused_before_anything_is_built() -> None:
    with pytest.raises(SettingError) as info:
        TrainSpec(model="mlp", hidden=100_000_000).validate()
    assert str(info.value) == (
        "hidden: at least 400,000,002 float32 parameters (the mlp's weights), with their "
        "gradients and adam state, would need 6.4 GB of memory; the limit is 1 GB"
    )


def test_build_model_checks_the_real_input_size_first() -> None:
    spec = TrainSpec(model="mlp", hidden=(100_000,), device="cpu").validate()  # 1 input: fits
    with pytest.raises(SettingError, match=r"^hidden: 79,500,010 float32 parameters .* 1.3 GB"):
        spec.build_model(784, 10)
    assert spec.check_memory(20, 2) < MEMORY_LIMIT


@given(st.lists(st.integers(1, 10**12), min_size=1, max_size=4))
def test_validate_either_accepts_hidden_sizes_or_names_hidden(hidden) -> None:
    try:
        spec = TrainSpec(model="mlp", hidden=tuple(hidden)).validate()
    except SettingError as e:
        assert e.param == "hidden"
    else:
        assert spec.check_memory(1, 2) <= MEMORY_LIMIT


def test_a_cnn_counts_its_weights_and_one_batchs_feature_maps() -> None:
    from groundup.models.architectures import build_model

    spec = TrainSpec(model="cnn", channels=(16, 32), bs=128).validate()
    params = sum(p.numel() for p in build_model("cnn", channels=(16, 32)).parameters())
    maps = 16 * 28 * 28 + 32 * 14 * 14  # each conv's output, before its pool
    assert spec.check_memory(784, 10) == 4 * (4 * params + 2 * 128 * maps)
    with pytest.raises(SettingError, match=r"^channels: .* feature maps of a batch of 128, would "
                                           r"need 2.4 GB .*; fewer channels or a smaller `bs`$"):
        TrainSpec(model="cnn", channels=(3000,), bs=128).validate()
    with pytest.raises(SettingError, match=r"feature maps of a batch of 64, "):  # a cnn's auto bs
        TrainSpec(model="cnn", channels=(6000,)).validate()


@given(st.lists(st.integers(1, 10**9), min_size=1, max_size=6), st.integers(1, 10**5))
def test_validate_either_accepts_channels_or_names_them(channels, bs) -> None:
    try:
        spec = TrainSpec(model="cnn", channels=tuple(channels), bs=bs).validate()
    except SettingError as e:
        assert e.param == "channels" and "\n" not in str(e)
    else:
        assert spec.check_memory() <= MEMORY_LIMIT and len(channels) <= 4


def test_augment_defaults_to_on_for_a_cnn_only_and_is_saved_resolved() -> None:
    assert TrainSpec(model="cnn").validate().augment is True
    assert TrainSpec(model="mlp").validate().augment is False
    assert TrainSpec(model="cnn", augment=False).validate().augment is False
    with pytest.raises(SettingError, match="augment: must be True or False"):
        TrainSpec(augment="yes").validate()
    assert TrainSpec.from_dict({"model": "cnn"}).to_dict()["augment"] is True


@pytest.mark.parametrize("name", ["hidden", "channels"])
def test_sizes_given_as_text_are_refused_whole(name) -> None:
    with pytest.raises(SettingError, match=f"^{name}: expected layer sizes like .* got '816'"):
        TrainSpec(model="cnn", **{name: "816"}).validate()
