"""Raw file descriptors and forked children, shared by the places factread forks: a
background fold (``storage``), a snapshot writer (``snapshots``), the later part of a
large read (``splitread``) and the texts of a review (``preview``)."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import warnings
from collections.abc import Callable, Iterable

MAX_FD = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096


def write_all(fd: int, data: bytes | memoryview) -> None:
    """All of ``data`` to ``fd``, however many writes it takes; OSError if it cannot (a
    write of nothing is a full disk: looping on it would never end)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, "no space left on device")
        view = view[written:]


def fork() -> int:
    """``os.fork``. Python warns when threads are running (the screen has some): what
    the child runs takes none of their locks (it parses, encodes, writes and exits)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def let_go(keep: tuple[int, ...] = ()) -> None:
    """In a forked child: standard input and output on /dev/null and every other
    descriptor it inherited closed but ``keep``. Among them are the annotation file's
    lock (held by a child, it would outlive a kill -9 of factread) and a pipe on standard
    output (``factread list | head`` would wait for the child to see its end)."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, MAX_FD)


def child(work: Callable[[], None], keep: tuple[int, ...]) -> int:
    """A forked child that lets go of everything it inherited but ``keep`` (``let_go``),
    runs ``work`` and exits, 0 where it returned, 1 where it raised. Returns its pid;
    OSError where there is no fork to be had."""
    pid = fork()
    if pid == 0:  # pragma: no cover - what the child hands over is what the tests check
        status = 1
        try:
            let_go(keep)
            work()
            status = 0
        finally:
            os._exit(status)
    return pid


def end(pid: int, fds: Iterable[int]) -> None:
    """A child whose work is not wanted (any more) killed and reaped, so that no zombie is
    left (``pid`` 0: none), and ``fds`` closed (-1: none)."""
    if pid:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
    for fd in fds:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
