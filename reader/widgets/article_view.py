"""One article, word-wrapped, with a cursor, a selection and annotation highlights.

A line-API ``ScrollView``: only rows on screen are rendered, each rendered row is cached
as a ``Strip``, and a cursor move repaints just the rows whose look changed. All text goes
through ``annotations.text.display`` and into ``Segment``s: never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotations.articles import Article
from annotations.model import Annotation
from annotations.search import FoldedText, next_match
from annotations.segments import (
    next_boundary,
    sentence_at,
    snap,
    word_at,
)
from annotations.text import display
from reader.actions import VIEW_ACTIONS, bindings
from reader.widgets.row_cache import RowCache, pages_around
from reader.widgets.row_paint import Looks, paint_row, thumb_rows
from reader.widgets.tagstyles import TagStyles
from reader.wrapping import Rows, move_target, wrap

Layer = Callable[[int, int], list[Annotation]]
"""(start, end) -> annotations overlapping it, in position order."""


EAGER = 20_000
"""Characters wrapped before the first frame of a long article (a 200x60 screen shows
~12,000 at most); the rest is wrapped just after it."""
BAR = 1
"""Columns at the right edge showing the scroll position. Drawn with the rows, because
Textual's own scrollbar cost 2 ms of the ~10 ms a page down may take."""


