"""`Module`: the base of every layer and model — it finds its parameters and sub-modules.

Assigning a `Parameter` or a `Module` to an attribute registers it under that name (the
way PyTorch's `nn.Module` does), so `parameters()` can walk the whole tree. The values
stay ordinary attributes, so `self.weight` in `forward` is a plain, fast lookup.
`register_buffer` names a plain tensor that is state but not learned (a batch norm's
running mean): it travels with `to` and appears in `state_dict`, after the parameters.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import torch

from groundup.errors import GroundupError
from groundup.nn.parameter import Parameter


class Module:
    """A piece of a network: holds parameters and sub-modules; calling it runs `forward`."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_param_names", [])
        object.__setattr__(self, "_module_names", [])
        object.__setattr__(self, "_buffer_names", [])
        object.__setattr__(self, "training", True)

    def register_buffer(self, name: str, tensor: torch.Tensor) -> None:
        """Register `tensor` as buffer `name`: in state_dict, moved by `to`, never learned."""
        if isinstance(tensor, Parameter) or not isinstance(tensor, torch.Tensor):
            raise TypeError(f"a buffer is a plain tensor, got {type(tensor).__name__} for {name!r}")
        self._forget(name)
        self._buffer_names.append(name)
        object.__setattr__(self, name, tensor)

    # --- registration -------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_param_names" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}.__init__ must call super().__init__() before "
                f"assigning attributes (setting {name!r})"
            )
        names = None
        if name in self._buffer_names and type(value) is torch.Tensor:
            names = self._buffer_names  # assigning a tensor to a buffer updates the buffer
        elif isinstance(value, Parameter):
            names = self._param_names
        elif isinstance(value, Module):
            names = self._module_names
        if names is None or name not in names:  # a replaced child keeps its place, as in torch
            self._forget(name)
            if names is not None:
                names.append(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def _forget(self, name: str) -> None:
        if name in self._param_names:
            self._param_names.remove(name)
        if name in self._module_names:
            self._module_names.remove(name)
        if name in self._buffer_names:
            self._buffer_names.remove(name)

    # --- running ------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # --- walking the tree ---------------------------------------------------------------
    def children(self) -> Iterator[Module]:
        """Return an iterator over the direct sub-modules, in assignment order."""
        for name in self._module_names:
            yield getattr(self, name)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Return an iterator over (name, sub-module) pairs of the direct sub-modules."""
        for name in self._module_names:
            yield name, getattr(self, name)

    def modules(self) -> Iterator[Module]:
        """Return an iterator over this module and every module below it."""
        yield self
        for child in self.children():
            yield from child.modules()

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Return an iterator over (dotted name, Parameter), own parameters first."""
        for name in self._param_names:
            yield prefix + name, getattr(self, name)
        for name, child in self.named_children():
            yield from child.named_parameters(prefix + name + ".")

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, torch.Tensor]]:
        """Return an iterator over (dotted name, buffer tensor), own buffers first."""
        for name in self._buffer_names:
            yield prefix + name, getattr(self, name)
        for name, child in self.named_children():
            yield from child.named_buffers(prefix + name + ".")

    def parameters(self) -> Iterator[Parameter]:
        """Return an iterator over every Parameter of this module and its sub-modules."""
        for _, p in self.named_parameters():
            yield p

    def num_parameters(self) -> int:
        """Return the number of learnable numbers in the model."""
        return sum(p.numel() for p in self.parameters())

    # --- modes and devices ----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Return self, switched (with all sub-modules) to training mode (or eval if False)."""
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Return self, switched to evaluation mode."""
        return self.train(False)

    def to(self, device: str | torch.device | None = None, dtype: torch.dtype | None = None):
        """Return self with every parameter and buffer moved to `device` and/or cast to `dtype`.

        Parameters are replaced by new ones, so build the optimizer after calling `to`.
        Floating-point buffers take `dtype`; integer ones (a step count) keep theirs.
        """
        for m in self.modules():
            for name in m._param_names:
                p = getattr(m, name)
                moved = p.detach().to(device=device, dtype=dtype)
                object.__setattr__(m, name, Parameter(moved, p.requires_grad))
            for name in m._buffer_names:
                b = getattr(m, name)
                cast = dtype if b.is_floating_point() else None
                object.__setattr__(m, name, b.to(device=device, dtype=cast))
        return self

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (sets `.grad` to None)."""
        for p in self.parameters():
            p.grad = None

    # --- saving and loading -----------------------------------------------------------
    def state_dict(self) -> dict[str, torch.Tensor]:
        """Return {dotted name: detached tensor} for every parameter, then every buffer.

        The tensors share storage with the module's own.
        """
        state = {name: p.detach() for name, p in self.named_parameters()}
        state.update((name, b.detach()) for name, b in self.named_buffers())
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor], strict: bool = True) -> None:
        """Copy `state` into the parameters and buffers; mismatches raise one clear error."""
        own = {**dict(self.named_parameters()), **dict(self.named_buffers())}
        missing = [k for k in own if k not in state]
        extra = [k for k in state if k not in own]
        shapes = [
            f"{k}: {tuple(state[k].shape)} given, {tuple(p.shape)} expected"
            for k, p in own.items()
            if k in state and tuple(state[k].shape) != tuple(p.shape)
        ]
        problems = []
        if missing and strict:
            problems.append(f"missing keys {missing}")
        if extra and strict:
            problems.append(f"unexpected keys {extra}")
        if shapes:
            problems.append("shape mismatch " + "; ".join(shapes))
        if problems:
            raise GroundupError(
                f"state dict does not fit {type(self).__name__}: " + "; ".join(problems)
            )
        with torch.no_grad():
            for k, p in own.items():
                if k in state:
                    p.copy_(state[k])

    # --- printing -----------------------------------------------------------------------
    def extra_repr(self) -> str:
        """Return the text shown inside this module's parentheses in its repr."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Return the repr and a table of the parameters (name, shape, count), for notebooks."""
        rows = "".join(
            f"<tr><td>{html.escape(n)}</td><td>{tuple(p.shape)}</td>"
            f'<td style="text-align:right">{p.numel():,}</td></tr>'
            for n, p in self.named_parameters()
        )
        total = (f'<tr><th>total</th><th></th><th style="text-align:right">'
                 f"{self.num_parameters():,}</th></tr>")
        return (f"<pre>{html.escape(repr(self))}</pre><table><thead><tr><th>parameter</th>"
                f"<th>shape</th><th>count</th></tr></thead><tbody>{rows}{total}</tbody></table>")


class Sequential(Module):
    """A chain of modules: the output of each is the input of the next.

    The layers are its child modules, named "0", "1", ... (so a state dict reads "0.weight").
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential takes Modules, got {type(layer).__name__} at {i}")
            setattr(self, str(i), layer)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for name in self._module_names:
            x = getattr(self, name)(x)
        return x

    def __len__(self) -> int:
        return len(self._module_names)

    def __getitem__(self, i: int) -> Module:
        return getattr(self, self._module_names[i])

    def __iter__(self) -> Iterator[Module]:
        return self.children()
