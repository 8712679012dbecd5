"""groundup.tensor (layer 0): broadcasting explained, the matmul and conv ladders and the matmul's
steps (steps.py: what a matmul does, step by step), outer ops.

Imports only torch, numpy and groundup.errors; everything above builds on it.
"""

import importlib
from typing import TYPE_CHECKING, Any

from groundup.tensor.broadcast import (
    OPERAND_NAMES,
    AxisStep,
    BroadcastError,
    BroadcastExplanation,
    as_shape,
    broadcast_shapes,
    explain_broadcast,
)
from groundup.tensor.steps import (
    VIEWS,
    CellSum,
    MatmulStep,
    MatmulSteps,
    Product,
    example_matrices,
    matmul_steps,
    parse_matrix,
)
from groundup.tensor.table import format_table

# The rest needs torch, which takes a second or two to import: it is loaded on first use,
# so `groundup broadcast` (pure shape arithmetic) starts at once. (No module here may share
# a name with a function it exports — `outer_ops`, not `outer` — or importing the module
# would shadow the function on the package.)
_LAZY = {
    "MATMUL_LADDER": "matmul",
    "MatmulRung": "matmul",
    "get_matmul": "matmul",
    "matmul_blas": "matmul",
    "matmul_broadcast": "matmul",
    "matmul_broadcast_row": "matmul",
    "matmul_einsum": "matmul",
    "matmul_elementwise": "matmul",
    "matmul_lists": "matmul",
    "matmul_loops": "matmul",
    "CONV_LADDER": "conv",
    "ConvRung": "conv",
    "conv_loops": "conv",
    "conv_pixels": "conv",
    "conv_torch": "conv",
    "conv_unfold": "conv",
    "time_conv_ladder": "conv_timing",
    "grid": "outer_ops",
    "outer": "outer_ops",
    "MatmulTiming": "timing",
    "format_timings": "timing",
    "time_matmul_ladder": "timing",
    "BroadcastView": "views",
    "broadcast_view": "views",
}

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from groundup.tensor.conv import (
        CONV_LADDER,
        ConvRung,
        conv_loops,
        conv_pixels,
        conv_torch,
        conv_unfold,
    )
    from groundup.tensor.conv_timing import time_conv_ladder
    from groundup.tensor.matmul import (
        MATMUL_LADDER,
        MatmulRung,
        get_matmul,
        matmul_blas,
        matmul_broadcast,
        matmul_broadcast_row,
        matmul_einsum,
        matmul_elementwise,
        matmul_lists,
        matmul_loops,
    )
    from groundup.tensor.outer_ops import grid, outer
    from groundup.tensor.timing import MatmulTiming, format_timings, time_matmul_ladder
    from groundup.tensor.views import BroadcastView, broadcast_view


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"groundup.tensor.{_LAZY[name]}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


__all__ = [
    "VIEWS",
    "CellSum",
    "MatmulStep",
    "MatmulSteps",
    "Product",
    "example_matrices",
    "matmul_steps",
    "parse_matrix",
    "AxisStep",
    "CONV_LADDER",
    "ConvRung",
    "BroadcastError",
    "BroadcastExplanation",
    "BroadcastView",
    "MATMUL_LADDER",
    "OPERAND_NAMES",
    "MatmulRung",
    "MatmulTiming",
    "as_shape",
    "broadcast_shapes",
    "broadcast_view",
    "conv_loops",
    "conv_pixels",
    "conv_torch",
    "conv_unfold",
    "explain_broadcast",
    "format_table",
    "format_timings",
    "get_matmul",
    "grid",
    "matmul_blas",
    "matmul_broadcast",
    "matmul_broadcast_row",
    "matmul_einsum",
    "matmul_elementwise",
    "matmul_lists",
    "matmul_loops",
    "outer",
    "time_conv_ladder",
    "time_matmul_ladder",
]
