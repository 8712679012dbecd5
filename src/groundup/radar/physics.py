"""Radar backscatter formulas: decibels, polarisation bands, incidence-angle corrections.

Each function works element-wise on NumPy arrays (or floats) and gives its formula and
source. Angles are in degrees, as in the competition's `inc_angle`. The sources:

- [Ulaby] F. T. Ulaby and D. G. Long, *Microwave Radar and Radiometric Remote Sensing*,
  University of Michigan Press, 2014: the decibel scale of backscatter, and the Lambertian
  (cos²) angular law of a rough surface.
- [Small] D. Small, "Flattening Gamma: Radiometric Terrain Correction for SAR Imagery",
  IEEE Transactions on Geoscience and Remote Sensing 49(8), 3081-3093, 2011: radar
  brightness β⁰ and its conversion to σ⁰ = β⁰·sin θ and γ⁰ = β⁰·tan θ on an ellipsoid.
- [Mladenova] I. E. Mladenova et al., "Incidence Angle Normalization of Radar Backscatter
  Data", IEEE Transactions on Geoscience and Remote Sensing 51(3), 1791-1804, 2013:
  normalising to a reference angle with the cosine-squared law.
- [Kernel] the Kaggle kernel on the Statoil/C-CORE Iceberg Classifier Challenge that the
  fast.ai lecture shows, which corrects each image to a reference angle with
  σ°(dB) = β°(dB) + 10·log10(sin i_p / sin i_c).
"""

from __future__ import annotations

import numpy as np

from groundup.errors import SettingError

REFERENCE_ANGLE = 39.0  # degrees: about the middle of the competition's angles (30-46)
ArrayLike = np.ndarray | float


def db_to_linear(db: ArrayLike) -> ArrayLike:
    """Return linear power from decibels: P = 10^(dB / 10).

    Source: the decibel is 10·log10 of a power ratio [Ulaby, ch. 1]. 0 dB -> 1, -10 dB -> 0.1,
    -20 dB -> 0.01.
    """
    return np.power(10.0, np.asarray(db, dtype=np.float64) / 10.0)


def linear_to_db(power: ArrayLike) -> ArrayLike:
    """Return decibels from linear power: dB = 10·log10(P) (P must be > 0).

    Source: [Ulaby, ch. 1]. The inverse of `db_to_linear`: 0.01 -> -20 dB.
    """
    power = np.asarray(power, dtype=np.float64)
    if (power <= 0).any() or not np.isfinite(power).all():
        raise SettingError("power", "must be finite and > 0 to be expressed in dB")
    return 10.0 * np.log10(power)


def ratio_db(hh_db: ArrayLike, hv_db: ArrayLike) -> ArrayLike:
    """Return the HH/HV power ratio in dB, which is the difference of the dB bands:
    10·log10(P_HH / P_HV) = HH(dB) - HV(dB).

    Source: log10(a/b) = log10 a - log10 b with the dB scale of [Ulaby]. This is the
    "band_1 - band_2" band of the competition kernels; dividing the dB values themselves
    (band_1 / band_2) is not a power ratio.
    """
    return np.asarray(hh_db, dtype=np.float64) - np.asarray(hv_db, dtype=np.float64)


def ratio_linear(hh_db: ArrayLike, hv_db: ArrayLike) -> ArrayLike:
    """Return the HH/HV power ratio P_HH / P_HV = 10^((HH(dB) - HV(dB)) / 10).

    Source: [Ulaby]. A ship's metal corners turn much of the wave's polarisation (HV close
    to HH); an iceberg's ice does less, so its ratio is larger.
    """
    return db_to_linear(ratio_db(hh_db, hv_db))


def difference_linear(hh_db: ArrayLike, hv_db: ArrayLike) -> ArrayLike:
    """Return the difference of the bands in linear power: P_HH - P_HV.

    Source: [Ulaby]; subtraction must be done on power, not on dB, to mean energy.
    """
    return db_to_linear(hh_db) - db_to_linear(hv_db)


