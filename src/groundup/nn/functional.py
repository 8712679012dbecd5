"""Softmax, log-softmax and the losses, written out from their definitions.

All are functions of tensors; autograd differentiates them. The log-softmax uses the
"subtract the max" trick so that huge logits (±1e4) stay finite:

    log_softmax(x)_i = x_i - log(sum_j exp(x_j))
                     = (x_i - m) - log(sum_j exp(x_j - m)),    where m = max_j x_j

`exp(x_j - m)` is at most 1, so nothing overflows, and at least one term is exactly 1,
so the log never sees 0. Subtracting m *before* anything else also keeps precision: for
logits near 1e4, float32 cannot represent x_i - logsumexp(x) accurately, but it can the
small shifted values. (`logsumexp` of the shifted values is torch's fused kernel for
log(sum(exp(.))), one autograd node instead of three.)
"""

from __future__ import annotations

import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Return log(softmax(x)) along `dim` (the class axis), numerically stable."""
    shifted = x - x.amax(dim, keepdim=True).detach()  # the shift changes no value: no gradient
    return shifted - shifted.logsumexp(dim, keepdim=True)


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Return exp(x) / sum(exp(x)) along `dim`: each slice along `dim` sums to 1.

    `dim` is the class axis. Summing over the batch axis instead (dim=0 on a (bs, classes)
    batch) was the historical bug of the lecture notebook: it makes every *column* sum to
    1 and mixes different images' scores together.
    """
    e = (x - x.amax(dim, keepdim=True).detach()).exp()  # shifting by the max: no overflow
    return e / e.sum(dim, keepdim=True)


def nll_loss(logprobs: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return the mean negative log-likelihood: -mean_i logprobs[i, target[i]].

    logprobs: (bs, classes) log-probabilities; target: (bs,) int64 class indices.
    """
    # (bs, classes) gather (bs, 1) -> (bs, 1): pick each row's log-probability of its true class
    return -logprobs.gather(1, target.unsqueeze(1)).mean()


def cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return nll_loss(log_softmax(logits), target): the loss for raw, unnormalised scores."""
    return nll_loss(log_softmax(logits, dim=1), target)


def accuracy(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return the fraction of rows whose highest score is the true class (a 0-d tensor)."""
    return (output.argmax(dim=-1) == target).float().mean()
