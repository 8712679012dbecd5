"""groundup.errors: a user's mistake reads as one line, in IPython and Jupyter too."""

from __future__ import annotations

import re

import pytest

from groundup.errors import DataError, GroundupError, SettingError
from groundup.tensor import BroadcastError, explain_broadcast


@pytest.mark.parametrize("error, line", [
    (GroundupError("model.safetensors: not a groundup model"),
     "GroundupError: model.safetensors: not a groundup model"),
    (SettingError("lr", "must be > 0, got -1"), "SettingError: lr: must be > 0, got -1"),
    (DataError("train.json: truncated"), "DataError: train.json: truncated"),
])
def test_render_traceback_is_the_one_line(error: GroundupError, line: str) -> None:
    assert error._render_traceback_() == [line]


def test_a_subclass_elsewhere_renders_its_own_name() -> None:
    with pytest.raises(BroadcastError) as info:
        explain_broadcast((2, 4), (3,))
    (line,) = info.value._render_traceback_()
    assert line.startswith("BroadcastError: ") and "\n" not in line


def test_ipython_shows_a_setting_error_as_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    try:
        result = shell.run_cell("from groundup.errors import SettingError\n"
                                "def train(lr):\n"
                                "    raise SettingError('lr', f'must be > 0, got {lr}')\n"
                                "train(-1)\n")
        out = capsys.readouterr()
    finally:
        interactiveshell.InteractiveShell.clear_instance()
    assert isinstance(result.error_in_exec, SettingError)
    shown = [line for line in (out.out + out.err).splitlines() if line.strip()]
    assert shown == ["SettingError: lr: must be > 0, got -1"]


def test_ipython_still_shows_a_traceback_for_a_bug(capsys: pytest.CaptureFixture[str]) -> None:
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    try:
        shell.run_cell("def train(lr):\n    return 1 / lr\ntrain(0)\n")
        out = capsys.readouterr()
    finally:
        interactiveshell.InteractiveShell.clear_instance()
    lines = [line for line in re.sub(r"\x1b\[[0-9;]*m", "", out.out + out.err).splitlines()
             if line.strip()]
    assert lines[-1] == "ZeroDivisionError: division by zero"
    assert len(lines) > 3 and any("1 / lr" in line for line in lines)  # the traceback