def _sin(angle_deg: ArrayLike, param: str) -> np.ndarray:
    angle = np.asarray(angle_deg, dtype=np.float64)
    if not np.isfinite(angle).all() or ((angle <= 0) | (angle >= 90)).any():
        raise SettingError(param, "must be an angle strictly between 0 and 90 degrees")
    return np.sin(np.radians(angle))


def angle_correction_db(band_db: ArrayLike, angle_deg: ArrayLike,
                        reference_deg: float = REFERENCE_ANGLE) -> ArrayLike:
    """Return the band corrected to the reference angle, the kernel's way:
    σ°(dB) = β°(dB) + 10·log10(sin i_p / sin i_c), i_p the image's angle, i_c the reference.

    Source: [Kernel]; it is σ⁰ = β⁰·sin θ [Small] taken at i_p, relative to i_c. With
    i_p = i_c nothing changes; from 30° to a reference of 39° it adds
    10·log10(sin 30° / sin 39°) = -0.999 dB.
    """
    ratio = _sin(angle_deg, "angle_deg") / _sin(reference_deg, "reference_deg")
    return np.asarray(band_db, dtype=np.float64) + 10.0 * np.log10(ratio)


def cos2_normalise_db(band_db: ArrayLike, angle_deg: ArrayLike,
                      reference_deg: float = REFERENCE_ANGLE) -> ArrayLike:
    """Return the band normalised to the reference angle with the cosine-squared law:
    σ⁰(θ_ref) = σ⁰(θ)·cos²θ_ref / cos²θ, in dB: + 10·log10(cos²θ_ref / cos²θ).

    Source: [Mladenova], after the Lambertian law σ⁰ ∝ cos²θ [Ulaby]. From 30° to 39°:
    + 10·log10(cos²39° / cos²30°) = -0.941 dB.
    """
    _sin(angle_deg, "angle_deg"), _sin(reference_deg, "reference_deg")  # range checks
    cos = np.cos(np.radians(np.asarray(angle_deg, dtype=np.float64)))
    cos_ref = np.cos(np.radians(reference_deg))
    return np.asarray(band_db, dtype=np.float64) + 20.0 * np.log10(cos_ref / cos)


def sigma0_from_beta0(beta0: ArrayLike, angle_deg: ArrayLike) -> ArrayLike:
    """Return σ⁰ = β⁰·sin θ (linear power), backscatter per unit ground area.

    Source: [Small], on the ellipsoid (no terrain). At θ = 30°: σ⁰ = β⁰ / 2.
    """
    return np.asarray(beta0, dtype=np.float64) * _sin(angle_deg, "angle_deg")


def gamma0_from_beta0(beta0: ArrayLike, angle_deg: ArrayLike) -> ArrayLike:
    """Return γ⁰ = β⁰·tan θ (linear power), backscatter per unit area seen across the beam.

    Source: [Small]; γ⁰ = σ⁰ / cos θ. At θ = 45°: γ⁰ = β⁰.
    """
    _sin(angle_deg, "angle_deg")  # the range check
    tan = np.tan(np.radians(np.asarray(angle_deg, dtype=np.float64)))
    return np.asarray(beta0, dtype=np.float64) * tan


def view_bands(bands_db: np.ndarray, angle_deg: float, linear: bool = False,
               normalise: str | None = None,
               reference_deg: float = REFERENCE_ANGLE) -> np.ndarray:
    """Return the bands as a picture shows them: dB or linear power, optionally corrected
    to `reference_deg` first (`normalise` "sin": the kernel's correction; "cos2": the
    cosine-squared law; None: as recorded)."""
    out = np.asarray(bands_db, dtype=np.float64)
    if normalise not in (None, "sin", "cos2"):
        raise SettingError("normalise", f"must be None, 'sin' or 'cos2', got {normalise!r}")
    if normalise is not None:
        if not np.isfinite(angle_deg):
            raise SettingError("normalise", "needs the record's incidence angle, which is "
                               "'na' here")
        fix = angle_correction_db if normalise == "sin" else cos2_normalise_db
        out = fix(out, angle_deg, reference_deg)
    return db_to_linear(out) if linear else out
