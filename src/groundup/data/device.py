"""Turn a device string ("auto", "cpu", "cuda", "cuda:1", ...) into a checked torch.device."""

from __future__ import annotations

import torch

from groundup.errors import SettingError


def resolve_device(device: str | torch.device = "cpu") -> torch.device:
    """Return the torch.device `device` names; "auto" means CUDA when a GPU is available.

    Raises SettingError (on `device`) for an unknown name or a CUDA device on a machine
    without one, so a typo fails at once instead of deep inside training.
    """
    if isinstance(device, str) and device.strip().lower() == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise SettingError(
            "device", f"unknown device {device!r} (use auto, cpu, cuda or cuda:N)"
        ) from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise SettingError(
                "device", "CUDA requested but no GPU is available (use `device='cpu'`)"
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise SettingError(
                "device", f"{dev} does not exist: {torch.cuda.device_count()} GPU(s) available"
            )
    elif dev.type == "mps":
        if not torch.backends.mps.is_available():
            raise SettingError("device", "MPS requested but it is not available on this machine")
    elif dev.type != "cpu":
        raise SettingError(
            "device", f"unsupported device {device!r} (use auto, cpu, cuda or cuda:N)"
        )
    return dev
