"""Reading a large file's annotations on two cores.

Checking 300,000 annotation records takes seconds in one process, however tight the loop
(issue 12): every record is parsed and each of its 14 fields checked. The machine has a
second core. After the main file is decoded, a forked child reads the later part of the
annotations table, from a member boundary found past ``SHARE`` of that table, with the same
reader and the same checks (``fileformat.RecordReader``), while this process reads the rest.
The child hands back what it built as ``marshal`` columns in an anonymous file (a pipe says
when they are all written), and this process takes them when its own reading reaches that
boundary (``jsonstream.Handover``).

The result is the careful read's, by construction:
- the child parses from the very place where this process's parse stands when it takes
  the hand-over (``jsonstream`` checks that it stands exactly there; if it never does,
  the child's work is thrown away), with the same grammar, so it reads the same members;
- what depends on records the other side read (a key or id repeated across the two, the
  count, an annotation read before its article) is checked by ``RecordReader.add_batch``,
  which asks for the file to be read again in one process where anything is off;
- a child that finds any problem, fails, is killed or does not answer in time hands over
  nothing, and this process reads those members itself, naming any problem as always.
"""

from __future__ import annotations

import gc
import itertools
import marshal
import mmap
import os
import re
import select
import tempfile
import time
from pathlib import Path
from typing import Any

from annotations import descriptors, jsonstream
from annotations.errors import InputError
from annotations.fileformat import QUICK_MEMBERS, Batch, RecordReader
from annotations.model import Annotation

MIN_CHARACTERS = 4_000_000
"""Smaller files are read in one process: at ~20,000 annotations the fork and the hand-over
would cost about what they save."""
SHARE = 0.6
"""Where the child's part begins, as a share of the annotations table's characters (both
processes read the tables before it). More than half: the child also sends what it built,
and takes longer per record than this process (at 300,000: 0.92 s for its 120,000 with
their marshalling, against about 1.0 s for this process's 180,000: it faults in its own
copy of every page it writes). With the child building no maps, 0.5 left this process
waiting 0.47-1.07 s for the child, 0.55 0.09-0.53 s, 0.6 0.02-0.31 s."""
TABLE = "annotations"
_TABLE_START = re.compile(r'"annotations":\{')
"""The table's key as ``storage`` writes it (only a key: a quote in a string is escaped)."""
_BOUNDARY = re.compile(r'\},("[0-9]{1,18}":\{"id":")')
"""The end of one annotation record and the start of the next as ``storage`` writes
them. It cannot occur inside a JSON string (a quote there is escaped), so in a valid file
it is a member boundary; in any other, ``jsonstream`` finds that this process's parse
never stands there, and nothing is handed over."""
WAIT_S = 10.0
WAIT_FACTOR = 3.0
"""The child is waited for ``WAIT_S`` plus ``WAIT_FACTOR`` times as long as this process
took to reach its part: it reads about as much, and the machine may be busy."""
_SIZE = 8
_HEADER = 3 * _SIZE
"""The sizes of the payload's three parts, sent when they are all written."""


class Split:
    """The child reading from ``at``; a ``jsonstream.Handover``. ``close`` ends it when its
    work is not taken (the reading failed or passed the boundary by another way)."""

    table = TABLE

    def __init__(self, at: int, pid: int, pipe: int, spool: int) -> None:
        self.at = at
        self._pid = pid
        self._pipe = pipe
        """Where the child says it is done: the payload's size, once it is all written."""
        self._spool = spool
        """An anonymous file the child writes its payload to (a pipe would make it wait
        for this process to read, 64 KB at a time, once this process is done)."""
        self._started = time.monotonic()

    @classmethod
    def start(cls, text: str) -> Split | None:
        """A child reading ``text`` from ``boundary(text)``, or None (a small file, no
        boundary, no fork)."""
        if len(text) < MIN_CHARACTERS or not hasattr(os, "fork") or cores() < 2:
            return None
        at = boundary(text)
        if at is None:
            return None
        try:
            spool = _spool()
            read_end, write_end = os.pipe()
        except OSError:
            return None

        def hand_over() -> None:  # in the child
            parts = _read_from(text, at)
            for part in parts:
                descriptors.write_all(spool, part)
            descriptors.write_all(write_end, b"".join(
                len(part).to_bytes(_SIZE, "big") for part in parts))

        try:
            pid = descriptors.child(hand_over, keep=(spool, write_end))
        except OSError:
            descriptors.end(0, (spool, read_end, write_end))
            return None
        os.close(write_end)
        return cls(at, pid, read_end, spool)

    def take(self) -> tuple[int, Batch] | None:
        """What the child read: (position after the table, its annotations), or None."""
        try:
            sizes = self._receive()
            if sizes is None:
                return None
            # Read where the child wrote them, without a copy (two, with marshal's bytes
            # inside marshal: 64 MB and 16,000 page faults at 120,000 annotations).
            with mmap.mmap(self._spool, sum(sizes), access=mmap.ACCESS_READ) as mapped:
                view = memoryview(mapped)
                try:
                    ends = list(itertools.accumulate(sizes, initial=0))
                    head, distinct, shared = (marshal.loads(view[a:b])
                                              for a, b in itertools.pairwise(ends))
                finally:
                    view.release()
            end, keys = head
            columns = _in_field_order(distinct, shared)
            del distinct, shared
            rows = map(tuple.__new__, itertools.repeat(Annotation), zip(*columns, strict=True))
            return end, Batch(keys, list(rows))
        except (EOFError, ValueError, TypeError, OSError):
            return None
        finally:
            self.close()

    def _receive(self) -> tuple[int, ...] | None:
        """The sizes of the payload's parts, once the child has written them all; None if
        it gave none in time (see ``WAIT_S``): this process then reads that part itself."""
        deadline = time.monotonic() + WAIT_S + WAIT_FACTOR * (time.monotonic() - self._started)
        head = b""
        while len(head) < _HEADER:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._pipe], [], [], left)[0]:
                return None
            piece = os.read(self._pipe, _HEADER - len(head))
            if not piece:
                return None
            head += piece
        sizes = tuple(int.from_bytes(head[at:at + _SIZE], "big")
                      for at in range(0, _HEADER, _SIZE))
        written = os.fstat(self._spool).st_size
        return sizes if all(sizes) and sum(sizes) == written else None

    def close(self) -> None:
        descriptors.end(self._pid, (self._pipe, self._spool))
        self._pid, self._pipe, self._spool = 0, -1, -1


