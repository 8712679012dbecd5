"""`groundup serve` as a command: the default model, its errors, the warning, Ctrl-C, no torch."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.serve.conftest import start_server


def one_error_line(r, *needles: str) -> None:
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.err
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_without_a_model_it_says_to_train_one(run_cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    one_error_line(run_cli("serve"), "no model.safetensors here", "run `groundup train` first")


def test_a_file_that_is_not_a_model_is_one_error_line(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "notes.safetensors"
    bad.write_text("not a model")
    one_error_line(run_cli("serve", bad), str(bad))


def test_a_model_for_other_inputs_is_refused(run_cli, tmp_path: Path) -> None:
    from groundup.models import build_model
    from groundup.models.io import save_model

    meta = {"model": "logreg", "hidden": [], "act": "relu", "n_in": 100, "n_out": 10,
            "norm_mean": 0.1, "norm_std": 0.3}
    model = save_model(tmp_path / "m100.safetensors", build_model("logreg", n_in=100), meta)
    one_error_line(run_cli("serve", model), str(model), "from 100 inputs to 10 classes")


def test_a_busy_port_is_one_error_line(run_cli, digit_model: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        one_error_line(run_cli("serve", digit_model, "--port", port),
                       f"--port: cannot listen on http://127.0.0.1:{port}/")


@pytest.mark.parametrize(("args", "needle"), [
    (["--port", "70000"], "--port: must be a whole number from 0 to 65535"),
    (["--host", "no such host.invalid"], "--host: cannot find the address"),
])
def test_bad_options_are_one_error_line(run_cli, digit_model: Path, args, needle) -> None:
    one_error_line(run_cli("serve", digit_model, *args), needle)


def test_the_default_model_is_served_and_ctrl_c_stops_cleanly(digit_model: Path,
                                                              tmp_path: Path) -> None:
    (tmp_path / "cwd").mkdir()
    (tmp_path / "cwd" / "model.safetensors").write_bytes(digit_model.read_bytes())
    server = start_server(["--port", "0"], tmp_path)
    assert server.out[0].startswith("serving model at http://127.0.0.1:")
    assert httpx.get(server.url + "/api/models").json()["default"] == "model"
    assert server.stop(signal.SIGINT) == 0
    time.sleep(0.2)  # the reader threads take the last lines
    assert server.err[-1] == "stopped" and not any("Traceback" in e for e in server.err)


def test_a_second_ctrl_c_while_stopping_is_still_clean(digit_model: Path,
                                                      tmp_path: Path) -> None:
    server = start_server([str(digit_model), "--port", "0"], tmp_path)
    assert httpx.get(server.url + "/api/models").status_code == 200  # up and answering
    server.process.send_signal(signal.SIGINT)
    time.sleep(0.05)  # an impatient second press, while the server is shutting down
    assert server.stop(signal.SIGINT) in (0, -signal.SIGINT)  # stopped, or ended by the press
    time.sleep(0.2)  # the reader threads take the last lines
    assert not any("Traceback" in e for e in server.err), "\n".join(server.err)


def test_listening_on_every_address_warns(digit_model: Path, tmp_path: Path) -> None:
    server = start_server([str(digit_model), "--host", "0.0.0.0", "--port", "0"], tmp_path)
    try:
        port = server.url.rsplit(":", 1)[1]
        assert httpx.get(f"http://127.0.0.1:{port}/api/models").status_code == 200
        assert server.err and server.err[0].startswith("warning: --host 0.0.0.0: the page")
        assert "reachable from the network" in server.err[0]
    finally:
        assert server.stop() == 0


def test_the_server_never_imports_torch(digit_model: Path) -> None:
    """The app, its models and a prediction run on NumPy alone (torch costs ~2 s to import)."""
    code = (
        "import sys, time\n"
        "import groundup.cli.main, groundup.cli.serve\n"
        "from groundup.serve import create_app, load_models\n"
        "from groundup.serve.app import predict_bytes\n"
        f"models = load_models([{str(digit_model)!r}])\n"
        "create_app(models)\n"
        "from tests.serve.conftest import drawn_digit, png\n"
        "predict_bytes(models['fast'], png(drawn_digit([[(0.5, 0.2), (0.5, 0.8)]])), 0.0)\n"
        "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))\n"
    )
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_without_chromium_the_page_tests_skip_or_in_ci_fail(tmp_path: Path) -> None:
    from tests.serve.conftest import missing_browser, skip_or_fail

    reason = missing_browser(tmp_path / "no-chromium")
    assert reason and "apt-get install -y chromium" in reason
    with pytest.raises(pytest.skip.Exception, match="apt-get install"):
        skip_or_fail(reason, ci=False)
    with pytest.raises(pytest.fail.Exception, match="apt-get install"):
        skip_or_fail(reason, ci=True)
