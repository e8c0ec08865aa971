"""Checked snapshots of large annotation files, so that opening one again skips parsing and
checking it (issue 12: 300,000 annotations took 9 s to open, 19 us a record in checks).

A snapshot holds what reading a main file produced, after every check passed: its tables
(the annotations as one column per field) and the annotations' order by position, in
``marshal`` form. It is keyed by the SHA-256 of the
main file's bytes, so any change to the file, by factread or by anyone, misses it; and it
is used only when the journal is empty (after a crash the file is read the careful way).
It is written by a forked child, off the screen's thread: after a fold (from the tables
it has just written) and after a large file was read the careful way.

The snapshots are a cache in the user's cache directory (``FACTREAD_CACHE`` overrides it):
never shared, never the source of truth. One that is damaged, from another version of
factread or Python, or not a regular file of the user's own is ignored and removed. Its
payload carries a SHA-256 digest checked before ``marshal`` reads it. ``marshal`` is not
meant for hostile data: a snapshot is trusted as the user's other files in their own
cache directory are; a colleague's file only ever gets a snapshot that this factread
wrote after checking it."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import marshal
import os
import shutil
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from annotations import descriptors
from annotations.defaults import user_path
from annotations.model import POSITION, Annotation

MIN_ANNOTATIONS = 20_000
"""Smaller files open in well under a second the careful way: no snapshot for them."""
MIN_BYTES = 4_000_000
"""Main files smaller than this are not looked up (20,000 annotations take ~10 MB)."""
KEEP = 4
"""Snapshots kept (the most recently written); older ones are removed."""
SPARE = 4
"""A snapshot is written only where the disk keeps this many times its size (and 64 MB)
free after it: a full disk is for the journal's changes to refuse, not for a cache."""
VERSION = 3
"""Bumped whenever what a snapshot holds or means changes."""
MAGIC = b"factread-snapshot\n"
_HEADER = MAGIC + f"{VERSION} {marshal.version} {sys.version_info[0]}.{sys.version_info[1]}\n" \
    .encode("ascii")
DIGEST = 32

Tables = dict[str, dict[str, Any]]


def directory() -> Path:
    """``FACTREAD_CACHE``, else ``snapshots`` in the user cache directory."""
    return user_path("FACTREAD_CACHE", "cache", "snapshots")


def key_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


_T = TypeVar("_T")


def key_while(raw: bytes, meanwhile: Callable[[], _T]) -> tuple[str, _T]:
    """``key_of(raw)``, computed on a thread of its own (hashlib lets go of the GIL) while
    ``meanwhile()`` runs on this one: at 151 MB each takes ~0.09 s."""
    found: list[str] = []
    hashing = threading.Thread(target=lambda: found.append(key_of(raw)), daemon=True)
    hashing.start()
    try:
        result = meanwhile()
    finally:
        hashing.join()
    return (found[0] if found else key_of(raw)), result  # (a thread that failed: here)


def _path(key: str) -> Path:
    return directory() / f"{key}.snap"


TABLES = ("meta", "articles", "annotations", "reviews")


def encode(tables: Tables) -> bytes:
    """The tables as a snapshot file's bytes. ValueError if an annotation is not a built
    ``Annotation``. The annotations go as their keys and one column per field (marshal
    takes no NamedTuple): read back, ``zip`` hands each row to ``Annotation`` in a tuple
    it reuses, where a tuple per annotation would be made and thrown away."""
    plain: dict[str, Any] = {}
    for name in TABLES:
        table = tables.get(name, {})
        if name == "annotations":
            if not all(type(a) is Annotation for a in table.values()):
                raise ValueError("annotations not built")
            columns = tuple(zip(*table.values(), strict=True)) or \
                ((),) * len(Annotation._fields)
            plain[name] = (list(table), columns)
        else:
            plain[name] = table
    # The annotations by position (as numbers in the table's order), with the store's own
    # key: sorted here, in the child that writes the snapshot, instead of at every open.
    anns = list(tables.get("annotations", {}).values())
    order = sorted(range(len(anns)), key=lambda n: POSITION(anns[n]))
    payload = marshal.dumps((plain, order))
    return _HEADER + hashlib.sha256(payload).digest() + payload


