"""The texts a review shows, read by a forked child while the screen starts.

``factread review`` shows both files' articles before it opens either file (issue 12: the
first frame within half a second). Reading those articles takes 20-45 ms: the modules that
read a factread file, then the articles table of each file. Importing the screen takes
150-250 ms on one core and the machine has another, so a child reads the articles
meanwhile and hands them over as ``marshal`` data on a pipe; the screen then starts
without those modules, which the file's opening imports after the first frame.

The child only reads, with the same function as this process (``shown``). Where it fails
in any way (a problem in a file, a crash, garbage, no answer in time), nothing is handed
over and ``take`` reads the articles here, so that any problem is named exactly as always.
"""

from __future__ import annotations

import marshal
import os
import select
import time
from pathlib import Path

from annotations import descriptors
from annotations.articles import Article
from annotations.sources import Source

WAIT_S = 10.0
"""The child is waited for this long at most (a file on a slow disk); then its part is
read here."""


def shown(mine: Path, theirs: Path) -> list[Article]:
    """The articles a review of ``theirs`` against ``mine`` shows (``review_articles``),
    read without the annotations; InputError naming any problem."""
    from annotations.review import review_articles
    from annotations.storage import read_articles

    return review_articles(read_articles(mine), read_articles(theirs))


class Preview:
    """The articles a review shows, being read by a child (``pid`` 0: by nobody yet)."""

    def __init__(self, mine: Path, theirs: Path, pid: int = 0, pipe: int = -1) -> None:
        self.mine, self.theirs = mine, theirs
        self._pid = pid
        self._pipe = pipe

    @classmethod
    def start(cls, mine: Path, theirs: Path) -> Preview:
        """The child started; where there is no fork, ``take`` reads them here."""
        if not hasattr(os, "fork"):
            return cls(mine, theirs)
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return cls(mine, theirs)
        try:
            pid = descriptors.child(lambda: descriptors.write_all(write_end, _read(mine, theirs)),
                                    keep=(write_end,))
        except OSError:
            descriptors.end(0, (read_end, write_end))
            return cls(mine, theirs)
        os.close(write_end)
        return cls(mine, theirs, pid, read_end)

    def take(self) -> list[Article]:
        """The articles: the child's, else read here (InputError naming any problem)."""
        handed = self._handed_over()
        return handed if handed is not None else shown(self.mine, self.theirs)

    def _handed_over(self) -> list[Article] | None:
        """What the child handed over; None if it handed over nothing whole."""
        if not self._pid:
            return None
        try:
            payload = self._receive()
            if payload is None:
                return None
            return [Article(name=name, text=text, sha256=sha, title=title,
                            source=Source(**source) if source is not None else None)
                    for name, text, sha, title, source in marshal.loads(payload)]
        except (EOFError, ValueError, TypeError, OSError):
            return None
        finally:
            self.close()

    def _receive(self) -> bytes | None:
        """Everything the child wrote, once it exited with success; None otherwise."""
        deadline = time.monotonic() + WAIT_S
        pieces: list[bytes] = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._pipe], [], [], left)[0]:
                return None
            piece = os.read(self._pipe, 1 << 20)
            if not piece:
                break
            pieces.append(piece)
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return b"".join(pieces) if os.waitstatus_to_exitcode(status) == 0 else None

    def close(self) -> None:
        descriptors.end(self._pid, (self._pipe,))
        self._pid, self._pipe = 0, -1


def _read(mine: Path, theirs: Path) -> bytes:
    """In the child: the articles as ``marshal`` data (a Source as its record)."""
    return marshal.dumps([
        (a.name, a.text, a.sha256, a.title, None if a.source is None else a.source.record())
        for a in shown(mine, theirs)])
