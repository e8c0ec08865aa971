"""Errors that end as one line for the user, never a traceback."""

from __future__ import annotations

import errno
import os


class FactreadError(Exception):
    """Base class: ``str(err)`` is the complete one-line message."""


class InputError(FactreadError):
    """Bad input from a file or a value: names the file, the record and the problem."""


class LockedError(FactreadError):
    """The annotation file is held by another factread process."""


class DiskError(FactreadError):
    """The operating system refused a read or a write (disk full, permissions, a symlink
    where factread will not follow one). Nothing that was not reported done is stored."""


_PLAIN = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large (the file size limit was reached)",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ELOOP: "is a symbolic link, which factread does not follow (remove it)",
    errno.ENOENT: "no such file or directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "is a directory",
    errno.EIO: "input/output error",
}


def os_problem(err: OSError) -> str:
    """What went wrong, in words a user can act on."""
    if err.errno in _PLAIN:
        return _PLAIN[err.errno]
    return (err.strerror or str(err)).lower()


def disk_error(path: object, err: OSError, what: str = "") -> DiskError:
    """One line: the file, the problem, and (``what``) what it means for the user's work."""
    name = err.filename if path is None else path
    line = os_problem(err)
    if name is not None:
        line = f"{os.fsdecode(name) if isinstance(name, bytes) else name}: {line}"
    return DiskError(f"{line}: {what}" if what else line)
