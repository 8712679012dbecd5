"""groundup.ladder (layer 3): the lecture's ladder — one model, fewer libraries at each rung.

from groundup.ladder import run_ladder, LadderConfig
result = run_ladder(LadderConfig(epochs=1), rungs="1,4,5")
print("\\n".join(result.table()))
"""

from groundup.ladder.lecture_loop import lecture_loop
from groundup.ladder.run import LadderResult, LossRecorder, RungResult, run_ladder
from groundup.ladder.rungs import RUNGS, Rung, our_model, select_rungs
from groundup.ladder.setup import LadderConfig, RungSetup, StartWeights, start_weights

__all__ = [
    "RUNGS",
    "LadderConfig",
    "LadderResult",
    "LossRecorder",
    "Rung",
    "RungResult",
    "RungSetup",
    "StartWeights",
    "lecture_loop",
    "our_model",
    "run_ladder",
    "select_rungs",
    "start_weights",
]
