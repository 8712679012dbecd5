"""groundup.nn: modules, parameters, layers (dense, conv, pool, norm, dropout) and losses.

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
    Sin,
    Softmax,
    Tanh,
)
from groundup.nn.conv import Conv2d
from groundup.nn.dropout import Dropout
from groundup.nn.layers import Flatten, Linear, Reshape
from groundup.nn.module import Module, Sequential
from groundup.nn.norm import BatchNorm1d, BatchNorm2d
from groundup.nn.parameter import Parameter
from groundup.nn.pooling import AvgPool2d, MaxPool2d

__all__ = [
    "ACTIVATIONS",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "Dropout",
    "ELU",
    "Flatten",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MaxPool2d",
    "Module",
    "Parameter",
    "ReLU",
    "Reshape",
    "Sequential",
    "Sigmoid",
    "Sin",
    "Softmax",
    "Tanh",
    "functional",
]
