"""The `Optimizer` base: parameter groups, per-parameter state, `zero_grad`, `step`, state dicts.

Layer 1. An optimizer holds references to tensors (the parameters) and, at each `step()`,
moves every parameter that has a `.grad` a little way downhill. How it moves is the update
rule, which a subclass supplies as `_update_group`; everything else lives here, shaped like
`torch.optim.Optimizer` so that code written for one reads naturally with the other:

- `param_groups` is a list of dicts, each with "params" (a list of tensors) and the
  hyper-parameters for those tensors ("lr", ...). A learning-rate schedule sets
  `group["lr"]` between steps.
- `state` maps a parameter to a dict of what the rule remembers about it (a momentum
  buffer, Adam's running averages, its step count).
- `state_dict()` / `load_state_dict()` save and restore both, with the parameters named by
  their index across all groups, in order, so the dict does not depend on object identity.

Only tensors and autograd are borrowed from PyTorch: this module never imports `torch.optim`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch

from groundup.errors import GroundupError
from groundup.optim.checks import check_foreach, check_number

ParamsArg = Iterable[torch.Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class: updates tensors in place from their `.grad`, one `step()` at a time.

    Subclasses set `defaults` (hyper-parameter names and default values) through
    `__init__`, list the per-parameter state keys they use in `state_keys`, check a group's
    hyper-parameters in `_check_group`, and apply their rule in `_update_group`.
    """

    # Keys a parameter's state may hold; load_state_dict refuses anything else, so an Adam
    # state dict cannot be loaded into SGD by mistake.
    state_keys: tuple[str, ...] = ()
    # Which path `foreach=None` takes for parameters on the CPU (GPUs always take foreach:
    # one kernel launch per list beats one per tensor). Set per rule from benchmarks/bench_optim.py.
    foreach_on_cpu: bool = True

    def __init__(self, params: ParamsArg, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[torch.Tensor, dict[str, Any]] = {}
        self._check_group(self.defaults)
        if isinstance(params, torch.Tensor):
            raise GroundupError(
                f"{self.name}: params must be an iterable of tensors or of dicts (parameter "
                "groups), got a single Tensor; wrap it in a list"
            )
        try:
            items = list(params)
        except TypeError:
            raise GroundupError(
                f"{self.name}: params must be an iterable of tensors or of dicts, "
                f"got {type(params).__name__}"
            ) from None
        if not items:
            raise GroundupError(f"{self.name}: got an empty list of parameters")
        groups = items if isinstance(items[0], dict) else [{"params": items}]
        for group in groups:
            self.add_param_group(group)

    @property
    def name(self) -> str:
        """Return the optimizer's class name, used in messages."""
        return type(self).__name__

    # ----------------------------------------------------------------- groups

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a parameter group; hyper-parameters it leaves out take the optimizer's defaults.

        Useful for fine-tuning: unfreeze a layer and hand it to the optimizer with its own lr.
        """
        if not isinstance(group, dict) or "params" not in group:
            raise GroundupError(
                f"{self.name}: a parameter group must be a dict with a 'params' key, got {group!r}"
            )
        unknown = sorted(set(group) - set(self.defaults) - {"params"})
        if unknown:
            raise GroundupError(
                f"{self.name}: unknown hyper-parameter(s) {', '.join(unknown)} in a parameter "
                f"group; known: {', '.join(self.defaults)}"
            )
        params = group["params"]
        params = [params] if isinstance(params, torch.Tensor) else list(params)
        if not params:
            raise GroundupError(f"{self.name}: a parameter group has no parameters")
        for p in params:
            self._check_param(p)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise GroundupError(f"{self.name}: a parameter appears more than once")
        full = {**self.defaults, **group, "params": params}
        self._check_group(full)
        self.param_groups.append(full)

    def _check_param(self, p: Any) -> None:
        if not isinstance(p, torch.Tensor):
            raise GroundupError(
                f"{self.name}: parameters must be tensors, got {type(p).__name__}"
            )
        if not p.is_floating_point():
            raise GroundupError(
                f"{self.name}: parameters must be real floating-point tensors, got {p.dtype}"
            )
        if not p.is_leaf:
            raise GroundupError(
                f"{self.name}: can only optimize leaf tensors (made by you, not computed "
                "from others); detach it and call requires_grad_()"
            )

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise GroundupError if a group's hyper-parameters are invalid (subclasses extend)."""
        check_number(self.name, "lr", group["lr"], low=0.0)
        check_foreach(self.name, group.get("foreach"))

    # ----------------------------------------------------------------- stepping

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: set `.grad` to None (default) or fill it with 0.

        None is faster (no memset) and lets `step()` skip parameters that got no gradient.
        """
        grads = []
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    grads.append(p.grad)
        if grads:
            torch._foreach_zero_(grads)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a `.grad`; return `closure()`'s loss, else None.

        `closure`, if given, re-computes the loss and its gradients (it runs with autograd
        on); the update itself runs under `torch.no_grad()`.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
            for group in self.param_groups:
                params = [p for p in group["params"] if p.grad is not None]
                if params:
                    self._update_group(group, params)
        return loss

    def _update_group(self, group: dict[str, Any], params: list[torch.Tensor]) -> None:
        """Apply the update rule to `params` (those in `group` with a `.grad`)."""
        raise NotImplementedError

    def _use_foreach(self, group: dict[str, Any], params: list[torch.Tensor]) -> bool:
        """Return whether to take the multi-tensor (torch._foreach_*) path for these params."""
        foreach = group.get("foreach")
        if foreach is None:
            return self.foreach_on_cpu or params[0].device.type != "cpu"
        return foreach

    # ----------------------------------------------------------------- state dicts

    def _all_params(self) -> list[torch.Tensor]:
        return [p for g in self.param_groups for p in g["params"]]

    def state_dict(self) -> dict[str, Any]:
        """Return {"state": {index: {key: tensor}}, "param_groups": [{..., "params": [index]}]}.

        Parameters are named by their position across all groups. Tensors are copies, so the
        dict is a snapshot that later steps do not change; every state value is a tensor
        (step counts become 0-d int64 tensors), so it flattens straight into safetensors.
        """
        index = {id(p): i for i, p in enumerate(self._all_params())}
        state = {}
        for p, s in self.state.items():
            state[index[id(p)]] = {
                k: v.detach().clone() if isinstance(v, torch.Tensor) else torch.tensor(v)
                for k, v in s.items()
            }
        groups = []
        start = 0
        for g in self.param_groups:
            n = len(g["params"])
            groups.append({**{k: v for k, v in g.items() if k != "params"},
                           "params": list(range(start, start + n))})
            start += n
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by `state_dict()` into this optimizer.

        The optimizer must have been built over parameters of the same number, grouping and
        shapes. Everything is checked before anything changes, so a bad dict leaves the
        optimizer as it was. Tensors are copied onto each parameter's device (and, for
        floating-point state, its dtype).
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise GroundupError(
                f"{self.name}: a state dict must be a dict with keys 'state' and 'param_groups'"
            )
        groups = self._loaded_groups(state_dict["param_groups"])
        state = self._loaded_state(state_dict["param_groups"], state_dict["state"])
        self.param_groups[:] = groups
        self.state = state

    def _loaded_groups(self, saved_groups: Any) -> list[dict[str, Any]]:
        """Return our param groups with the saved hyper-parameters, each checked."""
        if not isinstance(saved_groups, list) or len(saved_groups) != len(self.param_groups):
            n = len(saved_groups) if isinstance(saved_groups, list) else "no"
            raise GroundupError(
                f"{self.name}: state dict has {n} parameter groups, this optimizer has "
                f"{len(self.param_groups)}"
            )
        new_groups = []
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), list | tuple):
                raise GroundupError(f"{self.name}: state dict parameter group {i} is malformed")
            if len(saved["params"]) != len(group["params"]):
                raise GroundupError(
                    f"{self.name}: state dict parameter group {i} has {len(saved['params'])} "
                    f"parameters, this optimizer's has {len(group['params'])}"
                )
            unknown = sorted(set(saved) - set(self.defaults) - {"params"})
            if unknown:
                raise GroundupError(
                    f"{self.name}: state dict has hyper-parameter(s) {', '.join(unknown)} that "
                    f"{self.name} does not use (saved from a different optimizer?)"
                )
            new = {**group, **{k: v for k, v in saved.items() if k != "params"}}
            new["params"] = group["params"]
            self._check_group(new)
            new_groups.append(new)
        return new_groups

    def _loaded_state(self, saved_groups: list, saved_state: Any) -> dict[torch.Tensor, dict]:
        """Return the saved per-parameter state keyed by our parameters, each value checked."""
        # The saved groups name their parameters by index; pair them with ours in order.
        by_index: dict[int, torch.Tensor] = {}
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            for key, p in zip(saved["params"], group["params"], strict=True):
                i = _as_index(key)
                if i is None or i in by_index:
                    raise GroundupError(
                        f"{self.name}: state dict parameter groups list parameter {key!r} "
                        "more than once or not as an index"
                    )
                by_index[i] = p
        if not isinstance(saved_state, dict):
            raise GroundupError(f"{self.name}: state dict 'state' must be a dict")
        new_state: dict[torch.Tensor, dict[str, Any]] = {}
        for key, entry in saved_state.items():
            i = _as_index(key)
            if i not in by_index:
                raise GroundupError(
                    f"{self.name}: state dict has state for parameter {key!r}, which none of "
                    "its parameter groups lists"
                )
            p = by_index[i]
            if not isinstance(entry, dict):
                raise GroundupError(f"{self.name}: state for parameter {i} must be a dict")
            new_state[p] = {k: self._load_state_value(i, p, k, v) for k, v in entry.items()}
        return new_state

    def _load_state_value(self, i: int, p: torch.Tensor, key: str, value: Any) -> Any:
        if key not in self.state_keys:
            raise GroundupError(
                f"{self.name}: state for parameter {i} has key {key!r}, which {self.name} does "
                f"not use (saved from a different optimizer?)"
            )
        if key == "step":
            if isinstance(value, torch.Tensor):
                if value.numel() != 1:
                    raise GroundupError(f"{self.name}: step of parameter {i} is not a scalar")
                value = value.item()
            if isinstance(value, bool) or not float(value).is_integer() or value < 0:
                raise GroundupError(f"{self.name}: step of parameter {i} must be a count >= 0")
            return int(value)
        if not isinstance(value, torch.Tensor):
            raise GroundupError(f"{self.name}: state {key!r} of parameter {i} must be a tensor")
        if value.shape != p.shape:
            raise GroundupError(
                f"{self.name}: state {key!r} of parameter {i} has shape {tuple(value.shape)}, "
                f"the parameter has shape {tuple(p.shape)}"
            )
        dtype = p.dtype if value.is_floating_point() else value.dtype
        return value.detach().to(device=p.device, dtype=dtype, copy=True)

    # ----------------------------------------------------------------- display

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in self.defaults.items())
        lines = [f"{self.name}({hyper})"]
        for i, g in enumerate(self.param_groups):
            n = sum(p.numel() for p in g["params"])
            own = ", ".join(
                f"{k}={v!r}" for k, v in g.items() if k != "params" and v != self.defaults[k]
            )
            size = f"  group {i}: {len(g['params'])} tensors, {n:,} values"
            lines.append(size + (f"; {own}" if own else ""))
        return "\n".join(lines)


def _as_index(key: Any) -> int | None:
    """Return a state-dict key as a parameter index (ints, or digit strings from JSON)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if isinstance(key, str) and key.isdigit():
        return int(key)
    return None
