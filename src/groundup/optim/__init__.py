"""groundup.optim: optimizers written from scratch on PyTorch tensors.

`Optimizer` (param groups, per-parameter state, zero_grad, state dicts), `SGD` (momentum,
dampening, Nesterov, weight decay), `Adam` and `AdamW` (optionally AMSGrad). Each update rule
is also a plain function on lists of tensors (`groundup.optim.sgd.sgd`,
`groundup.optim.adam.adam`) with a per-tensor path and a
multi-tensor `torch._foreach_*` path. The numbers match `torch.optim` step for step.
"""

from groundup.optim.adam import Adam, AdamW
from groundup.optim.optimizer import Optimizer
from groundup.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
