"""The schema of a training checkpoint's metadata: where training stopped and its state dicts.

Layer 0, torch-free, like `groundup.modelfile.schema`. A checkpoint (see
`groundup.train.checkpoint`) holds, beside its model's tensors, the optimizer's state dict
("opt"), the data loader's ("loader") and torch's random-generator state ("rng"), each
stored as JSON with a {"tensor": name} marker where a tensor was. This module checks their
structure and that every marker names a tensor the file holds, of a fitting dtype; what
only torch can judge (a generator state's exact layout, the optimizer's values against its
parameters) is checked by `load_checkpoint` and `Checkpoint.restore`.
"""

from __future__ import annotations

from typing import Any

from groundup.errors import ModelFileError
from groundup.modelfile.schema import ARCH_FIELDS, Header, check_model, finite, show, whole

MARK = "tensor"
FLOATS = ("F16", "BF16", "F32", "F64")
INTEGERS = ("I8", "I16", "I32", "I64", "U8")
BYTES = "U8"  # a random generator's state: a flat uint8 tensor
MAX_HISTORY = 1_000_000  # epochs


def marker(value: Any) -> str | None:
    """Return the tensor name if `value` is a {"tensor": name} marker, else None."""
    if isinstance(value, dict) and set(value) == {MARK} and isinstance(value[MARK], str):
        return value[MARK]
    return None


def check_checkpoint(meta: dict, header: Header, where: str) -> list[str]:
    """Return the names of the tensors to load, after checking `meta` is a checkpoint whose
    training state is well formed (and whose model, when it states its architecture, fits
    its tensors; a checkpoint of other code's model need not).

    `meta` has passed `check_header`.
    """
    if meta.get("kind") != "checkpoint":
        raise ModelFileError(f"{where}: not a training checkpoint (kind {show(meta.get('kind'))})")
    for key in ("epoch", "step", "history", "opt", "loader", "rng"):
        if key not in meta:
            raise ModelFileError(f"{where}: checkpoint metadata lacks {key!r}")
    for key in ("epoch", "step"):
        if not whole(meta[key], 0, 2**62):
            raise ModelFileError(
                f"{where}: checkpoint {key!r} must be a whole number >= 0, got {show(meta[key])}"
            )
    _check_history(meta["history"], where)
    _check_opt(meta["opt"], header, where)
    loader = meta["loader"]
    if not isinstance(loader, dict) or "generator" not in loader:
        raise ModelFileError(
            f"{where}: checkpoint 'loader' must be the data loader's state, got {show(loader)}"
        )
    _check_markers("loader", loader, header, where)
    _check_bytes("loader.generator", loader["generator"], header, where)
    _check_bytes("rng", meta["rng"], header, where)
    if all(k in meta for k in ARCH_FIELDS):  # it states its model: the weights must fit it
        check_model(meta, header, where)
    return list(header)


def _check_history(history: Any, where: str) -> None:
    """Each epoch's row: a dict of numbers (None for what was not measured), metrics a dict."""
    ok = isinstance(history, list) and len(history) <= MAX_HISTORY and all(
        isinstance(row, dict) and all(_plain_number(v) or (k == "metrics" and isinstance(v, dict)
                                                           and all(map(_plain_number, v.values())))
                                      for k, v in row.items())
        for row in history
    )
    if not ok:
        raise ModelFileError(
            f"{where}: checkpoint 'history' must be a list of epoch rows of numbers, "
            f"got {show(history)}"
        )


def _plain_number(v: Any) -> bool:
    return v is None or (isinstance(v, int | float) and not isinstance(v, bool))


def _check_opt(opt: Any, header: Header, where: str) -> None:
    """{"state": {index: {key: tensor}}, "param_groups": [{..., "params": [index]}]}."""
    if not isinstance(opt, dict) or set(opt) != {"state", "param_groups"}:
        raise ModelFileError(
            f"{where}: checkpoint 'opt' must be an optimizer's state dict with 'state' and "
            f"'param_groups', got {show(opt)}"
        )
    groups = opt["param_groups"]
    if not isinstance(groups, list) or not all(
        isinstance(g, dict) and isinstance(g.get("params"), list)
        and all(whole(i) for i in g["params"])
        for g in groups
    ):
        raise ModelFileError(
            f"{where}: checkpoint 'opt' param_groups must be a list of dicts each listing its "
            f"'params', got {show(groups)}"
        )
    state = opt["state"]
    if not isinstance(state, dict) or not all(isinstance(s, dict) for s in state.values()):
        raise ModelFileError(
            f"{where}: checkpoint 'opt' state must map each parameter to its state, "
            f"got {show(state)}"
        )
    _check_markers("opt", opt, header, where)
    for i, entry in state.items():
        for key, value in entry.items():
            name = marker(value)
            if name is None and not finite(value):
                raise ModelFileError(
                    f"{where}: checkpoint 'opt' state {key!r} of parameter {show(i)} must be "
                    f"a tensor or a number, got {show(value)}"
                )
            allowed = FLOATS + INTEGERS if key == "step" else FLOATS
            if name is not None and header[name][0] not in allowed:
                raise ModelFileError(
                    f"{where}: checkpoint 'opt' state {key!r} of parameter {show(i)} must be "
                    f"floating point, got {header[name][0]}"
                )


def _check_markers(part: str, value: Any, header: Header, where: str) -> None:
    """Every {"tensor": name} marker inside `value` names a tensor of the file."""
    stack = [value]
    while stack:
        v = stack.pop()
        name = marker(v)
        if name is not None and name not in header:
            raise ModelFileError(
                f"{where}: checkpoint {part!r} names tensor {show(name)}, which the file lacks"
            )
        if name is None and isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def _check_bytes(part: str, value: Any, header: Header, where: str) -> None:
    """`value` is a marker of a flat uint8 tensor (a random generator's state)."""
    name = marker(value)
    if name is None:
        raise ModelFileError(
            f"{where}: checkpoint {part!r} must name a uint8 tensor, got {show(value)}"
        )
    if name not in header:
        raise ModelFileError(
            f"{where}: checkpoint {part!r} names tensor {show(name)}, which the file lacks"
        )
    dtype, shape = header[name]
    if dtype != BYTES or len(shape) != 1:
        raise ModelFileError(
            f"{where}: checkpoint {part!r} must be a flat uint8 tensor, got {dtype} of shape "
            f"{list(shape)}"
        )

