"""One writer per annotation file: an advisory ``flock`` on ``PATH.lock``.

The kernel drops the lock when its holder dies, so a crash never leaves a file locked.
The lock file holds the holder's pid for the message. It is removed on release while
still locked; an acquirer checks that the file it locked is still the one at the path.
It is opened without following symbolic links: a link planted there would otherwise get
the pid written into its target.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

from annotations.errors import LockedError, disk_error
from annotations.storage import open_own

WAIT_NOTICE = 1.0
"""Seconds of waiting for another factread before saying so."""


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_file = lock_path(path)
        self._fd: int | None = None

    def acquire(self, wait: float = 0.0, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the lock, waiting up to ``wait`` seconds for another factread; after
        WAIT_NOTICE seconds of that, ``on_wait(holder_pid)`` is called once."""
        started = time.monotonic()
        deadline = started + wait
        told = False
        while True:
            fd = open_own(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                holder = holder if holder.isdigit() else "?"
                os.close(fd)
                now = time.monotonic()
                if now >= deadline:
                    raise LockedError(
                        f"{self.path.name} is open in another factread (pid {holder})"
                    ) from None
                if on_wait is not None and not told and now - started >= WAIT_NOTICE:
                    told = True
                    on_wait(holder)
                time.sleep(0.02)
                continue
            try:
                same = os.fstat(fd).st_ino == os.stat(self.lock_file, follow_symlinks=False).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # released and unlinked between our open and our flock
                os.close(fd)
                continue
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            except OSError as err:
                os.close(fd)
                raise disk_error(self.lock_file, err, "nothing was changed") from None
            self._fd = fd
            return

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.lock_file.unlink(missing_ok=True)
        except OSError:
            pass  # the kernel lock is what counts; a stale lock file only holds a pid
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
