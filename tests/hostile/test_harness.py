"""The harness itself: it can tell a refusal, a success and a traceback apart."""

from __future__ import annotations

from tests.hostile.conftest import assert_ok, assert_refused


def test_a_bad_option_is_refused_and_a_good_command_succeeds(hostile) -> None:
    bad = hostile("broadcast", "2,4", "3")
    assert_refused(bad, "do not broadcast")
    assert 20 < bad.peak_mb < 2048
    assert_ok(hostile("broadcast", "2,4", "4"))
