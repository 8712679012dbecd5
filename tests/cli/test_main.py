"""The `groundup` entry point: lazy listing, usage errors, and each command loaded only to run."""

from __future__ import annotations

import ast
import subprocess
import sys

from groundup.cli.apps import COMMAND_MODULES, SUMMARIES


def test_help_lists_commands(run_cli):
    r = run_cli("--help")
    assert r.code == 0
    for name in COMMAND_MODULES:
        assert f" {name} " in r.out, name
    assert "Train a digit recogniser on MNIST and save it." in r.out


def test_unknown_command_is_usage_error(run_cli):
    r = run_cli("no-such-command")
    assert r.code == 2
    assert "Traceback" not in r.err
    assert r.err.startswith("error: No such command") and "(see: groundup --help)" in r.err


def test_a_typo_gets_a_suggestion_from_the_unloaded_commands(run_cli) -> None:
    r = run_cli("trian")
    assert r.code == 2 and "Did you mean 'train'?" in r.err


def test_bare_command_shows_help_and_succeeds(run_cli) -> None:
    r = run_cli()
    assert r.code == 0 and "train" in r.out and r.err == ""


def test_listing_summaries_match_each_commands_docstring() -> None:
    import importlib

    import typer.main

    from groundup.cli.apps import app

    for name in SUMMARIES:
        for module in COMMAND_MODULES[name]:
            importlib.import_module(f"groundup.cli.{module}")
    real = typer.main.get_group(app).commands
    for name, summary in SUMMARIES.items():
        assert real[name].callback is not None, name  # the real command, not the stand-in
        doc = " ".join(real[name].help.split("\n\n")[0].split())  # what typer would show
        assert doc == summary, name


def _modules_after(args: list[str]) -> list[str]:
    """Return the heavy libraries and command modules imported by `groundup ARGS` (in a child)."""
    code = (
        "import sys; from groundup.cli.main import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m in ('torch', 'sklearn', 'matplotlib', "
        "'pandas') or m.startswith('groundup.cli.') and m not in ('groundup.cli.main', "
        "'groundup.cli.apps', 'groundup.cli.flags')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return ast.literal_eval(out.strip().splitlines()[-1])


def test_listing_commands_imports_no_command_and_no_heavy_library() -> None:
    assert _modules_after(["--help"]) == []


def test_running_a_command_imports_only_its_own_module() -> None:
    assert _modules_after(["broadcast", "3,1", "3"]) == ["groundup.cli.broadcast"]
    forest = _modules_after(["forest", "--help"])
    assert [m for m in forest if m.startswith("groundup.cli.")] == [
        "groundup.cli.forest_explain",
        "groundup.cli.forest_pictures",
    ]


def test_a_command_run_after_the_listing_is_the_real_one(run_cli) -> None:
    assert run_cli("--help").code == 0
    r = run_cli("broadcast", "3,1", "3")
    assert r.code == 0 and "result shape: (3, 3)" in r.out
    r = run_cli("broadcast", "--nope")
    assert r.code == 2 and r.err.startswith("error: No such option: --nope")
    assert "(see: groundup broadcast --help)" in r.err


def test_a_file_name_with_a_newline_stays_on_one_error_line(run_cli, tmp_path) -> None:
    odd = tmp_path / "bad\nname" / "m.safetensors"
    r = run_cli("train", "--out", odd)
    assert r.code == 2
    assert r.err.count("\n") == 1 and r.err.startswith("error: ") and "bad\\nname" in r.err


def test_help_paragraphs_are_reflowed_and_examples_kept() -> None:
    from groundup.cli.apps import reflow

    text = """First line.

    A paragraph written
    over three
    lines.

        groundup example --kept as written
        second line of it
    """
    assert reflow(text) == ("First line.\n\nA paragraph written over three lines.\n\n"
                            "    groundup example --kept as written\n    second line of it")


def test_a_loaded_command_s_help_wraps_at_the_terminal_not_at_the_docstring(run_cli) -> None:
    r = run_cli("predict", "--help")
    assert r.code == 0
    flat = " ".join(r.out.split())  # the words, whatever the terminal width
    assert "ink made white and the paper exactly black" in flat
    lines = [line.strip() for line in r.out.splitlines()]
    assert "paper" not in lines and "20x20," not in lines  # no orphaned half-lines
