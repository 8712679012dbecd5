"""The backscatter formulas on values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from groundup.errors import SettingError
from groundup.radar import physics as ph


def test_decibels_and_linear_power() -> None:
    np.testing.assert_allclose(ph.db_to_linear([0, -10, -20, 3]), [1, 0.1, 0.01, 1.995262],
                               rtol=1e-6)
    np.testing.assert_allclose(ph.linear_to_db([1, 0.01, 100]), [0, -20, 20], atol=1e-12)
    x = np.linspace(-45, 10, 12)
    np.testing.assert_allclose(ph.linear_to_db(ph.db_to_linear(x)), x, atol=1e-12)
    with pytest.raises(SettingError, match="^power: must be finite and > 0"):
        ph.linear_to_db([1.0, 0.0])


def test_hh_hv_ratio_and_difference() -> None:
    assert ph.ratio_db(-20.0, -30.0) == 10.0  # 10 dB: HH carries ten times HV's power
    assert ph.ratio_linear(-20.0, -30.0) == pytest.approx(10.0)
    assert ph.difference_linear(-20.0, -30.0) == pytest.approx(0.01 - 0.001)
    np.testing.assert_allclose(ph.ratio_linear(np.array([-3.0, -10]), np.array([-3.0, -13])),
                               [1.0, 10 ** 0.3])


def test_the_kernels_angle_correction() -> None:
    # sigma(dB) = beta(dB) + 10 log10(sin i_p / sin i_c)
    assert ph.angle_correction_db(-20.0, 39.0, 39.0) == pytest.approx(-20.0)
    expected = -20.0 + 10 * math.log10(0.5 / math.sin(math.radians(39)))
    assert ph.angle_correction_db(-20.0, 30.0) == pytest.approx(expected)
    assert ph.angle_correction_db(0.0, 30.0, 39.0) == pytest.approx(-0.999, abs=1e-3)
    assert ph.angle_correction_db(0.0, 30.0, 90 - 1e-9) == pytest.approx(-3.0103, abs=1e-4)


def test_cos2_normalisation() -> None:
    assert ph.cos2_normalise_db(-15.0, 39.0, 39.0) == pytest.approx(-15.0)
    assert ph.cos2_normalise_db(0.0, 30.0, 39.0) == pytest.approx(-0.941, abs=1e-3)
    # 60 degrees -> reference 0+: cos^2 goes from 1/4 to 1: +6.02 dB
    assert ph.cos2_normalise_db(0.0, 60.0, 1e-9) == pytest.approx(6.0206, abs=1e-4)


def test_sigma0_and_gamma0_from_beta0() -> None:
    assert ph.sigma0_from_beta0(2.0, 30.0) == pytest.approx(1.0)
    assert ph.gamma0_from_beta0(2.0, 45.0) == pytest.approx(2.0)
    assert ph.gamma0_from_beta0(1.0, 60.0) == pytest.approx(math.sqrt(3))
    # gamma0 = sigma0 / cos(theta)
    theta = 37.0
    assert ph.gamma0_from_beta0(0.3, theta) == pytest.approx(
        ph.sigma0_from_beta0(0.3, theta) / math.cos(math.radians(theta)))


@pytest.mark.parametrize("bad", [0.0, 90.0, -5.0, float("nan")])
def test_angles_outside_0_90_are_refused(bad) -> None:
    with pytest.raises(SettingError, match="^angle_deg: must be an angle strictly between"):
        ph.angle_correction_db(-20.0, bad)
    with pytest.raises(SettingError, match="^reference_deg:"):
        ph.cos2_normalise_db(-20.0, 35.0, bad)


def test_view_bands_in_each_mode() -> None:
    bands = np.full((2, 3, 3), -20.0)
    np.testing.assert_allclose(ph.view_bands(bands, 35.0), bands)
    np.testing.assert_allclose(ph.view_bands(bands, 35.0, linear=True), 0.01)
    np.testing.assert_allclose(ph.view_bands(bands, 30.0, normalise="sin"), -20.999, atol=1e-3)
    with pytest.raises(SettingError, match="^normalise: needs the record's incidence angle"):
        ph.view_bands(bands, float("nan"), normalise="cos2")
    with pytest.raises(SettingError, match="^normalise: must be None, 'sin' or 'cos2'"):
        ph.view_bands(bands, 30.0, normalise="tan")
