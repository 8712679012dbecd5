"""The small convolutional net on the two bands and the incidence angle, from groundup.nn.

A row of input is flat: the two standardised 75 x 75 bands (11,250 numbers), then two angle
features (the standardised angle, 0 where it is "na", and a 1/0 "angle is missing" flag).
One flat tensor lets groundup's `DataLoader` batch images and angles together. The net:

    bands -> [Conv2d 3x3 -> BatchNorm2d -> ReLU -> MaxPool2d 2] per block -> the mean and the
    largest value of each channel's map (global average and max pools: a ship is a few
    bright pixels, which a mean alone washes out) -> concatenated with the angle features
    -> Linear -> ReLU -> Dropout -> Linear -> LogSoftmax: log-probabilities of (ship, iceberg)

Everything is groundup's own layers; nothing from torch.nn.
"""

from __future__ import annotations

import torch

from groundup.nn import (
    BatchNorm2d,
    Conv2d,
    Dropout,
    Linear,
    LogSoftmax,
    MaxPool2d,
    Module,
    ReLU,
    Sequential,
)
from groundup.radar.records import PIXELS, SIDE

N_EXTRA = 2  # angle features: standardised angle (0 if missing), missing flag
N_INPUT = 2 * PIXELS + N_EXTRA


def sides(channels: tuple[int, ...]) -> list[int]:
    """Return the feature map's side after each block: 75, 37, 18, 9, 4, 2, 1."""
    out, side = [], SIDE
    for _ in channels:
        side //= 2
        out.append(side)
    return out


class RadarNet(Module):
    """Returns (bs, 2) log-probabilities of ship and iceberg from (bs, 11,252) rows."""

    def __init__(self, channels: tuple[int, ...] = (16, 32, 64), hidden: int = 32,
                 dropout: float = 0.2) -> None:
        super().__init__()
        self.channels, self.hidden, self.p = tuple(channels), hidden, dropout
        layers: list[Module] = []
        for c_in, c_out in zip((2, *channels[:-1]), channels, strict=True):
            layers += [Conv2d(c_in, c_out, 3, padding=1), BatchNorm2d(c_out), ReLU(),
                       MaxPool2d(2)]
        self.body = Sequential(*layers)
        self.head = Sequential(Linear(2 * channels[-1] + N_EXTRA, hidden), ReLU(), Dropout(dropout),
                               Linear(hidden, 2), LogSoftmax(dim=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        images = x[:, : 2 * PIXELS].reshape(-1, 2, SIDE, SIDE)
        maps = self.body(images)
        features = torch.cat([maps.mean(dim=(2, 3)), maps.amax(dim=(2, 3))], dim=1)
        return self.head(torch.cat([features, x[:, 2 * PIXELS:]], dim=1))

    def extra_repr(self) -> str:
        return f"channels={self.channels}, hidden={self.hidden}, dropout={self.p}"


class Flips:
    """A DataLoader transform: flips each row's images left-right and/or up-down at random.

    A scene seen in a mirror is still the same ship or iceberg, so the net sees more kinds
    of each. Draws from the generator the loader passes (seeded per batch).
    """

    def __call__(self, xb: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        images = xb[:, : 2 * PIXELS].reshape(-1, 2, SIDE, SIDE)
        flips = torch.rand(len(xb), 2, generator=generator, device=xb.device) < 0.5
        lr = flips[:, 0].view(-1, 1, 1, 1)
        images = torch.where(lr, images.flip(3), images)
        ud = flips[:, 1].view(-1, 1, 1, 1)
        images = torch.where(ud, images.flip(2), images)
        return torch.cat([images.reshape(len(xb), -1), xb[:, 2 * PIXELS:]], dim=1)

    def __repr__(self) -> str:
        return "Flips()"
