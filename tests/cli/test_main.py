def test_help_lists_commands(run_cli):
    r = run_cli("--help")
    assert r.code == 0
    assert "forest" in r.out


def test_unknown_command_is_usage_error(run_cli):
    r = run_cli("no-such-command")
    assert r.code == 2
    assert "Traceback" not in r.err
