"""The five rungs: the same logistic regression, trained with fewer library pieces each time.

    1  torch.nn model, torch.optim.Adam, torch DataLoader       trained by fit
    2  our Module/Parameter/Linear/LogSoftmax and nll_loss      trained by fit
    3  as 2, the matmul done by our broadcasting function       trained by fit
    4  as 2, plus our DataLoader and the loop written out       (iter/next, backward, step)
    5  as 4, plus our optimizer: 5a Adam, 5b SGD with momentum  -- nothing left but tensors

Rungs 1-3 train with `groundup.train.fit`, standing in for the library `fit` the lecture
used; rung 4 writes that loop out. Rung 3 is the lecture's detour through its own matmul:
rungs 4 and 5 go back to `@` (the fastest rung of the matmul ladder) so that they measure
the loader, loop and optimizer, not a slower multiply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from groundup.data import DataLoader
from groundup.errors import GroundupError
from groundup.ladder.library import library_adam, library_loader, library_loss, library_model
from groundup.ladder.setup import LadderConfig, RungSetup, StartWeights
from groundup.models import logreg
from groundup.nn import Module
from groundup.nn.functional import nll_loss
from groundup.optim import SGD, Adam
from groundup.tensor import matmul_broadcast

Build = Callable[[torch.Tensor, torch.Tensor, StartWeights, LadderConfig], RungSetup]


@dataclass(frozen=True)
class Rung:
    """One rung: its key ("1" ... "5b"), what is ours on it, how it trains, how it is built."""

    key: str
    ours: str
    loop: str  # "fit" (groundup.train.fit) or "written out" (groundup.ladder.lecture_loop)
    build: Build

    def __repr__(self) -> str:
        return f"Rung({self.key!r}, ours={self.ours!r}, loop={self.loop!r})"


def our_model(start: StartWeights, matmul: Callable | None = None) -> Module:
    """Return groundup's logreg (Linear + LogSoftmax) starting from `start`'s weights."""
    n_in, n_out = start.weight.shape
    model = logreg(n_in, n_out, matmul=matmul).to(start.weight.device)
    with torch.no_grad():
        model[0].weight.copy_(start.weight)
        model[0].bias.copy_(start.bias)
    return model


def _rung1(x: torch.Tensor, y: torch.Tensor, start: StartWeights, cfg: LadderConfig) -> RungSetup:
    model = library_model(start)
    return RungSetup(
        model,
        library_adam(model.parameters(), cfg.lr),
        library_loss(),
        library_loader(x, y, cfg.bs, cfg.seed),
    )


def _rung2(x: torch.Tensor, y: torch.Tensor, start: StartWeights, cfg: LadderConfig) -> RungSetup:
    model = our_model(start)
    return RungSetup(
        model,
        library_adam(model.parameters(), cfg.lr),
        nll_loss,
        library_loader(x, y, cfg.bs, cfg.seed),
    )


def _rung3(x: torch.Tensor, y: torch.Tensor, start: StartWeights, cfg: LadderConfig) -> RungSetup:
    model = our_model(start, matmul=matmul_broadcast)
    return RungSetup(
        model,
        library_adam(model.parameters(), cfg.lr),
        nll_loss,
        library_loader(x, y, cfg.bs, cfg.seed),
    )


def _rung4(x: torch.Tensor, y: torch.Tensor, start: StartWeights, cfg: LadderConfig) -> RungSetup:
    model = our_model(start)
    return RungSetup(
        model,
        library_adam(model.parameters(), cfg.lr),
        nll_loss,
        DataLoader(x, y, bs=cfg.bs, shuffle=True, seed=cfg.seed),
    )


def _rung5a(x: torch.Tensor, y: torch.Tensor, start: StartWeights, cfg: LadderConfig) -> RungSetup:
    model = our_model(start)
    return RungSetup(
        model,
        Adam(model.parameters(), lr=cfg.lr),
        nll_loss,
        DataLoader(x, y, bs=cfg.bs, shuffle=True, seed=cfg.seed),
    )


def _rung5b(x: torch.Tensor, y: torch.Tensor, start: StartWeights, cfg: LadderConfig) -> RungSetup:
    model = our_model(start)
    return RungSetup(
        model,
        SGD(model.parameters(), lr=cfg.sgd_lr, momentum=cfg.momentum),
        nll_loss,
        DataLoader(x, y, bs=cfg.bs, shuffle=True, seed=cfg.seed),
    )


#: The ladder, bottom (all library) to top (all ours).
RUNGS: tuple[Rung, ...] = (
    Rung("1", "nothing yet: torch.nn, torch.optim, torch DataLoader", "fit", _rung1),
    Rung("2", "Module, Parameter, Linear, LogSoftmax, nll_loss", "fit", _rung2),
    Rung("3", "2 + matmul by broadcasting", "fit", _rung3),
    Rung("4", "2 + DataLoader, training loop written out", "written out", _rung4),
    Rung("5a", "4 + Adam: all of it", "written out", _rung5a),
    Rung("5b", "4 + SGD with momentum: all of it", "written out", _rung5b),
)


def select_rungs(spec: str | None = None) -> list[Rung]:
    """Return the rungs named by `spec`, e.g. "1,4,5" (5 means 5a and 5b); None or "" = all."""
    if not spec or not spec.strip():
        return list(RUNGS)
    chosen: set[str] = set()
    for part in (p.strip() for p in spec.split(",")):
        # "5" names both optimizers of rung 5; "5a" or "5b" one of them
        matches = [r.key for r in RUNGS if part and part in (r.key, r.key.rstrip("ab"))]
        if not matches:
            raise GroundupError(
                f"--rungs: unknown rung {part!r}; choose from 1, 2, 3, 4, 5, 5a, 5b"
            )
        chosen.update(matches)
    return [rung for rung in RUNGS if rung.key in chosen]  # always bottom to top
