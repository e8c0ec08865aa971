"""One wrapped row of an article as styled segments: tag highlights (the innermost of
overlapping ones, marked), a colleague's layer underlined, the selection and the cursor.
Kept apart from the widget so that painting is one plain function of what is shown."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

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
    per character) as a strip ``width`` cells wide. ``cursor`` is the cursor's grapheme;
    ``cursor_after``: the cursor sits just past the row's last character."""
    points = {start, end}
    for ann in (*mine, *theirs):
        points.add(max(start, min(end, ann.start)))
        points.add(max(start, min(end, ann.end)))
    if selection:
        points.update((max(start, min(end, selection[0])), max(start, min(end, selection[1]))))
    at, cursor_end = cursor
    if start <= at < end:
        points.update((at, min(end, cursor_end)))
    segments: list[Segment] = []
    for a, b in itertools.pairwise(sorted(points)):
        if a >= b:
            continue
        style = base
        covering = [x for x in mine if x.start <= a < x.end]
        if covering:
            inner = min(covering, key=lambda x: x.end - x.start)
            style = style + fill.get(inner.tag, looks.unknown_tag)
            if len(covering) > 1:
                style = style + looks.overlap
        for other in theirs:
            if other.start <= a < other.end:
                colour = fill.get(other.tag, looks.unknown_tag).bgcolor
                style = style + Style(underline=True, color=colour if not covering else None)
                break
        if selection and selection[0] <= a < selection[1]:
            style = style + looks.selection
        if a == at:
            style = style + cursor_look
        segments.append(Segment(shown[a:b], style))
    if cursor_after:
        segments.append(Segment(" ", base + cursor_look))
    return Strip(segments).crop_extend(0, width, base)


def thumb_rows(height: int, total: int, scroll_y: float) -> tuple[int, int]:
    """The rows of a one-column scroll bar ``height`` rows high that its thumb covers, for
    ``total`` rows scrolled to ``scroll_y`` (none when everything fits)."""
    if total <= height or height < 1:
        return (0, 0)
    size = max(1, height * height // total)
    top = round(scroll_y * (height - size) / max(1, total - height))
    return (top, top + size)
