"""A column: the article's title bar over its text."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.widget import Widget

from annotations.text import display_line
from reader.widgets.article_view import ArticleView


class TitleBar(Widget):
    """Title, file name and number of annotations. Rendered as Text: never markup."""

    DEFAULT_CSS = "TitleBar { height: 1; }"

    def __init__(self, number: int, view: ArticleView) -> None:
        super().__init__()
        self.number = number
        self.view = view
        self.count = 0

    def render(self) -> Text:
        article = self.view.article
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {self.number} ", style="bold reverse")
        text.append(f" {self.count} ann. ", style="italic")
        if article.source is not None and article.source.outlet:
            # Reports are told apart by who published them: the outlet comes first, so a
            # narrow pane still shows it when the title is cut.
            text.append(" " + display_line(article.source.outlet), style="bold italic")
            text.append(" · " + display_line(article.title), style="bold")
            text.append(f"  {display_line(article.source.published)}", style="dim")
        else:
            text.append(" " + display_line(article.title), style="bold")
            text.append(f"  {display_line(article.origin)}", style="dim")
        return text


class ArticlePane(Vertical):
    def __init__(self, number: int, view: ArticleView) -> None:
        super().__init__(classes="pane")
        self.view = view
        self.title_bar = TitleBar(number, view)

    def compose(self) -> ComposeResult:
        yield self.title_bar
        yield self.view

    def set_count(self, count: int) -> None:
        if count != self.title_bar.count:
            self.title_bar.count = count
            self.title_bar.refresh()


MIN_PANE = 30
"""Narrowest readable column; fewer panes are shown side by side below it."""


def fit_panel(panel: Widget | None, available: int) -> int:
    """The columns a docked panel takes out of ``available`` (0 when absent or hidden): its
    ``WIDTH``, down to its ``MIN_WIDTH`` on a small terminal, so that one article stays
    readable beside it."""
    if panel is None or not panel.display:
        return 0
    width, narrowest = int(getattr(panel, "WIDTH")), int(getattr(panel, "MIN_WIDTH"))  # noqa: B009
    taken = max(narrowest, min(width, available - MIN_PANE))
    panel.styles.width = taken
    return taken


class PaneRow(HorizontalScroll):
    """The articles side by side: as many as fit at MIN_PANE columns share the width, the
    rest are one scroll (or Tab, a number, o) away."""

    def __init__(self, panes: list[ArticlePane]) -> None:
        super().__init__(*panes, id="panes")
        self.panes = panes
        self.can_focus = False  # Tab moves between articles, not onto their container
        self.panes_shown = len(panes)
        self.pane_width = MIN_PANE
        self.first_shown = 0
        """The first pane on screen: the row scrolls by whole panes, never to mid-pane."""

    def fit(self, available: int, current: ArticlePane | None = None) -> int:
        """Size the panes for ``available`` columns, ``current`` kept on screen. Returns
        the columns left over when not every pane fits (a docked panel takes them, so
        that no dead strip is left beside it)."""
        if not self.panes:
            return 0
        shown = max(1, min(len(self.panes), available // MIN_PANE))
        width = max(MIN_PANE, available // shown)
        for index, pane in enumerate(self.panes):
            last = index == shown - 1 and shown == len(self.panes)
            pane.styles.width = width + (available - width * shown if last else 0)
        # When some panes are scrolled out, the row is exactly as wide as those shown: the
        # columns left over stay blank instead of showing a sliver of the next pane.
        self.styles.width = "1fr" if shown == len(self.panes) else width * shown
        self.panes_shown, self.pane_width = shown, width
        self.show_pane(current, force=True)
        return 0 if shown == len(self.panes) else available - width * shown

    def show_pane(self, pane: ArticlePane | None, *, force: bool = False) -> None:
        """Scroll by whole panes so that ``pane`` is on screen."""
        index = self.panes.index(pane) if pane in self.panes else self.first_shown
        first = min(max(self.first_shown, index - self.panes_shown + 1), index)
        first = max(0, min(first, len(self.panes) - self.panes_shown))
        if first != self.first_shown or force:
            self.first_shown = first
            # After the layout the new widths make: scrolling now would use the old ones
            self.call_after_refresh(self.scroll_to, first * self.pane_width, None, animate=False)
