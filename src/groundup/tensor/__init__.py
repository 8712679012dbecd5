"""groundup.tensor (layer 0): broadcasting explained, the matmul ladder, outer operations, grids.

Imports only torch, numpy and groundup.errors; everything above builds on it.
"""

from groundup.tensor.broadcast import (
    OPERAND_NAMES,
    AxisStep,
    BroadcastError,
    BroadcastExplanation,
    as_shape,
    broadcast_shapes,
    explain_broadcast,
)
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
from groundup.tensor.outer import grid, outer
from groundup.tensor.table import format_table
from groundup.tensor.timing import MatmulTiming, format_timings, time_matmul_ladder
from groundup.tensor.views import BroadcastView, broadcast_view

__all__ = [
    "AxisStep",
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
    "time_matmul_ladder",
]
