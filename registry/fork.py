"""Work done in a forked child while this process goes on: a share of a large load, the
parse cache's write, or a snapshot's write that outlives the command (`detach`).

A child sends back its result pickled (plain values only) and leaves without any cleanup.
Whoever starts one must cope with `start` returning None: no process could be made (a full
process table, or memory the system will not promise twice), and the work is then done here.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def worthwhile() -> bool:
    """Whether sharing work with a child can pay: two cores, and no other thread here.
    Forking a process that runs other threads (aireg used as a library inside a server, say)
    can leave locks held in the child: such callers work on one core."""
    return (os.cpu_count() or 1) >= 2 and hasattr(os, "fork") and \
        threading.active_count() == 1


class Child(Generic[T]):
    """A forked process running `work()`."""

    def __init__(self, pid: int, read_end: int, work: Callable[[], T]) -> None:
        self.pid = pid
        self._read_end = read_end
        self._work = work

    def _finish(self) -> tuple[bytes, int]:
        with os.fdopen(self._read_end, "rb") as stream:
            data = stream.read()
        _, status = os.waitpid(self.pid, 0)
        return data, status

    def result(self) -> T:
        """What the child computed; should it have failed, `work()` runs here instead, so
        the result is the same either way."""
        data, status = self._finish()
        try:
            if status != 0:
                raise ValueError(status)
            theirs: T = pickle.loads(data)
        except (ValueError, pickle.UnpicklingError, EOFError):
            theirs = self._work()
        return theirs

    def wait(self) -> None:
        """Wait until the child has finished, its result unused (work done for its effect)."""
        self._finish()


def _fork(run: Callable[[], object]) -> int | None:
    """The pid of a forked child running `run()`, which then leaves without any cleanup
    (exit 1 when it raised); None when no process could be made."""
    if not hasattr(os, "fork"):
        return None
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        code = 0
        try:
            run()
        except BaseException:
            code = 1
        os._exit(code)
    return pid


def start(work: Callable[[], T]) -> Child[T] | None:
    """`work()` in a forked child; None when no process could be made."""
    read_end, write_end = os.pipe()

    def run() -> None:
        os.close(read_end)
        # Pickled whole before writing: a pipe holds 64 KiB, so pickling into it would
        # stall until the parent reads, and the parent reads only once it is done.
        data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as stream:
            stream.write(data)

    pid = _fork(run)
    os.close(write_end)
    if pid is None:
        os.close(read_end)
        return None
    return Child(pid, read_end, work)


def detach(work: Callable[[], object]) -> bool:
    """`work()` in a forked child that may outlive this process, for its effect alone:
    nobody collects it, and its standard input, output and error are /dev/null, so it
    holds open no terminal or pipe of whoever ran this process (a shell's `| head`, a
    caller reading the output to its end). False when no process could be made."""

    def run() -> None:
        quiet()
        work()

    return _fork(run) is not None


def quiet() -> None:
    """In a child: standard input, output and error to /dev/null, so that it holds open no
    terminal or pipe of whoever ran its parent, which may then end first."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)


def split(parent: Callable[[], T], child: Callable[[], T]) -> tuple[T, Callable[[], T]]:
    """`parent()` here and `child()` in a forked process at the same time; returns the
    parent's result and a function that collects the child's, so the parent can go on
    working first."""
    started = start(child)
    mine = parent()
    return mine, (started.result if started is not None else child)
