"""The painted rows of an article view, kept least recently used first, and painted ahead
of the keys that will show them.

With 100,000 annotations on 100 KB a row takes ~0.7 ms to paint, so a page down that
paints 44 new rows spent most of its time there. After each frame the focused view paints
the page below and the page above in slices of a few milliseconds (see ``ahead``), so the
next page key mostly finds its rows painted. A slice at a time: a key that arrives waits
for one slice at most, never for a whole page."""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator

from textual.strip import Strip

CACHED_ROWS = 4000
"""Rendered rows kept (least recently painted dropped first): a few screens of any size."""
SLICE = 0.004
"""Seconds of painting ahead before letting the next message (a key) in."""


class RowCache:
    """Row number -> painted strip. Whoever changes what a row shows pops it (or clears)."""

    def __init__(self, paint: Callable[[int], Strip], limit: int = CACHED_ROWS) -> None:
        self._paint = paint
        self._strips: OrderedDict[int, Strip] = OrderedDict()
        self.limit = limit
        self.ahead_painted = 0
        """Rows painted ahead of being shown, and the seconds it took (for the benches)."""
        self.ahead_seconds = 0.0

    def strip(self, row: int) -> Strip:
        """Row ``row``, painted now if it is not kept."""
        cached = self._strips.get(row)
        if cached is not None:
            self._strips.move_to_end(row)
            return cached
        strip = self._strips[row] = self._paint(row)
        while len(self._strips) > self.limit:
            self._strips.popitem(last=False)
        return strip

    def pop(self, row: int) -> None:
        self._strips.pop(row, None)

    def clear(self) -> None:
        self._strips.clear()

    @property
    def rows(self) -> list[int]:
        """The rows kept, least recently painted first."""
        return list(self._strips)

    def ahead(self, rows: Iterable[int], budget: float = SLICE) -> bool:
        """Paint those of ``rows`` not kept, for up to ``budget`` seconds. True when none
        is left to paint; otherwise call again (after the waiting messages)."""
        started = time.perf_counter()
        try:
            for row in rows:
                if row in self._strips:
                    continue
                if time.perf_counter() - started > budget:
                    return False
                self.strip(row)
                self.ahead_painted += 1
            return True
        finally:
            self.ahead_seconds += time.perf_counter() - started


def pages_around(top: int, height: int, total: int) -> Iterator[int]:
    """The rows of the page below a screen showing rows ``top``.. (``height`` of them, of
    ``total``), then those of the page above: where the next page key goes."""
    return itertools.chain(range(top + height, min(total, top + 2 * height)),
                           range(max(0, top - height), top))
