"""The layering of docs/design.md, checked on the source: every import points down the table.

Each module under src/groundup is parsed (not imported), mapped to its unit (a package such
as `nn`, or a loose root module such as `fileio`), and each of its imports of groundup code,
at the top or inside a function, is checked against the layer table below.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "groundup"

# docs/design.md's table: unit -> layer. `errors` lies under everything.
LAYERS: dict[str, int] = {
    "errors": 0,
    "checks": 0,
    "threads": 0,
    "tensor": 0,
    "fileio": 0,
    "modelfile": 0,
    "nn": 1,
    "optim": 1,
    "data": 1,
    "plot": 1,
    "train": 2,
    "models": 3,
    "ladder": 3,
    "tune": 3,
    "forest": 3,  # forest/__init__.py only: it may name both of its sub-packages
    "forest.plane": 3,
    "forest.interpret": 3,
    "predictor": 3,
    "radar": 3,
    "animate": 3,
    "cli": 4,
    "serve": 4,  # the web app: cli/serve.py starts it (sideways, below)
    "__main__": 5,  # `python -m groundup`: runs the CLI
    "__init__": 5,  # groundup/__init__.py
}
# Imports within one layer that the design allows (docs/design.md says why).
SIDEWAYS: set[tuple[str, str]] = {
    ("tensor", "errors"),
    ("tensor", "checks"),
    ("fileio", "errors"),
    ("modelfile", "errors"),
    ("ladder", "models"),
    ("cli", "serve"),
    ("forest", "forest.plane"),
    ("forest", "forest.interpret"),
}
LIBRARY_ONLY = ("torch.nn", "torch.optim", "torch.utils.data")  # allowed in ladder/library.py
LIBRARY_MODULE = "groundup.ladder.library"


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 2:
            parts = parts[:-1]
        yield ".".join(parts), path


MODULES = dict(_modules())


def unit(module: str) -> str:
    """Return the layer-table unit of a dotted groundup module name."""
    parts = module.split(".")[1:]  # drop "groundup"
    if parts[0] == "forest" and len(parts) > 1 and parts[1] in ("plane", "interpret"):
        return f"forest.{parts[1]}"
    return parts[0]


def imports(path: Path, package: str | None = None) -> Iterator[tuple[int, str]]:
    """Yield (line, dotted name) for every import in the file, absolute or relative.

    `from a import b` yields both `a` and `a.b`: b may be a module (`from torch import nn`).
    `package` (the file's own, for relative imports) defaults to its folder under src/.
    """
    package = package or ".".join(path.parent.relative_to(SRC).parts)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def test_every_module_has_a_layer() -> None:
    assert len(MODULES) > 50
    missing = sorted({unit(m) for m in MODULES} - set(LAYERS))
    assert missing == [], f"add these units to the layer table (and to docs/design.md): {missing}"


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for module, path in MODULES.items():
        here = unit(module)
        for line, name in imports(path):
            there = unit(name) if name.startswith("groundup.") else None
            if there not in LAYERS:
                continue  # not groundup code, or a name such as groundup.__version__
            if there == here or (here, there) in SIDEWAYS or there == "errors":
                continue
            if LAYERS[there] >= LAYERS[here]:
                wrong.append(
                    f"{path.relative_to(SRC)}:{line} ({here}, layer {LAYERS[here]}) "
                    f"imports {name} ({there}, layer {LAYERS[there]})"
                )
    assert wrong == [], "\n".join(wrong)


def test_no_torch_library_layers_outside_the_ladders_library_rung() -> None:
    wrong = [
        f"{path.relative_to(SRC)}:{line} imports {name}"
        for module, path in MODULES.items()
        if module != LIBRARY_MODULE
        for line, name in imports(path)
        if any(name == lib or name.startswith(lib + ".") for lib in LIBRARY_ONLY)
    ]
    assert wrong == [], "\n".join(wrong)


def test_no_private_module_of_another_package_is_imported() -> None:
    """`typer._click` and the like may change without notice; use the public names."""
    wrong = [
        f"{path.relative_to(SRC)}:{line} imports {name}"
        for module, path in MODULES.items()
        for line, name in imports(path)
        if not name.startswith(("groundup.", "__future__"))
        and any(part.startswith("_") for part in name.split("."))
    ]
    assert wrong == [], "\n".join(wrong)


FLAG = re.compile(r"--[a-z]")


def test_only_the_cli_speaks_of_flags() -> None:
    """No string outside groundup.cli (docstrings included) names a `--flag`."""
    wrong = [
        f"{path.relative_to(SRC)}:{node.lineno}: {node.value.strip()[:70]!r}"
        for module, path in MODULES.items()
        if unit(module) != "cli"
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and FLAG.search(node.value)
    ]
    assert wrong == [], f"{len(wrong)} strings name a flag:\n" + "\n".join(wrong)


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The helpers above see an upward import, a relative one, a library one and a flag."""
    bad = tmp_path / "groundup" / "nn" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        '"""Say --lr here."""\n'
        "from groundup.train import fit\n"
        "from ..models import spec\n"
        "from torch import nn\n"
        "def f():\n    import torch.utils.data\n"
    )
    found = [name for _, name in imports(bad, "groundup.nn")]
    assert "groundup.train" in found and "groundup.models" in found
    assert "torch.nn" in found and "torch.utils.data" in found
    assert LAYERS[unit("groundup.train")] > LAYERS[unit("groundup.nn.bad")]
    assert unit("groundup.forest.plane.grid") == "forest.plane"
    assert FLAG.search(ast.get_docstring(ast.parse(bad.read_text())) or "")
