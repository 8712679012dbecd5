"""groundup.checks: the one range for seeds, thread counts, n_jobs and memory estimates."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from groundup.checks import (
    MEMORY_LIMIT,
    SEED_MAX,
    check_jobs,
    check_memory,
    check_seed,
    check_threads,
    format_bytes,
    max_threads,
)
from groundup.errors import SettingError


def test_every_seed_in_range_is_taken_by_every_generator_groundup_uses() -> None:
    for seed in (0, 1, SEED_MAX):
        assert check_seed("seed", seed) == seed
        np.random.RandomState(seed)
        np.random.default_rng(seed)
        torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("bad", [-1, SEED_MAX + 1, 2**64, 2**70, 1.5, "3", None, True])
def test_a_seed_out_of_range_or_not_whole_is_a_setting_error(bad) -> None:
    with pytest.raises(SettingError, match=r"^seed: must be a whole number in \[0, 4294967295\]"):
        check_seed("seed", bad)


@given(st.integers() | st.floats() | st.text(max_size=5) | st.none() | st.booleans())
def test_check_seed_returns_an_int_in_range_or_raises_a_setting_error(value) -> None:
    try:
        seed = check_seed("seed", value)
    except SettingError as e:
        assert e.param == "seed"
    else:
        assert type(seed) is int and 0 <= seed <= SEED_MAX


def test_threads_are_capped_at_four_per_core() -> None:
    cap = (os.cpu_count() or 1) * 4
    assert max_threads() == cap
    assert check_threads("threads", 1) == 1 and check_threads("threads", cap) == cap
    for bad in (0, -1, cap + 1, 10**9, 2.0):
        with pytest.raises(SettingError, match=r"^threads: must be a whole number in \[1, "):
            check_threads("threads", bad)


def test_jobs_is_minus_one_or_a_thread_count() -> None:
    assert check_jobs("n_jobs", -1) == -1
    assert check_jobs("n_jobs", 2) == 2
    for bad in (0, -2, 100_000, max_threads() + 1, True):
        with pytest.raises(SettingError, match=r"^n_jobs: must be -1 \(all cores\) or"):
            check_jobs("n_jobs", bad)


def test_check_memory_passes_up_to_the_limit_and_names_what_would_not_fit() -> None:
    assert check_memory("shape", MEMORY_LIMIT, "x") == MEMORY_LIMIT
    with pytest.raises(SettingError) as info:
        check_memory("shape", 4 * 10**10, "a (100000, 100000) matrix", hint="pick a smaller one")
    assert str(info.value) == (
        "shape: a (100000, 100000) matrix would need 40 GB of memory; the limit is 1 GB; "
        "pick a smaller one"
    )


def test_format_bytes_reads_like_a_person_wrote_it() -> None:
    assert [format_bytes(n) for n in (0, 999, 1500, 3.1e6, 1e9, 1.6e11, 3.6e17)] == [
        "0 bytes", "999 bytes", "1.5 kB", "3.1 MB", "1 GB", "160 GB", "360,000 TB"]
