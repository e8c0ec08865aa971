"""One writer per annotation file: an advisory ``flock`` on ``PATH.lock``.

The kernel drops the lock when its holder dies, so a crash never leaves a file locked.
The lock file holds the holder's pid for the message. It is removed on release while
still locked; an acquirer checks that the file it locked is still the one at the path.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from annotations.errors import LockedError


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_file = lock_path(path)
        self._fd: int | None = None

    def acquire(self, wait: float = 0.0) -> None:
        deadline = time.monotonic() + wait
        while True:
            fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"{self.path.name} is open in another factread (pid {holder})"
                    ) from None
                time.sleep(0.02)
                continue
            try:
                same = os.fstat(fd).st_ino == os.stat(self.lock_file).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # released and unlinked between our open and our flock
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            self._fd = fd
            return

    def release(self) -> None:
        if self._fd is None:
            return
        self.lock_file.unlink(missing_ok=True)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
