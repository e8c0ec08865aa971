"""Word-wrapping an article into screen rows, keeping every row's text offsets.

A row is ``text[starts[i]:ends[i]]`` (never containing the newline). Columns are terminal
cells; wide characters take two.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rich.cells import cell_len

from annotations.segments import next_boundary, next_word, prev_boundary, prev_word

_TOKEN = re.compile(r"\S+\s*|\s+")

# Characters that may not take exactly one cell (combining marks from U+0300, wide East
# Asian, emoji, zero-width and bidi controls). A paragraph without any is wrapped by one
# regex per row instead of a Python loop per word: 1 MB of news text in a fraction.
_NOT_ONE_CELL = re.compile("[^\u0000-\u02ff\u2010-\u2027\u2030-\u205e]")
_ROW_CACHE: dict[int, re.Pattern[str]] = {}


def _row_pattern(width: int) -> re.Pattern[str]:
    """The longest run of at most ``width`` characters that starts and ends a word, or
    ``width`` characters of a word longer than that; then the spaces after it."""
    pattern = _ROW_CACHE.get(width)
    if pattern is None:
        pattern = re.compile(rf"(?:\S.{{0,{width - 1}}}(?<=\S)(?=\s|$)|\S{{1,{width}}})\s*")
        _ROW_CACHE[width] = pattern
    return pattern


@dataclass
class Rows:
    starts: list[int]
    ends: list[int]
    width: int

    def __len__(self) -> int:
        return len(self.starts)

    def row_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def column_of(self, shown: str, offset: int) -> int:
        """The screen column of ``offset`` in its row (``shown``: the display text)."""
        return cell_len(shown[self.starts[self.row_of(offset)]:offset])

    def offset_at(self, text: str, shown: str, row: int, col: int) -> int:
        """The offset of the grapheme at screen column ``col`` of ``row`` (clamped)."""
        row = max(0, min(row, len(self) - 1))
        start, end = self.starts[row], self.ends[row]
        used = 0
        i = start
        while i < end:
            j = next_boundary(text, i)
            width = cell_len(shown[i:j])
            if used + width > col:
                return i
            used += width
            i = j
        return end

    def extend(self, more: Rows) -> None:
        """Append the rows of the text that follows (wrapped at the same width)."""
        self.starts.extend(more.starts)
        self.ends.extend(more.ends)


def wrap(text: str, width: int, start: int = 0, stop: int | None = None) -> Rows:
    """Greedy word wrap of ``text[start:stop]`` (offsets stay those of ``text``). Spaces
    after a word stay on its row (they may run past the edge, invisibly); a word wider
    than the row is cut at grapheme boundaries. Wrapping is per paragraph, so the rows of
    a text cut at a newline are the rows of the part before it followed by those after."""
    width = max(width, 4)
    starts: list[int] = []
    ends: list[int] = []
    pos = start
    part = text if start == 0 and stop is None else text[start:stop]
    for para in part.split("\n"):
        n = len(para)
        if n <= width and (para.isascii() or cell_len(para) <= width):
            starts.append(pos)
            ends.append(pos + n)
        elif not para[0].isspace() and not _NOT_ONE_CELL.search(para):
            for row in _row_pattern(width).finditer(para):
                starts.append(pos + row.start())
                ends.append(pos + row.end())
        else:
            _wrap_paragraph(para, pos, width, starts, ends)
        pos += n + 1
    return Rows(starts, ends, width)


def _cells(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _wrap_paragraph(para: str, base: int, width: int, starts: list[int], ends: list[int]) -> None:
    row_start = 0
    used = 0
    for match in _TOKEN.finditer(para):
        token = match.group()
        word = token.rstrip()
        word_cells = _cells(word)
        if used + word_cells <= width:
            used += word_cells + len(token) - len(word)
            continue
        if used:
            starts.append(base + row_start)
            ends.append(base + match.start())
            row_start, used = match.start(), 0
            if word_cells <= width:
                used = word_cells + len(token) - len(word)
                continue
        # A word wider than a row: cut it into row-sized pieces.
        i, end = match.start(), match.start() + len(word)
        while i < end:
            j = next_boundary(para, i)
            cells = _cells(para[i:j])
            if used + cells > width and used:
                starts.append(base + row_start)
                ends.append(base + i)
                row_start, used = i, 0
            used += cells
            i = j
        used += len(token) - len(word)
    starts.append(base + row_start)
    ends.append(base + len(para))


def move_target(how: str, text: str, rows: Rows, cursor: int) -> int | None:
    """Where a movement that does not depend on the screen's height takes the cursor:
    by grapheme, word, row end or article end. None for up, down and the page keys."""
    if how == "left":
        return prev_boundary(text, cursor)
    if how == "right":
        return next_boundary(text, cursor)
    if how == "word":
        return next_word(text, cursor)
    if how == "back":
        return prev_word(text, cursor)
    if how == "home":
        return rows.starts[rows.row_of(cursor)]
    if how == "end":
        row = rows.row_of(cursor)
        target = rows.ends[row]
        if row + 1 < len(rows) and rows.starts[row + 1] == target:
            target = prev_boundary(text, target)  # stay on this row
        return target
    if how == "top":
        return 0
    if how == "bottom":
        return len(text)
    return None
