def test_help_lists_commands(run_cli):
    r = run_cli("--help")
    assert r.code == 0
    assert "forest" in r.out


def test_unknown_command_is_usage_error(run_cli):
    r = run_cli("no-such-command")
    assert r.code == 2
    assert "Traceback" not in r.err


def test_bare_command_shows_help_and_succeeds(run_cli) -> None:
    r = run_cli()
    assert r.code == 0 and "train" in r.out and r.err == ""


def test_listing_summaries_match_each_commands_docstring() -> None:
    import importlib

    from groundup.cli.apps import app
    from groundup.cli.main import COMMAND_MODULES, SUMMARIES, _listing_only, command_name

    for name in SUMMARIES:
        for module in COMMAND_MODULES[name]:
            importlib.import_module(f"groundup.cli.{module}")
    real = {command_name(c): c for c in app.registered_commands
            if c.callback is not _listing_only}
    for name, summary in SUMMARIES.items():
        text = real[name].help or real[name].callback.__doc__  # what typer would show
        doc = " ".join(text.split("\n\n")[0].split())
        assert doc == summary, name


def test_listing_commands_imports_no_heavy_library() -> None:
    import subprocess
    import sys

    code = ("import sys; from groundup.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('torch', 'sklearn', 'matplotlib', 'pandas') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_command_run_after_the_listing_is_the_real_one(run_cli) -> None:
    assert run_cli("--help").code == 0
    r = run_cli("broadcast", "3,1", "3")
    assert r.code == 0 and "result shape: (3, 3)" in r.out
