"""One wrapped row of an article as styled segments: tag highlights (the innermost of
overlapping ones, marked), a colleague's layer underlined, the selection and the cursor.
Kept apart from the widget so that painting is one plain function of what is shown."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from annotations.model import Annotation


@dataclass(frozen=True)
class Looks:
    """The view's component styles (``COMPONENT_CLASSES``, set in factread.tcss), read
    once per style change instead of on every painted segment."""

    selection: Style
    overlap: Style
    cursor: Style
    cursor_unfocused: Style
    unknown_tag: Style


def paint_row(shown: str, start: int, end: int, width: int, *, mine: Sequence[Annotation],
              theirs: Sequence[Annotation], selection: tuple[int, int] | None,
              cursor: tuple[int, int], cursor_look: Style, cursor_after: bool, base: Style,
              looks: Looks, fill: dict[str, Style]) -> Strip:
    """Characters ``start``-``end`` of ``shown`` (the display form of the text: one cell
    per character) as a strip ``width`` cells wide. ``mine`` and ``theirs`` come in
    position order (as the store gives them). ``cursor`` is the cursor's grapheme;
    ``cursor_after``: the cursor sits just past the row's last character."""
    points = {start, end}
    # Only the starts and ends inside the row cut it (the rest would be clamped to its
    # edges, which are in already)
    for anns in (mine, theirs):
        points.update([a.start for a in anns if start < a.start < end])
        points.update([a.end for a in anns if start < a.end < end])
    if selection:
        points.update((max(start, min(end, selection[0])), max(start, min(end, selection[1]))))
    at, cursor_end = cursor
    if start <= at < end:
        points.update((at, min(end, cursor_end)))
    segments: list[Segment] = []
    # A sweep: annotations enter as their start is passed and leave (lazily) once their
    # end is; the innermost is the top of a heap. Scanning every annotation of the row
    # for every segment cost 94 ms a page down with 100,000 annotations on 100 KB.
    mine_order = range(len(mine))
    their_order = range(len(theirs))
    inner_heap: list[tuple[int, int]] = []  # (length, index): the innermost first
    live_ends: list[int] = []  # ends of the annotations entered: how many cover here
    their_heap: list[int] = []  # index: the first of theirs in their order
    next_mine = next_theirs = 0
    # A row of 100 characters under 160 annotations has ~100 pieces but a handful of looks:
    # each look is composed once (rich's Style addition was a tenth of the painting).
    styles: dict[tuple[str | None, bool, str | None, bool, bool], Style] = {}
    last_style: Style | None = None
    piece_start = piece_end = start
    for a, b in itertools.pairwise(sorted(points)):
        if a >= b:
            continue
        while next_mine < len(mine_order) and mine[mine_order[next_mine]].start <= a:
            i = mine_order[next_mine]
            heapq.heappush(inner_heap, (mine[i].end - mine[i].start, i))
            heapq.heappush(live_ends, mine[i].end)
            next_mine += 1
        while next_theirs < len(their_order) and theirs[their_order[next_theirs]].start <= a:
            heapq.heappush(their_heap, their_order[next_theirs])
            next_theirs += 1
        while live_ends and live_ends[0] <= a:
            heapq.heappop(live_ends)
        while inner_heap and mine[inner_heap[0][1]].end <= a:
            heapq.heappop(inner_heap)
        while their_heap and theirs[their_heap[0]].end <= a:
            heapq.heappop(their_heap)
        look = (mine[inner_heap[0][1]].tag if inner_heap else None, len(live_ends) > 1,
                theirs[their_heap[0]].tag if their_heap else None,
                bool(selection and selection[0] <= a < selection[1]), a == at)
        style = styles.get(look)
        if style is None:
            style = styles[look] = _compose(look, base, looks, fill, cursor_look)
        if style is last_style:
            piece_end = b  # the same look goes on: one segment (fewer to compose and draw)
            continue
        if last_style is not None:
            segments.append(Segment(shown[piece_start:piece_end], last_style))
        piece_start, piece_end, last_style = a, b, style
    if last_style is not None:
        segments.append(Segment(shown[piece_start:piece_end], last_style))
    if cursor_after:
        segments.append(Segment(" ", base + cursor_look))
    # The row's cells counted once, not per segment (Strip would measure each of ~100
    # pieces of a dense row), and one strip made instead of two.
    row = shown[start:end]
    cells = (len(row) if row.isascii() and row.isprintable() else cell_len(row)) + cursor_after
    if cells < width:
        segments.append(Segment(" " * (width - cells), base))
        return Strip(segments, width)
    return Strip(segments, cells).crop(0, width) if cells > width else Strip(segments, cells)


def _compose(look: tuple[str | None, bool, str | None, bool, bool], base: Style, looks: Looks,
             fill: dict[str, Style], cursor_look: Style) -> Style:
    inner, overlap, their_tag, selected, cursor = look
    style = base
    if inner is not None:
        style = style + fill.get(inner, looks.unknown_tag)
        if overlap:
            style = style + looks.overlap
    if their_tag is not None:
        colour = fill.get(their_tag, looks.unknown_tag).bgcolor
        style = style + Style(underline=True, color=colour if inner is None else None)
    if selected:
        style = style + looks.selection
    if cursor:
        style = style + cursor_look
    return style


def thumb_rows(height: int, total: int, scroll_y: float) -> tuple[int, int]:
    """The rows of a one-column scroll bar ``height`` rows high that its thumb covers, for
    ``total`` rows scrolled to ``scroll_y`` (none when everything fits)."""
    if total <= height or height < 1:
        return (0, 0)
    size = max(1, height * height // total)
    top = round(scroll_y * (height - size) / max(1, total - height))
    return (top, top + size)