def decode(blob: bytes) -> tuple[Tables, list[int]] | None:
    """The tables of a snapshot file and the annotations by position (as numbers in the
    table's order), or None when it is not a sound snapshot of this version."""
    if not blob.startswith(_HEADER):
        return None
    digest, payload = blob[len(_HEADER):len(_HEADER) + DIGEST], blob[len(_HEADER) + DIGEST:]
    # SHA-256, not BLAKE2b: 0.06 s for 80 MB here against 0.21 s (the CPU hashes SHA).
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        tables, order = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if type(tables) is not dict or tuple(tables) != TABLES or type(order) is not list:
        return None
    try:
        keys, columns = tables["annotations"]
        if type(keys) is not list or len(columns) != len(Annotation._fields) or \
                any(len(column) != len(keys) for column in columns):
            return None
        rows = map(tuple.__new__, itertools.repeat(Annotation), zip(*columns, strict=True))
        tables["annotations"] = dict(zip(keys, rows, strict=True))
    except (TypeError, ValueError):
        return None
    return tables, order


def load(key: str) -> tuple[Tables, list[int]] | None:
    """The snapshot of the main file whose bytes hash to ``key``, if there is a sound one."""
    path = _path(key)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
        if not stat.S_ISREG(info.st_mode) or info.st_uid != owner:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            blob = handle.read()
    except OSError:
        return None
    finally:
        os.close(fd)
    found = decode(blob)
    if found is None:
        with contextlib.suppress(OSError):
            path.unlink()
    return found


def save(key: str, tables: Tables) -> None:
    """Write the snapshot of a main file (no error is said: it is a cache). The newest
    ``KEEP`` are kept."""
    folder = directory()
    temp = folder / f".{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        blob = encode(tables)
        # A cache must not take the last free space from the journal that keeps changes.
        if shutil.disk_usage(folder).free < len(blob) * SPARE + 64 * 1024 * 1024:
            return
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        try:
            descriptors.write_all(fd, blob)
        finally:
            os.close(fd)
        os.replace(temp, _path(key))
        _forget_old(folder)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            temp.unlink()


def _forget_old(folder: Path) -> None:
    """All but the newest KEEP snapshots, and what a writer killed midway left (an hour
    old: one being written now is seconds old)."""
    found = []
    for path in folder.glob("*.snap"):
        with contextlib.suppress(OSError):
            found.append((path.stat().st_mtime_ns, path))
    for _, path in sorted(found, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()
    for path in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - path.stat().st_mtime > 3600:
                path.unlink()


def worth_it(tables: Tables) -> bool:
    return len(tables.get("annotations", ())) >= MIN_ANNOTATIONS


def _let_go() -> None:
    """In the grandchild: close what it inherited (see ``descriptors.let_go``) and leave
    the terminal's session."""
    descriptors.let_go()
    # A session of its own: closing the terminal factread ran in (a tmux pane whose
    # command was factread) sends SIGHUP to its process group, which killed the
    # grandchild halfway; Ctrl+C in the shell afterwards would too.
    with contextlib.suppress(OSError):
        os.setsid()


def save_in_child(key: str, tables: Tables) -> None:
    """``save`` in a forked grandchild, so that neither the screen nor the exit waits for
    it (1.4 s of marshal at 300,000 annotations); where there is no fork, nothing is
    saved and the file opens the careful way next time."""
    if not hasattr(os, "fork") or not worth_it(tables):
        return
    pid = descriptors.fork()
    if pid == 0:
        try:
            if os.fork() == 0:  # the grandchild writes; the child ends at once
                _let_go()
                save(key, tables)
        finally:
            os._exit(0)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)
