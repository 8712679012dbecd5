"""The one training recipe: `TrainSpec`, every setting of a training run in one place.

Each setting is one field below: its name, its default and its check live together, and
everything that trains a model reads them from here:

    groundup train (and resume) TrainSpec from the options, or from the checkpoint
    train_mnist(spec)           builds model, optimizer, schedule and loader from it
    GroundupClassifier          its keyword arguments are these fields (tuning defaults)
    the ladder                  checks its shared settings as TrainSpecs

Adding a setting is one field here (default and check) and one option in `groundup.cli.train`
(see docs/train.md). A bad value raises `SettingError` naming the field, in Python's words.

This module imports no torch until something is built, so the torch-free NumPy predictor can
read `MODELS` from it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from groundup.checks import check_memory, check_seed, whole_number
from groundup.errors import SettingError
from groundup.modelfile.schema import MODELS as ARCHITECTURES
from groundup.modelfile.schema import POOLS, Arch

if TYPE_CHECKING:
    import torch

    from groundup.data import DataLoader
    from groundup.nn import Module
    from groundup.optim import Optimizer

MODELS = ARCHITECTURES  # the one list: what a model file may describe (groundup.modelfile)
OPTIMIZERS = ("adam", "sgd")
DEFAULT_LR = {"adam": 3e-3, "sgd": 0.1}  # when lr is None: what trains well with each
# a cnn's, in its smaller batches: adam's measured (docs/cnn.md); sgd's is halved alike,
# unmeasured
CNN_DEFAULT_LR = {"adam": 2e-3, "sgd": 0.05}
# Named recipes: settings chosen by measurement (benchmarks/bench_time_to_accuracy.py) to
# reach a test accuracy in the least training time on a CPU; `groundup train --fast` is "fast".
RECIPES: dict[str, dict[str, Any]] = {
    # >= 98% test in 1.8 s of training (BENCHMARKS.md): a stride-2 cnn costs half the
    # mlp's arithmetic per image and gets there within two epochs, where the mlp needs six;
    # torch.nn's narrower uniform init gets there sooner and ends higher than Kaiming's
    "fast": {"model": "cnn", "pool": "stride", "channels": (8, 16), "augment": False,
             "init": "uniform", "epochs": 2, "bs": 128, "lr": 1e-2},
}


# ---------------------------------------------------------------- checks: value -> clean value

Check = Callable[[str, Any], Any]


def _number(name: str, v: Any, low: float, high: float | None = None) -> float:
    ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
    if not ok or v < low or (high is not None and v >= high):
        span = f">= {low:g}" if high is None else f"in [{low:g}, {high:g})"
        raise SettingError(name, f"must be a finite number {span}, got {v!r}")
    return float(v)


def positive_int(name: str, v: Any) -> int:
    return whole_number(name, v, 1)


def rate(name: str, v: Any) -> float | None:
    return None if v is None else _number(name, v, 0.0)


def non_negative(name: str, v: Any) -> float:
    return _number(name, v, 0.0)


def fraction(name: str, v: Any) -> float:
    return _number(name, v, 0.0, 1.0)


def boolean(name: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise SettingError(name, f"must be True or False, got {v!r}")
    return v


def optional(check: Check) -> Check:
    """Return a check that lets None through (the setting then takes its `auto` value)."""

    def check_or_none(name: str, v: Any) -> Any:
        return None if v is None else check(name, v)

    return check_or_none


def one_of(names: Callable[[], tuple[str, ...]]) -> Check:
    """Return a check that `v` is one of `names()` (a function: some lists live in torch code)."""

    def check(name: str, v: Any) -> str:
        choices = names()
        if v not in choices:
            raise SettingError(name, f"unknown {v!r}; choose one of {', '.join(choices)}")
        return v

    return check


def layer_sizes(name: str, v: Any) -> tuple[int, ...]:
    sizes = (v,) if isinstance(v, numbers.Integral) and not isinstance(v, bool) else v
    if isinstance(v, str | bytes):  # iterable, but its characters are no sizes
        raise SettingError(name, f"expected layer sizes like (100,) or 100, got {v!r}")
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise SettingError(name, f"expected layer sizes like (100,) or 100, got {v!r}") from None
    if not sizes:
        raise SettingError(name, "needs at least one layer size")
    return tuple(whole_number(name, s, 1) for s in sizes)


def device_name(name: str, v: Any) -> str:
    from groundup.data import resolve_device  # torch: only when a spec is checked

    if not isinstance(v, str):
        raise SettingError(name, f"expected a device name like 'cpu', got {v!r}")
    resolve_device(v)
    return v


def _activations() -> tuple[str, ...]:
    from groundup.nn.activations import ACTIVATIONS

    return tuple(ACTIVATIONS)


def _inits() -> tuple[str, ...]:
    from groundup.nn.init import INITS

    return INITS


def _schedules() -> tuple[str, ...]:
    from groundup.train.schedules import SCHEDULES

    return SCHEDULES


def setting(default: Any, check: Check) -> Any:
    """Return a dataclass field whose value `check(name, value)` cleans or rejects."""
    return field(default=default, metadata={"check": check})


# ---------------------------------------------------------------- the recipe


@dataclass(frozen=True)
class TrainSpec:
    """Every setting of a training run; the defaults reach >= 98% test accuracy on MNIST.

    >>> TrainSpec(model="logreg", opt="sgd").validate().lr   # lr None: the optimizer's default
    0.1
    >>> TrainSpec(lr=-1).validate()
    Traceback (most recent call last):
    groundup.errors.SettingError: lr: must be a finite number >= 0, got -1
    """

    model: str = setting("mlp", one_of(lambda: MODELS))
    hidden: tuple[int, ...] = setting((512,), layer_sizes)  # mlp hidden sizes
    act: str = setting("relu", one_of(_activations))  # mlp and cnn activation
    channels: tuple[int, ...] = setting((16, 32, 64), layer_sizes)  # cnn conv widths
    pool: str = setting("max", one_of(lambda: POOLS))  # how cnn blocks halve: max or stride
    init: str = setting("kaiming", one_of(_inits))  # how the first weights are drawn
    opt: str = setting("adam", one_of(lambda: OPTIMIZERS))
    lr: float | None = setting(None, rate)  # the peak with onecycle; None: see `auto`
    momentum: float = setting(0.9, fraction)  # SGD's
    wd: float = setting(0.0, non_negative)  # weight decay (decoupled for adam: AdamW)
    sched: str = setting("onecycle", one_of(_schedules))
    augment: bool | None = setting(None, optional(boolean))  # random shifts, turns, scalings
    epochs: int = setting(10, positive_int)
    bs: int | None = setting(None, optional(positive_int))  # None: 128, or 64 for a cnn
    seed: int = setting(42, check_seed)  # initial weights and batch order (0 .. 2**32 - 1)
    device: str = setting("auto", device_name)  # auto: a GPU when there is one

    def validate(self) -> TrainSpec:
        """Return a checked copy: every value clean (ints, floats, tuples) and lr filled in."""
        clean = {f.name: f.metadata["check"](f.name, getattr(self, f.name)) for f in fields(self)}
        for name, value in auto(clean["model"], clean["opt"]).items():
            if clean[name] is None:
                clean[name] = value
        spec = replace(self, **clean)
        spec.check_memory()  # a size typed wrong is refused before any data is read
        return spec

    def check_memory(self, n_in: int | None = None, n_out: int = 2) -> int:
        """Return the bytes the model, its gradients and optimizer state need; SettingError
        naming `hidden` past `groundup.checks.MEMORY_LIMIT`. n_in None: the least any data
        needs (one input)."""
        if self.model == "cnn":
            return self._check_cnn(784 if n_in is None else n_in, n_out)
        hidden = self.hidden if self.model == "mlp" else ()
        sizes = [1 if n_in is None else n_in, *hidden, n_out]
        params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        copies = 4 if self.opt == "adam" else 3  # weights, gradients, 2 moments or momentum
        inputs = "at least " if n_in is None else ""
        return check_memory("hidden", 4 * copies * params,
                            f"{inputs}{params:,} float32 parameters (the {self.model}'s weights), "
                            f"with their gradients and {self.opt} state,")

    def _check_cnn(self, n_in: int, n_out: int) -> int:
        """Return the bytes a cnn's weights (with gradients and optimizer state) and one
        batch's feature maps (conv and activation outputs, which autograd keeps) need;
        SettingError naming `channels` if its pools do not fit the image or it is too big."""
        arch = self.arch(n_in, n_out)
        if arch.cnn_problem():
            raise SettingError("channels", arch.cnn_problem())
        params = arch.n_params()
        copies = 4 if self.opt == "adam" else 3
        maps = self.feature_map_floats(n_in)
        bs = self.setting("bs")
        return check_memory("channels", 4 * (copies * params + 2 * bs * maps),
                            f"{params:,} float32 parameters (the cnn's weights) with their "
                            f"gradients and {self.opt} state, and the feature maps of a batch "
                            f"of {bs},", hint="fewer channels or a smaller `bs`")

    def setting(self, name: str) -> Any:
        """Return setting `name`, or its `auto` value where it is None."""
        value = getattr(self, name)
        return auto(self.model, self.opt)[name] if value is None else value

    def arch(self, n_in: int = 784, n_out: int = 10) -> Arch:
        """Return the architecture these settings build, as a model file states it."""
        cnn = self.model == "cnn"
        return Arch(self.model, self.hidden if self.model == "mlp" else (), self.act, n_in,
                    n_out, self.channels if cnn else (), self.pool if cnn else "max")

    def feature_map_floats(self, n_in: int = 784) -> int:
        """Return the floats of one image's conv outputs (a cnn's; 0 for other models)."""
        if self.model != "cnn":
            return 0
        sides = self.arch(n_in).cnn_sides()  # each block's output side
        if self.pool == "max":  # the conv output is the block's input size, before its pool
            sides = [math.isqrt(n_in), *sides[:-1]]
        return sum(c * side * side for c, side in zip(self.channels, sides, strict=True))

    # ------------------------------------------------------------ as data

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as JSON-ready values (tuples become lists)."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, values: dict[str, Any], where: str = "spec") -> TrainSpec:
        """Return the validated spec saved by `to_dict`; an unknown name is an error.

        A missing name takes its default: a run saved before that setting existed ran with
        what is now its default.
        """
        names = {f.name for f in fields(cls)}
        if not isinstance(values, dict) or not set(values) <= names:
            got = sorted(values) if isinstance(values, dict) else type(values).__name__
            raise SettingError(where, f"expected some of the settings {sorted(names)}, got {got}")
        return cls(**values).validate()

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Return the setting names, in order."""
        return tuple(f.name for f in fields(cls))

    # ------------------------------------------------------------ what a run needs

    def torch_device(self) -> torch.device:
        """Return the torch.device this run trains on."""
        from groundup.data import resolve_device

        return resolve_device(self.device)

    def build_model(self, n_in: int = 784, n_out: int = 10) -> Module:
        """Return a fresh model (initialised from torch's global RNG) on the spec's device."""
        from groundup.models.architectures import build_model

        self.check_memory(n_in, n_out)  # before a single weight is allocated
        model = build_model(self.model, hidden=self.hidden, act=self.act, n_in=n_in, n_out=n_out,
                            channels=self.channels, pool=self.pool, init=self.init)
        return model.to(self.torch_device())

    def build_optimizer(self, params: Any) -> Optimizer:
        """Return our optimizer over `params`: Adam (AdamW with wd) or SGD with momentum."""
        from groundup.optim import SGD, Adam

        lr = self.setting("lr")
        if self.opt == "adam":
            return Adam(params, lr=lr, weight_decay=self.wd, decoupled=self.wd > 0)
        return SGD(params, lr=lr, momentum=self.momentum, weight_decay=self.wd)

    def build_schedule(self, steps_per_epoch: int) -> Callable[[int], float]:
        """Return the learning-rate schedule over the whole run (step -> lr)."""
        from groundup.train.schedules import make_schedule

        lr = self.setting("lr")
        return make_schedule(self.sched, lr, self.epochs * steps_per_epoch)

    def build_loader(self, x: torch.Tensor, y: torch.Tensor) -> DataLoader:
        """Return the shuffling training loader, its order (and augmentation) fixed by the
        seed."""
        from groundup.data import Augment, DataLoader

        return DataLoader(x, y, bs=self.setting("bs"), shuffle=True, seed=self.seed,
                          transform=Augment() if self.setting("augment") else None)


def auto(model: str, opt: str) -> dict[str, Any]:
    """Return the values of the settings left None, for this model and optimizer: what
    reached the most in the least time when measured (BENCHMARKS.md, docs/cnn.md). A cnn
    trains on augmented batches (an mlp does not gain from them), in batches of 64."""
    cnn = model == "cnn"
    return {"lr": (CNN_DEFAULT_LR if cnn else DEFAULT_LR)[opt], "bs": 64 if cnn else 128,
            "augment": cnn}


def _jsonable(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v
