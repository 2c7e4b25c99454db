"""registry/fork.py: work done in a forked child, with the same result when the child fails
or no child can be made."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from registry import fork

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_split_runs_the_child_in_another_process() -> None:
    here = os.getpid()
    mine, theirs = fork.split(lambda: ("parent", os.getpid()), lambda: ("child", os.getpid()))
    assert mine == ("parent", here)
    name, pid = theirs()
    assert name == "child" and pid != here


def test_a_failing_child_has_its_work_done_here() -> None:
    here = os.getpid()

    def work() -> int:
        if os.getpid() != here:
            raise RuntimeError("the child fails")
        return 42

    child = fork.start(work)
    assert child is not None
    assert child.result() == 42  # computed in this process after the child exited 1


def test_without_a_process_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert fork.start(lambda: 1) is None
    assert fork.detach(lambda: 1) is False
    mine, theirs = fork.split(lambda: "parent", lambda: os.getpid())
    assert (mine, theirs()) == ("parent", os.getpid())


def test_wait_collects_a_child_run_for_its_effect(tmp_path: Path) -> None:
    mark = tmp_path / "written"
    child = fork.start(lambda: mark.write_text("done", encoding="utf-8"))
    assert child is not None
    child.wait()
    assert mark.read_text(encoding="utf-8") == "done"
    with pytest.raises(ChildProcessError):  # collected: nothing is left to wait for
        os.waitpid(child.pid, 0)


def test_sharing_is_not_worthwhile_beside_another_thread() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not fork.worthwhile()
    finally:
        release.set()
        other.join()
    assert fork.worthwhile() == ((os.cpu_count() or 1) >= 2)


# Starts a detached child that waits for `go` (created only once this process has ended and
# its output has been read to the end), then notes whether its parent is gone and what its
# standard input, output and error are.
DETACHING = """\
import os, sys, time
from pathlib import Path
from registry import fork
note, go, parent = Path(sys.argv[1]), Path(sys.argv[2]), os.getpid()
def work():
    deadline = time.monotonic() + 30
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    fds = [os.readlink(f"/proc/self/fd/{n}") for n in (0, 1, 2)]
    part = note.with_suffix(".part")  # renamed whole: the test never reads half of it
    part.write_text(" ".join([str(os.getppid() != parent), *fds]), encoding="utf-8")
    part.replace(note)
print(fork.detach(work), flush=True)
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd")
def test_a_detached_child_outlives_its_parent_and_holds_none_of_its_pipes(
        tmp_path: Path) -> None:
    note, go = tmp_path / "note", tmp_path / "go"
    # Reading stdout and stderr to their end returns only once no process holds them: a
    # child that kept them would make this time out, as it waits for `go`.
    done = subprocess.run([sys.executable, "-c", DETACHING, str(note), str(go)],
                          capture_output=True, text=True, timeout=20, cwd=REPO_ROOT,
                          check=True)
    assert (done.stdout, done.stderr) == ("True\n", "")
    go.touch()
    deadline = time.monotonic() + 20
    while not note.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert note.read_text(encoding="utf-8") == "True /dev/null /dev/null /dev/null"
