"""The library pieces the ladder climbs away from: torch.nn, torch.optim, torch's DataLoader.

This is the only module of groundup's own code that imports `torch.nn`, `torch.optim` or
`torch.utils.data` (see DESIGN.md). Rung 1 trains with all of these pieces — it is the
yardstick the other rungs are measured against — and each later rung takes fewer of them:
rungs 2 and 3 keep the optimizer and the loader, rung 4 only the optimizer, rung 5 none.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

from groundup.ladder.setup import StartWeights


def library_model(start: StartWeights) -> nn.Sequential:
    """Return nn.Sequential(nn.Linear(n_in, n_out), nn.LogSoftmax(dim=1)) starting at `start`.

    torch stores a Linear's weight as (n_out, n_in): the transpose of the lecture's layout.
    """
    n_in, n_out = start.weight.shape
    model = nn.Sequential(nn.Linear(n_in, n_out), nn.LogSoftmax(dim=1)).to(start.weight.device)
    with torch.no_grad():
        model[0].weight.copy_(start.weight.T)
        model[0].bias.copy_(start.bias)
    return model


def library_loss() -> nn.NLLLoss:
    """Return torch's negative log-likelihood loss (the model outputs log-probabilities)."""
    return nn.NLLLoss()


def library_adam(params: Iterable[torch.Tensor], lr: float) -> optim.Adam:
    """Return torch.optim.Adam over `params` with learning rate `lr` (other settings default)."""
    return optim.Adam(params, lr=lr)


def library_loader(x: torch.Tensor, y: torch.Tensor, bs: int, seed: int) -> DataLoader:
    """Return torch's DataLoader over (x, y): shuffled batches of `bs` rows, seeded.

    The shuffling sampler gets its own seeded generator, so each epoch's order is
    `torch.randperm(n, generator)` — the same draws as groundup's DataLoader with the same
    seed — and every rung visits the rows in the same order. (Handing the generator to the
    DataLoader instead would also spend one draw of it on worker seeds, shifting the order.)
    """
    dataset = TensorDataset(x, y)
    sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    # a batch larger than the data is the whole data (torch's sampler cannot count past
    # sys.maxsize), as in groundup's own DataLoader
    return DataLoader(dataset, batch_size=min(bs, len(dataset)), sampler=sampler)
