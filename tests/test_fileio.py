"""The output-path rule, atomic writes and pairs, and the sweep of stale temporaries."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError, SettingError
from groundup.fileio import (
    TEMP_TAG,
    atomic_path,
    atomic_write_text,
    check_distinct_outputs,
    check_output_file,
    directory_lock,
    prepare_output_dir,
    prepare_output_file,
    remove_stale_temporaries,
)


def _names(d: Path) -> list[str]:
    return sorted(x.name for x in d.iterdir())


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    atomic_write_text(p, "one")
    atomic_write_text(p, "two")
    assert p.read_text() == "two"
    assert _names(tmp_path) == ["a.txt"]


@pytest.mark.parametrize("crash", [RuntimeError, KeyboardInterrupt])
def test_failure_mid_write_keeps_the_old_file(tmp_path: Path, crash: type) -> None:
    p = tmp_path / "a.txt"
    p.write_text("old")
    with pytest.raises(crash), atomic_path(p) as tmp:
        tmp.write_text("half")
        assert TEMP_TAG in tmp.name and tmp.name.startswith(".a.txt")
        raise crash("crash while writing")
    assert p.read_text() == "old"
    assert _names(tmp_path) == ["a.txt"]


@pytest.mark.parametrize("bad,msg", [("/no/such/dir/f.bin", "does not exist"),
                                     ("/sys/f.bin", "not writable")])
def test_unusable_output_paths(bad: str, msg: str) -> None:
    if msg == "not writable" and not Path("/sys").is_dir():
        pytest.skip("needs a read-only /sys")
    with pytest.raises(GroundupError, match=msg):
        check_output_file(bad)


def test_directory_as_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GroundupError, match="is a directory"):
        check_output_file(tmp_path)


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        p = atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(mask)
    assert p.stat().st_mode & 0o777 == 0o644


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A directory holding a subdirectory, a FIFO, a file and a symlink to /dev/null."""
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "file").write_text("x")
    (tmp_path / "null").symlink_to("/dev/null")
    return tmp_path


@pytest.mark.parametrize("name,msg", [
    ("", "the file name is empty"), (".", "names a directory"), ("/", "names a directory"),
    ("..", "names a directory"), ("{d}/new/", "names a directory"),
    ("{d}/sub", "is a directory"), ("{d}/fifo", "is a FIFO"), ("{d}/null", "character device"),
    ("/dev/null", "is a character device"), ("{d}/file/x", "is not a directory"),
    ("{d}/none/x", "does not exist"), ("{d}/a\0b", "cannot be a file name"),
])
def test_the_rule_refuses_what_is_not_a_file_name_or_a_regular_file(
        odd: Path, name: str, msg: str) -> None:
    before = _names(odd)
    with pytest.raises(SettingError, match=msg) as e:
        check_output_file(name.format(d=odd), "out")  # a check: /dev/null is never touched
    assert e.value.param == "out" and "\n" not in e.value.problem.replace(str(odd), "")
    assert _names(odd) == before
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_file_and_its_json_copy_are_never_one_file(odd: Path) -> None:
    for name in ("m.json", "m.JSON", "m.ckpt.json"):
        with pytest.raises(SettingError, match="ends in .json"):
            check_output_file(odd / name, "out", sidecar=True)
    (odd / "x.json").mkdir()
    with pytest.raises(SettingError, match="JSON copy: .*x.json is a directory"):
        check_output_file(odd / "x.safetensors", "out", sidecar=True)
    assert check_output_file(odd / "m.safetensors", "out", sidecar=True) == odd / "m.safetensors"
    assert check_output_file(odd / "file", "out", sidecar=True) == odd / "file"


def test_two_outputs_that_are_one_file_are_refused(tmp_path: Path) -> None:
    m = tmp_path / "m.safetensors"
    with pytest.raises(SettingError, match="would both write .*m.json") as e:
        check_distinct_outputs({"out": m, "checkpoint": tmp_path / "m"}, sidecars=True)
    assert e.value.param == "checkpoint"
    with pytest.raises(SettingError, match="would both write"):
        check_distinct_outputs({"out": m, "resume": tmp_path / "." / "m.safetensors"})
    check_distinct_outputs({"out": m, "checkpoint": tmp_path / "m.ckpt.safetensors"}, True)


