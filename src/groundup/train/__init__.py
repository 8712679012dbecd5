"""groundup.train: the `fit` loop, its callbacks, schedules, metrics and model files."""

from groundup.train.callbacks import Callback, DivergenceGuard, ProgressCallback
from groundup.train.checkpoint import load_tensors, save_tensors
from groundup.train.fit import EpochLog, FitState, History, fit
from groundup.train.metrics import evaluate, evaluate_batches, predict_proba
from groundup.train.schedules import SCHEDULES, Constant, OneCycle, make_schedule

__all__ = [
    "SCHEDULES",
    "Callback",
    "Constant",
    "DivergenceGuard",
    "EpochLog",
    "FitState",
    "History",
    "OneCycle",
    "ProgressCallback",
    "evaluate",
    "evaluate_batches",
    "fit",
    "load_tensors",
    "make_schedule",
    "predict_proba",
    "save_tensors",
]
