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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import torch

from groundup.data import DataLoader
from groundup.errors import SettingError
from groundup.ladder.library import library_adam, library_loader, library_loss, library_model
from groundup.ladder.setup import LadderConfig, RungSetup, StartWeights
from groundup.models.architectures import logreg
from groundup.nn import Module
from groundup.nn.functional import nll_loss
from groundup.optim import SGD, Adam
from groundup.tensor import matmul_broadcast

# What each kind of piece is built from; a rung's row names one of each.
_OPTIMIZERS: dict[str, Callable[[Iterable[torch.Tensor], LadderConfig], Any]] = {
    "torch adam": lambda params, cfg: library_adam(params, cfg.lr),
    "adam": lambda params, cfg: Adam(params, lr=cfg.lr),
    "sgd": lambda params, cfg: SGD(params, lr=cfg.sgd_lr, momentum=cfg.momentum),
}
_LOADERS: dict[str, Callable[[torch.Tensor, torch.Tensor, LadderConfig], Iterable]] = {
    "torch": lambda x, y, cfg: library_loader(x, y, cfg.bs, cfg.seed),
    "ours": lambda x, y, cfg: DataLoader(x, y, bs=cfg.bs, shuffle=True, seed=cfg.seed),
}


@dataclass(frozen=True)
class Rung:
    """One rung: its key ("1" ... "5b"), what is ours on it, how it trains, and its pieces.

    `model` is "torch" (torch.nn model and loss) or "ours" (groundup's logreg and nll_loss),
    `matmul` the multiply our model's Linear uses (None: `@`), `optimizer` a key of
    _OPTIMIZERS and `loader` a key of _LOADERS.
    """

    key: str
    ours: str
    loop: str  # "fit" (groundup.train.fit) or "written out" (groundup.ladder.lecture_loop)
    model: str
    optimizer: str
    loader: str
    matmul: Callable | None = None

    def __repr__(self) -> str:
        return f"Rung({self.key!r}, ours={self.ours!r}, loop={self.loop!r})"

    def build(
        self, x: torch.Tensor, y: torch.Tensor, start: StartWeights, cfg: LadderConfig
    ) -> RungSetup:
        """Return what this rung trains with, starting from `start`, on the rows (x, y)."""
        if self.model == "torch":
            model, loss_fn = library_model(start), library_loss()
        else:
            model, loss_fn = our_model(start, matmul=self.matmul), nll_loss
        opt = _OPTIMIZERS[self.optimizer](model.parameters(), cfg)
        return RungSetup(model, opt, loss_fn, _LOADERS[self.loader](x, y, cfg))


def our_model(start: StartWeights, matmul: Callable | None = None) -> Module:
    """Return groundup's logreg (Linear + LogSoftmax) starting from `start`'s weights."""
    n_in, n_out = start.weight.shape
    model = logreg(n_in, n_out, matmul=matmul).to(start.weight.device)
    with torch.no_grad():
        model[0].weight.copy_(start.weight)
        model[0].bias.copy_(start.bias)
    return model


#: The ladder, bottom (all library) to top (all ours).
RUNGS: tuple[Rung, ...] = (  # key, ours now, loop, model, optimizer, loader (, matmul)
    Rung("1", "nothing yet: torch.nn, torch.optim, torch DataLoader", "fit",
         "torch", "torch adam", "torch"),
    Rung("2", "Module, Parameter, Linear, LogSoftmax, nll_loss", "fit",
         "ours", "torch adam", "torch"),
    Rung("3", "2 + matmul by broadcasting", "fit",
         "ours", "torch adam", "torch", matmul_broadcast),
    Rung("4", "2 + DataLoader, training loop written out", "written out",
         "ours", "torch adam", "ours"),
    Rung("5a", "4 + Adam: all of it", "written out",
         "ours", "adam", "ours"),
    Rung("5b", "4 + SGD with momentum: all of it", "written out",
         "ours", "sgd", "ours"),
)  # fmt: skip


def select_rungs(spec: str | None = None) -> list[Rung]:
    """Return the rungs named by `spec`, e.g. "1,4,5" (5 means 5a and 5b); None or "" = all."""
    if not spec or not spec.strip():
        return list(RUNGS)
    chosen: set[str] = set()
    for part in (p.strip() for p in spec.split(",")):
        # "5" names both optimizers of rung 5; "5a" or "5b" one of them
        matches = [r.key for r in RUNGS if part and part in (r.key, r.key.rstrip("ab"))]
        if not matches:
            raise SettingError("rungs", f"unknown rung {part!r}; choose from 1, 2, 3, 4, 5, 5a, 5b")
        chosen.update(matches)
    return [rung for rung in RUNGS if rung.key in chosen]  # always bottom to top