class ArticleView(ScrollView, can_focus=True):
    """The reading surface of one pane."""

    ALLOW_SELECT = False  # our own selection, not Textual's copy-selection
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--selection", "article-view--overlap", "article-view--cursor",
        "article-view--cursor-unfocused", "article-view--unknown-tag"}
    """Styled in factread.tcss, so that a theme or a user's CSS changes them."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(VIEW_ACTIONS, on_view=True)

    class Moved(Message):
        """The cursor or the selection changed."""

        def __init__(self, view: ArticleView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, article: Article, mine: Layer, tag_styles: TagStyles, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.article = article
        self.text = article.text
        # One symbol per character: display column == text offset within a row.
        shown = display(article.text)
        self._shown = shown.replace("\t", " ") if "\t" in shown else shown
        self.mine = mine
        self.theirs: Layer | None = None
        self.tag_styles = tag_styles
        self.cursor = 0
        """Offset of the cursor; every change goes through ``set_cursor``."""
        self.sel_anchor: int | None = None
        """Where the selection started (``Widget.anchor`` is Textual's own)."""
        self.sticky = False
        """``v`` mode: plain movement extends the selection."""
        self._goal_col: int | None = None
        self._rows = Rows([0], [0], 0)
        self._wrapped_to = len(article.text)
        """Rows exist for the text up to here; the rest is wrapped just after a frame."""
        self._cache = RowCache(self.row_strip)
        """Rendered rows, least recently painted first."""
        self._ahead = 0
        """Counts scrolls: a pending paint-ahead of an older position stops."""
        self._looks: Looks | None = None
        self._folded: FoldedText | None = None
        self.matches: list[tuple[int, int]] = []
        self.search_query = ""
        """The last search (``DOMNode.query`` is Textual's own)."""
        self.wrapped = False
        """The last search step went round the article's end (or start)."""
        self._drag_from: int | None = None
        self._bar_drag = False
        self._base: Style | None = None
        self._bar: tuple[Segment, Segment] | None = None
        """(track, thumb) cells of the scroll bar, in the current theme."""
        self._thumb_rows: tuple[int, int] | None = None
        """Rows of the bar the thumb covers, until the view scrolls, resizes or rewraps."""

    # ------------------------------------------------------------ geometry
    def _rewrap(self, width: int) -> None:
        """Wrap at ``width``: at once up to the first newline past EAGER characters (enough
        for any screen at the top), the rest just after the frame is painted, so a 1 MB
        article shows its first lines without waiting for all of it to be wrapped."""
        if width <= 0 or width == self._rows.width:
            return
        text = self.text
        cut = text.find("\n", EAGER) if len(text) > EAGER * 2 else -1
        if cut == -1 or self.cursor > cut:
            self._rows, self._wrapped_to = wrap(text, width), len(text)
        else:
            self._rows, self._wrapped_to = wrap(text, width, 0, cut), cut
            self.call_after_refresh(self._finish_wrap)
        self._cache.clear()
        self._thumb_rows = None
        self.virtual_size = Size(width, len(self._rows))

    def _finish_wrap(self) -> None:
        if self._wrapped_to < len(self.text):
            self._rows.extend(wrap(self.text, self._rows.width, self._wrapped_to + 1))
            self._wrapped_to = len(self.text)
            self._thumb_rows = None
            self.virtual_size = Size(self._rows.width, len(self._rows))
            self.refresh()  # the thumb shrinks

    def on_resize(self, event: events.Resize) -> None:
        # Wrapping 1 MB takes tens of ms: only ever at the width the text is shown at.
        self._thumb_rows = None
        self._rewrap(self.text_width)
        self.scroll_to_cursor(center=True)
        self.paint_ahead_soon()

    @property
    def text_width(self) -> int:
        """Columns the text is wrapped to: the content width less the scroll bar."""
        return max(1, self.scrollable_content_region.width - BAR)

    @property
    def allow_vertical_scroll(self) -> bool:
        # Textual's scrollbar is hidden (we draw our own), which would also stop the wheel.
        return not self._check_disabled() and self.max_scroll_y > 0

    @property
    def rows(self) -> Rows:
        """Every row of the article (a wrap still pending is finished first)."""
        self._finish_wrap()
        return self._rows

    # ------------------------------------------------------------ selection
    @property
    def selection(self) -> tuple[int, int] | None:
        if self.sel_anchor is None or self.sel_anchor == self.cursor:
            return None
        return (min(self.sel_anchor, self.cursor), max(self.sel_anchor, self.cursor))

    def set_cursor(self, offset: int, *, extend: bool = False, anchor: int | None = None,
                   keep_goal: bool = False) -> None:
        """Move the cursor (and the selection), repainting only rows whose look changed."""
        old_cursor, old_sel = self.cursor, self.selection
        offset = snap(self.text, offset)
        if anchor is not None:
            self.sel_anchor = snap(self.text, anchor)
        elif extend or self.sticky:
            if self.sel_anchor is None:
                self.sel_anchor = old_cursor
        else:
            self.sel_anchor = None
        self.cursor = offset
        if not keep_goal:
            self._goal_col = None
        self._repaint_between(old_cursor, old_sel)
        self.scroll_to_cursor()
        self.post_message(self.Moved(self))

    def _repaint_between(self, old_cursor: int, old_sel: tuple[int, int] | None) -> None:
        spans = [(old_cursor, old_cursor + 1), (self.cursor, self.cursor + 1)]
        new_sel = self.selection
        if old_sel != new_sel:
            a0, b0 = old_sel or (old_cursor, old_cursor)
            a1, b1 = new_sel or (self.cursor, self.cursor)
            spans += [(min(a0, a1), max(a0, a1) + 1), (min(b0, b1), max(b0, b1) + 1)]
        self.repaint_spans(spans)

    def repaint_spans(self, spans: Iterable[tuple[int, int]]) -> None:
        rows = self._rows
        top = round(self.scroll_offset.y)
        bottom = top + self.size.height
        for start, end in spans:
            first = rows.row_of(start)
            last = rows.row_of(max(start, end - 1))
            for row in range(first, last + 1):
                self._cache.pop(row)
            lo, hi = max(first, top), min(last, bottom)
            if lo <= hi:
                self.refresh_lines(lo, hi - lo + 1)

    def repaint_all(self) -> None:
        self._cache.clear()
        self.refresh()
        self.paint_ahead_soon()

    def scroll_to_cursor(self, center: bool = False) -> None:
        # The rows wrapped so far do when the cursor is among them: asking for all of them
        # here (on every resize, the first included) would wrap a 1 MB article before the
        # first frame instead of after it.
        rows = self._rows if self.cursor < self._wrapped_to else self.rows
        row = rows.row_of(self.cursor)
        top = round(self.scroll_offset.y)
        height = max(1, self.scrollable_content_region.height)
        if center and not top <= row < top + height:
            self.scroll_to(y=max(0, row - height // 3), animate=False)
        elif row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    # ------------------------------------------------------------ actions
    def action_move(self, how: str, extend: bool = False) -> None:
        text, cursor = self.text, self.cursor
        rows = self.rows
        keep_goal = how in ("up", "down", "pageup", "pagedown")
        target = move_target(how, text, rows, cursor)
        if target is None:  # up, down, page up, page down: by rows, keeping the column
            step = {"up": -1, "down": 1}.get(how)
            page = max(1, self.scrollable_content_region.height - 1)
            delta = step if step is not None else (-page if how == "pageup" else page)
            if self._goal_col is None:
                self._goal_col = rows.column_of(self._shown, cursor)
            target_row = rows.row_of(cursor) + delta
            if step is None:
                self.scroll_to(y=self.scroll_offset.y + delta, animate=False)
            target = rows.offset_at(self.text, self._shown, target_row, self._goal_col)
            if target_row < 0:
                target = 0
            elif target_row >= len(rows):
                target = len(text)
        self.set_cursor(target, extend=extend, keep_goal=keep_goal)

    def action_anchor(self) -> None:
        """``v``: drop an anchor; movement then extends from it until ``v`` or Esc."""
        if self.sticky:
            self.sticky = False
            self.post_message(self.Moved(self))
        else:
            self.sticky = True
            self.set_cursor(self.cursor, anchor=self.cursor)

    def action_sentence(self) -> None:
        span = sentence_at(self.text, self.cursor)
        if span is None:
            self.app.bell()
            return
        self.sticky = False
        self.select(*span)

    def action_clear_selection(self) -> None:
        self.sticky = False
        self.set_cursor(self.cursor)

    def select(self, start: int, end: int) -> None:
        """Select [start, end) with the cursor at its end."""
        self.set_cursor(end, anchor=start)

    # ------------------------------------------------------------ search
    def search(self, query: str, *, backwards: bool = False, here: bool = False) -> int:
        """Select the next (or previous) match of ``query`` after the cursor (``here``: a
        match starting at the cursor counts). Returns the number of matches in the
        article (0: nothing selected)."""
        if query != self.search_query or self._folded is None:
            self._folded = self._folded or FoldedText(self.text)
            self.search_query = query
            self.matches = self._folded.find_all(query)
        if not self.matches:
            return 0
        before = self.selection[0] if self.selection else self.cursor
        start, end = next_match(self.matches, self.selection, self.cursor,
                                backwards=backwards, here=here)
        # Went round the end of the article (n) or its start (N): the screen says so
        self.wrapped = not here and (start >= before if backwards else start <= before)
        self.sticky = False
        self.select(start, end)
        return len(self.matches)

    def match_index(self) -> int:
        sel = self.selection
        return self.matches.index(sel) + 1 if sel in self.matches else 0

    # ------------------------------------------------------------ mouse
    def _offset_from_mouse(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        return self.rows.offset_at(self.text, self._shown, round(self.scroll_offset.y) + offset.y,
                                  offset.x)

    def _scroll_to_bar(self, y: int) -> None:
        """Scroll so the thumb sits at row ``y`` of the bar (as dragging a scroll bar)."""
        height = max(2, self.size.height)
        self.scroll_to(y=round(max(0, min(y, height - 1)) * self.max_scroll_y / (height - 1)),
                       animate=False)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.x >= self.text_width:
            if self.allow_vertical_scroll:
                self._bar_drag = True
                self.capture_mouse()
                self._scroll_to_bar(offset.y)
            return
        at = self._offset_from_mouse(event)
        if at is None:
            return
        self.focus()
        self.sticky = False
        self._drag_from = at
        self.capture_mouse()
        self.set_cursor(at)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        # Between our mouse-down and mouse-up (the mouse is captured), any motion drags.
        if self._bar_drag:
            self._scroll_to_bar(event.get_content_offset_capture(self).y)
            return
        if self._drag_from is None:
            return
        at = self._offset_from_mouse(event)
        if at is not None:
            self.set_cursor(at, anchor=self._drag_from)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._drag_from = None
        self._bar_drag = False
        self.release_mouse()

    def on_click(self, event: events.Click) -> None:
        """A double click selects the word, a triple click the sentence (the press before
        put the cursor there)."""
        if event.chain < 2 or self._offset_from_mouse(event) is None:
            return
        span = (word_at if event.chain == 2 else sentence_at)(self.text, self.cursor)
        if span is not None:
            self.sticky = False
            self.select(*span)

    def on_focus(self) -> None:
        self.repaint_spans([(self.cursor, self.cursor + 1)])
        self.paint_ahead_soon()
        self.post_message(self.Moved(self))

    def on_blur(self) -> None:
        self.repaint_spans([(self.cursor, self.cursor + 1)])

    # ------------------------------------------------------------ rendering
    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        self._thumb_rows = None
        super().watch_scroll_y(old_value, new_value)
        self.paint_ahead_soon()

    def paint_ahead_soon(self) -> None:
        """Once this frame is painted, the page below and the page above (see RowCache)."""
        self._ahead += 1
        self.call_after_refresh(self._paint_ahead, self._ahead)

    def _paint_ahead(self, turn: int) -> None:
        if turn != self._ahead or not self.has_focus or not self._rows.width:
            return
        rows = pages_around(round(self.scroll_offset.y), self.size.height, len(self._rows))
        if not self._cache.ahead(rows):
            self.call_later(self._paint_ahead, turn)

    def render_line(self, y: int) -> Strip:
        # The first frame can come before the first Resize: wrap now, so that it has text.
        # (Later a Resize rewraps; asking the region's width on every line costs 20 us.)
        if not self._rows.width:
            self._rewrap(self.text_width)
        row = round(self.scroll_offset.y) + y
        if row >= len(self._rows):
            strip = Strip.blank(self._rows.width, self._base_style())
        else:
            strip = self._cache.strip(row)
        track, thumb = self._bar_cells()
        top, bottom = self._thumb_rows or self._thumb()
        # Not Strip.join: it measures every segment again; both lengths are known here.
        return Strip([*strip, thumb if top <= y < bottom else track], strip.cell_length + BAR)

    def _thumb(self) -> tuple[int, int]:
        """Rows of the bar the thumb covers (none when the whole article fits)."""
        self._thumb_rows = thumb_rows(self.size.height, len(self._rows), self.scroll_offset.y)
        return self._thumb_rows

    def _bar_cells(self) -> tuple[Segment, Segment]:
        """(track, thumb): one cell of each, in the current theme."""
        if self._bar is None:
            background = self.background_colors[1]
            track = (background + self.styles.scrollbar_background).rich_color
            thumb = (background + self.styles.scrollbar_color).rich_color
            self._bar = (Segment(" " * BAR, Style(bgcolor=track)),
                         Segment(" " * BAR, Style(bgcolor=thumb)))
        return self._bar

    def _base_style(self) -> Style:
        if self._base is None:
            self._base = self.rich_style  # costly to compute; changes only with CSS
        return self._base

    @property
    def cached_rows(self) -> list[int]:
        """The rows kept rendered, least recently painted first."""
        return self._cache.rows

    def _component_looks(self) -> Looks:
        if self._looks is None:
            def get(name: str) -> Style:
                return self.get_component_rich_style(f"article-view--{name}", partial=True)

            self._looks = Looks(get("selection"), get("overlap"), get("cursor"),
                                get("cursor-unfocused"), get("unknown-tag"))
        return self._looks

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._looks = None
        self._bar = None
        self._cache.clear()

    def row_strip(self, row: int) -> Strip:
        """Row ``row`` as painted now (highlights, selection, cursor), without the bar."""
        start, end = self._rows.starts[row], self._rows.ends[row]
        looks = self._component_looks()
        last = row + 1 == len(self._rows) or self._rows.starts[row + 1] > end
        return paint_row(
            self._shown, start, end, self._rows.width,
            mine=self.mine(start, max(end, start + 1)),
            theirs=self.theirs(start, max(end, start + 1)) if self.theirs else [],
            selection=self.selection,
            cursor=(self.cursor, next_boundary(self.text, self.cursor)),
            cursor_look=looks.cursor if self.has_focus else looks.cursor_unfocused,
            cursor_after=self.cursor == end and last, base=self._base_style(), looks=looks,
            fill=self.tag_styles.fill)