def cores() -> int:
    """The cores this process may run on (``os.process_cpu_count`` from Python 3.13), or
    fewer where its control group's quota allows less (``docker --cpus 1``). On one, the
    child would only take turns with this process: the 300,000 bench file took 5.05-5.29 s
    split on one core, 3.76-4.29 s read in one process."""
    try:
        found = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity on this system (macOS)
        found = os.cpu_count() or 1
    return min(found, _quota())


CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
"""cgroup v2's CPU quota of the group this process is in, as a container sees it:
"QUOTA PERIOD" in microseconds, or "max PERIOD" for none."""


def _quota() -> int:
    """Whole cores the quota allows (at least 1); a large number where there is none."""
    try:
        quota, period = CPU_MAX.read_text().split()
        return max(1, int(quota) // int(period)) if quota != "max" else 1 << 20
    except (OSError, ValueError, ZeroDivisionError):  # no cgroup v2 here, or not its form
        return 1 << 20


def boundary(text: str) -> int | None:
    """Where the child's part begins: the first member boundary past ``SHARE`` of the
    annotations table (a file of long articles and few annotations has most of its text
    before the table). None where there is none."""
    table = _TABLE_START.search(text)
    if table is None:
        return None
    begin = table.end()
    found = _BOUNDARY.search(text, begin + int((len(text) - begin) * SHARE))
    return found.start(1) if found is not None else None


def _spool() -> int:
    """An anonymous file: in memory where the system has them, else an unlinked one."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("factread-split", getattr(os, "MFD_CLOEXEC", 0))
    with tempfile.TemporaryFile() as handle:
        return os.dup(handle.fileno())


def _read_from(text: str, at: int) -> tuple[bytes, bytes, bytes]:
    """In the child: the annotation members from ``at`` to the end of their table, read
    and checked by the same reader as the rest, as three marshal parts: (position after
    the table, keys), the columns of distinct values, those of shared ones (each column
    one field). ValueError where anything is off."""
    gc.disable()
    reader = RecordReader("")
    try:
        for name, key, record in jsonstream.tables(text):  # meta and articles, cheap
            if key is None:
                if name == TABLE:
                    break
                reader.table(name)
            else:
                reader.record(name, key, record)
        else:
            raise ValueError("no annotations table")
        reader.table(TABLE)
        walk = jsonstream.members_from(text, at, QUICK_MEMBERS[TABLE])
        while True:
            try:
                key, record = next(walk)
            except StopIteration as stop:
                end: int = stop.value
                break
            reader.record(TABLE, key, record)
    except (InputError, jsonstream.StreamError, RecursionError) as err:
        raise ValueError(str(err)) from None
    if reader.deferred or not reader.meta_done:
        raise ValueError("annotations before their articles or the meta table")
    keys, built = reader.in_file_order()
    columns = tuple(zip(*built, strict=True)) or ((),) * len(Annotation._fields)
    distinct = tuple(column for number, column in enumerate(columns) if number not in _SHARED)
    shared = tuple(column for number, column in enumerate(columns) if number in _SHARED)
    return (marshal.dumps((end, keys), _PLAIN), marshal.dumps(distinct, _PLAIN),
            marshal.dumps(shared, _REFERENCES))


_SHARED = frozenset(Annotation._fields.index(name) for name in
                    ("article_sha256", "article", "tag", "annotator", "created", "modified"))
"""Columns of a few objects held by many annotations (and a record's ``modified``, often
its ``created`` object): marshalled with references, so that they come here as shared as
they were in the child. Marshal's table of references costs more than it saves for the
other columns, all distinct strings: with it for every column, the child's ``dumps`` took
0.32 s of its time at 135,000 annotations; this way, 0.14 s."""
_PLAIN, _REFERENCES = 2, 4
"""Marshal versions: 2 writes every object out; 3 and later refer back to one written."""


def _in_field_order(distinct: tuple[tuple[Any, ...], ...],
                    shared: tuple[tuple[Any, ...], ...]) -> list[tuple[Any, ...]]:
    """The columns in ``Annotation``'s order again."""
    rest, common = iter(distinct), iter(shared)
    return [next(common) if number in _SHARED else next(rest)
            for number in range(len(Annotation._fields))]

