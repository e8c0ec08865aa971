"""Row painting by a sweep gives exactly what checking every annotation per segment gave."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style

from annotations.model import Annotation
from reader.widgets.row_paint import Looks, paint_row

LOOKS = Looks(Style(bgcolor="blue"), Style(bold=True), Style(reverse=True),
              Style(underline=True), Style(bgcolor="grey50"))
FILL = {"claim": Style(bgcolor="red"), "unverified": Style(bgcolor="yellow")}
BASE = Style(color="white")
TEXT = "abcdefghijklmnopqrstuvwxyz0123456789" * 3


def ann(n: int, start: int, end: int, tag: str) -> Annotation:
    return Annotation(f"{n:08d}-0000-4000-8000-000000000000", "0" * 64, "a.txt", start, end,
                      TEXT[start:end], "", "", tag, "", (), "x", "t", "t")


def reference(start, end, mine, theirs, selection, cursor):
    """The painting before the sweep: every annotation checked for every segment."""
    points = {start, end}
    for a in (*mine, *theirs):
        points.add(max(start, min(end, a.start)))
        points.add(max(start, min(end, a.end)))
    if selection:
        points.update((max(start, min(end, selection[0])), max(start, min(end, selection[1]))))
    if start <= cursor < end:
        points.update((cursor, cursor + 1))
    out = []
    for a, b in itertools.pairwise(sorted(points)):
        if a >= b:
            continue
        style = BASE
        covering = [x for x in mine if x.start <= a < x.end]
        if covering:
            inner = min(covering, key=lambda x: x.end - x.start)
            style = style + FILL.get(inner.tag, LOOKS.unknown_tag)
            if len(covering) > 1:
                style = style + LOOKS.overlap
        for other in theirs:
            if other.start <= a < other.end:
                colour = FILL.get(other.tag, LOOKS.unknown_tag).bgcolor
                style = style + Style(underline=True, color=colour if not covering else None)
                break
        if selection and selection[0] <= a < selection[1]:
            style = style + LOOKS.selection
        if a == cursor:
            style = style + LOOKS.cursor
        out.append(Segment(TEXT[a:b], style))
    return out


spans = st.lists(st.tuples(st.integers(0, 100), st.integers(1, 30),
                           st.sampled_from(["claim", "unverified", "other"])), max_size=25)


@settings(max_examples=300, deadline=None)
@given(spans, spans, st.none() | st.tuples(st.integers(0, 100), st.integers(0, 100)),
       st.integers(0, 107), st.integers(0, 60), st.integers(1, 50))
def test_the_sweep_paints_as_the_scan_did(mine_spans, their_spans, selection, cursor, start,
                                          length):
    end = start + length
    mine = sorted((ann(n, s, min(s + k, len(TEXT)), t) for n, (s, k, t) in enumerate(mine_spans)),
                  key=lambda a: (a.start, a.end, a.id))
    theirs = sorted((ann(100 + n, s, min(s + k, len(TEXT)), t)
                     for n, (s, k, t) in enumerate(their_spans)),
                    key=lambda a: (a.start, a.end, a.id))
    mine = [a for a in mine if a.start < end and a.end > start]
    theirs = [a for a in theirs if a.start < end and a.end > start]
    sel = (min(selection), max(selection)) if selection and selection[0] != selection[1] else None
    strip = paint_row(TEXT, start, end, length, mine=mine, theirs=theirs, selection=sel,
                      cursor=(cursor, cursor + 1), cursor_look=LOOKS.cursor,
                      cursor_after=False, base=BASE, looks=LOOKS, fill=FILL)
    # A row past the text's end paints nothing there (the strip pads with blanks): the
    # reference's empty pieces are no segments either.
    expected = [seg for seg in reference(start, end, mine, theirs, sel, cursor) if seg.text]
    # Character by character: pieces of one look are painted as one segment now.
    got = [(ch, seg.style) for seg in strip for ch in seg.text]
    want = [(ch, seg.style) for seg in expected for ch in seg.text]
    assert got[:len(want)] == want


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.sampled_from(list("ab é\t日本👍🏽\u0301␛x")), min_size=1, max_size=40),
       width=st.integers(1, 50), cursor_after=st.booleans())
def test_the_strip_says_its_true_width(text, width, cursor_after):
    """The row's cells are counted once (not per segment); the length the strip declares is
    the one its segments measure, always exactly the row width, wide characters included."""
    from textual.strip import Strip

    strip = paint_row(text, 0, len(text), width, mine=[], theirs=[], selection=(1, 3),
                      cursor=(0, 1), cursor_look=LOOKS.cursor, cursor_after=cursor_after,
                      base=BASE, looks=LOOKS, fill=FILL)
    assert strip.cell_length == width
    assert Strip(list(strip)).cell_length == width
