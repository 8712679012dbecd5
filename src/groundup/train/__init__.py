"""groundup.train: the `fit` loop, its callbacks, schedules, metrics, checkpoints and tensor files.

    fit.py         fit(): the lecture's loop with callbacks; FitState, History, EpochLog
    callbacks.py   Callback, ProgressCallback, DivergenceGuard
    checkpoint.py  checkpoints for exact resume (Resume, CheckpointCallback), Ctrl-C
    schedules.py   const / onecycle learning rates
    metrics.py     loss and accuracy over a data set
    tensorfile.py  safetensors + JSON files (models use it too)
"""

from groundup.train.callbacks import Callback, DivergenceGuard, ProgressCallback
from groundup.train.checkpoint import (
    Checkpoint,
    CheckpointCallback,
    Resume,
    StopOnInterrupt,
    load_checkpoint,
    save_checkpoint,
)
from groundup.train.fit import EpochLog, FitState, History, fit
from groundup.train.metrics import evaluate, evaluate_batches, predict_proba
from groundup.train.schedules import SCHEDULES, Constant, OneCycle, make_schedule
from groundup.train.tensorfile import load_tensors, save_tensors

__all__ = [
    "SCHEDULES",
    "Callback",
    "Checkpoint",
    "CheckpointCallback",
    "Constant",
    "DivergenceGuard",
    "EpochLog",
    "FitState",
    "History",
    "OneCycle",
    "ProgressCallback",
    "Resume",
    "StopOnInterrupt",
    "evaluate",
    "evaluate_batches",
    "fit",
    "load_checkpoint",
    "load_tensors",
    "make_schedule",
    "predict_proba",
    "save_checkpoint",
    "save_tensors",
]
