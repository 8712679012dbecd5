"""groundup.nn: modules, parameters, layers, activations and losses, written from scratch.

Only PyTorch tensors and autograd are used underneath; nothing from `torch.nn`.
"""

from groundup.nn import functional
from groundup.nn.activations import (
    ACTIVATIONS,
    ELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
)
from groundup.nn.layers import Flatten, Linear
from groundup.nn.module import Module, Sequential
from groundup.nn.parameter import Parameter

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "Flatten",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "functional",
]
