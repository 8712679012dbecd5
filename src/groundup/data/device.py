"""Turn a device string ("auto", "cpu", "cuda", "cuda:1", ...) into a checked torch.device."""

from __future__ import annotations

import torch

from groundup.errors import GroundupError


def resolve_device(device: str | torch.device = "cpu") -> torch.device:
    """Return the torch.device `device` names; "auto" means CUDA when a GPU is available.

    Raises GroundupError for an unknown name or a CUDA device on a machine without one,
    so a typo fails at once instead of deep inside training.
    """
    if isinstance(device, str) and device.strip().lower() == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise GroundupError(f"unknown device {device!r} (use auto, cpu, cuda or cuda:N)") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise GroundupError("CUDA requested but no GPU is available (use --device cpu)")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise GroundupError(
                f"device {dev} does not exist: {torch.cuda.device_count()} GPU(s) available"
            )
    elif dev.type == "mps":
        if not torch.backends.mps.is_available():
            raise GroundupError("MPS requested but it is not available on this machine")
    elif dev.type != "cpu":
        raise GroundupError(f"unsupported device {device!r} (use auto, cpu, cuda or cuda:N)")
    return dev
