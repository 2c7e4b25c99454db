"""registry/fork.py: work done in a forked child, with the same result when the child fails
or no child can be made."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

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
