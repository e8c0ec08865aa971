"""What a forked child of factread holds, for the tests of the places that fork."""

from __future__ import annotations

import os
import time


def descriptors_left(pid: int, at_most: int) -> tuple[list[str], set[str]]:
    """The child's open descriptors and what they point at, once it has let go of what it
    inherited (it does so first thing; waited for up to 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        fds = os.listdir(f"/proc/{pid}/fd")
        if len(fds) <= at_most or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    return fds, {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in fds}