def test_a_directory_of_outputs_checks_each_file_first(tmp_path: Path) -> None:
    (tmp_path / "pics" / "wrong.png").mkdir(parents=True)
    with pytest.raises(SettingError, match="wrong.png is a directory") as e:
        prepare_output_dir(tmp_path / "pics", "plot", files=("confusion.png", "wrong.png"))
    assert e.value.param == "plot"
    with pytest.raises(SettingError, match="name is empty"):
        prepare_output_dir("", "show")


def test_devices_are_never_replaced_even_by_root(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can make a device node")
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # our own /dev/null
    for write in (lambda: atomic_write_text(node, "x"),
                  lambda: prepare_output_file(node, "out")):
        with pytest.raises(GroundupError, match="character device"):
            write()
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_stale_temporaries_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "m.ckpt.safetensors"
    dead = tmp_path / f".m.ckpt.safetensors{TEMP_TAG}{_dead_pid()}-abc.safetensors"
    mine = tmp_path / f".m.ckpt.safetensors{TEMP_TAG}{os.getpid()}-abc.safetensors"
    reused = tmp_path / f".m.ckpt.safetensors{TEMP_TAG}1-abc.safetensors"  # PID 1 lives
    other = tmp_path / f".other{TEMP_TAG}{_dead_pid()}-abc.tmp"  # not this target's
    for p in (dead, mine, reused, other):
        p.write_bytes(b"half")
    os.utime(reused, (0, 0))  # written in 1970: before PID 1 started, so a reused PID
    assert prepare_output_file(target, "checkpoint") == target
    left = set(_names(tmp_path))
    assert dead.name not in left and mine.name in left and other.name in left
    if Path("/proc/1/stat").exists():
        assert reused.name not in left
    assert remove_stale_temporaries(tmp_path, ("other",)) == [other]


def test_hypothesis_odd_names_are_refused_in_one_line_or_written_whole(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "fifo")
    parts = st.sampled_from(["a", "b.json", ".", "/", "\n", "\0", " ", "é", "\udcff", "sub",
                             "fifo", "-", "~", "*", "x" * 120])

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(parts, max_size=6).map("".join))
    def check(name: str) -> None:
        path = f"{tmp_path}/{name}"
        before = set(_names(tmp_path))
        try:
            target = check_output_file(path, "out", sidecar=True)
        except SettingError as e:
            assert e.param == "out" and e.problem
            assert set(_names(tmp_path)) == before
            return
        assert target.suffix.lower() != ".json" and not path.endswith("/")
        atomic_write_text(target, "x")  # what the rule lets through is written whole
        assert target.read_text() == "x" and stat.S_ISREG(os.lstat(target).st_mode)
        target.unlink()
        assert set(_names(tmp_path)) == before  # no temporary left anywhere

    check()


_WRITER = """
import sys, torch
from groundup.train.tensorfile import save_tensors
who = int(sys.argv[2])
for i in range(int(sys.argv[3])):
    save_tensors(sys.argv[1], {"w": torch.full((64,), float(who))}, {"who": who, "i": i})
"""


def embedded_metadata(path: Path) -> dict:
    """Return the groundup metadata embedded in a safetensors file's header."""
    import json
    import struct

    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    return json.loads(header["__metadata__"]["groundup"])


def test_two_processes_writing_one_pair_never_mix_it(tmp_path: Path) -> None:
    import json

    out = tmp_path / "m.safetensors"
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(out), str(w), "150"])
               for w in (1, 2)]
    seen = set()
    while any(w.poll() is None for w in writers) or not seen:
        with directory_lock({tmp_path}):
            if out.exists():
                embedded = embedded_metadata(out)
                copy = json.loads(out.with_suffix(".json").read_text())
                assert embedded == copy
                seen.add(copy["who"])
        time.sleep(0.001)
    assert [w.wait() for w in writers] == [0, 0]
    assert _names(tmp_path) == ["m.json", "m.safetensors"]  # no temporaries left
    assert seen  # the reader really compared pairs
